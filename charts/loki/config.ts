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
