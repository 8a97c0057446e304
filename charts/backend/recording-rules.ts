/**
 * Recording rules of the backend: what its dashboards would otherwise compute from raw series on
 * every refresh. Request latency quantiles across routes and every ratio (errors, queue failures,
 * payments) are recorded over the alerts' rate window, so a 30-day dashboard reads one series per
 * route instead of re-aggregating every bucket of every pod.
 *
 * Rules of one group run in order, each seeing the samples the earlier ones wrote in the same
 * evaluation: bucket rates are aggregated once, and the quantiles and ratios read those.
 */
import { jobOf, maxBy, rate, sel, sumBy } from '../lib/promql';
import { RecordingRule, RuleGroup } from '../lib/monitoring';
import { baseName, orZero, quantileRules, rateOp, recordName, recordingGroup } from '../lib/recording-rules';
import { BACKEND_METRICS as M, SERVER_ERROR } from '../contracts/backend-metrics';
import { BACKEND_DB_POOL_USAGE } from '../contracts/recorded';
import { BackendProps } from './settings';

/** Quantiles of request latency the dashboards draw (the alerts use p95 and p99). */
export const LATENCY_QUANTILES = [0.5, 0.95, 0.99] as const;
/** Quantiles of queue job duration. */
export const JOB_DURATION_QUANTILES = [0.5, 0.95] as const;

/** Names of the backend's recorded series over the rate window `w` and the payment window `pw`; the dashboards read these. */
export function backendRecords(w: string, pw: string) {
  const http = M.httpRequestDuration.name;
  const jobDuration = M.queueJobDuration.name;
  return {
    /** Request histogram buckets per route (and `le`), summed over pods, methods and status codes. */
    routeBuckets: recordName(['job', 'route'], `${http}_bucket`, rateOp(w)),
    /** The same over all routes. */
    buckets: recordName(['job'], `${http}_bucket`, rateOp(w)),
    /** Latency quantiles of the whole API, by `quantile`. */
    latency: recordName(['job'], http, rateOp(w, 'quantile')),
    /** Latency quantiles per route, by `quantile`. */
    routeLatency: recordName(['job', 'route'], http, rateOp(w, 'quantile')),
    /** Requests per second per route. */
    routeRequests: recordName(['job', 'route'], 'http_requests', rateOp(w)),
    /** 5xx responses per second per route (0 for routes that never failed). */
    routeErrors: recordName(['job', 'route'], 'http_request_errors', rateOp(w)),
    /** Share of 5xx responses per route. */
    routeErrorRatio: recordName(['job', 'route'], 'http_request_errors', rateOp(w, 'ratio')),
    /** Share of 5xx responses of the whole API. */
    errorRatio: recordName(['job'], 'http_request_errors', rateOp(w, 'ratio')),
    /** Queue job duration histogram buckets per queue (both outcomes). */
    jobDurationBuckets: recordName(['job', 'queue'], `${jobDuration}_bucket`, rateOp(w)),
    /** Queue job duration quantiles per queue, by `quantile`. */
    jobDuration: recordName(['job', 'queue'], jobDuration, rateOp(w, 'quantile')),
    /** Share of a queue's finished jobs that failed. */
    queueFailureRatio: recordName(['job', 'queue'], baseName(M.queueJobsFailed.name), rateOp(w, 'ratio')),
    /** Share of broadcast messages that failed. */
    broadcastFailureRatio: recordName(['job'], `${baseName(M.broadcastMessages.name)}_failed`, rateOp(w, 'ratio')),
    /** Share of payments that succeeded, over the payment window (payments are sparse). */
    paymentSuccessRatio: recordName(['job'], `${baseName(M.payments.name)}_succeeded`, rateOp(pw, 'ratio')),
    /** Share of payment callbacks the backend failed to process, over the payment window. */
    callbackFailureRatio: recordName(['job'], `${baseName(M.paymentCallbacks.name)}_failed`, rateOp(pw, 'ratio')),
    /** Share of each pod's Postgres pool in use. */
    dbPoolUsage: BACKEND_DB_POOL_USAGE,
  } as const;
}

export type BackendRecords = ReturnType<typeof backendRecords>;

export function recordingRules(props: BackendProps): RuleGroup[] {
  const w = props.shared.rules.rateWindow;
  const pw = props.settings.alerts.paymentWindow;
  const job = jobOf(props.shared.endpoints.backend);
  const r = backendRecords(w, pw);
  const count = `${M.httpRequestDuration.name}_count`;

  /** `part / whole` of one counter split by an outcome label, both summed by `by`, 0 when `part` has no series yet. */
  const share = (metric: string, by: string[], part: Record<string, string>, window: string) => {
    const whole = sumBy(by, rate(sel(metric, job), window));
    return `(\n${orZero(sumBy(by, rate(sel(metric, { ...job, ...part }), window)), whole)}\n)\n/\n${whole}`;
  };

  const queueRate = (metric: string) => sumBy(['job', 'queue'], rate(sel(metric, job), w));
  const failed = orZero(queueRate(M.queueJobsFailed.name), queueRate(M.queueJobsCompleted.name));
  const completed = orZero(queueRate(M.queueJobsCompleted.name), queueRate(M.queueJobsFailed.name));

  const rules: RecordingRule[] = [
    { record: r.routeBuckets, expr: sumBy(['job', 'route', 'le'], rate(sel(`${M.httpRequestDuration.name}_bucket`, job), w)) },
    { record: r.buckets, expr: sumBy(['job', 'le'], sel(r.routeBuckets, job)) },
    ...quantileRules(r.latency, LATENCY_QUANTILES, sel(r.buckets, job)),
    ...quantileRules(r.routeLatency, LATENCY_QUANTILES, sel(r.routeBuckets, job)),
    { record: r.routeRequests, expr: sumBy(['job', 'route'], rate(sel(count, job), w)) },
    { record: r.routeErrors, expr: orZero(sumBy(['job', 'route'], rate(sel(count, { ...job, status_code: SERVER_ERROR }), w)), sel(r.routeRequests, job)) },
    { record: r.routeErrorRatio, expr: `${sel(r.routeErrors, job)}\n/\n${sel(r.routeRequests, job)}` },
    { record: r.errorRatio, expr: `${sumBy(['job'], sel(r.routeErrors, job))}\n/\n${sumBy(['job'], sel(r.routeRequests, job))}` },

    { record: r.jobDurationBuckets, expr: sumBy(['job', 'queue', 'le'], rate(sel(`${M.queueJobDuration.name}_bucket`, job), w)) },
    ...quantileRules(r.jobDuration, JOB_DURATION_QUANTILES, sel(r.jobDurationBuckets, job)),
    // Two counters, either of which may not exist yet for a queue: each falls back to 0, and a
    // queue that finished nothing in the window has no ratio rather than 0/0.
    { record: r.queueFailureRatio, expr: `(\n${failed}\n)\n/\n(\n(\n${failed}\n)\n  +\n(\n${completed}\n)\n  > 0\n)` },

    { record: r.broadcastFailureRatio, expr: share(M.broadcastMessages.name, ['job'], { outcome: 'failed' }, w) },
    { record: r.paymentSuccessRatio, expr: share(M.payments.name, ['job'], { outcome: 'succeeded' }, pw) },
    { record: r.callbackFailureRatio, expr: share(M.paymentCallbacks.name, ['job'], { outcome: 'failed' }, pw) },
    {
      record: r.dbPoolUsage,
      expr:
        `(\n${maxBy(['job', 'pod'], sel(M.dbPoolConnections.name, { ...job, state: 'total' }))}\n  -\n${maxBy(['job', 'pod'], sel(M.dbPoolConnections.name, { ...job, state: 'idle' }))}\n)\n` +
        `/\n${maxBy(['job', 'pod'], sel(M.dbPoolMax.name, job))}`,
    },
  ];
  return [recordingGroup(props.shared.endpoints.backend.name, rules)];
}
