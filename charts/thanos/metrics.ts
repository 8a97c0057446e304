/**
 * Thanos v0.42's own metrics that its alerts (./alerts.ts) read, as its source declares them at the
 * pinned release (listed with the file each comes from in ground-truth/upstream-metrics.tsv; a test
 * holds every definition here to that list). Unlike Loki, Thanos runs in this project's checks:
 * scripts/checks/45-thanos/run.sh scrapes the running sidecar, store gateway, query and compactor
 * and finds every one of these names.
 */
import { MetricDef } from '../lib/metric';

export const THANOS_METRICS = {
  sidecarPrometheusUp: {
    name: 'thanos_sidecar_prometheus_up',
    type: 'gauge',
    help: 'Whether the sidecar can reach its Prometheus (1) or not (0).',
    labels: [],
    source: 'thanos sidecar (cmd/thanos/sidecar.go)',
  },
  shipperUploads: {
    name: 'thanos_shipper_uploads_total',
    type: 'counter',
    help: 'Blocks the sidecar uploaded to the bucket.',
    labels: [],
    source: 'thanos sidecar (pkg/shipper/shipper.go)',
  },
  shipperUploadFailures: {
    name: 'thanos_shipper_upload_failures_total',
    type: 'counter',
    help: 'Block uploads of the sidecar that failed.',
    labels: [],
    source: 'thanos sidecar (pkg/shipper/shipper.go)',
  },
  bucketOperations: {
    name: 'thanos_objstore_bucket_operations_total',
    type: 'counter',
    help: 'Object-store operations, per operation (get, upload, iter, ...), of the sidecar, store gateway and compactor.',
    labels: ['bucket', 'operation'],
    source: 'github.com/thanos-io/objstore objstore.go, prefixed thanos_ by each component',
  },
  bucketOperationFailures: {
    name: 'thanos_objstore_bucket_operation_failures_total',
    type: 'counter',
    help: 'Object-store operations that failed, per operation.',
    labels: ['bucket', 'operation'],
    source: 'github.com/thanos-io/objstore objstore.go, prefixed thanos_ by each component',
  },
  bucketLastSuccessfulUpload: {
    name: 'thanos_objstore_bucket_last_successful_upload_time',
    type: 'gauge',
    help: 'Unix time of the last successful upload to the bucket (0 before the first).',
    labels: ['bucket'],
    source: 'github.com/thanos-io/objstore objstore.go, prefixed thanos_ by each component',
  },
  compactHalted: {
    name: 'thanos_compact_halted',
    type: 'gauge',
    help: '1 when the compactor halted on an error it will not retry (overlapping blocks, a corrupt block).',
    labels: [],
    source: 'thanos compact (cmd/thanos/compact.go)',
  },
  compactIterations: {
    name: 'thanos_compact_iterations_total',
    type: 'counter',
    help: 'Compaction runs (sync, compact, downsample, retention) that completed successfully.',
    labels: [],
    source: 'thanos compact (cmd/thanos/compact.go)',
  },
  grpcServerHandled: {
    name: 'grpc_server_handled_total',
    type: 'counter',
    help: 'gRPC calls a server completed, per method and status code (the Store API of the store gateway and the sidecar).',
    labels: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'],
    source: 'github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus server_metrics.go',
  },
  httpRequests: {
    name: 'http_requests_total',
    type: 'counter',
    help: 'HTTP requests of a Thanos component, per handler (query, query_range, ...) and status code.',
    labels: ['code', 'handler', 'method'],
    source: 'thanos (pkg/extprom/http/metrics.go)',
  },
  processStartTime: {
    name: 'process_start_time_seconds',
    type: 'gauge',
    help: 'Unix time the process started (every Thanos component registers the process collector).',
    labels: [],
    source: 'github.com/prometheus/client_golang prometheus/process_collector.go, registered in cmd/thanos/main.go',
  },
  storeNodes: {
    name: 'thanos_store_nodes_grpc_connections',
    type: 'gauge',
    help: 'Store API servers (sidecars, store gateways) Thanos Query is connected to, per external label set and store type.',
    labels: ['external_labels', 'store_type'],
    source: 'thanos query (pkg/query/endpointset.go)',
  },
} as const satisfies Record<string, MetricDef>;
