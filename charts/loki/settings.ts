/**
 * Loki's slice of the configuration (`loki:` in config/<environment>.yaml): the mode (one single
 * binary on a claim, or the simple scalable deployment on S3-compatible object storage),
 * retention and ingestion limits.
 */
import { ConfigIssue, Infer, bool, cidr, danger, dnsSubdomain, durationToMillis, int, list, num, obj, oneOf, optional, port, promDuration, secretKey, show, sizeToBytes, str, withDefault } from '../lib/schema';
import { bucketName, distinctSecretKeys, objectStoreEndpoint, resourceChecks, resources, volume } from '../lib/settings';
import { antiAffinity } from '../lib/ha';
import { ComponentProps } from '../contracts/shared';

/** How Loki runs: `single-binary` (one pod, a claim) or `simple-scalable` (write, read and backend targets on object storage). */
export const LOKI_MODES = ['single-binary', 'simple-scalable'] as const;
export type LokiMode = (typeof LOKI_MODES)[number];

/** The three targets of the simple scalable deployment (Loki's `-target` values). */
export const LOKI_TARGETS = ['write', 'read', 'backend'] as const;
export type LokiTarget = (typeof LOKI_TARGETS)[number];

/** Pods of one target; 0 is refused in simple-scalable mode with a message that says what stops. */
const replicas = (d: number) => withDefault(int({ min: 0, max: 50 }), d);

export const lokiSettings = obj({
  /**
   * `single-binary`: one Loki pod with every component, everything on the `loki-data` claim (the
   * seed's setup, for one backend's logs). `simple-scalable`: Loki's simple scalable deployment,
   * the targets `write`, `read` and `backend` as separate workloads, chunks and index on
   * S3-compatible object storage (`objectStorage`), a memberlist ring between the Loki pods
   * (docs/logs.md, docs/scale.md say when to switch). @default 'single-binary'
   */
  mode: withDefault(oneOf(LOKI_MODES), 'single-binary'),
  /** The S3-compatible object store of `simple-scalable` mode; not read in `single-binary` mode. */
  objectStorage: obj({
    /** The S3 endpoint, host and optional port, no scheme, no path. @default 's3.amazonaws.com' */
    endpoint: withDefault(objectStoreEndpoint('s3.eu-west-1.amazonaws.com', 'Loki'), 's3.amazonaws.com'),
    /** The bucket's region; left out, the client uses the endpoint's default (some S3-compatible stores need it set). */
    region: optional(str({ pattern: /^[a-z0-9-]{1,64}$/, expects: "a region such as 'eu-west-1'" })),
    buckets: obj({
      /**
       * The bucket of chunks, TSDB index files and delete requests. Required in simple-scalable
       * mode. The ruler (part of the backend target) reads rule files from its `rules/` prefix;
       * this stack writes none (its alerts are Prometheus rules), so no ruler bucket is needed, and
       * open-source Loki has no admin bucket (that is Grafana Enterprise Logs').
       */
      chunks: optional(bucketName({ s3: true })),
    }),
    /**
     * Path-style requests (`https://endpoint/bucket/key`) instead of virtual-host style
     * (`https://bucket.endpoint/key`): most in-cluster stores (MinIO, versitygw, Ceph RGW without
     * wildcard DNS) need it; AWS S3 prefers virtual-host style. @default false
     */
    pathStyle: withDefault(bool(), false),
    /**
     * Plain http instead of https: the Secret's credentials and every log line would cross the
     * network in clear. Refused in production unless overridden with a reason. @default false
     */
    insecure: withDefault(bool(), false),
    /** Accept any TLS certificate of the endpoint (a self-signed in-cluster store). @default false */
    insecureSkipVerify: withDefault(bool(), false),
    /**
     * Name of the Secret (in the monitoring namespace) with the credentials, created by hand
     * (docs/logs.md). Required in simple-scalable mode: credentials reach Loki only as environment
     * variables from this Secret, never in dist/.
     */
    secretName: optional(dnsSubdomain()),
    /** Key of the Secret holding the access key id. @default 'access-key-id' */
    accessKeyIdKey: withDefault(secretKey(), 'access-key-id'),
    /** Key of the Secret holding the secret access key. @default 'secret-access-key' */
    secretAccessKeyKey: withDefault(secretKey(), 'secret-access-key'),
    /**
     * Where the object store is, for the egress of the Loki pods. Narrow it to the store's
     * addresses when they are known. @default ['0.0.0.0/0']
     */
    cidrs: withDefault(list(cidr('10.0.0.0/16'), { minItems: 1, unique: true }), ['0.0.0.0/0']),
    /** Ports of the object store for that egress. @default [443] */
    ports: withDefault(list(port(), { minItems: 1, unique: true }), [443]),
  }),
  write: obj({
    /**
     * Write pods (distributor and ingester) in simple-scalable mode. Their ring replicates every
     * stream to three of them (two with two pods), and a push needs a majority: three pods keep
     * accepting logs while one restarts. @default 3
     */
    replicas: replicas(3),
    /** `hard`: never two write pods on one node; `soft`: preferred. @default 'soft' */
    antiAffinity: antiAffinity('soft'),
    /** Each write pod's claim: its WAL and the index it has not uploaded yet. @default 10Gi */
    storage: volume('10Gi'),
    resources: resources({ cpu: '200m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  }),
  read: obj({
    /** Read pods (query frontend and querier) in simple-scalable mode; stateless. @default 2 */
    replicas: replicas(2),
    /** `hard`: never two read pods on one node; `soft`: preferred. @default 'soft' */
    antiAffinity: antiAffinity('soft'),
    resources: resources({ cpu: '100m', memory: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  }),
  backend: obj({
    /**
     * Backend pods (query scheduler, index gateway, compactor, ruler) in simple-scalable mode. Two
     * keep queries answered while one restarts; the compactor runs on one of them at a time (its
     * ring elects it). @default 2
     */
    replicas: replicas(2),
    /** `hard`: never two backend pods on one node; `soft`: preferred. @default 'soft' */
    antiAffinity: antiAffinity('soft'),
    /** Each backend pod's claim: the compactor's working directory and the index gateway's cache. @default 10Gi */
    storage: volume('10Gi'),
    resources: resources({ cpu: '100m', memory: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  }),
  /** Log retention, enforced by the compactor. @default '30d' (like Prometheus) */
  retention: withDefault(promDuration(), '30d'),
  /** The `loki-data` claim. @default 50Gi */
  storage: volume('50Gi'),
  /** Per-tenant ingestion rate in MiB/s; one backend writes far less. @default 8 */
  ingestionRateMb: withDefault(int({ min: 1, max: 1024 }), 8),
  /** Burst above the rate, in MiB. @default 16 */
  ingestionBurstMb: withDefault(int({ min: 1, max: 2048 }), 16),
  /**
   * Rate of one stream (one container's lines of one level) in MiB/s; above it Loki answers 429
   * for that stream only. Loki's own default. @default 3
   */
  perStreamRateMb: withDefault(int({ min: 1, max: 1024 }), 3),
  /** Burst of one stream above its rate, in MiB. Loki's own default. @default 15 */
  perStreamBurstMb: withDefault(int({ min: 1, max: 2048 }), 15),
  /**
   * Active streams the single tenant may hold: about pods x containers x levels x 2 (stdout and
   * stderr). One backend with Postgres and the monitoring stack uses a few hundred. @default 10000
   */
  maxStreams: withDefault(int({ min: 100, max: 1000000 }), 10000),
  /**
   * Oldest line Loki accepts. A shipper catching up after an outage longer than this loses what is
   * older; keep it at or below the retention. @default '7d'
   */
  rejectOlderThan: withDefault(promDuration(), '7d'),
  resources: resources({ cpu: '200m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  alerts: obj({
    /**
     * Share of one Loki route's requests answered 5xx that alerts (LokiRequestErrors): pushes
     * that fail are logs the shipper must retry or lose, queries that fail are an incident nobody
     * can read. @default 0.05
     */
    requestErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /**
     * How long without a successful retention run before LokiRetentionNotApplied: the compactor
     * tries every 10 minutes, so six hours is dozens of failed runs while the claim fills.
     * @default '6h'
     */
    retentionStaleAfter: withDefault(promDuration(), '6h'),
  }),
});
export type LokiSettings = Infer<typeof lokiSettings>;

/** How much smaller Loki's compressed chunks are than the log lines they hold (conservative: 5-10x is typical). */
export const LOKI_COMPRESSION = 5;

/** Loki settings that contradict each other or Loki's own rules (docs/logs.md); paths are relative to `loki`. */
export function lokiChecks(l: LokiSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (l.mode === 'simple-scalable') issues.push(...scalableChecks(l));
  if (l.ingestionBurstMb < l.ingestionRateMb) {
    issues.push({ path: 'ingestionBurstMb', message: `is ${l.ingestionBurstMb}, below loki.ingestionRateMb ${l.ingestionRateMb}`, fix: 'set the burst to at least the rate' });
  }
  const day = 86400000n;
  // Exact milliseconds (BigInt): a retention of '99999999999999999999d' is whole days too.
  const retention = durationToMillis(l.retention)!;
  // The compactor deletes whole index tables of 24h: a retention that is not whole days is refused.
  if (retention < day || retention % day !== 0n) {
    issues.push({
      path: 'retention',
      message: `is ${show(l.retention)}; Loki's retention must be whole days (its index period is 24h)`,
      fix: "use days, such as '30d' or '7d'",
    });
  }
  if (durationToMillis(l.rejectOlderThan)! > retention) {
    issues.push({
      path: 'rejectOlderThan',
      message: `is ${show(l.rejectOlderThan)}, beyond loki.retention ${show(l.retention)}: such lines would be deleted on arrival`,
      fix: 'keep rejectOlderThan at or below the retention',
    });
  }
  if (l.perStreamBurstMb < l.perStreamRateMb) {
    issues.push({ path: 'perStreamBurstMb', message: `is ${l.perStreamBurstMb}, below loki.perStreamRateMb ${l.perStreamRateMb}`, fix: 'set the burst to at least the rate' });
  }
  if (l.perStreamRateMb > l.ingestionRateMb) {
    issues.push({
      path: 'perStreamRateMb',
      message: `is ${l.perStreamRateMb}, above the whole tenant's loki.ingestionRateMb ${l.ingestionRateMb}`,
      fix: 'keep the per-stream rate at or below the ingestion rate',
    });
  }
  if (l.mode === 'simple-scalable') return issues;
  // At the tenant's ingestion limit, how long until the volume is full: Loki's chunks compress
  // logs about 5x (docs/logs.md), and the volume must hold at least an hour of the worst case so
  // the disk alerts have time to be acted on before writes fail.
  const bytesPerSecond = l.ingestionRateMb * 1024 * 1024;
  const fillSeconds = (sizeToBytes(l.storage.size) * LOKI_COMPRESSION) / bytesPerSecond;
  if (fillSeconds < 3600) {
    issues.push(
      danger(
        'storage.size',
        `is ${show(l.storage.size)}, which loki.ingestionRateMb ${l.ingestionRateMb} MiB/s fills in ${Math.floor(fillSeconds)} s (at ${LOKI_COMPRESSION}x compression)`,
        `give the volume at least an hour of the limit (${Math.ceil((3600 * bytesPerSecond) / LOKI_COMPRESSION / 1024 ** 3)}Gi), or lower loki.ingestionRateMb`,
      ),
    );
  }
  return issues;
}

/** What simple-scalable mode needs; paths relative to `loki`. */
function scalableChecks(l: LokiSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const o = l.objectStorage;
  if (o.buckets.chunks === undefined) {
    issues.push({ path: 'objectStorage.buckets.chunks', message: 'is required when loki.mode is simple-scalable, and missing', fix: "name the bucket chunks and index go to, such as 'love-parser-logs'" });
  }
  if (o.secretName === undefined) {
    issues.push({
      path: 'objectStorage.secretName',
      message: 'is required when loki.mode is simple-scalable, and missing: credentials come only from a Secret',
      fix: `create the Secret in the monitoring namespace with the keys '${o.accessKeyIdKey}' and '${o.secretAccessKeyKey}' (docs/logs.md) and set its name here, such as 'loki-objstore'`,
    });
  } else {
    issues.push(...distinctSecretKeys(o.secretName, { 'objectStorage.accessKeyIdKey': o.accessKeyIdKey, 'objectStorage.secretAccessKeyKey': o.secretAccessKeyKey }));
  }
  if (o.insecure && o.insecureSkipVerify) {
    issues.push({ path: 'objectStorage.insecureSkipVerify', message: 'is true while loki.objectStorage.insecure is true: plain http has no certificate to skip', fix: 'set one of them: insecure for http, insecureSkipVerify for https with an untrusted certificate' });
  }
  for (const t of LOKI_TARGETS) {
    const r = l[t].replicas;
    if (r === 0) {
      issues.push({ path: `${t}.replicas`, message: `is 0 while loki.mode is simple-scalable: without a ${t} pod ${t === 'write' ? 'no log is accepted' : t === 'read' ? 'no query is answered' : 'queries are never scheduled and retention never runs'}`, fix: `run at least 2 ${t} pods (1 only for a test cluster)` });
    }
    issues.push(...resourceChecks(`${t}.resources`, l[t].resources));
  }
  // A push needs a quorum of the replication factor (min(3, write pods)): with two write pods
  // both must answer, so a rollout or a node drain rejects logs until the pod is back.
  if (l.write.replicas > 0 && l.write.replicas < 3) {
    issues.push(
      danger(
        'write.replicas',
        `is ${l.write.replicas}: the write ring replicates each stream to ${l.write.replicas} pod(s) and a push needs ${Math.floor(l.write.replicas / 2) + 1} of them, so one restarting write pod rejects logs`,
        'run 3 write pods, so one can restart while pushes keep a majority',
      ),
    );
  }
  return issues;
}

/** The ring's replication factor: every stream on three write pods, or on all of them when fewer. */
export function replicationFactor(l: LokiSettings): number {
  return Math.max(1, Math.min(3, l.write.replicas));
}

/** What the chart and its rules and dashboards are built from. */
export type LokiProps = ComponentProps<LokiSettings>;
