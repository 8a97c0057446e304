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
      remediation: 'CPU at the limit: scale out (kubectl -n love-parser scale deployment/backend --replicas=4, then raise backend.replicas in config) or raise backend.resources.',
      severity,
      service,
      expr: `histogram_quantile(${percentile / 100}, ${sumBy(['le'], rate(sel(buckets, job), a.rateWindow))})\n> ${threshold}`,
      for: a.latencyFor,
      summary: `${service} p${percentile} latency is above ${threshold}s`,
      description: `The ${percentile}th percentile of ${service} request latency is ${tmpl.duration} over the last ${a.rateWindow} (threshold ${threshold}s).`,
    });
  /** ` on route /x` for the per-route series, nothing for the whole API (Go template). */
  const onRoute = `{{ with $labels.route }} on route {{ . }}{{ end }}`;
  const pool = (state: string) => maxBy(['pod'], sel(M.dbPoolConnections.name, { ...job, state }));

  const rules: AlertRule[] = [
    // HighErrorRate is the "errors right now, and where" signal; the page for the API failing its
    // users is BackendAvailabilityBudgetBurn (./slos.ts), which weighs errors against the error
    // budget and pages a total outage sooner. So HighErrorRate warns (Slack), once for the whole
    // API and once per failing route (which tells where), in one rule: a rule name and severity
    // appear once. Each needs traffic first: at night two failures of a handful of requests are
    // no 5% of anything (serviceMinRequestRate, routeMinRequestRate). errorFor (5m) is beyond
    // retries and a bad deploy's first minutes.
    alertRule(ctx, {
      name: 'HighErrorRate',
      remediation: 'Started with a deploy: kubectl -n love-parser rollout undo deployment/backend, then tell the backend team which release failed.',
      severity: 'warning',
      service,
      expr:
        `(\n${errorRatio([])}\n) > ${a.errorRatio}\nand\n${sumBy([], rate(sel(requests, job), a.rateWindow))} > ${a.serviceMinRequestRate}\n` +
        `or\n` +
        `(\n${errorRatio(['route'])}\n) > ${a.errorRatio}\nand on (route)\n${sumBy(['route'], rate(sel(requests, job), a.rateWindow))} > ${a.routeMinRequestRate}`,
      for: a.errorFor,
      summary: `${service}${onRoute} answers more than ${percent(a.errorRatio)} of requests with 5xx`,
      description: `${tmpl.percent} of requests to ${service}${onRoute} failed with a 5xx status over the last ${a.rateWindow} (threshold ${percent(a.errorRatio)}).`,
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
    ...s.queues.flatMap((queue) => {
      const q = { ...job, queue };
      // Depth is a gauge every pod reports alike (the counts live in Redis), hence max per state;
      // waiting and paused jobs are summed: a globally paused queue (Queue#pause) moves its jobs
      // from the waiting list to the paused one, and they are just as stuck.
      const pending = sumBy(['queue'], maxBy(['queue', 'state'], sel(M.queueJobs.name, { ...q, state: { re: 'waiting|paused' } })));
      return [
        // "Jobs waiting and none completed for queueStuckFor": `for` holds the waiting part (jobs
        // waited at every evaluation of that time) and the increase() window the completion part.
        // Each pod's workers complete jobs, hence sum. A queue that never completed anything has
        // no counter series yet: `unless` then keeps the alert, where `and ... == 0` would drop it.
        alertRule(ctx, {
          name: `${pascalCase(queue)}QueueStuck`,
          // Every queue's RUNBOOK.md section starts with the same step.
          remediation: 'Workers dead or wedged (active jobs at 0, queue not paused): kubectl -n love-parser rollout restart deployment/backend; Bull moves stalled jobs back to waiting.',
          severity: 'critical',
          service,
          expr: `${pending} > 0\n` + `unless on (queue)\n${sumBy(['queue'], increase(sel(M.queueJobsCompleted.name, q), a.queueStuckFor))} > 0`,
          for: a.queueStuckFor,
          summary: `The ${queue} queue is stuck: jobs wait and none completes`,
          description: `${tmpl.number} ${queue} jobs are waiting (paused ones included) and no ${queue} job has completed for ${a.queueStuckFor}.`,
        }),
      ];
    }),
    // A queue paused on purpose (a migration, a provider outage) and forgotten: no worker takes its
    // jobs. The paused flag says so even while the queue is empty; paused jobs say so for a backend
    // that does not report the flag. A warning: QueueStuck pages once jobs pile up meanwhile.
    alertRule(ctx, {
      name: 'BackendQueuePaused',
      remediation: 'Paused on purpose and still needed: silence the alert for the planned time.',
      severity: 'warning',
      service,
      expr: `${maxBy(['queue'], sel(M.queuePaused.name, job))} > 0\nor\n${maxBy(['queue'], sel(M.queueJobs.name, { ...job, state: 'paused' }))} > 0`,
      for: a.queuePausedFor,
      summary: `The ${tmpl.label('queue')} queue is paused`,
      description: `The ${tmpl.label('queue')} queue has been paused for ${a.queuePausedFor} (value ${tmpl.number}: 1 for the flag, else the paused jobs); no worker takes its jobs until it is resumed.`,
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
    // The backend answers scrapes but no longer serves a metric the rules read: a release built
    // against another contract (a renamed metric, a collector not registered), and the alerts on
    // that metric go silent without anyone noticing. Names come from the contract; metrics that
    // legitimately have no series until something happens (absentUntil) are left out. Per pod,
    // because a rollout can run two releases side by side. metricMissingFor (15m) outlasts a
    // rollout and the short gaps of a sampled gauge (a Redis outage hides the queue depth), which
    // their own alerts cover.
    alertRule(ctx, {
      name: 'BackendMetricMissing',
      remediation: "A release renamed, relabelled or dropped the metric: roll back (kubectl -n love-parser rollout undo deployment/backend), then fix the backend to the contract: import @love-parser/metrics-contract at the version the stack is built for, or apply each fix check-backend prints; add npm run check-backend -- --file on a saved /metrics to the backend's CI.",
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
