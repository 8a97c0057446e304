/**
 * The shape of an exporter metrics contract (charts/<exporter>/metrics.ts): like the backend's
 * (charts/backend/metrics.ts), plus where the pinned exporter gets the metric from, so that a rule or
 * dashboard that reads it can be traced to the collector or flag it needs (FACTS: dashboards with no
 * data after an upgrade because a metric was renamed or needs a flag).
 */

export type ExporterMetricType = 'counter' | 'gauge' | 'histogram';

export interface ExporterMetricDef {
  /** Full metric name as the pinned exporter exposes it (some exporter counters have no `_total`). */
  readonly name: string;
  readonly type: ExporterMetricType;
  readonly help: string;
  /** Every label the pinned exporter puts on the series (Prometheus's job/instance/... come on top). */
  readonly labels: readonly string[];
  /** Closed label value sets, where the exporter fixes them. */
  readonly values?: Readonly<Record<string, readonly string[]>>;
  /** The exporter's collector (or INFO section, or built-in) that emits it. */
  readonly collector: string;
  /** The flag that turns the collector on, when it is off by default; the chart passes it. */
  readonly flag?: string;
  /** What the monitored server must provide for the series to exist (an extension, a version). */
  readonly requires?: string;
}

/** Every series name a metric exposes (histograms expose _bucket, _sum and _count). */
export function exporterSeriesNames(m: ExporterMetricDef): string[] {
  return m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
}

/** The flags a set of metrics needs, each once, in a stable order. */
export function requiredFlags(metrics: Record<string, ExporterMetricDef>): string[] {
  return [...new Set(Object.values(metrics).flatMap((m) => (m.flag ? [m.flag] : [])))].sort();
}
