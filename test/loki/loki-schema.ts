/**
 * The Loki 3.7 configuration blocks the stack writes, transcribed field by field from the
 * configuration reference (types, value sets, and which duration parser each field uses). Blocks
 * that charts/loki/config.ts writes are listed in full for the fields of their level; blocks it does
 * not write are absent, so writing one fails until it is transcribed here.
 *
 * Source: https://grafana.com/docs/loki/v3.7.x/configure/ — generated from
 * grafana/loki docs/sources/shared/configuration.md (sections `loki.yaml`, `server`, `common`,
 * `period_config`, `storage_config`, `ingester`, `compactor`, `limits_config`, `query_range`,
 * `cache_config`, `analytics`; for the simple scalable deployment also `s3_storage_config`,
 * `memberlist`, `index_gateway`, `ruler` (its WAL), the ring of `common`, and
 * `storage_config.tsdb_shipper.index_gateway_client`). The CLI flag of each field is noted where it
 * names the field. Transcribed at tag v3.7.6.
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

/** `s3_storage_config` (prefix `common.storage`): every field of the block at v3.7.6. */
const s3StorageConfig = obj({
  s3: str(), // -common.storage.s3.url
  s3forcepathstyle: bool(), // -common.storage.s3.force-path-style, default false
  bucketnames: str(), // -common.storage.s3.buckets (comma-separated)
  endpoint: str(), // -common.storage.s3.endpoint
  region: str(), // -common.storage.s3.region
  access_key_id: str(), // -common.storage.s3.access-key-id
  secret_access_key: str(), // -common.storage.s3.secret-access-key (<secret>)
  session_token: str(),
  insecure: bool(), // -common.storage.s3.insecure, default false
  chunk_delimiter: str(),
  http_config: obj({
    timeout: goDuration(),
    idle_conn_timeout: goDuration(),
    response_header_timeout: goDuration(),
    insecure_skip_verify: bool(), // -common.storage.s3.http.insecure-skip-verify
    ca_file: str(),
  }),
  signature_version: oneOf('v4'), // "Supported values are: v4"
  storage_class: oneOf('GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR', 'INTELLIGENT_TIERING', 'ONEZONE_IA', 'OUTPOSTS', 'REDUCED_REDUNDANCY', 'STANDARD', 'STANDARD_IA'),
  sse: obj({ type: oneOf('SSE-KMS', 'SSE-S3'), kms_key_id: str(), kms_encryption_context: str() }),
  backoff_config: obj({ min_period: goDuration(), max_period: goDuration(), max_retries: int(0) }),
  disable_dualstack: bool(),
});

/** `memberlist` (dskit memberlist KV): the fields of the block at v3.7.6. */
const memberlist = obj({
  node_name: str(),
  randomize_node_name: bool(),
  stream_timeout: goDuration(),
  retransmit_factor: int(0),
  pull_push_interval: goDuration(),
  gossip_interval: goDuration(),
  gossip_nodes: int(0),
  gossip_to_dead_nodes_time: goDuration(),
  dead_node_reclaim_time: goDuration(),
  compression_enabled: bool(),
  notify_interval: goDuration(),
  advertise_addr: str(),
  advertise_port: int(0), // default 7946
  cluster_label: str(),
  cluster_label_verification_disabled: bool(),
  join_members: list(str()), // -memberlist.join (dns+ / dnssrv+ resolve every address)
  min_join_backoff: goDuration(),
  max_join_backoff: goDuration(),
  max_join_retries: int(0),
  abort_if_cluster_fast_join_fails: bool(),
  abort_if_cluster_fast_join_fails_min_nodes: int(0),
  abort_if_cluster_join_fails: bool(), // -memberlist.abort-if-join-fails, default false
  rejoin_interval: goDuration(),
  rejoin_seed_nodes: list(str()),
  left_ingesters_timeout: goDuration(),
  obsolete_entries_timeout: goDuration(),
  leave_timeout: goDuration(),
  broadcast_timeout_for_local_updates_on_shutdown: goDuration(),
  message_history_buffer_bytes: int(0),
  watch_prefix_buffer_size: int(0),
  bind_addr: list(str()),
  bind_port: int(0), // -memberlist.bind-port, default 7946
  packet_dial_timeout: goDuration(),
  packet_write_timeout: goDuration(),
  max_concurrent_writes: int(1),
  acquire_writer_timeout: goDuration(),
  tls_enabled: bool(),
});

/** `common`. */
const common = obj({
  path_prefix: str(), // -common.path-prefix
  storage: obj({
    s3: s3StorageConfig,
    filesystem: obj({ chunks_directory: str(), rules_directory: str() }), // -common.storage.filesystem.*
  }),
  persist_tokens: bool(),
  replication_factor: int(1),
  ring: obj({
    kvstore, // -common.storage.ring.store
    heartbeat_period: goDuration(),
    heartbeat_timeout: goDuration(),
    tokens_file_path: str(),
    zone_awareness_enabled: bool(),
    num_tokens: int(1),
    replication_factor: int(1),
    instance_id: str(),
    instance_interface_names: list(str()),
    instance_port: int(0),
    instance_addr: str(),
    instance_availability_zone: str(),
    instance_enable_ipv6: bool(),
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
    index_gateway_client: obj({
      server_address: str(), // -tsdb.shipper.index-gateway-client.server-address
      log_gateway_requests: bool(),
    }),
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

/** `index_gateway`: its mode (the ring is inherited from `common.ring`). */
const indexGateway = obj({ mode: oneOf('simple', 'ring') }); // -index-gateway.mode, default simple

/** `ruler`: its WAL only (rules are read from the object store's `rules/` prefix). */
const ruler = obj({
  wal: obj({ dir: str(), truncate_frequency: goDuration(), min_age: goDuration(), max_age: goDuration() }), // -ruler.wal.*
  rule_path: str(),
});

/**
 * `-target` values of Loki 3.7.6 (pkg/loki/modules.go and the dependency map of pkg/loki/loki.go:
 * `read` = query frontend + querier, `write` = ingester + distributor + pattern ingester,
 * `backend` = query scheduler + ruler + compactor + index gateway + bloom components).
 */
export const LOKI_TARGETS_3_7 = ['all', 'read', 'write', 'backend', 'compactor', 'distributor', 'ingester', 'querier', 'query-scheduler', 'ingester-querier', 'query-frontend', 'index-gateway', 'ruler', 'table-manager'];

/** Root of `loki.yaml`. */
export const LOKI_3_7: Spec = obj({
  target: str(),
  auth_enabled: bool(), // -auth.enabled
  server,
  common,
  memberlist,
  index_gateway: indexGateway,
  ruler,
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
  // A memberlist ring needs somebody to join (dskit: an empty join_members leaves each pod alone).
  if (c.common?.ring?.kvstore?.store === 'memberlist' && !(c.memberlist?.join_members?.length > 0)) {
    issues.push('memberlist.join_members: a memberlist ring needs at least one member to join');
  }
  // Each period's object store, and the delete request store, must be a configured store.
  const configured = new Set<string>([
    ...(c.common?.storage?.s3 || c.storage_config?.aws ? ['s3', 'aws'] : []),
    ...(c.common?.storage?.filesystem || c.storage_config?.filesystem ? ['filesystem'] : []),
  ]);
  for (const p of periods) if (p.object_store && !configured.has(p.object_store)) issues.push(`schema_config: object_store ${p.object_store} is not configured`);
  const drs = c.compactor?.delete_request_store;
  if (drs && !configured.has(drs)) issues.push(`compactor.delete_request_store: ${drs} is not a configured object store`);
  // S3 needs a bucket; an endpoint is a host, not a URL (the client adds the scheme from `insecure`).
  const s3 = c.common?.storage?.s3;
  if (s3) {
    if (!s3.bucketnames && !s3.s3) issues.push('common.storage.s3.bucketnames: required (or s3: <url>)');
    if (typeof s3.endpoint === 'string' && /^[a-z]+:\/\//i.test(s3.endpoint)) issues.push('common.storage.s3.endpoint: a host, without a scheme');
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
