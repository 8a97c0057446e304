/**
 * Loki v3.7's own metrics that Loki's alerts (charts/loki/alerts.ts) and the log shipper's Logs
 * pipeline dashboard (charts/log-shipper/dashboards.ts) read: a contract, since two components read
 * it. Loki cannot run here (its module is AGPL and not built by this project), so the names, types
 * and labels come from its source at the pinned release and are listed, with the file each comes
 * from, in ground-truth/upstream-metrics.tsv; a test holds every definition here to that list.
 */
import { MetricDef } from '../lib/metric';

export const LOKI_METRICS = {
  requestDuration: {
    name: 'loki_request_duration_seconds',
    type: 'histogram',
    help: 'Time to serve an HTTP or gRPC request, per route and status code (dskit middleware).',
    labels: ['method', 'route', 'status_code', 'ws'],
    source: 'loki (dskit server instrumentation)',
  },
  discardedSamples: {
    name: 'loki_discarded_samples_total',
    type: 'counter',
    help: 'Log lines Loki refused, per reason (rate_limited, stream_limit, line_too_long, greater_than_max_sample_age, ...).',
    labels: ['reason', 'tenant'],
    source: 'loki (pkg/validation/validate.go)',
  },
  retentionLastSuccess: {
    name: 'loki_compactor_apply_retention_last_successful_run_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the compactor\'s last successful retention run (0 until the first one).',
    labels: [],
    source: 'loki (pkg/compactor/metrics.go)',
  },
} as const satisfies Record<string, MetricDef>;
