/**
 * Cases of the Thanos alerts. Thanos is off in production, so these run against the rules of the
 * environment that turns it on (staging: `SWITCHED_CASES` in ./index.ts): one Prometheus replica
 * there, hence Query expects two Store APIs (its sidecar and the store gateway).
 */
import { THANOS_JOBS } from '../../../charts/thanos/alerts';
import { THANOS_METRICS as T } from '../../../charts/thanos/metrics';
import { UP } from '../../../charts/lib/promql';
import { AlertCase, CaseContext, fires, quiet, series } from '../harness';
import { alert } from './common';

export function thanosCases({ config, endpoints }: CaseContext): AlertCase[] {
  const ns = endpoints.thanosQuery.namespace;
  const sidecar = { job: THANOS_JOBS.sidecar, instance: `${endpoints.thanosSidecar.podHost(0)}:${endpoints.thanosSidecar.port}`, pod: 'prometheus-0', service: THANOS_JOBS.sidecar };
  const query = { job: THANOS_JOBS.query, instance: '10.0.4.2:10902', namespace: ns, pod: 'thanos-query-7f9c4-a', service: THANOS_JOBS.query };
  const store = { job: THANOS_JOBS.store, instance: '10.0.4.3:10902', namespace: ns, pod: 'thanos-store-0', service: THANOS_JOBS.store };
  const compactor = { job: THANOS_JOBS.compactor, instance: '10.0.4.4:10902', namespace: ns, pod: 'thanos-compactor-0', service: THANOS_JOBS.compactor };
  const bucket = config.thanos.objectStorage.bucket ?? 'bucket';
  const warn = (name: string, labels: Record<string, string>, summary: string, description: string) => alert(name, 'warning', { ...labels, service: 'thanos' }, summary, description);
  const expectedStores = config.prometheus.replicas + 1;
  const downCase = (name: string, target: Record<string, string>, forMinutes: number, description: string) => {
    const expected = warn(name, { job: target.job }, `${target.job} is down`, description);
    const span = `${forMinutes + 10}m`;
    return [
      fires(name, 'its target is down', { input: [series(UP, target, `0x${forMinutes + 10}`)], at: span, expect: [expected] }),
      fires(name, 'it has no target at all', { input: [], at: span, expect: [expected] }),
      quiet(name, `its target is down for ${forMinutes - 2}m, then back`, { input: [series(UP, target, `0x${forMinutes - 2} 1x12`)], at: span }),
    ];
  };
  const sel = (metric: string, labels: Record<string, string>, values: string) => series(metric, labels, values);
  const storeGrpc = (code: string, values: string) => sel(T.grpcServerHandled.name, { ...store, grpc_type: 'server_stream', grpc_service: 'thanos.Store', grpc_method: 'Series', grpc_code: code }, values);
  const queryHttp = (code: string, values: string) => sel(T.httpRequests.name, { ...query, handler: 'query_range', method: 'post', code }, values);
  const storeNodes = (storeType: string, values: string) => sel(T.storeNodes.name, { ...query, external_labels: `{replica="prometheus-0"}`, store_type: storeType }, values);
  return [
    ...downCase('ThanosQueryDown', query, 5, 'Prometheus has reached no thanos-query target for 5m; every Grafana panel reading love-prom fails (alerting is not affected).'),
    ...downCase('ThanosStoreDown', store, 10, "Prometheus has reached no thanos-store target for 10m; metrics older than Prometheus's local retention cannot be queried."),
    ...downCase('ThanosCompactDown', compactor, 30, 'Prometheus has reached no thanos-compactor target for 30m; blocks are not compacted, downsampled or deleted at their retention.'),

    fires('ThanosSidecarDown', 'the sidecar of prometheus-0 unreachable for 15m', {
      input: [series(UP, sidecar, '0x15')],
      at: '15m',
      expect: [warn('ThanosSidecarDown', { job: sidecar.job, instance: sidecar.instance, pod: 'prometheus-0' }, 'The Thanos sidecar of prometheus-0 is down', "Prometheus has not reached the sidecar of prometheus-0 for 10m: that replica's blocks are not uploaded, and Query reads the other replicas only.")],
    }),
    quiet('ThanosSidecarDown', 'the sidecar restarts for 5m', { input: [series(UP, sidecar, '1x5 0x5 1x5')], at: '15m' }),

    fires('ThanosSidecarPrometheusUnreachable', 'the sidecar has not reached Prometheus for 10m', {
      input: [sel(T.sidecarPrometheusUp.name, sidecar, '0x10')],
      at: '10m',
      expect: [warn('ThanosSidecarPrometheusUnreachable', { job: sidecar.job, instance: sidecar.instance, pod: 'prometheus-0' }, 'The Thanos sidecar of prometheus-0 cannot reach its Prometheus', "The sidecar of prometheus-0 has not reached Prometheus on the pod's loopback for 5m: nothing is uploaded from that replica and Query gets no recent data from it.")],
    }),
    quiet('ThanosSidecarPrometheusUnreachable', 'Prometheus replays its WAL for 3m after a restart', { input: [sel(T.sidecarPrometheusUp.name, sidecar, '0x3 1x7')], at: '10m' }),

    fires('ThanosSidecarUploadFailures', 'an upload fails every minute for 25m', {
      input: [sel(T.shipperUploadFailures.name, sidecar, '0+1x30')],
      at: '25m',
      expect: [warn('ThanosSidecarUploadFailures', { job: sidecar.job, instance: sidecar.instance, pod: 'prometheus-0' }, 'The Thanos sidecar of prometheus-0 fails to upload blocks', '5 block uploads from prometheus-0 failed over the last 5m; blocks wait on the Prometheus volume until they go, and are lost if they leave its retention first.')],
    }),
    quiet('ThanosSidecarUploadFailures', 'no upload failed', { input: [sel(T.shipperUploadFailures.name, sidecar, '0x30')], at: '25m' }),

    fires('ThanosSidecarNotUploading', 'running for 6h, nothing ever uploaded', {
      interval: '5m',
      input: [sel(T.bucketLastSuccessfulUpload.name, { ...sidecar, bucket }, '0x80'), sel(T.processStartTime.name, sidecar, '0x80')],
      at: '6h',
      expect: [warn('ThanosSidecarNotUploading', { pod: 'prometheus-0' }, 'The Thanos sidecar of prometheus-0 has not uploaded a block recently', 'The last block from prometheus-0 reached the bucket 6h 0m 0s ago (threshold 4h; one is cut every 2h): long-term storage is falling behind that replica.')],
    }),
    quiet('ThanosSidecarNotUploading', 'started 1h ago, no block cut yet', {
      interval: '5m',
      input: [sel(T.bucketLastSuccessfulUpload.name, { ...sidecar, bucket }, '0x80'), sel(T.processStartTime.name, sidecar, '18000x80')],
      at: '6h',
    }),
    quiet('ThanosSidecarNotUploading', 'a block uploaded every 2h', {
      interval: '5m',
      input: [sel(T.bucketLastSuccessfulUpload.name, { ...sidecar, bucket }, '0x23 7200x23 14400x23 21600x10'), sel(T.processStartTime.name, sidecar, '0x80')],
      at: '6h',
    }),

    fires('ThanosBucketOperationsFailing', 'one get in ten of the store gateway fails for 25m', {
      input: [sel(T.bucketOperationFailures.name, { ...store, bucket, operation: 'get' }, '0+10x30'), sel(T.bucketOperations.name, { ...store, bucket, operation: 'get' }, '0+100x30')],
      at: '25m',
      expect: [warn('ThanosBucketOperationsFailing', { job: store.job, operation: 'get' }, 'thanos-store fails get operations on the bucket', '10% of the get operations of thanos-store on the object store failed over the last 5m (threshold 5%).')],
    }),
    quiet('ThanosBucketOperationsFailing', 'one get in a hundred fails', {
      input: [sel(T.bucketOperationFailures.name, { ...store, bucket, operation: 'get' }, '0+1x30'), sel(T.bucketOperations.name, { ...store, bucket, operation: 'get' }, '0+100x30')],
      at: '25m',
    }),

    fires('ThanosCompactHalted', 'the compactor halted 10m ago', {
      input: [sel(T.compactHalted.name, compactor, '1x10')],
      at: '10m',
      expect: [warn('ThanosCompactHalted', { job: compactor.job }, 'The Thanos compactor has halted', 'The compactor stopped on an error it does not retry: nothing is compacted, downsampled or deleted until the cause is fixed and it is restarted.')],
    }),
    quiet('ThanosCompactHalted', 'the compactor runs', { input: [sel(T.compactHalted.name, compactor, '0x10')], at: '10m' }),

    fires('ThanosCompactNotRun', 'no run completed for 8h', {
      interval: '5m',
      input: [sel(T.compactIterations.name, compactor, '3x100')],
      at: '8h',
      expect: [warn('ThanosCompactNotRun', { job: compactor.job }, 'The Thanos compactor has not completed a run recently', `No compaction run completed over the last ${config.thanos.alerts.compactStaleAfter} (one starts every 5m): blocks pile up uncompacted and retention is not applied.`)],
    }),
    quiet('ThanosCompactNotRun', 'a run every 5m', { interval: '5m', input: [sel(T.compactIterations.name, compactor, '0+1x100')], at: '8h' }),

    fires('ThanosStoreGrpcErrors', 'one Series call in ten fails with Internal', {
      input: [storeGrpc('Internal', '0+10x30'), storeGrpc('OK', '0+90x30')],
      at: '25m',
      expect: [warn('ThanosStoreGrpcErrors', { job: store.job, grpc_method: 'Series' }, 'The Thanos store gateway fails Series calls', "10% of the store gateway's Series calls failed with a server error over the last 5m (threshold 5%); queries over older data are partial.")],
    }),
    quiet('ThanosStoreGrpcErrors', 'calls canceled by their clients are not server errors', { input: [storeGrpc('Canceled', '0+50x30'), storeGrpc('OK', '0+50x30')], at: '25m' }),

    fires('ThanosQueryHttpErrors', 'one range query in ten answered 503', {
      input: [queryHttp('503', '0+10x30'), queryHttp('200', '0+90x30')],
      at: '25m',
      expect: [warn('ThanosQueryHttpErrors', { job: query.job, handler: 'query_range' }, 'Thanos Query fails query_range requests', '10% of the query_range requests to Thanos Query failed with 5xx over the last 5m (threshold 5%): dashboards show errors.')],
    }),
    quiet('ThanosQueryHttpErrors', 'one range query in a hundred fails', { input: [queryHttp('503', '0+1x30'), queryHttp('200', '0+99x30')], at: '25m' }),

    fires('ThanosQueryStoresMissing', 'the store gateway has been missing for 20m', {
      input: [storeNodes('sidecar', '1x20')],
      at: '20m',
      expect: [warn('ThanosQueryStoresMissing', { pod: query.pod }, `Thanos Query ${query.pod} misses stores`, `Query ${query.pod} is connected to 1 Store APIs, fewer than the ${expectedStores} the stack runs (a sidecar per Prometheus replica and the store gateway): its answers are partial.`)],
    }),
    quiet('ThanosQueryStoresMissing', 'every sidecar and the store gateway connected', { input: [storeNodes('sidecar', `${config.prometheus.replicas}x20`), storeNodes('store', '1x20')], at: '20m' }),
  ];
}
