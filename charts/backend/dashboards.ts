/**
 * The backend's three dashboards, from its metrics contract and recording rules: Backend
 * Observability (the API, the process, its connections, the nodes, its logs), Bull Queues and
 * Application KPIs. Heavy queries read recorded series (./recording-rules.ts); thresholds come from
 * the alert settings, so a panel turns red where an alert fires.
 */
import { jobOf, maxBy, sel, sumBy } from '../lib/promql';
import { Dashboard } from '../lib/monitoring';
import { durationToSeconds } from '../lib/schema';
import { ERROR_LEVELS, logStream } from '../contracts/logs';
import { nodeRecords } from '../contracts/recorded';
import { FOLDERS, UNIT, alertList, barGauge, dashboard, greenAbove, heatmap, logs, loki, prom, stat, timeseries, warnAbove } from '../lib/panels';
import { BACKEND_METRICS as M } from '../contracts/backend-metrics';
import { KUBERNETES_DASHBOARD_UID } from '../contracts/kubernetes-metrics';
import { backendRecords } from './recording-rules';
import { sloRow } from '../lib/slo';
import { backendObjectives } from './slos';
import { BackendProps } from './settings';

/** Fixed uids: links and bookmarks point at them. */
export const BACKEND_DASHBOARD_UIDS = {
  observability: 'love-backend',
  queues: 'love-queues',
  kpis: 'love-kpis',
  slos: 'love-slos',
} as const;

/** Log levels worth an operator's attention: warnings and every level that means a failure. */
const NOTABLE_LEVELS = ['warn', ...ERROR_LEVELS].join('|');

/** The alert thresholds the panels draw, with the shared rate window they are computed over. */
function alertSettings(props: BackendProps) {
  return { ...props.settings.alerts, rateWindow: props.shared.rules.rateWindow };
}

export function dashboards(props: BackendProps): Dashboard[] {
  return [observability(props), queues(props), kpis(props), slos(props)];
}

function observability(props: BackendProps): Dashboard {
  const a = alertSettings(props);
  const backend = props.shared.endpoints.backend;
  const job = jobOf(backend);
  const r = backendRecords(a.rateWindow, a.paymentWindow);
  const node = nodeRecords(a.rateWindow);
  const nodeJob = jobOf(props.shared.endpoints.nodeExporter);
  const memoryAvailableRatio = props.nodeMemoryAvailableRatio;
  const quantile = (q: number) => sel(r.latency, { ...job, quantile: String(q) });
  const stream = logStream({ namespace: backend.namespace, app: backend.name });
  const noisy = logStream({ namespace: backend.namespace, app: backend.name, level: { re: NOTABLE_LEVELS } });

  return dashboard({
    uid: BACKEND_DASHBOARD_UIDS.observability,
    title: 'Backend Observability',
    description: 'The Love Parser API: latency, errors per route, memory, database and Redis connections, node load and logs.',
    tags: ['backend', 'http'],
    folder: FOLDERS.app,
    links: [{ title: 'Kubernetes: Love Parser workloads', uid: KUBERNETES_DASHBOARD_UID }],
    rows: [
      {
        title: 'Alerts',
        panels: [
          alertList({
            title: 'Backend alerts',
            description: `Alerts on the backend (service="${backend.name}") firing or pending now, most important first; each links to its rule. Silence them in Alerting > Silences (Alertmanager).`,
            labels: `{service="${backend.name}"}`,
            height: 6,
          }),
          alertList({
            title: 'Every alert of the stack',
            description: 'Every alert of the stack (backend, data stores, nodes, Prometheus, Alertmanager, Loki) firing or pending now, most important first.',
            height: 6,
          }),
        ],
      },
      {
        title: 'Requests',
        panels: [
          stat({
            title: 'Requests per second',
            description: `Requests the backend answered per second over the last ${a.rateWindow}, every route and pod together.`,
            unit: UNIT.requestsPerSecond,
            queries: [prom(sumBy(['job'], sel(r.routeRequests, job)), { legend: 'requests/s' })],
          }),
          stat({
            title: 'Server errors',
            description: `Share of requests answered with a 5xx over the last ${a.rateWindow}. Red at ${a.errorRatio}: the HighErrorRate alert pages there.`,
            unit: UNIT.percent,
            queries: [prom(sel(r.errorRatio, job), { legend: '5xx' })],
            thresholds: warnAbove(a.errorRatio / 2, a.errorRatio),
          }),
          stat({
            title: 'p95 latency',
            description: `95th percentile of request duration over the last ${a.rateWindow}. Red at ${a.latencyP95Seconds}s, where BackendHighLatency warns.`,
            unit: UNIT.seconds,
            queries: [prom(quantile(0.95), { legend: 'p95' })],
            thresholds: warnAbove(a.latencyP95Seconds / 2, a.latencyP95Seconds),
          }),
          stat({
            title: 'p99 latency',
            description: `99th percentile of request duration over the last ${a.rateWindow}. Red at ${a.latencyP99Seconds}s, where BackendHighLatency is critical.`,
            unit: UNIT.seconds,
            queries: [prom(quantile(0.99), { legend: 'p99' })],
            thresholds: warnAbove(a.latencyP99Seconds / 2, a.latencyP99Seconds),
          }),
          timeseries({
            title: 'HTTP latency p50 / p95 / p99',
            description: `Quantiles of ${M.httpRequestDuration.name} across all routes (recorded every evaluation over ${a.rateWindow}). Dashed lines: the p95 and p99 alert thresholds.`,
            unit: UNIT.seconds,
            queries: [prom(quantile(0.5), { legend: 'p50' }), prom(quantile(0.95), { legend: 'p95' }), prom(quantile(0.99), { legend: 'p99' })],
            thresholds: [
              { value: a.latencyP95Seconds, color: 'orange' },
              { value: a.latencyP99Seconds, color: 'red' },
            ],
          }),
          timeseries({
            title: 'p95 latency by route',
            description: 'The 95th percentile per Fastify route template: which route is slow.',
            unit: UNIT.seconds,
            queries: [prom(sel(r.routeLatency, { ...job, quantile: '0.95' }), { legend: '{{route}}' })],
          }),
          timeseries({
            title: 'Error rate by route',
            description: `Share of each route's requests answered with a 5xx over ${a.rateWindow}. A route with a handful of requests swings wildly: read it with the request rate next to it.`,
            unit: UNIT.percent,
            min: 0,
            queries: [prom(sel(r.routeErrorRatio, job), { legend: '{{route}}' })],
            thresholds: [{ value: a.errorRatio, color: 'red' }],
          }),
          timeseries({
            title: 'Requests per second by route',
            description: 'Traffic per Fastify route template, every pod together.',
            unit: UNIT.requestsPerSecond,
            queries: [prom(sel(r.routeRequests, job), { legend: '{{route}}' })],
          }),
        ],
      },
      {
        title: 'Process',
        panels: [
          timeseries({
            title: 'Memory per pod',
            description: 'Resident memory of each backend process and the V8 heap in use. Resident memory near the container limit ends in an OOM kill.',
            unit: UNIT.bytes,
            min: 0,
            queries: [
              prom(sel(M.residentMemory.name, job), { legend: '{{pod}} resident' }),
              prom(sel(M.heapUsed.name, job), { legend: '{{pod}} heap used' }),
            ],
          }),
          timeseries({
            title: 'Event loop lag p99',
            description: 'How long ready callbacks wait for the event loop: above ~100ms every request on the pod is slowed down.',
            unit: UNIT.seconds,
            min: 0,
            queries: [prom(sel(M.eventLoopLagP99.name, job), { legend: '{{pod}}' })],
          }),
        ],
      },
      {
        title: 'Connections',
        panels: [
          timeseries({
            title: 'Database pool connections',
            description: "Each pod's Postgres pool: connections open and idle, and clients waiting for one (waiting > 0 means the pool is too small or queries too slow).",
            unit: UNIT.count,
            min: 0,
            queries: [prom(sel(M.dbPoolConnections.name, job), { legend: '{{pod}} {{state}}' }), prom(sel(M.dbPoolMax.name, job), { legend: '{{pod}} max' })],
          }),
          timeseries({
            title: 'Database pool usage',
            description: `Share of each pod's pool in use (open minus idle, over the maximum). BackendDbPoolExhausted fires above ${a.dbPoolRatio} for 5m.`,
            unit: UNIT.percent,
            min: 0,
            max: 1,
            queries: [prom(sel(r.dbPoolUsage, job), { legend: '{{pod}}' })],
            thresholds: [{ value: a.dbPoolRatio, color: 'red' }],
          }),
          timeseries({
            title: 'Redis connections',
            description: 'Open Redis client connections of each pod, by client (the Bull queues, the cache).',
            unit: UNIT.count,
            min: 0,
            queries: [prom(sel(M.redisConnections.name, job), { legend: '{{pod}} {{client}}' })],
          }),
        ],
      },
      {
        title: 'System load (nodes)',
        panels: [
          timeseries({
            title: 'CPU utilisation',
            description: `Share of each node's CPU time not idle over ${a.rateWindow} (node exporter).`,
            unit: UNIT.percent,
            min: 0,
            max: 1,
            width: 8,
            queries: [prom(sel(node.cpuUtilisation, nodeJob), { legend: '{{instance}}' })],
          }),
          timeseries({
            title: 'Load per CPU',
            description: '1-minute load average divided by the CPUs of the node: above 1, runnable tasks queue for a CPU.',
            unit: UNIT.count,
            min: 0,
            width: 8,
            queries: [prom(sel(node.load1PerCpu, nodeJob), { legend: '{{instance}}' })],
            thresholds: [{ value: 1, color: 'red' }],
          }),
          timeseries({
            title: 'Memory utilisation',
            description: `Share of each node's memory not available to new work. The node memory alert fires when less than ${memoryAvailableRatio} is available.`,
            unit: UNIT.percent,
            min: 0,
            max: 1,
            width: 8,
            queries: [prom(sel(node.memoryUtilisation, nodeJob), { legend: '{{instance}}' })],
            thresholds: [{ value: 1 - memoryAvailableRatio, color: 'red' }],
          }),
        ],
      },
      {
        title: 'Logs',
        panels: [
          timeseries({
            title: 'Warnings and errors by level',
            description: `Backend log lines per interval at the levels ${NOTABLE_LEVELS.split('|').join(', ')} (Loki).`,
            unit: UNIT.count,
            bars: true,
            stack: true,
            width: 24,
            queries: [loki(`sum by (level) (count_over_time(${noisy} [$__auto]))`, { legend: '{{level}}' })],
          }),
          logs({
            title: 'Backend warnings and errors',
            description: `Log lines of ${stream} at warn level and above, newest first. Open Explore on love-loki for every level.`,
            query: noisy,
          }),
        ],
      },
    ],
  });
}

function queues(props: BackendProps): Dashboard {
  const a = alertSettings(props);
  const job = jobOf(props.shared.endpoints.backend);
  const r = backendRecords(a.rateWindow, a.paymentWindow);
  const stuckSeconds = durationToSeconds(a.queueStuckFor);
  const depth = (state: string) => maxBy(['queue'], sel(M.queueJobs.name, { ...job, state }));
  // 0 until a queue's first completion: dropped, so a new queue shows no value instead of 56 years.
  const sinceLast = `time() - (${maxBy(['queue'], sel(M.queueLastCompleted.name, job))} > 0)`;

  return dashboard({
    uid: BACKEND_DASHBOARD_UIDS.queues,
    title: 'Bull Queues',
    description: `The Bull queues (${props.settings.queues.join(', ')}): depth, throughput, job duration, failures and the last completion.`,
    tags: ['backend', 'queues'],
    folder: FOLDERS.app,
    rows: [
      {
        title: 'Depth',
        panels: [
          barGauge({
            title: 'Jobs by queue and state',
            description: 'Current job counts of every queue (Queue#getJobCounts, sampled at scrape time; every pod reports the same counts, so the maximum is taken).',
            unit: UNIT.count,
            queries: [prom(maxBy(['queue', 'state'], sel(M.queueJobs.name, { ...job, state: { re: 'waiting|active|delayed|failed' } })), { legend: '{{queue}} {{state}}', instant: true })],
          }),
          timeseries({
            title: 'Queue depth (waiting jobs)',
            description: `Jobs waiting for a worker. Waiting jobs and no completion for ${a.queueStuckFor} is a stuck queue (the <Queue>QueueStuck alert).`,
            unit: UNIT.count,
            min: 0,
            queries: [prom(depth('waiting'), { legend: '{{queue}} waiting' }), prom(depth('delayed'), { legend: '{{queue}} delayed' })],
          }),
        ],
      },
      {
        title: 'Throughput',
        panels: [
          timeseries({
            title: 'Completed vs failed jobs',
            description: 'Jobs finished per second by queue: completed, and failed after their last attempt.',
            unit: UNIT.perSecond,
            min: 0,
            queries: [
              prom(sumBy(['queue'], `rate(${sel(M.queueJobsCompleted.name, job)}[$__rate_interval])`), { legend: '{{queue}} completed' }),
              prom(sumBy(['queue'], `rate(${sel(M.queueJobsFailed.name, job)}[$__rate_interval])`), { legend: '{{queue}} failed' }),
            ],
          }),
          timeseries({
            title: 'Failure ratio',
            description: `Share of each queue's finished jobs that failed over ${a.rateWindow}.`,
            unit: UNIT.percent,
            min: 0,
            max: 1,
            queries: [prom(sel(r.queueFailureRatio, job), { legend: '{{queue}}' })],
          }),
        ],
      },
      {
        title: 'Job duration',
        panels: [
          heatmap({
            title: 'Job duration histogram',
            description: `Distribution of ${M.queueJobDuration.name} (worker start to finish) over every queue: each column is one interval, darker cells hold more jobs.`,
            unit: UNIT.seconds,
            query: sumBy(['le'], sel(r.jobDurationBuckets, job)),
          }),
          timeseries({
            title: 'Job duration p50 / p95 by queue',
            description: `Quantiles of job duration per queue over ${a.rateWindow}.`,
            unit: UNIT.seconds,
            min: 0,
            queries: [prom(sel(r.jobDuration, job), { legend: '{{queue}} p{{quantile}}' })],
          }),
        ],
      },
      {
        title: 'Last completion',
        panels: [
          stat({
            title: 'Time since last completion',
            description: `Seconds since each queue last completed a job. Red at ${a.queueStuckFor}: with jobs waiting, the queue is stuck. A queue that never completed a job shows no value.`,
            unit: UNIT.seconds,
            width: 12,
            sparkline: false,
            queries: [prom(sinceLast, { legend: '{{queue}}' })],
            thresholds: warnAbove(stuckSeconds / 2, stuckSeconds),
          }),
          timeseries({
            title: 'Last completion timestamp',
            description: `The age of each queue's last completed job over time: a saw-tooth is a healthy queue, a rising line a stalled one.`,
            unit: UNIT.seconds,
            min: 0,
            queries: [prom(sinceLast, { legend: '{{queue}}' })],
            thresholds: [{ value: stuckSeconds, color: 'red' }],
          }),
        ],
      },
    ],
  });
}

function kpis(props: BackendProps): Dashboard {
  const a = alertSettings(props);
  const job = jobOf(props.shared.endpoints.backend);
  const r = backendRecords(a.rateWindow, a.paymentWindow);
  /** Total of a counter over the dashboard's time range. */
  const total = (metric: string, matchers: Record<string, string> = {}) => sumBy([], `increase(${sel(metric, { ...job, ...matchers })}[$__range])`);
  const perSecond = (metric: string) => sumBy(['outcome'], `rate(${sel(metric, job)}[$__rate_interval])`);
  const counter = (title: string, metric: string, outcome: string, description: string) =>
    stat({ title, description, unit: UNIT.count, reduce: 'lastNotNull', sparkline: false, width: 6, queries: [prom(total(metric, { outcome }), { legend: outcome, instant: true })] });
  const f = a.paymentCallbackFailureRatio;

  return dashboard({
    uid: BACKEND_DASHBOARD_UIDS.kpis,
    title: 'Application KPIs',
    description: 'What Love Parser does for its users: broadcasts, parsing, audience segments and payments.',
    tags: ['backend', 'business'],
    folder: FOLDERS.app,
    from: 'now-24h',
    rows: [
      {
        title: 'Broadcasts',
        panels: [
          counter('Broadcast messages sent', M.broadcastMessages.name, 'sent', 'Telegram broadcast messages sent in the selected time range.'),
          counter('Broadcast messages failed', M.broadcastMessages.name, 'failed', 'Telegram broadcast messages that failed in the selected time range.'),
          stat({
            title: 'Broadcast failure ratio',
            description: `Share of broadcast messages that failed over the last ${a.rateWindow}.`,
            unit: UNIT.percent,
            width: 12,
            queries: [prom(sel(r.broadcastFailureRatio, job), { legend: 'failed' })],
          }),
          timeseries({
            title: 'Broadcast messages by outcome',
            description: 'Messages per second, sent and failed.',
            unit: UNIT.perSecond,
            width: 24,
            queries: [prom(perSecond(M.broadcastMessages.name), { legend: '{{outcome}}' })],
          }),
        ],
      },
      {
        title: 'Parsing and audience segments',
        panels: [
          counter('Parsing jobs succeeded', M.parsingJobs.name, 'succeeded', 'Parsing jobs processed successfully in the selected time range.'),
          counter('Parsing jobs failed', M.parsingJobs.name, 'failed', 'Parsing jobs that failed in the selected time range.'),
          counter('Audience segments ready', M.audienceSegments.name, 'ready', 'Audience segments built in the selected time range.'),
          counter('Audience segments failed', M.audienceSegments.name, 'failed', 'Audience segments that failed to build in the selected time range.'),
          timeseries({
            title: 'Parsing jobs by outcome',
            description: 'Parsing jobs processed per second.',
            unit: UNIT.perSecond,
            queries: [prom(perSecond(M.parsingJobs.name), { legend: '{{outcome}}' })],
          }),
          timeseries({
            title: 'Audience segments by outcome',
            description: 'Audience segments finished per second, ready or failed.',
            unit: UNIT.perSecond,
            queries: [prom(perSecond(M.audienceSegments.name), { legend: '{{outcome}}' })],
          }),
        ],
      },
      {
        title: 'Payments',
        panels: [
          stat({
            title: 'Payment success rate',
            description: `Share of payments that succeeded over the last ${a.paymentWindow} (payments are sparse; a shorter window swings on one failure).`,
            unit: UNIT.percent,
            queries: [prom(sel(r.paymentSuccessRatio, job), { legend: 'succeeded' })],
            // Mirrors the callback failure alert: red where failures reach its ratio, amber at half.
            ...greenAbove(1 - f / 2, 1 - f),
          }),
          stat({
            title: 'Payment callback failures',
            description: `Share of payment provider callbacks the backend failed to process over ${a.paymentWindow}. BackendPaymentCallbackFailures pages above ${f}.`,
            unit: UNIT.percent,
            queries: [prom(sel(r.callbackFailureRatio, job), { legend: 'failed' })],
            thresholds: warnAbove(f / 2, f),
          }),
          counter('Payments succeeded', M.payments.name, 'succeeded', 'Payments that succeeded in the selected time range.'),
          counter('Payments failed', M.payments.name, 'failed', 'Payments that failed in the selected time range.'),
          timeseries({
            title: 'Payments by outcome',
            description: 'Payments per second.',
            unit: UNIT.perSecond,
            queries: [prom(perSecond(M.payments.name), { legend: '{{outcome}}' })],
          }),
          timeseries({
            title: 'Payment callbacks by outcome',
            description: "Provider callbacks per second, by whether the backend processed them ('ok') or not ('failed').",
            unit: UNIT.perSecond,
            queries: [prom(perSecond(M.paymentCallbacks.name), { legend: '{{outcome}}' })],
          }),
        ],
      },
      {
        title: 'Business counters',
        panels: [
          barGauge({
            title: 'Totals over the selected range',
            description: 'Every business counter of the backend, by outcome, over the selected time range.',
            unit: UNIT.count,
            width: 24,
            height: 10,
            queries: [
              prom(sumBy(['outcome'], `increase(${sel(M.broadcastMessages.name, job)}[$__range])`), { legend: 'broadcasts {{outcome}}', instant: true }),
              prom(sumBy(['outcome'], `increase(${sel(M.parsingJobs.name, job)}[$__range])`), { legend: 'parsing jobs {{outcome}}', instant: true }),
              prom(sumBy(['outcome'], `increase(${sel(M.audienceSegments.name, job)}[$__range])`), { legend: 'audience segments {{outcome}}', instant: true }),
              prom(sumBy(['outcome'], `increase(${sel(M.payments.name, job)}[$__range])`), { legend: 'payments {{outcome}}', instant: true }),
              prom(sumBy(['outcome'], `increase(${sel(M.paymentCallbacks.name, job)}[$__range])`), { legend: 'payment callbacks {{outcome}}', instant: true }),
              prom(sumBy(['queue'], `increase(${sel(M.queueJobsCompleted.name, job)}[$__range])`), { legend: '{{queue}} jobs completed', instant: true }),
            ],
          }),
        ],
      },
    ],
  });
}

/** Service level objectives: per objective, the budget left and the burn rate of every window. */
function slos(props: BackendProps): Dashboard {
  return dashboard({
    uid: BACKEND_DASHBOARD_UIDS.slos,
    title: 'Service Level Objectives',
    description: 'The backend\'s objectives (backend.slos): error budget left over each period and the burn rate of every alert window.',
    tags: ['backend', 'slo'],
    folder: FOLDERS.app,
    from: 'now-7d',
    rows: backendObjectives(props).map(sloRow),
  });
}
