/**
 * Alerts on the Love Parser backend, from its metrics contract (./metrics.ts): the original stack's
 * incidents (error rate, latency, DB pool exhaustion, stuck queues, payment callbacks) and the
 * backend disappearing altogether.
 */
import { alertGroup, alertRule, pascalCase, percent, tmpl } from '../lib/alert-rules';
import { increase, jobDown, jobOf, maxBy, rate, sel, sumBy } from '../lib/promql';
import { AlertRule, RuleGroup, Severity } from '../lib/monitoring';
import { BACKEND_METRICS as M, SERVER_ERROR } from '../contracts/backend-metrics';
import { BackendProps } from './settings';

export function alertRules(props: BackendProps): RuleGroup[] {
  const s = props.settings;
  const ctx = props.shared.rules;
  const a = { ...s.alerts, rateWindow: ctx.rateWindow };
  const job = jobOf(props.shared.endpoints.backend);
  const service = props.shared.endpoints.backend.name;
  const requests = M.httpRequestDuration.name + '_count';
  const buckets = M.httpRequestDuration.name + '_bucket';

  /** Share of requests answered with a 5xx over the rate window, aggregated by `by`. */
  const errorRatio = (by: string[]) =>
    `${sumBy(by, rate(sel(requests, { ...job, status_code: SERVER_ERROR }), a.rateWindow))}\n  /\n${sumBy(by, rate(sel(requests, job), a.rateWindow))}`;
  const latency = (severity: Severity, percentile: 95 | 99, threshold: number) =>
    alertRule(ctx, {
      name: 'BackendHighLatency',
      remediation: 'CPU at the limit: scale out (kubectl -n love-parser scale deployment/backend --replicas=4, then raise backend.replicas in config) or raise backend.resources.',
      severity,
      service,
      expr: `histogram_quantile(${percentile / 100}, ${sumBy(['le'], rate(sel(buckets, job), a.rateWindow))})\n> ${threshold}`,
      for: a.latencyFor,
      summary: `${service} p${percentile} latency is above ${threshold}s`,
      description: `The ${percentile}th percentile of ${service} request latency is ${tmpl.duration} over the last ${a.rateWindow} (threshold ${threshold}s).`,
    });
  const pool = (state: string) => maxBy(['pod'], sel(M.dbPoolConnections.name, { ...job, state }));

  const rules: AlertRule[] = [
    // The page: the whole service fails. 5% for errorFor (5m) is beyond retries and a bad deploy's
    // first minutes; it wakes someone by text because users see errors right now.
    alertRule(ctx, {
      name: 'HighErrorRate',
      remediation: 'Started with a deploy: kubectl -n love-parser rollout undo deployment/backend, then tell the backend team which release failed.',
      severity: 'critical',
      notifySms: true,
      service,
      expr: `${errorRatio([])}\n> ${a.errorRatio}`,
      for: a.errorFor,
      summary: `${service} answers more than ${percent(a.errorRatio)} of requests with 5xx`,
      description: `${tmpl.percent} of requests to ${service} failed with a 5xx status over the last ${a.rateWindow} (threshold ${percent(a.errorRatio)}).`,
    }),
    // The same symptom on one route: a warning, inhibited while the service-wide alert fires. Routes
    // below routeMinRequestRate are left out: a handful of requests make any ratio meaningless.
    alertRule(ctx, {
      name: 'HighErrorRate',
      remediation: 'Started with a deploy: kubectl -n love-parser rollout undo deployment/backend, then tell the backend team which release failed.',
      severity: 'warning',
      service,
      expr: `(\n${errorRatio(['route'])}\n) > ${a.errorRatio}\nand on (route)\n${sumBy(['route'], rate(sel(requests, job), a.rateWindow))} > ${a.routeMinRequestRate}`,
      for: a.errorFor,
      summary: `Route ${tmpl.label('route')} of ${service} answers more than ${percent(a.errorRatio)} of requests with 5xx`,
      description: `${tmpl.percent} of requests to ${tmpl.label('route')} failed with a 5xx status over the last ${a.rateWindow} (threshold ${percent(a.errorRatio)}).`,
    }),
    // Latency twins: p95 warns, p99 is critical. latencyFor (10m) because latency follows load, and
    // a short spike (a cold cache after a deploy) should not notify anyone.
    latency('warning', 95, a.latencyP95Seconds),
    latency('critical', 99, a.latencyP99Seconds),
    // Per pod: each pod has its own pool. 5m because a batch of parsing jobs can fill the pool for a
    // minute; five minutes above the ratio means requests are queueing for connections.
    alertRule(ctx, {
      name: 'BackendDbPoolExhausted',
      remediation: 'Long-running or idle-in-transaction sessions: find them in Postgres (SELECT pid, state, now() - xact_start, query FROM pg_stat_activity ORDER BY xact_start) and end them with pg_terminate_backend(pid) once you know what they are.',
      severity: 'critical',
      service,
      expr: `(\n${pool('total')}\n  -\n${pool('idle')}\n)\n/\n${maxBy(['pod'], sel(M.dbPoolMax.name, job))}\n> ${a.dbPoolRatio}`,
      for: '5m',
      summary: `Database pool of ${tmpl.label('pod')} is ${tmpl.percent} in use`,
      description: `${tmpl.percent} of the Postgres pool of ${tmpl.label('pod')} has been in use for 5m (threshold ${percent(a.dbPoolRatio)}); requests wait for a connection.`,
    }),
    ...s.queues.map((queue) => {
      const q = { ...job, queue };
      // "Jobs waiting and none completed for queueStuckFor": `for` holds the waiting part (jobs
      // waited at every evaluation of that time) and the increase() window the completion part.
      // Waiting jobs form a gauge shared by every pod (the counts live in Redis), hence max; each
      // pod's workers complete jobs, hence sum. A queue that never completed anything has no
      // counter series yet: `unless` then keeps the alert, where `and ... == 0` would drop it.
      return alertRule(ctx, {
        name: `${pascalCase(queue)}QueueStuck`,
        remediation: 'Workers dead or wedged (active jobs at 0, queue not paused): kubectl -n love-parser rollout restart deployment/backend; Bull moves stalled jobs back to waiting.',
        severity: 'critical',
        service,
        expr:
          `${maxBy(['queue'], sel(M.queueJobs.name, { ...q, state: 'waiting' }))} > 0\n` +
          `unless on (queue)\n${sumBy(['queue'], increase(sel(M.queueJobsCompleted.name, q), a.queueStuckFor))} > 0`,
        for: a.queueStuckFor,
        summary: `The ${queue} queue is stuck: jobs wait and none completes`,
        description: `${tmpl.number} ${queue} jobs are waiting and no ${queue} job has completed for ${a.queueStuckFor}.`,
      });
    }),
    // Money: callbacks the backend failed to process are payments users made and may not get. The
    // 30m window (backend.alerts.paymentWindow) holds enough callbacks; 5m more rides out a provider retry burst.
    alertRule(ctx, {
      name: 'BackendPaymentCallbackFailures',
      remediation: "Rotated or wrong provider secret: update the backend's env Secret (backend.envSecret) and kubectl -n love-parser rollout restart deployment/backend.",
      severity: 'critical',
      notifySms: true,
      service,
      expr:
        `${sumBy([], rate(sel(M.paymentCallbacks.name, { ...job, outcome: 'failed' }), a.paymentWindow))}\n  /\n` +
        `${sumBy([], rate(sel(M.paymentCallbacks.name, job), a.paymentWindow))}\n> ${a.paymentCallbackFailureRatio}`,
      for: '5m',
      summary: `${service} fails more than ${percent(a.paymentCallbackFailureRatio)} of payment callbacks`,
      description: `${tmpl.percent} of payment provider callbacks failed over the last ${a.paymentWindow} (threshold ${percent(a.paymentCallbackFailureRatio)}).`,
    }),
    // Every backend pod unreachable (or none exists): the API and the workers are gone. 2m: a
    // rolling update never takes all pods at once, and a crash loop shows within two minutes.
    alertRule(ctx, {
      name: 'BackendDown',
      remediation: 'Bad release: kubectl -n love-parser rollout undo deployment/backend.',
      severity: 'critical',
      notifySms: true,
      service,
      expr: jobDown(props.shared.endpoints.backend),
      for: '2m',
      summary: `No ${service} pod can be scraped`,
      description: `Prometheus has reached no ${service} target for 2m: the API and the queue workers are down or unreachable.`,
    }),
  ];
  return [alertGroup(service, rules)];
}
