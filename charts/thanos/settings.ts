/**
 * Thanos's slice of the configuration (`thanos:` in config/<environment>.yaml): long-term,
 * deduplicated metrics on object storage. Off by default: it needs a bucket and its credentials,
 * which only the operator of an environment can give (docs/thanos.md).
 */
import { ConfigIssue, Infer, bool, cidr, danger, dnsSubdomain, durationToMillis, formatDuration, int, list, num, obj, oneOf, optional, port, promDuration, secretKey, show, str, withDefault } from '../lib/schema';
import { bucketName, objectStoreEndpoint, resources, volume } from '../lib/settings';
import { antiAffinity } from '../lib/ha';
import { ComponentProps } from '../contracts/shared';

/** The object stores Thanos is configured for here; the first is the documented default. */
export const OBJECT_STORE_TYPES = ['s3', 'gcs', 'azure'] as const;
export type ObjectStoreType = (typeof OBJECT_STORE_TYPES)[number];

const endpoint = (example: string) => objectStoreEndpoint(example, 'Thanos');

export const thanosSettings = obj({
  /**
   * Long-term metrics: a Thanos sidecar in each Prometheus pod uploads its 2h blocks to object
   * storage, Thanos Query deduplicates the replicas and serves Grafana's `love-prom`, a store
   * gateway serves what has left Prometheus's local retention, and a compactor compacts,
   * downsamples and applies the retention below. Needs `objectStorage.bucket` and
   * `objectStorage.secretName`. @default false
   */
  enabled: withDefault(bool(), false),
  objectStorage: obj({
    /** Which object store: `s3` (any S3-compatible store), `gcs` or `azure`. @default 's3' */
    type: withDefault(oneOf(OBJECT_STORE_TYPES), 's3'),
    /** The bucket (the container, on Azure). Required when Thanos is enabled; used by nothing else. */
    bucket: optional(bucketName()),
    /**
     * Name of the Secret (in the monitoring namespace) that holds the credentials, created by hand
     * (docs/thanos.md shows its keys per store). Required when Thanos is enabled: credentials are
     * never written to dist/; the objstore file names them as `$(VARIABLE)`, which Thanos fills
     * from the environment the Secret sets.
     */
    secretName: optional(dnsSubdomain()),
    s3: obj({
      /** The S3 endpoint, host and optional port, no scheme. @default 's3.amazonaws.com' */
      endpoint: withDefault(endpoint('s3.eu-west-1.amazonaws.com'), 's3.amazonaws.com'),
      /** The bucket's region; left out, the client asks the endpoint (some S3-compatible stores need it set). */
      region: optional(str({ pattern: /^[a-z0-9-]{1,64}$/, expects: "a region such as 'eu-west-1'" })),
      /** Plain http instead of https: only for a store inside the cluster's network. @default false */
      insecure: withDefault(bool(), false),
      /** Accept any TLS certificate of the endpoint (a self-signed in-cluster store). @default false */
      insecureSkipVerify: withDefault(bool(), false),
      /** Key of the Secret holding the access key id. @default 'access-key' */
      accessKeyKey: withDefault(secretKey(), 'access-key'),
      /** Key of the Secret holding the secret access key. @default 'secret-key' */
      secretKeyKey: withDefault(secretKey(), 'secret-key'),
    }),
    gcs: obj({
      /** Key of the Secret holding the service account's JSON key file. @default 'service-account.json' */
      serviceAccountKey: withDefault(secretKey(), 'service-account.json'),
    }),
    azure: obj({
      /** The storage account. Required with type `azure`. */
      storageAccount: optional(str({ pattern: /^[a-z0-9]{3,24}$/, expects: 'a storage account name (3-24 lowercase letters and digits)' })),
      /** The blob endpoint suffix. @default 'blob.core.windows.net' */
      endpoint: withDefault(endpoint('blob.core.windows.net'), 'blob.core.windows.net'),
      /** Key of the Secret holding the storage account key. @default 'account-key' */
      accountKeyKey: withDefault(secretKey(), 'account-key'),
    }),
    /**
     * Where the object store is, for the egress of the sidecar, the store gateway and the
     * compactor. Narrow it to the store's addresses when they are known. @default ['0.0.0.0/0']
     */
    cidrs: withDefault(list(cidr('10.0.0.0/16'), { minItems: 1, unique: true }), ['0.0.0.0/0']),
    /** Ports of the object store for that egress. @default [443] */
    ports: withDefault(list(port(), { minItems: 1, unique: true }), [443]),
  }),
  sidecar: obj({
    /** The sidecar in each Prometheus pod: it uploads one block every 2h and proxies queries. */
    resources: resources({ cpu: '50m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' }),
  }),
  query: obj({
    /** Thanos Query replicas; stateless, two ride out a node drain. @default 2 */
    replicas: withDefault(int({ min: 2, max: 10 }), 2),
    /** `hard`: never two replicas on one node; `soft`: preferred. @default 'soft' (a query layer may share a node for a while) */
    antiAffinity: antiAffinity('soft'),
    resources: resources({ cpu: '100m', memory: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  }),
  store: obj({
    /** The store gateway's cache of index headers; rebuilt from the bucket when lost. @default 10Gi */
    storage: volume('10Gi'),
    resources: resources({ cpu: '100m', memory: '512Mi', cpuLimit: '1', memoryLimit: '2Gi' }),
  }),
  compactor: obj({
    /**
     * The compactor's scratch space: it downloads the blocks of one compaction and writes the
     * result before uploading, so it needs about twice the largest compacted block. @default 20Gi
     */
    storage: volume('20Gi'),
    resources: resources({ cpu: '100m', memory: '512Mi', cpuLimit: '1', memoryLimit: '2Gi' }),
    /** Downsample blocks to 5m (after 40h) and 1h (after 10d) resolution, for fast long-range queries. @default true */
    downsampling: withDefault(bool(), true),
    retention: obj({
      /** How long raw samples are kept in the bucket. @default '30d' */
      raw: withDefault(promDuration({ safeMin: '1d', why: 'the sidecar uploads a block every 2h' }), '30d'),
      /** How long 5m-downsampled samples are kept. @default '180d' */
      fiveMinutes: withDefault(promDuration({ safeMin: '1d', why: 'the sidecar uploads a block every 2h' }), '180d'),
      /** How long 1h-downsampled samples are kept. @default '2y' */
      oneHour: withDefault(promDuration({ safeMin: '1d', why: 'the sidecar uploads a block every 2h' }), '2y'),
    }),
  }),
  alerts: obj({
    /**
     * Share of one component's object-store operations that fail (ThanosBucketOperationsFailing):
     * the mixin's 5%; a failed upload is retried, but failures that persist lose the block's
     * upload window. @default 0.05
     */
    bucketErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /** Share of Thanos Query's HTTP queries answered 5xx (ThanosQueryHttpErrors): the mixin's 5%. @default 0.05 */
    queryErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /** Share of the store gateway's gRPC calls failing with a server error (ThanosStoreGrpcErrors): the mixin's 5%. @default 0.05 */
    storeGrpcErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /**
     * How long a sidecar may go without uploading a block (ThanosSidecarNotUploading): it cuts one
     * every 2h, so 4h is two missed blocks. @default '4h'
     */
    uploadStaleAfter: withDefault(promDuration({ min: '3h', why: 'a block is cut every 2h and uploaded within a minute or so; a shorter window alerts between two blocks' }), '4h'),
    /**
     * How long the compactor may go without completing a run (ThanosCompactNotRun): it starts one
     * every 5m, so 6h is dozens of failed runs while the bucket grows. The first run over a large
     * backlog can take hours: raise this while a bucket is first compacted. @default '6h'
     */
    compactStaleAfter: withDefault(promDuration({ min: '1h', why: 'a run starts every 5m and may take a while on a large bucket' }), '6h'),
  }),
});
export type ThanosSettings = Infer<typeof thanosSettings>;

const HOURS_40 = 40n * 3600n * 1000n;
const DAYS_10 = 10n * 86400n * 1000n;

/** Settings that contradict each other or what Thanos needs; paths are relative to `thanos`. */
export function thanosChecks(t: ThanosSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const o = t.objectStorage;
  if (t.enabled) {
    if (o.bucket === undefined) {
      issues.push({ path: 'objectStorage.bucket', message: 'is required when thanos.enabled is true, and missing', fix: "name the bucket the blocks go to, such as 'love-parser-metrics'" });
    }
    if (o.secretName === undefined) {
      issues.push({
        path: 'objectStorage.secretName',
        message: 'is required when thanos.enabled is true, and missing: credentials come only from a Secret',
        fix: `create the Secret in the monitoring namespace (docs/thanos.md shows its keys for ${o.type}) and set its name here, such as 'thanos-objstore'`,
      });
    }
    if (o.type === 'azure' && o.azure.storageAccount === undefined) {
      issues.push({ path: 'objectStorage.azure.storageAccount', message: 'is required with objectStorage.type azure, and missing', fix: "set the storage account's name" });
    }
  }
  if (o.s3.insecure && o.s3.insecureSkipVerify) {
    issues.push({ path: 'objectStorage.s3.insecureSkipVerify', message: 'is true while objectStorage.s3.insecure is true: plain http has no certificate to skip', fix: 'set one of them: insecure for http, insecureSkipVerify for https with an untrusted certificate' });
  }
  const r = t.compactor.retention;
  const raw = durationToMillis(r.raw)!;
  const five = durationToMillis(r.fiveMinutes)!;
  const hour = durationToMillis(r.oneHour)!;
  // A coarser resolution kept shorter than a finer one is never read: queries over that range
  // fall back to the finer data, which is gone already.
  if (five < raw) {
    issues.push({ path: 'compactor.retention.fiveMinutes', message: `is ${show(r.fiveMinutes)}, shorter than thanos.compactor.retention.raw ${show(r.raw)}: the 5m data would go before the raw data it summarizes`, fix: `keep it at least as long as the raw retention (${formatDuration(raw)})` });
  }
  if (hour < five) {
    issues.push({ path: 'compactor.retention.oneHour', message: `is ${show(r.oneHour)}, shorter than thanos.compactor.retention.fiveMinutes ${show(r.fiveMinutes)}: the 1h data would go before the 5m data`, fix: `keep it at least as long as the 5m retention (${formatDuration(five)})` });
  }
  // Thanos downsamples raw blocks older than 40h to 5m, and 5m blocks older than 10d to 1h: with
  // shorter retentions the source is deleted before it is downsampled.
  if (t.compactor.downsampling && raw < HOURS_40) {
    issues.push(danger('compactor.retention.raw', `is ${show(r.raw)}, under the 40h after which raw blocks are downsampled: no 5m data would ever be made`, "keep raw data at least '2d'"));
  }
  if (t.compactor.downsampling && five < DAYS_10) {
    issues.push(danger('compactor.retention.fiveMinutes', `is ${show(r.fiveMinutes)}, under the 10d after which 5m blocks are downsampled to 1h: no 1h data would ever be made`, "keep 5m data at least '10d'"));
  }
  return issues;
}

/** What the chart and its rules are built from. */
export interface ThanosProps extends ComponentProps<ThanosSettings> {
  /** Prometheus's replicas: each runs a sidecar, and Query should see every one of them. */
  readonly prometheusReplicas: number;
}
