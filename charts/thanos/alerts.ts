/**
 * Alerts on Thanos, written after the upstream Thanos mixin (mixin/alerts/*.libsonnet at v0.42)
 * with this stack's names and thresholds (`thanos.alerts`): a component down, the sidecar cut off
 * from its Prometheus or not uploading, object-store operations failing, the compactor halted or
 * not running, the store gateway's and Query's requests failing, and Query missing stores. Built
 * only when `thanos.enabled` is on (no targets, no alerts).
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { ServiceEndpoint } from '../lib/endpoints';
import { RuleGroup } from '../lib/monitoring';
import { Matchers, UP, increase, maxBy, rate, sel, sumBy } from '../lib/promql';
import { durationToSeconds } from '../lib/schema';
import { THANOS_METRICS as M } from './metrics';
import { ThanosProps } from './settings';

/** The `service` label of every Thanos alert: one group of notifications for the long-term store. */
export const THANOS_SERVICE = 'thanos';

/** Scrape job names, one per component; the sidecar's is not its endpoint's name (that is Prometheus's). */
export const THANOS_JOBS = {
  sidecar: 'thanos-sidecar',
  query: 'thanos-query',
  store: 'thanos-store',
  compactor: 'thanos-compactor',
} as const;

/** gRPC codes that are the server's fault (the mixin's list): not a client's NotFound or Canceled. */
export const GRPC_SERVER_ERRORS = 'Unknown|ResourceExhausted|Internal|Unavailable|DataLoss|DeadlineExceeded';

/** The query API's handlers (`instr("query", ...)` in pkg/api/query/v1.go): what Grafana calls. */
const QUERY_HANDLERS = 'query|query_range';

function down(job: string): string {
  const up = sel(UP, { job });
  return `${maxBy(['job'], up)} == 0 or absent(${up})`;
}

/** A ratio of two counters' rates, summed by `by`. */
function ratio(by: readonly string[], failed: string, all: string, w: string): string {
  return `${sumBy(by, rate(failed, w))}\n  /\n${sumBy(by, rate(all, w))}`;
}

export function alertRules(props: ThanosProps): RuleGroup[] {
  if (!props.settings.enabled) return [];
  const ctx = props.shared.rules;
  const w = ctx.rateWindow;
  const a = props.settings.alerts;
  const service = THANOS_SERVICE;
  const sidecar: Matchers = { job: THANOS_JOBS.sidecar };
  const ep = props.shared.endpoints;
  const bucketJobs: Matchers = { job: { re: [THANOS_JOBS.sidecar, THANOS_JOBS.store, THANOS_JOBS.compactor].join('|') } };
  const expectedStores = props.prometheusReplicas + 1; // every sidecar and the store gateway
  const componentDown = (name: string, remediation: string, job: string, what: ServiceEndpoint, forDuration: string, impact: string) =>
    alertRule(ctx, {
      name,
      remediation,
      severity: 'warning',
      service,
      expr: down(job),
      for: forDuration,
      summary: `${what.name} is down`,
      description: `Prometheus has reached no ${job} target for ${forDuration}; ${impact}.`,
    });
  return [
    alertGroup('thanos', [
      // Grafana's love-prom reads through Query: every dashboard is empty while it is down. A
      // warning like GrafanaDown: alerting runs on Prometheus and does not notice. 5m rides out a rollout.
      componentDown(
        'ThanosQueryDown',
        'Pods Pending: free room or nodes (anti-affinity is soft).',
        THANOS_JOBS.query,
        ep.thanosQuery,
        '5m',
        'every Grafana panel reading love-prom fails (alerting is not affected)',
      ),
      // History beyond Prometheus's local retention is unreadable while it is down.
      componentDown(
        'ThanosStoreDown',
        'CreateContainerConfigError: the Secret named in thanos.objectStorage.secretName or one of its keys is missing (docs/thanos.md).',
        THANOS_JOBS.store,
        ep.thanosStore,
        '10m',
        'metrics older than Prometheus\'s local retention cannot be queried',
      ),
      // Nothing is lost while the compactor is down; the bucket only grows and long ranges slow down.
      componentDown(
        'ThanosCompactDown',
        'OOM-killed or out of disk on a large compaction: raise thanos.compactor.resources or thanos.compactor.storage.size.',
        THANOS_JOBS.compactor,
        ep.thanosCompactor,
        '30m',
        'blocks are not compacted, downsampled or deleted at their retention',
      ),
      // One sidecar (per Prometheus pod): its replica's blocks are not uploaded and Query cannot
      // read that replica's recent data. 10m: the pod restarts in less.
      alertRule(ctx, {
        name: 'ThanosSidecarDown',
        remediation: 'A missing Secret: as for ThanosStoreDown.',
        severity: 'warning',
        service,
        expr: `${sel(UP, sidecar)} == 0`,
        for: '10m',
        summary: `The Thanos sidecar of ${tmpl.label('pod')} is down`,
        description: `Prometheus has not reached the sidecar of ${tmpl.label('pod')} for 10m: that replica's blocks are not uploaded, and Query reads the other replicas only.`,
      }),
      // The mixin's ThanosSidecarNoConnectionToStartedPrometheus: the sidecar serves nothing and
      // uploads nothing without its Prometheus. 5m: Prometheus replays its WAL after a restart.
      alertRule(ctx, {
        name: 'ThanosSidecarPrometheusUnreachable',
        remediation: 'Prometheus replaying a long WAL: wait (its startup probe allows prometheus.startupSeconds).',
        severity: 'warning',
        service,
        expr: `${sel(M.sidecarPrometheusUp.name, sidecar)} == 0`,
        for: '5m',
        summary: `The Thanos sidecar of ${tmpl.label('pod')} cannot reach its Prometheus`,
        description: `The sidecar of ${tmpl.label('pod')} has not reached Prometheus on the pod's loopback for 5m: nothing is uploaded from that replica and Query gets no recent data from it.`,
      }),
      // Uploads fail: each is retried at the next sync (30s), so failures that last 15m are an
      // object store refusing (credentials, bucket policy, quota), not a blip.
      alertRule(ctx, {
        name: 'ThanosSidecarUploadFailures',
        remediation: 'Access denied: the credentials in the Secret, or the bucket policy (the sidecar must put, get, list and delete).',
        severity: 'warning',
        service,
        expr: `${increase(sel(M.shipperUploadFailures.name, sidecar), w)} > 0`,
        for: '15m',
        summary: `The Thanos sidecar of ${tmpl.label('pod')} fails to upload blocks`,
        description: `${tmpl.number} block uploads from ${tmpl.label('pod')} failed over the last ${w}; blocks wait on the Prometheus volume until they go, and are lost if they leave its retention first.`,
      }),
      // No upload for alerts.uploadStaleAfter although Prometheus cuts a block every 2h. The
      // guard on the process's age keeps a fresh start quiet (its first block takes up to 3h).
      alertRule(ctx, {
        name: 'ThanosSidecarNotUploading',
        remediation: 'No new block directories in /prometheus: Prometheus is not cutting blocks (it takes samples? see PrometheusTargetDown).',
        severity: 'warning',
        service,
        expr:
          `time() - ${maxBy(['pod'], sel(M.bucketLastSuccessfulUpload.name, sidecar))} > ${durationToSeconds(a.uploadStaleAfter)}\n` +
          `and on (pod)\ntime() - ${maxBy(['pod'], sel(M.processStartTime.name, sidecar))} > ${durationToSeconds(a.uploadStaleAfter)}`,
        for: '15m',
        summary: `The Thanos sidecar of ${tmpl.label('pod')} has not uploaded a block recently`,
        description: `The last block from ${tmpl.label('pod')} reached the bucket ${tmpl.duration} ago (threshold ${a.uploadStaleAfter}; one is cut every 2h): long-term storage is falling behind that replica.`,
      }),
      // Any component's object-store operations failing (the mixin's *BucketHighOperationFailures
      // of the sidecar, store gateway and compactor, in one rule labelled by job and operation).
      alertRule(ctx, {
        name: 'ThanosBucketOperationsFailing',
        remediation: "As for ThanosSidecarUploadFailures: credentials, bucket policy, egress, or the provider's status page.",
        severity: 'warning',
        service,
        expr: `${ratio(['job', 'operation'], sel(M.bucketOperationFailures.name, bucketJobs), sel(M.bucketOperations.name, bucketJobs), w)}\n> ${a.bucketErrorRatio}`,
        for: '15m',
        summary: `${tmpl.label('job')} fails ${tmpl.label('operation')} operations on the bucket`,
        description: `${tmpl.percent} of the ${tmpl.label('operation')} operations of ${tmpl.label('job')} on the object store failed over the last ${w} (threshold ${percent(a.bucketErrorRatio)}).`,
      }),
      // The compactor stops for good on an error it will not retry (overlapping or corrupt
      // blocks); until someone acts, the bucket grows and retention is not applied.
      alertRule(ctx, {
        name: 'ThanosCompactHalted',
        remediation: `Overlapping blocks usually mean two Prometheus replicas uploaded with the same external labels (the replica label missing) or two compactors ran: fix the cause, then see Thanos's "Troubleshooting: overlaps" and thanos tools bucket verify/mark --marker=no-compact-mark.json for the named block, and restart statefulset/thanos-compactor.`,
        severity: 'warning',
        service,
        expr: `${maxBy(['job'], sel(M.compactHalted.name, { job: THANOS_JOBS.compactor }))} == 1`,
        for: '5m',
        summary: 'The Thanos compactor has halted',
        description: 'The compactor stopped on an error it does not retry: nothing is compacted, downsampled or deleted until the cause is fixed and it is restarted.',
      }),
      // A run every 5m (--wait); none completing for alerts.compactStaleAfter means each fails.
      alertRule(ctx, {
        name: 'ThanosCompactNotRun',
        remediation: 'A first compaction of a large bucket can take hours: wait, or raise the threshold while it runs.',
        severity: 'warning',
        service,
        expr: `${sumBy(['job'], increase(sel(M.compactIterations.name, { job: THANOS_JOBS.compactor }), a.compactStaleAfter))} == 0`,
        for: '15m',
        summary: 'The Thanos compactor has not completed a run recently',
        description: `No compaction run completed over the last ${a.compactStaleAfter} (one starts every 5m): blocks pile up uncompacted and retention is not applied.`,
      }),
      // The store gateway's Store API failing (the mixin's ThanosStoreGrpcErrorRate): queries
      // over older data return partial or no results.
      alertRule(ctx, {
        name: 'ThanosStoreGrpcErrors',
        remediation: 'ResourceExhausted or OOM-kills: raise thanos.store.resources (large ranges load many index headers).',
        severity: 'warning',
        service,
        expr: `${ratio(['job', 'grpc_method'], sel(M.grpcServerHandled.name, { job: THANOS_JOBS.store, grpc_code: { re: GRPC_SERVER_ERRORS } }), sel(M.grpcServerHandled.name, { job: THANOS_JOBS.store }), w)}\n> ${a.storeGrpcErrorRatio}`,
        for: '5m',
        summary: `The Thanos store gateway fails ${tmpl.label('grpc_method')} calls`,
        description: `${tmpl.percent} of the store gateway's ${tmpl.label('grpc_method')} calls failed with a server error over the last ${w} (threshold ${percent(a.storeGrpcErrorRatio)}); queries over older data are partial.`,
      }),
      // Grafana's queries failing at Query (the mixin's ThanosQueryHttpRequestQueryErrorRateHigh).
      alertRule(ctx, {
        name: 'ThanosQueryHttpErrors',
        remediation: 'Errors naming a store: see ThanosStoreGrpcErrors or ThanosSidecarDown.',
        severity: 'warning',
        service,
        expr: `${ratio(['job', 'handler'], sel(M.httpRequests.name, { job: THANOS_JOBS.query, handler: { re: QUERY_HANDLERS }, code: { re: '5..' } }), sel(M.httpRequests.name, { job: THANOS_JOBS.query, handler: { re: QUERY_HANDLERS } }), w)}\n> ${a.queryErrorRatio}`,
        for: '5m',
        summary: `Thanos Query fails ${tmpl.label('handler')} requests`,
        description: `${tmpl.percent} of the ${tmpl.label('handler')} requests to Thanos Query failed with 5xx over the last ${w} (threshold ${percent(a.queryErrorRatio)}): dashboards show errors.`,
      }),
      // Fewer Store APIs than the stack runs (every sidecar and the store gateway): answers are
      // silently partial. 15m: a rollout reconnects within minutes (DNS discovery every 30s).
      alertRule(ctx, {
        name: 'ThanosQueryStoresMissing',
        remediation: "A store missing from the headless Service's endpoints is down (see its alert).",
        severity: 'warning',
        service,
        expr: `${sumBy(['pod'], sel(M.storeNodes.name, { job: THANOS_JOBS.query }))} < ${expectedStores}`,
        for: '15m',
        summary: `Thanos Query ${tmpl.label('pod')} misses stores`,
        description: `Query ${tmpl.label('pod')} is connected to ${tmpl.number} Store APIs, fewer than the ${expectedStores} the stack runs (a sidecar per Prometheus replica and the store gateway): its answers are partial.`,
      }),
    ]),
  ];
}
