/**
 * loki.yaml for one Loki 3.7 single binary on a filesystem claim: every component in one process,
 * one replica, one tenant, schema v13 on the TSDB index, retention applied by the compactor.
 *
 * The `LokiConfig` type lists exactly the fields written here, with the names and value formats of
 * the Loki 3.7 configuration reference; test/loki/loki-schema.ts checks the generated YAML against
 * that reference field by field (the Loki binary is AGPL and cannot be built for the tests).
 *
 * @see https://grafana.com/docs/loki/v3.7.x/configure/ (generated from docs/sources/shared/configuration.md)
 */
import { LOKI_PORTS } from '../contracts/logs';
import { LokiSettings } from './settings';
import { durationToSeconds } from '../lib/schema';

/** A Go duration such as `10m` or `720h` (Loki's Prometheus-style fields accept it too). */
type GoDuration = string;
/** A byte size as Loki writes it: `3MB`, `256KB`. */
type ByteSize = string;

export interface LokiConfig {
  readonly auth_enabled: boolean;
  readonly server: {
    readonly http_listen_port: number;
    readonly grpc_listen_port: number;
    readonly log_level: 'debug' | 'info' | 'warn' | 'error';
    readonly log_format: 'logfmt' | 'json';
  };
  readonly common: {
    readonly path_prefix: string;
    readonly replication_factor: number;
    readonly instance_addr: string;
    readonly ring: { readonly kvstore: { readonly store: 'inmemory' } };
    readonly storage: { readonly filesystem: { readonly chunks_directory: string; readonly rules_directory: string } };
  };
  readonly schema_config: {
    readonly configs: readonly {
      readonly from: string;
      readonly store: 'tsdb';
      readonly object_store: 'filesystem';
      readonly schema: 'v13';
      readonly index: { readonly prefix: string; readonly period: GoDuration };
    }[];
  };
  readonly storage_config: {
    readonly tsdb_shipper: { readonly active_index_directory: string; readonly cache_location: string };
    readonly filesystem: { readonly directory: string };
  };
  readonly ingester: { readonly wal: { readonly enabled: boolean; readonly dir: string; readonly flush_on_shutdown: boolean } };
  readonly compactor: {
    readonly working_directory: string;
    readonly compaction_interval: GoDuration;
    readonly retention_enabled: boolean;
    readonly retention_delete_delay: GoDuration;
    readonly retention_delete_worker_count: number;
    readonly delete_request_store: 'filesystem';
  };
  readonly limits_config: {
    readonly retention_period: GoDuration;
    readonly max_query_lookback: GoDuration;
    readonly ingestion_rate_strategy: 'local' | 'global';
    readonly ingestion_rate_mb: number;
    readonly ingestion_burst_size_mb: number;
    readonly per_stream_rate_limit: ByteSize;
    readonly per_stream_rate_limit_burst: ByteSize;
    readonly max_global_streams_per_user: number;
    readonly reject_old_samples: boolean;
    readonly reject_old_samples_max_age: GoDuration;
    readonly allow_structured_metadata: boolean;
    readonly volume_enabled: boolean;
  };
  readonly query_range: {
    readonly results_cache: { readonly cache: { readonly embedded_cache: { readonly enabled: boolean; readonly max_size_mb: number } } };
  };
  readonly analytics: { readonly reporting_enabled: boolean };
}

/** Where the claim is mounted and what lives on it. */
export const LOKI_PATHS = {
  configDir: '/etc/loki',
  configFile: '/etc/loki/loki.yaml',
  data: '/loki',
} as const;

/**
 * First day of the one schema period. Never change it once Loki has written data: a new schema is
 * added as a second period starting on a future date (Loki's schema upgrade procedure).
 */
export const SCHEMA_FROM = '2024-04-01';

/** A whole number of hours: a Go duration every Loki duration field accepts. */
function hours(promDuration: string): GoDuration {
  return `${Math.round(durationToSeconds(promDuration) / 3600)}h`;
}

export function lokiConfig(c: LokiSettings): LokiConfig {
  const d = LOKI_PATHS.data;
  const retention = hours(c.retention);
  return {
    // One tenant ('fake'): the stack serves one backend; no gateway adds X-Scope-OrgID.
    auth_enabled: false,
    server: { http_listen_port: LOKI_PORTS.http, grpc_listen_port: LOKI_PORTS.grpc, log_level: 'info', log_format: 'logfmt' },
    common: {
      path_prefix: d,
      replication_factor: 1,
      // The querier, scheduler and ingester talk over gRPC inside the process; advertising loopback
      // keeps that traffic off the pod network, where the NetworkPolicy admits no one but clients.
      instance_addr: '127.0.0.1',
      ring: { kvstore: { store: 'inmemory' } },
      storage: { filesystem: { chunks_directory: `${d}/chunks`, rules_directory: `${d}/rules` } },
    },
    schema_config: {
      configs: [
        // TSDB with a 24h index period: what the compactor's retention works on.
        { from: SCHEMA_FROM, store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
      ],
    },
    storage_config: {
      tsdb_shipper: { active_index_directory: `${d}/tsdb-index`, cache_location: `${d}/tsdb-cache` },
      filesystem: { directory: `${d}/chunks` },
    },
    // The WAL on the claim: a crash or a rollout loses no acknowledged line. Flushing on shutdown
    // writes the in-memory chunks so a restarted pod does not replay hours of WAL.
    ingester: { wal: { enabled: true, dir: `${d}/wal`, flush_on_shutdown: true } },
    compactor: {
      working_directory: `${d}/compactor`,
      compaction_interval: '10m',
      // Without this the logs live forever and the claim fills up.
      retention_enabled: true,
      retention_delete_delay: '2h',
      retention_delete_worker_count: 150,
      // Required with retention since Loki 3.0: where delete requests are kept.
      delete_request_store: 'filesystem',
    },
    limits_config: {
      retention_period: retention,
      // Queries beyond the retention would only scan deleted tables.
      max_query_lookback: retention,
      // One distributor: the local limit is the tenant's limit, without a distributor ring.
      ingestion_rate_strategy: 'local',
      // Loki's defaults (4 MB/s, 6 MB burst) answer 429 when every node's shipper catches up at once
      // after a Loki restart; the configured values leave room for that.
      ingestion_rate_mb: c.ingestionRateMb,
      ingestion_burst_size_mb: c.ingestionBurstMb,
      per_stream_rate_limit: `${c.perStreamRateMb}MB`,
      per_stream_rate_limit_burst: `${c.perStreamBurstMb}MB`,
      max_global_streams_per_user: c.maxStreams,
      reject_old_samples: true,
      reject_old_samples_max_age: hours(c.rejectOlderThan),
      // The shippers send request ids, Postgres pids and the like as structured metadata.
      allow_structured_metadata: true,
      volume_enabled: true,
    },
    // Dashboards re-run the same range queries every refresh.
    query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
    analytics: { reporting_enabled: false },
  };
}

// ---- simple scalable deployment ---------------------------------------------------------------

/** The variables loki.yaml refers to (`${VAR}`, expanded by `-config.expand-env=true`), set from the Secret. */
export const S3_CREDENTIAL_ENV = { accessKeyId: 'LOKI_S3_ACCESS_KEY_ID', secretAccessKey: 'LOKI_S3_SECRET_ACCESS_KEY' } as const;

/** What the targets' configuration needs to know about the Services of the deployment. */
export interface ScalableAddresses {
  /** `host:port` of the backend Service's gRPC port: the compactor, for delete requests. */
  readonly compactorGrpc: string;
  /** The index gateways: every backend pod, by the DNS of the backend's headless Service (`dns+host:port`). */
  readonly indexGateways: string;
  /** The memberlist seed: every Loki pod, by the DNS of the gossip Service (`dns+host:port`). */
  readonly memberlist: string;
}

export interface LokiScalableConfig {
  readonly auth_enabled: boolean;
  readonly server: LokiConfig['server'];
  readonly common: {
    readonly path_prefix: string;
    readonly replication_factor: number;
    readonly compactor_grpc_address: string;
    readonly ring: { readonly kvstore: { readonly store: 'memberlist' } };
    readonly storage: {
      readonly s3: {
        readonly endpoint: string;
        readonly region?: string;
        readonly bucketnames: string;
        readonly access_key_id: string;
        readonly secret_access_key: string;
        readonly s3forcepathstyle: boolean;
        readonly insecure: boolean;
        readonly http_config?: { readonly insecure_skip_verify: boolean };
      };
    };
  };
  readonly memberlist: { readonly join_members: readonly string[]; readonly bind_port: number; readonly abort_if_cluster_join_fails: boolean };
  readonly schema_config: {
    readonly configs: readonly {
      readonly from: string;
      readonly store: 'tsdb';
      readonly object_store: 's3';
      readonly schema: 'v13';
      readonly index: { readonly prefix: string; readonly period: GoDuration };
    }[];
  };
  readonly storage_config: {
    readonly tsdb_shipper: {
      readonly active_index_directory: string;
      readonly cache_location: string;
      readonly index_gateway_client: { readonly server_address: string };
    };
  };
  readonly index_gateway: { readonly mode: 'simple' | 'ring' };
  readonly ingester: LokiConfig['ingester'];
  readonly ruler: { readonly wal: { readonly dir: string } };
  readonly compactor: Omit<LokiConfig['compactor'], 'delete_request_store'> & { readonly delete_request_store: 's3' };
  readonly limits_config: Omit<LokiConfig['limits_config'], 'ingestion_rate_strategy'> & { readonly ingestion_rate_strategy: 'global' };
  readonly query_range: LokiConfig['query_range'];
  readonly analytics: LokiConfig['analytics'];
}

/**
 * loki.yaml of the simple scalable deployment: one file for the three targets (each pod picks its
 * part with `-target`), chunks and the TSDB index on S3, the rings on memberlist, retention by the
 * compactor on a backend pod with delete requests kept in the bucket. Without a scheduler address,
 * the frontends and queriers find the query schedulers through their ring (Loki's
 * ApplyDynamicConfig), as Grafana's Helm chart does in this mode.
 */
export function lokiScalableConfig(c: LokiSettings, a: ScalableAddresses, replicationFactor: number): LokiScalableConfig {
  const single = lokiConfig(c);
  const d = LOKI_PATHS.data;
  const o = c.objectStorage;
  return {
    auth_enabled: false,
    server: single.server,
    common: {
      path_prefix: d,
      replication_factor: replicationFactor,
      compactor_grpc_address: a.compactorGrpc,
      ring: { kvstore: { store: 'memberlist' } },
      storage: {
        s3: {
          endpoint: o.endpoint,
          ...(o.region !== undefined ? { region: o.region } : {}),
          bucketnames: o.buckets.chunks ?? '',
          // Expanded by Loki from the environment the Secret sets: no credential is in dist/.
          access_key_id: `\${${S3_CREDENTIAL_ENV.accessKeyId}}`,
          secret_access_key: `\${${S3_CREDENTIAL_ENV.secretAccessKey}}`,
          s3forcepathstyle: o.pathStyle,
          insecure: o.insecure,
          ...(o.insecureSkipVerify ? { http_config: { insecure_skip_verify: true } } : {}),
        },
      },
    },
    memberlist: {
      join_members: [a.memberlist],
      bind_port: LOKI_PORTS.memberlist,
      // The first pods of a new deployment find nobody: they start alone and are joined later.
      abort_if_cluster_join_fails: false,
    },
    schema_config: {
      configs: [{ from: SCHEMA_FROM, store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    storage_config: {
      tsdb_shipper: {
        active_index_directory: `${d}/tsdb-index`,
        cache_location: `${d}/tsdb-cache`,
        // The queriers ask the index gateways (backend) for the index instead of downloading it.
        index_gateway_client: { server_address: a.indexGateways },
      },
    },
    index_gateway: { mode: 'simple' },
    ingester: single.ingester,
    // The ruler runs in the backend target; its WAL on the backend's claim, not the read-only root.
    ruler: { wal: { dir: `${d}/ruler-wal` } },
    compactor: { ...single.compactor, delete_request_store: 's3' },
    limits_config: {
      ...single.limits_config,
      // Several distributors: the tenant's limit is shared between them through the ring.
      ingestion_rate_strategy: 'global',
    },
    query_range: single.query_range,
    analytics: single.analytics,
  };
}
