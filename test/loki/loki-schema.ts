/**
 * The Loki 3.7 configuration blocks the stack writes, transcribed field by field from the
 * configuration reference (types, value sets, and which duration parser each field uses). Blocks
 * that charts/loki/config.ts writes are listed in full for the fields of their level; blocks it does
 * not write are absent, so writing one fails until it is transcribed here.
 *
 * Source: https://grafana.com/docs/loki/v3.7.x/configure/ — generated from
 * grafana/loki docs/sources/shared/configuration.md (sections `loki.yaml`, `server`, `common`,
 * `period_config`, `storage_config`, `ingester`, `compactor`, `limits_config`, `query_range`,
 * `cache_config`, `analytics`). The CLI flag of each field is noted where it names the field.
 */
import { Spec, bool, check, day, float, goDuration, int, list, map, obj, oneOf, promDuration, size, str } from './doc-schema';

/** Supported ring stores, from every `kvstore.store` of the reference. */
const KV_STORES = ['consul', 'etcd', 'inmemory', 'memberlist', 'multi'];
/** `period_config.object_store`: object stores and their aliases. */
const OBJECT_STORES = ['aws', 's3', 'azure', 'gcs', 'alibabacloud', 'bos', 'cos', 'swift', 'filesystem'];

/** `server` (dskit server config). */
const server = obj({
  http_listen_network: str(), // -server.http-listen-network
  http_listen_address: str(), // -server.http-listen-address
  http_listen_port: int(0), // -server.http-listen-port, default 3100
  http_listen_conn_limit: int(), // -server.http-conn-limit
  grpc_listen_network: str(),
  grpc_listen_address: str(),
  grpc_listen_port: int(0), // -server.grpc-listen-port, default 9095
  grpc_listen_conn_limit: int(),
  register_instrumentation: bool(), // -server.register-instrumentation
  graceful_shutdown_timeout: goDuration(),
  http_server_read_timeout: goDuration(),
  http_server_write_timeout: goDuration(),
  http_server_idle_timeout: goDuration(),
  grpc_server_max_recv_msg_size: int(0),
  grpc_server_max_send_msg_size: int(0),
  grpc_server_max_concurrent_streams: int(0),
  log_format: oneOf('logfmt', 'json'), // -log.format
  log_level: oneOf('debug', 'info', 'warn', 'error'), // -log.level
  log_source_ips_enabled: bool(),
  http_path_prefix: str(),
});

const kvstore = obj({ store: oneOf(...KV_STORES), prefix: str() });

/** `common`. */
const common = obj({
  path_prefix: str(), // -common.path-prefix
  storage: obj({
    filesystem: obj({ chunks_directory: str(), rules_directory: str() }), // -common.storage.filesystem.*
  }),
  persist_tokens: bool(),
  replication_factor: int(1),
  ring: obj({
    kvstore, // -common.storage.ring.store
    heartbeat_period: goDuration(),
    heartbeat_timeout: goDuration(),
    replication_factor: int(1),
    instance_addr: str(),
  }),
  instance_interface_names: list(str()),
  instance_addr: str(),
  compactor_address: str(), // -common.compactor-address
  compactor_grpc_address: str(),
});

/** `period_config`. */
const periodConfig = obj(
  {
    from: day(),
    store: oneOf('tsdb', 'boltdb-shipper'), // legacy stores (aws, aws-dynamo, grpc) are deprecated
    object_store: oneOf(...OBJECT_STORES),
    schema: oneOf('v9', 'v10', 'v11', 'v12', 'v13'),
    index: obj({ path_prefix: str(), prefix: str(), period: promDuration(), tags: map(str()) }),
    chunks: obj({ prefix: str(), period: promDuration(), tags: map(str()) }),
    row_shards: int(1),
  },
  { required: ['from', 'store', 'object_store', 'schema'] },
);

/** `storage_config`: the local filesystem store and the TSDB shipper. */
const storageConfig = obj({
  filesystem: obj({ directory: str() }), // local_storage_config, -local.chunk-directory
  tsdb_shipper: obj({
    active_index_directory: str(), // -tsdb.shipper.active-index-directory
    cache_location: str(), // -tsdb.shipper.cache-location
    cache_ttl: goDuration(),
    resync_interval: goDuration(),
    query_ready_num_days: int(0),
  }),
  index_cache_validity: goDuration(),
  max_parallel_get_chunk: int(1),
  max_chunk_batch_size: int(1),
});

/** `ingester`: its write-ahead log. */
const ingester = obj({
  wal: obj({
    enabled: bool(), // -ingester.wal-enabled
    dir: str(), // -ingester.wal-dir
    checkpoint_duration: goDuration(),
    flush_on_shutdown: bool(), // -ingester.flush-on-shutdown
    replay_memory_ceiling: size(),
    disk_full_threshold: float(0),
  }),
  chunk_idle_period: goDuration(),
  chunk_target_size: int(0),
  max_chunk_age: goDuration(),
});

/** `compactor`. */
const compactor = obj({
  working_directory: str(), // -compactor.working-directory
  compaction_interval: goDuration(), // -compactor.compaction-interval
  apply_retention_interval: goDuration(),
  retention_enabled: bool(), // -compactor.retention-enabled
  retention_delete_delay: goDuration(), // -compactor.retention-delete-delay
  retention_delete_worker_count: int(1), // -compactor.retention-delete-worker-count
  retention_table_timeout: goDuration(),
  delete_request_store: str(), // -compactor.delete-request-store
  delete_request_store_key_prefix: str(),
  delete_request_store_db_type: oneOf('boltdb', 'sqlite'),
  delete_batch_size: int(1),
  delete_request_cancel_period: goDuration(),
  delete_max_interval: goDuration(),
  max_compaction_parallelism: int(1),
  upload_parallelism: int(1),
  tables_to_compact: int(0),
  skip_latest_n_tables: int(0),
  horizontal_scaling_mode: oneOf('disabled', 'main', 'worker'),
});

/** `limits_config`: ingestion, streams, retention, structured metadata. */
const limitsConfig = obj({
  ingestion_rate_strategy: oneOf('local', 'global'), // -distributor.ingestion-rate-limit-strategy
  ingestion_rate_mb: float(0), // -distributor.ingestion-rate-limit-mb
  ingestion_burst_size_mb: float(0), // -distributor.ingestion-burst-size-mb
  max_label_name_length: int(1),
  max_label_value_length: int(1),
  max_label_names_per_series: int(1),
  reject_old_samples: bool(), // -validation.reject-old-samples
  reject_old_samples_max_age: promDuration(), // -validation.reject-old-samples.max-age (model.Duration, default 1w)
  creation_grace_period: promDuration(),
  max_line_size: size(), // -distributor.max-line-size
  max_line_size_truncate: bool(),
  discover_service_name: list(str()),
  discover_log_levels: bool(),
  max_streams_per_user: int(0),
  max_global_streams_per_user: int(0), // -ingester.max-global-streams-per-user
  per_stream_rate_limit: size(), // -ingester.per-stream-rate-limit
  per_stream_rate_limit_burst: size(), // -ingester.per-stream-rate-limit-burst
  max_entries_limit_per_query: int(1),
  max_query_series: int(1),
  max_query_lookback: promDuration(), // -querier.max-query-lookback
  max_query_length: promDuration(),
  query_timeout: promDuration(),
  volume_enabled: bool(), // -limits.volume-enabled
  deletion_mode: oneOf('disabled', 'filter-only', 'filter-and-delete'),
  retention_period: promDuration(), // -store.retention (model.Duration)
  allow_structured_metadata: bool(), // -validation.allow-structured-metadata
  max_structured_metadata_size: size(),
  max_structured_metadata_entries_count: int(0),
});

/** `cache_config`, its embedded cache only. */
const cacheConfig = obj({
  default_validity: goDuration(),
  embedded_cache: obj({ enabled: bool(), max_size_mb: int(1), max_size_items: int(0), ttl: goDuration() }),
});

/** Root of `loki.yaml`. */
export const LOKI_3_7: Spec = obj({
  target: str(),
  auth_enabled: bool(), // -auth.enabled
  server,
  common,
  schema_config: obj({ configs: list(periodConfig, 1) }),
  storage_config: storageConfig,
  ingester,
  compactor,
  limits_config: limitsConfig,
  query_range: obj({
    align_queries_with_step: bool(),
    results_cache: obj({ cache: cacheConfig, compression: oneOf('', 'snappy') }),
    cache_results: bool(),
    max_retries: int(0),
  }),
  analytics: obj({ reporting_enabled: bool(), usage_stats_url: str() }), // -reporting.enabled
});

/** Bytes of a size field, as Loki's byte-size flags parse them (humanize: MB = 10^6, MiB = 2^20). */
function bytes(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^([0-9.]+)(B|KB|MB|GB|KiB|MiB|GiB)?$/.exec(String(v));
  if (!m) return NaN;
  const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] ?? 'B'] ?? NaN;
  return Number(m[1]) * unit;
}

/**
 * Rules the reference states in prose (or Loki enforces at start) across fields: checked on top of
 * the field types.
 */
export function lokiSemanticChecks(c: any): string[] {
  const issues: string[] = [];
  const periods: any[] = c.schema_config?.configs ?? [];
  if (c.compactor?.retention_enabled) {
    // "delete_request_store also needs to be configured when retention is enabled" (logs-deletion docs)
    if (!c.compactor.delete_request_store) issues.push('compactor.delete_request_store: required when retention_enabled is true');
    // Retention works on TSDB or boltdb-shipper index tables of 24h (retention docs).
    for (const p of periods) {
      if (!['tsdb', 'boltdb-shipper'].includes(p.store)) issues.push(`schema_config: retention needs a tsdb or boltdb-shipper index, got ${p.store}`);
      if (p.index?.period !== '24h') issues.push(`schema_config: retention needs index.period 24h, got ${p.index?.period}`);
    }
    if (!c.limits_config?.retention_period || c.limits_config.retention_period === '0s' || c.limits_config.retention_period === '0') {
      issues.push('limits_config.retention_period: 0 disables retention although retention_enabled is true');
    }
  }
  // Structured metadata needs chunk format v4, i.e. schema v13 (structured_metadata stage docs).
  if (c.limits_config?.allow_structured_metadata !== false && periods.some((p) => p.schema !== 'v13')) {
    issues.push('limits_config.allow_structured_metadata: needs every period on schema v13');
  }
  // A single binary with one replica: only an in-memory ring and a replication factor of 1 work.
  if (c.common?.ring?.kvstore?.store === 'inmemory' && (c.common?.replication_factor ?? 3) !== 1) {
    issues.push('common.replication_factor: an inmemory ring holds one instance, the factor must be 1');
  }
  const rate = c.limits_config?.ingestion_rate_mb;
  const burst = c.limits_config?.ingestion_burst_size_mb;
  if (rate !== undefined && burst !== undefined && burst < rate) issues.push('limits_config.ingestion_burst_size_mb: below ingestion_rate_mb');
  const sRate = bytes(c.limits_config?.per_stream_rate_limit ?? '3MB');
  const sBurst = bytes(c.limits_config?.per_stream_rate_limit_burst ?? '15MB');
  if (sBurst < sRate) issues.push('limits_config.per_stream_rate_limit_burst: below per_stream_rate_limit');
  return issues;
}

/** Field checks and cross-field rules together. */
export function validateLokiConfig(c: unknown): string[] {
  const issues = check(LOKI_3_7, c);
  return issues.length > 0 ? issues : lokiSemanticChecks(c);
}
