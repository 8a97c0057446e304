/**
 * How the stack's recording rules are named and shaped. They precompute what dashboards would
 * otherwise compute on every refresh over 30 days of raw series: latency quantiles across routes and
 * ratios. Names follow Prometheus's `level:metric:operations` convention: `level` lists the labels
 * kept, `metric` the source metric (counters without `_total`), `operations` what was applied,
 * newest first (`job_route:http_request_errors:ratio_rate5m`).
 */
import { RecordingRule, RuleGroup } from './monitoring';

/** The label a quantile rule carries, as Prometheus's summaries spell it. */
export const QUANTILE_LABEL = 'quantile';

/** `http_requests_total` -> `http_requests`: rule names drop the counter suffix. */
export function baseName(metric: string): string {
  return metric.replace(/_total$/, '');
}

/** `rate5m` for a window of `5m`: the operation part of a rule name. */
export function rateOp(window: string, operation?: string): string {
  return operation ? `${operation}_rate${window}` : `rate${window}`;
}

/** `job_route:http_requests:rate5m`. */
export function recordName(level: readonly string[], metric: string, operations: string): string {
  const name = `${level.join('_')}:${metric}:${operations}`;
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$/.test(name)) throw new Error(`'${name}' is not a level:metric:operations rule name`);
  return name;
}

/** One rule per quantile, all recorded under one name and told apart by the `quantile` label. */
export function quantileRules(record: string, quantiles: readonly number[], buckets: string): RecordingRule[] {
  return quantiles.map((q) => ({ record, expr: `histogram_quantile(${q}, ${buckets})`, labels: { [QUANTILE_LABEL]: String(q) } }));
}

/**
 * A rate that is 0, not absent, where the filtered series do not exist yet: a route that never
 * failed has no 5xx series, and its error ratio must read 0%, not "no data". `all` is the same
 * aggregation without the filter, which supplies the label sets.
 */
export function orZero(filtered: string, all: string): string {
  return `${filtered}\n  or\n${all} * 0`;
}

/** The rule group of a component's recording rules, evaluated at the global evaluation interval. */
export function recordingGroup(component: string, rules: readonly RecordingRule[]): RuleGroup {
  return { name: `${component}-recording-rules`, rules };
}
