/**
 * Alerts on the Love Parser backend, from its metrics contract (./metrics.ts): the original stack's
 * incidents (error rate, latency, DB pool exhaustion, stuck queues, payment callbacks) and the
 * backend disappearing altogether.
 */
import { alertGroup, alertRule, pascalCase, percent, tmpl } from '../lib/alert-rules';
import { Matchers, UP, increase, jobDown, jobOf, maxBy, rate, sel, sumBy } from '../lib/promql';
import { MetricDef } from '../lib/metric';
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
    // The backend answers scrapes but no longer serves a metric the rules read: a release built
    // against another contract (a renamed metric, a collector not registered), and the alerts on
    // that metric go silent without anyone noticing. Names come from the contract; metrics that
    // legitimately have no series until something happens (absentUntil) are left out. Per pod,
    // because a rollout can run two releases side by side. metricMissingFor (15m) outlasts a
    // rollout and the short gaps of a sampled gauge (a Redis outage hides the queue depth), which
    // their own alerts cover.
    alertRule(ctx, {
      name: 'BackendMetricMissing',
      severity: 'warning',
      service,
      expr: maxBy(['pod', 'metric'], metricMissing(job)),
      for: a.metricMissingFor,
      summary: `${tmpl.label('pod')} does not serve ${tmpl.label('metric')}`,
      description: `${tmpl.label('pod')} is scraped (up) but has served no ${tmpl.label('metric')} for ${a.metricMissingFor}: the rules and dashboards that read it see nothing. Run check-backend against the pod's /metrics (RUNBOOK.md).`,
    }),
    // Every backend pod unreachable (or none exists): the API and the workers are gone. 2m: a
    // rolling update never takes all pods at once, and a crash loop shows within two minutes.
    alertRule(ctx, {
      name: 'BackendDown',
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

/**
 * One series per scraped-and-up backend target and contract metric it does not serve, labelled
 * `metric`: `up == 1 unless on (job, instance) <metric>` per watched metric, joined with `or`.
 * A histogram is looked for by its `_count` series.
 */
export function metricMissing(job: Matchers): string {
  const up = `${sel(UP, job)} == 1`;
  return watchedMetrics()
    .map((m) => {
      const series = m.type === 'histogram' ? `${m.name}_count` : m.name;
      return `label_replace(\n  ${up}\n  unless on (job, instance)\n  ${sel(series, job)},\n  "metric", "${m.name}", "", ""\n)`;
    })
    .join('\nor\n');
}

/** The contract metrics BackendMetricMissing watches: every one that exists from the first scrape. */
export function watchedMetrics(): MetricDef[] {
  return Object.values(M as Record<string, MetricDef>).filter((m) => m.absentUntil === undefined);
}
