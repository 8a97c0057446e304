/**
 * The backend's service level objectives (`backend.slos`), as the generic multi-window,
 * multi-burn-rate rules of charts/lib/slo.ts: what users feel (the API failing or slow, a payment
 * not processed, a job lost, a queue not moving), each against its error budget. The events are
 * counted from the metrics contract; nothing is retyped.
 */
import { Matchers, jobOf, maxBy, rate, sel, sumBy } from '../lib/promql';
import { RecordingRule, RuleGroup } from '../lib/monitoring';
import { recordName } from '../lib/recording-rules';
import { durationToSeconds } from '../lib/schema';
import { Indicator, Objective, WORKBOOK_WINDOWS, scaleWindows, sloRuleGroups } from '../lib/slo';
import { BACKEND_METRICS as M, SERVER_ERROR } from '../contracts/backend-metrics';
import { BackendProps, BackendSettings } from './settings';

/** The `slo` label of each objective, its alert, and the alert's remediation (the first step of its RUNBOOK.md section). */
export const BACKEND_SLOS = {
  availability: {
    name: 'api-availability',
    title: 'API availability',
    alert: 'BackendAvailabilityBudgetBurn',
    remediation: 'Follow HighErrorRate to find the failing routes and the cause (a deploy: kubectl -n love-parser rollout undo deployment/backend; Postgres or Redis: their alerts first).',
  },
  latency: {
    name: 'api-latency',
    title: 'API latency',
    alert: 'BackendLatencyBudgetBurn',
    remediation: 'Follow BackendHighLatency: the database (slow queries, BackendDbPoolExhausted), CPU throttling, a slow third party.',
  },
  paymentCallbacks: {
    name: 'payment-callbacks',
    title: 'Payment callback success',
    alert: 'BackendPaymentCallbackBudgetBurn',
    remediation: 'Follow BackendPaymentCallbackFailures: signature errors (a rotated key, a skewed clock: NodeClockSkew), the database, a release.',
  },
  queueJobs: {
    name: 'queue-jobs',
    title: 'Queue job success',
    alert: 'BackendQueueJobBudgetBurn',
    remediation: "Read the failing jobs' errors (their backend log lines, by queue label: the LogQL of this section) and Bull's failed list.",
  },
  queueFreshness: {
    name: 'queue-freshness',
    title: 'Queue freshness',
    alert: 'BackendQueueFreshnessBudgetBurn',
    remediation: "Follow the stuck queue's alert (BroadcastQueueStuck, ParsingQueueStuck) or BackendQueuePaused.",
  },
} as const;

/** Recorded series the freshness indicator is built on (one sample per evaluation). */
export const QUEUE_STALE = {
  /** 1 while a queue has jobs waiting (or paused) and completed none within maxAge, else 0; by queue. */
  perQueue: recordName(['job', 'queue'], 'love_parser_queue_stale', 'bool'),
  /** Share of the queues that are stale right now. */
  share: recordName(['job'], 'love_parser_queue_stale', 'ratio'),
} as const;

/** `le` as Prometheus 3 stores it (`1` becomes `1.0` on ingestion) or as written elsewhere (`1`): both match. */
export function leMatcher(bound: number): { re: string } {
  const s = String(bound);
  return Number.isInteger(bound) ? { re: `${s}(\\.0)?` } : { re: s.replace(/\./g, '\\.') };
}

/** The backend's objectives, with their windows scaled to each period. */
export function backendObjectives(props: BackendProps): Objective[] {
  const s: BackendSettings['slos'] = props.settings.slos;
  const job = jobOf(props.shared.endpoints.backend);
  const service = props.shared.endpoints.backend.name;
  const count = `${M.httpRequestDuration.name}_count`;
  const bucket = `${M.httpRequestDuration.name}_bucket`;
  const sumRate = (metric: string, extra: Matchers = {}) => (w: string) => sumBy([], rate(sel(metric, { ...job, ...extra }), w));
  const orNothing = (expr: string) => `(${expr} or vector(0))`;

  const indicators: Record<keyof typeof BACKEND_SLOS, Indicator> = {
    availability: { errors: sumRate(count, { status_code: SERVER_ERROR }), events: sumRate(count) },
    latency: {
      // Requests above the threshold: all requests less those in the threshold's bucket.
      errors: (w) => `${sumRate(count)(w)}\n  -\n${sumRate(bucket, { le: leMatcher(s.latency.thresholdSeconds) })(w)}`,
      events: sumRate(count),
    },
    paymentCallbacks: { errors: sumRate(M.paymentCallbacks.name, { outcome: 'failed' }), events: sumRate(M.paymentCallbacks.name) },
    // Each counter may not exist yet for any queue: each counts as 0 until it does.
    queueJobs: {
      errors: sumRate(M.queueJobsFailed.name),
      events: (w) => `${orNothing(sumRate(M.queueJobsFailed.name)(w))}\n  +\n${orNothing(sumRate(M.queueJobsCompleted.name)(w))}`,
    },
    // Time-based: one sample per evaluation; the bad ones are the stale shares summed.
    queueFreshness: {
      errors: (w) => sumBy([], `sum_over_time(${sel(QUEUE_STALE.share, job)}[${w}])`),
      events: (w) => sumBy([], `count_over_time(${sel(QUEUE_STALE.share, job)}[${w}])`),
    },
  };

  return (Object.keys(BACKEND_SLOS) as (keyof typeof BACKEND_SLOS)[]).map((key) => {
    const o = s[key];
    return {
      ...BACKEND_SLOS[key],
      target: o.target,
      period: o.period,
      indicator: indicators[key],
      windows: scaleWindows(WORKBOOK_WINDOWS, o.period),
      minEvents: 'minEvents' in o ? o.minEvents : 0,
      service,
      // The incidents the original stack texted for: the API failing and payments failing.
      notifySms: key === 'availability' || key === 'paymentCallbacks',
    };
  });
}

/** Whether a queue is stale at each evaluation, and the share of stale queues (the freshness indicator's input). */
export function queueStaleRules(props: BackendProps): RecordingRule[] {
  const job = jobOf(props.shared.endpoints.backend);
  const maxAge = durationToSeconds(props.settings.slos.queueFreshness.maxAge);
  // Depth is a gauge every pod reports alike (the counts live in Redis): max per state, then the
  // states summed. The last completion is per pod: the latest of them.
  const pending = sumBy(['job', 'queue'], maxBy(['job', 'queue', 'state'], sel(M.queueJobs.name, { ...job, state: { re: 'waiting|paused' } })));
  const idle = `time() - ${maxBy(['job', 'queue'], sel(M.queueLastCompleted.name, job))}`;
  return [
    { record: QUEUE_STALE.perQueue, expr: `(\n${pending} > bool 0\n)\n*\n(\n${idle} > bool ${maxAge}\n)` },
    { record: QUEUE_STALE.share, expr: `avg by (job) (${sel(QUEUE_STALE.perQueue, job)})` },
  ];
}

export function sloRules(props: BackendProps): RuleGroup[] {
  const groups = sloRuleGroups(props.shared.rules, props.shared.endpoints.backend.name, backendObjectives(props));
  // The indicator's input series first, in the same group: rules of a group run in order.
  return groups.map((g) => (g.rules.some((r) => 'record' in r) ? { ...g, rules: [...queueStaleRules(props), ...g.rules] } : g));
}
