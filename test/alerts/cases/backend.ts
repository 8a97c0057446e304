/** Cases of the backend's alerts (charts/backend/alerts.ts), with series named from its metrics contract. */
import { BACKEND_METRICS as M } from '../../../charts/contracts/backend-metrics';
import { watchedMetrics } from '../../../charts/backend/alerts';
import { pascalCase } from '../../../charts/lib/alert-rules';
import { MetricDef } from '../../../charts/lib/metric';
import { AlertCase, CaseContext, InputSeries, fires, quiet, series } from '../harness';
import { alert } from './common';

/** Target labels as the backend's scrape job writes them. */
const POD_A = { job: 'backend', instance: '10.0.1.10:3000', namespace: 'love-parser', pod: 'backend-7d9f-a', service: 'backend' };
const POD_B = { job: 'backend', instance: '10.0.1.11:3000', namespace: 'love-parser', pod: 'backend-7d9f-b', service: 'backend' };

const requests = M.httpRequestDuration.name + '_count';
const buckets = M.httpRequestDuration.name + '_bucket';

/** A route's request counter for one status, growing by `perMinute` for 40 minutes. */
function requestsOf(route: string, status: string, perMinute: number): InputSeries {
  return series(requests, { ...POD_A, route, method: 'GET', status_code: status }, `0+${perMinute}x40`);
}

/** Histogram buckets where every request (60 a minute) takes between `above` and the next bound. */
function latencyAbove(above: number): InputSeries[] {
  const bounds = [...M.httpRequestDuration.buckets.map(String), '+Inf'];
  return bounds.map((le) =>
    series(buckets, { ...POD_A, route: '/api/users/:id', method: 'GET', status_code: '200', le }, le !== '+Inf' && Number(le) <= above ? '0x40' : '0+60x40'),
  );
}

/** One series of a contract metric as `pod` serves it (a histogram by its _count), labels filled from the contract. */
function served(m: MetricDef, pod: Readonly<Record<string, string>>, values: string): InputSeries {
  const labels = Object.fromEntries(m.labels.map((l) => [l, m.values?.[l]?.[0] ?? 'broadcast']));
  return series(m.type === 'histogram' ? `${m.name}_count` : m.name, { ...pod, ...labels }, values);
}

export function backendCases({ config, endpoints }: CaseContext): AlertCase[] {
  expectDefaults({ ...config.backend.alerts, rateWindow: config.rules.rateWindow });
  const svc = endpoints.backend.name;
  const service = (value: string) =>
    alert('HighErrorRate', 'warning', { service: svc }, 'backend answers more than 5% of requests with 5xx', `${value} of requests to backend failed with a 5xx status over the last 5m (threshold 5%).`);
  const perRoute = (route: string, value: string) =>
    alert('HighErrorRate', 'warning', { service: svc, route }, `backend on route ${route} answers more than 5% of requests with 5xx`, `${value} of requests to backend on route ${route} failed with a 5xx status over the last 5m (threshold 5%).`);
  const latency = (severity: 'warning' | 'critical', q: string, threshold: string, value: string) =>
    alert('BackendHighLatency', severity, { service: svc }, `backend ${q} latency is above ${threshold}`, `The ${q === 'p95' ? '95th' : '99th'} percentile of backend request latency is ${value} over the last 5m (threshold ${threshold}).`);

  const cases: AlertCase[] = [
    fires('HighErrorRate', 'a failing route warns for the service and for the route', {
      // /api/a: 1 req/s, 20% 5xx; /api/b: 1 req/s, no errors; the service: 10% 5xx at 2 req/s.
      input: [requestsOf('/api/a', '200', 48), requestsOf('/api/a', '500', 12), requestsOf('/api/b', '200', 60)],
      at: '20m',
      expect: [service('10%'), perRoute('/api/a', '20%')],
    }),
    fires('HighErrorRate', 'one failing route of a busy service only warns', {
      // /api/a: 20% 5xx at 1 req/s; /api/b: 9 req/s fine; the service: 2%, below 5%.
      input: [requestsOf('/api/a', '200', 48), requestsOf('/api/a', '503', 12), requestsOf('/api/b', '200', 540)],
      at: '20m',
      expect: [perRoute('/api/a', '20%')],
    }),
    quiet('HighErrorRate', 'errors below the ratio, and a rare route below the traffic floor', {
      // /api/a: 4% 5xx; /api/rare: 100% 5xx but 3 requests a minute; the service: under 1%.
      input: [requestsOf('/api/a', '200', 57.6), requestsOf('/api/a', '500', 2.4), requestsOf('/api/rare', '500', 3), requestsOf('/api/b', '200', 600)],
      at: '20m',
    }),
    quiet('HighErrorRate', 'a quiet night: half of 12 requests a minute fail, below the service and route traffic floors', {
      // 0.2 req/s in all: under serviceMinRequestRate (0.5) and, per route, under routeMinRequestRate (0.1).
      input: [requestsOf('/api/a', '200', 3), requestsOf('/api/a', '500', 3), requestsOf('/api/b', '200', 3), requestsOf('/api/b', '500', 3)],
      at: '20m',
    }),

    fires('BackendHighLatency', 'requests between 1s and 2.5s warn on p95 only', {
      input: latencyAbove(1),
      at: '20m',
      expect: [latency('warning', 'p95', '1s', '2.425s')],
    }),
    fires('BackendHighLatency', 'requests between 2.5s and 5s are critical on p99 and warn on p95', {
      input: latencyAbove(2.5),
      at: '20m',
      expect: [latency('warning', 'p95', '1s', '4.875s'), latency('critical', 'p99', '2.5s', '4.975s')],
    }),
    quiet('BackendHighLatency', 'requests between 0.5s and 1s', { input: latencyAbove(0.5), at: '20m' }),

    fires('BackendDbPoolExhausted', '19 of 20 connections busy on one pod', {
      input: [
        series(M.dbPoolConnections.name, { ...POD_A, state: 'total' }, '20x20'),
        series(M.dbPoolConnections.name, { ...POD_A, state: 'idle' }, '1x20'),
        series(M.dbPoolConnections.name, { ...POD_A, state: 'waiting' }, '7x20'),
        series(M.dbPoolMax.name, POD_A, '20x20'),
        series(M.dbPoolConnections.name, { ...POD_B, state: 'total' }, '20x20'),
        series(M.dbPoolConnections.name, { ...POD_B, state: 'idle' }, '15x20'),
        series(M.dbPoolMax.name, POD_B, '20x20'),
      ],
      at: '10m',
      expect: [
        alert('BackendDbPoolExhausted', 'critical', { service: svc, pod: POD_A.pod }, `Database pool of ${POD_A.pod} is 95% in use`, `95% of the Postgres pool of ${POD_A.pod} has been in use for 5m (threshold 90%); requests wait for a connection.`),
      ],
    }),
    quiet('BackendDbPoolExhausted', '16 of 20 connections busy', {
      input: [
        series(M.dbPoolConnections.name, { ...POD_A, state: 'total' }, '20x20'),
        series(M.dbPoolConnections.name, { ...POD_A, state: 'idle' }, '4x20'),
        series(M.dbPoolMax.name, POD_A, '20x20'),
      ],
      at: '10m',
    }),

    fires('BackendPaymentCallbackFailures', 'one callback in five fails', {
      input: [
        series(M.paymentCallbacks.name, { ...POD_A, outcome: 'failed' }, '0+1x60'),
        series(M.paymentCallbacks.name, { ...POD_A, outcome: 'ok' }, '0+4x60'),
      ],
      at: '45m',
      expect: [
        alert('BackendPaymentCallbackFailures', 'critical', { service: svc, notify_sms: 'true' }, 'backend fails more than 10% of payment callbacks', '20% of payment provider callbacks failed over the last 30m (threshold 10%).'),
      ],
    }),
    quiet('BackendPaymentCallbackFailures', 'one callback in seventeen fails', {
      input: [
        series(M.paymentCallbacks.name, { ...POD_A, outcome: 'failed' }, '0+0.25x60'),
        series(M.paymentCallbacks.name, { ...POD_A, outcome: 'ok' }, '0+4x60'),
      ],
      at: '45m',
    }),

    ...(['every target down', 'no target at all'] as const).map((title) =>
      fires('BackendDown', title, {
        input: title === 'no target at all' ? [] : [series('up', POD_A, '0x10'), series('up', POD_B, '0x10')],
        at: '5m',
        expect: [
          alert('BackendDown', 'critical', { service: svc, job: 'backend', notify_sms: 'true' }, 'No backend pod can be scraped', 'Prometheus has reached no backend target for 2m: the API and the queue workers are down or unreachable.'),
        ],
      }),
    ),
    quiet('BackendDown', 'one of two pods is up', { input: [series('up', POD_A, '1x10'), series('up', POD_B, '0x10')], at: '5m' }),

    // Contract drift. The inputs are generated from the contract, so a metric added to it is covered.
    fires('BackendMetricMissing', 'a pod is up and serves every contract metric but the pool size; the other pod serves all', {
      input: [
        series('up', POD_A, '1x30'),
        series('up', POD_B, '1x30'),
        ...watchedMetrics().filter((m) => m.name !== M.dbPoolMax.name).map((m) => served(m, POD_A, '1x30')),
        ...watchedMetrics().map((m) => served(m, POD_B, '1x30')),
      ],
      at: '20m',
      expect: [
        alert(
          'BackendMetricMissing',
          'warning',
          { service: svc, pod: POD_A.pod, metric: M.dbPoolMax.name },
          `${POD_A.pod} does not serve ${M.dbPoolMax.name}`,
          `${POD_A.pod} is scraped (up) but has served no ${M.dbPoolMax.name} for 15m: the rules and dashboards that read it see nothing. Run check-backend against the pod's /metrics (RUNBOOK.md).`,
        ),
      ],
    }),
    quiet('BackendMetricMissing', 'every watched metric served; a pod that is down; a histogram that waits for its first job; a gap shorter than 15m', {
      input: [
        series('up', POD_A, '1x30'),
        // Down pods serve nothing: BackendDown's business, not drift.
        series('up', POD_B, '0x30'),
        // The queue depth is gone for 10 minutes (Redis was down), then back.
        ...watchedMetrics().map((m) => served(m, POD_A, m.name === M.queueJobs.name ? '1x10 _x10 1x10' : '1x30')),
      ],
      at: '20m',
    }),
  ];

  for (const queue of config.backend.queues) {
    const name = `${pascalCase(queue)}QueueStuck`;
    const other = config.backend.queues.find((q) => q !== queue) ?? 'some-other-queue';
    const waiting = (q: string, values: string) => series(M.queueJobs.name, { ...POD_A, queue: q, state: 'waiting' }, values);
    const completed = (q: string, values: string) => series(M.queueJobsCompleted.name, { ...POD_A, queue: q }, values);
    const paused = (q: string, values: string) => series(M.queueJobs.name, { ...POD_A, queue: q, state: 'paused' }, values);
    const stuck = (n: number) => alert(name, 'critical', { service: svc, queue }, `The ${queue} queue is stuck: jobs wait and none completes`, `${n} ${queue} jobs are waiting (paused ones included) and no ${queue} job has completed for 10m.`);
    cases.push(
      fires(name, 'jobs wait and the completed counter stands still', { input: [waiting(queue, '5x30'), completed(queue, '100x30')], at: '15m', expect: [stuck(5)] }),
      fires(name, 'the queue is paused globally: its jobs sit in the paused list, none waiting', {
        input: [waiting(queue, '0x30'), paused(queue, '7x30'), completed(queue, '100x30')],
        at: '15m',
        expect: [stuck(7)],
      }),
      fires(name, 'jobs wait and nothing was ever completed (no counter yet)', { input: [waiting(queue, '5x30')], at: '15m', expect: [stuck(5)] }),
      quiet(name, `jobs wait but complete; another queue being stuck is not this one`, {
        input: [waiting(queue, '5x30'), completed(queue, '0+10x30'), waiting(other, '5x30'), completed(other, '100x30')],
        at: '15m',
      }),
      quiet(name, 'jobs waited for less than 10m', { input: [waiting(queue, '0x8 5x22'), completed(queue, '100x30')], at: '15m' }),
    );
  }
  const pausedAlert = (queue: string, value: string) =>
    alert('BackendQueuePaused', 'warning', { service: svc, queue }, `The ${queue} queue is paused`, `The ${queue} queue has been paused for 10m (value ${value}: 1 for the flag, else the paused jobs); no worker takes its jobs until it is resumed.`);
  const flag = (queue: string, values: string) => series(M.queuePaused.name, { ...POD_A, queue }, values);
  const pausedJobs = (queue: string, values: string) => series(M.queueJobs.name, { ...POD_A, queue, state: 'paused' }, values);
  cases.push(
    fires('BackendQueuePaused', 'a queue paused for 12 minutes, empty: the flag says so', {
      input: [flag('parsing', '0x3 1x20'), flag('broadcast', '0x23'), pausedJobs('parsing', '0x23')],
      at: '15m',
      expect: [pausedAlert('parsing', '1')],
    }),
    fires('BackendQueuePaused', 'a backend without the flag: paused jobs say so', {
      input: [pausedJobs('broadcast', '4x20')],
      at: '15m',
      expect: [pausedAlert('broadcast', '4')],
    }),
    quiet('BackendQueuePaused', 'paused for 5 minutes, then resumed; another queue never paused', {
      input: [flag('parsing', '0x5 1x5 0x10'), flag('broadcast', '0x20'), pausedJobs('parsing', '0x5 3x5 0x10')],
      at: '15m',
    }),
  );
  return cases;
}

/** The expected texts above are written for the default thresholds; say so plainly if they change. */
function expectDefaults(a: CaseContext['config']['backend']['alerts'] & { rateWindow: string }): void {
  const want = { errorRatio: 0.05, errorFor: '5m', rateWindow: '5m', routeMinRequestRate: 0.1, latencyP95Seconds: 1, latencyP99Seconds: 2.5, latencyFor: '10m', dbPoolRatio: 0.9, queueStuckFor: '10m', paymentWindow: '30m', paymentCallbackFailureRatio: 0.1, serviceMinRequestRate: 0.5, queuePausedFor: '10m', metricMissingFor: '15m' };
  for (const [k, v] of Object.entries(want)) {
    if ((a as Record<string, unknown>)[k] !== v) throw new Error(`backend alert cases are written for backend.alerts.${k} (or rules.${k}) = ${v}, the config has ${String((a as Record<string, unknown>)[k])}`);
  }
}
