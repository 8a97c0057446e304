/**
 * The one shape of a metric definition, used by every metrics contract of the stack: the backend's
 * (`charts/contracts/backend-metrics.ts`, re-exporting packages/metrics-contract, whose
 * `ContractMetricDef` is this shape without `flag` and `requires`), each exporter's (`charts/<exporter>/metrics.ts`) and the
 * stack's own servers' (Prometheus, Alertmanager). Rules, dashboards, docs/metrics.md, the exporter
 * check and test fixtures read names from these definitions and never type them.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDef {
  /** Full metric name as exposed (backend counters end in `_total`; some exporter counters do not). */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Every label the emitter puts on the series (Prometheus's job/instance/... come on top). */
  readonly labels: readonly string[];
  /** Closed label value sets, where the emitter or the contract fixes them. */
  readonly values?: Readonly<Record<string, readonly string[]>>;
  /** Histogram bucket bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /**
   * Who emits it: for the backend its own code, prom-client's default collectors or fastify-metrics;
   * for an exporter, the collector (or INFO section, or built-in) that emits it; for a server, its package.
   */
  readonly source: string;
  /**
   * What has to happen before the metric has any series, when it legitimately has none on a freshly
   * started emitter (the backend's job-duration histogram before the first job). The backend's
   * BackendMetricMissing alert watches only the metrics without it.
   */
  readonly absentUntil?: string;
  /** The exporter flag that turns the collector on, when it is off by default; the chart passes it. */
  readonly flag?: string;
  /** What the monitored server must provide for the series to exist (an extension, a version). */
  readonly requires?: string;
}

/** Every series name a metric exposes (histograms expose _bucket, _sum and _count). */
export function seriesNames(m: MetricDef): string[] {
  return m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
}

/** The flags a set of metrics needs, each once, in a stable order. */
export function requiredFlags(metrics: Record<string, MetricDef>): string[] {
  return [...new Set(Object.values(metrics).flatMap((m) => (m.flag ? [m.flag] : [])))].sort();
}
