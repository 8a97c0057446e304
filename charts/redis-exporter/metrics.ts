/**
 * Every redis_exporter metric the stack's rules and dashboards read, as the pinned exporter
 * (versions.ts: redis_exporter v1.88.0) emits it. Alerts, recording rules, dashboards and docs import
 * names from here and never type them.
 *
 * Most names are INFO fields renamed by the exporter (`used_memory` -> `redis_memory_used_bytes`,
 * `maxmemory` -> `redis_memory_max_bytes`, `evicted_keys` -> `redis_evicted_keys_total`). None of
 * them needs a flag but one: the latency histogram is on unless `--exclude-latency-histogram-metrics`
 * is given (it needs Redis 7+, whose `LATENCY HISTOGRAM` it reads), and
 * `redis_total_system_memory_bytes` needs `--include-system-metrics` (the chart passes it).
 *
 * The eviction policy is exposed: `redis_instance_info` carries `maxmemory_policy` (checked in the
 * live scrape of scripts/checks/25-exporter-metrics, and switched at runtime in the e2e).
 */
import { MetricDef } from '../lib/metric';

export const REDIS_METRICS = {
  up: {
    name: 'redis_up',
    type: 'gauge',
    help: 'Whether the last scrape could talk to Redis (1) or not (0).',
    labels: [],
    source: 'exporter',
  },
  instanceInfo: {
    name: 'redis_instance_info',
    type: 'gauge',
    help: "Always 1; its labels describe the instance. maxmemory_policy must be 'noeviction' for Bull queues (an evicted job key is a lost job).",
    labels: ['role', 'redis_version', 'redis_build_id', 'redis_mode', 'os', 'maxmemory_policy', 'tcp_port', 'run_id', 'process_id'],
    source: 'INFO server',
  },
  memoryUsed: {
    name: 'redis_memory_used_bytes',
    type: 'gauge',
    help: 'Memory Redis has allocated for data and overhead (INFO used_memory).',
    labels: [],
    source: 'INFO memory',
  },
  memoryMax: {
    name: 'redis_memory_max_bytes',
    type: 'gauge',
    help: 'The maxmemory setting; 0 means no limit, so a ratio against it must ignore 0.',
    labels: [],
    source: 'INFO memory',
  },
  connectedClients: {
    name: 'redis_connected_clients',
    type: 'gauge',
    help: 'Client connections, replicas excluded.',
    labels: [],
    source: 'INFO clients',
  },
  dbKeys: {
    name: 'redis_db_keys',
    type: 'gauge',
    help: "Keys per logical database (db label such as 'db0').",
    labels: ['db'],
    source: 'INFO keyspace',
  },
  dbKeysExpiring: {
    name: 'redis_db_keys_expiring',
    type: 'gauge',
    help: 'Keys with a TTL per logical database.',
    labels: ['db'],
    source: 'INFO keyspace',
  },
  evictedKeys: {
    name: 'redis_evicted_keys_total',
    type: 'counter',
    help: 'Keys evicted because of the maxmemory limit.',
    labels: [],
    source: 'INFO stats',
  },
  expiredKeys: {
    name: 'redis_expired_keys_total',
    type: 'counter',
    help: 'Keys removed because their TTL passed.',
    labels: [],
    source: 'INFO stats',
  },
  keyspaceHits: {
    name: 'redis_keyspace_hits_total',
    type: 'counter',
    help: 'Successful key lookups.',
    labels: [],
    source: 'INFO stats',
  },
  keyspaceMisses: {
    name: 'redis_keyspace_misses_total',
    type: 'counter',
    help: 'Key lookups that found nothing.',
    labels: [],
    source: 'INFO stats',
  },
  commands: {
    name: 'redis_commands_total',
    type: 'counter',
    help: 'Calls per command (INFO commandstats).',
    labels: ['cmd'],
    source: 'INFO commandstats',
  },
  commandsDuration: {
    name: 'redis_commands_duration_seconds_total',
    type: 'counter',
    help: 'Time spent per command, in seconds; divided by redis_commands_total, the mean command latency.',
    labels: ['cmd'],
    source: 'INFO commandstats',
  },
  commandLatency: {
    name: 'redis_commands_latencies_usec',
    type: 'histogram',
    help: 'Latency histogram per command, in microseconds (LATENCY HISTOGRAM).',
    labels: ['cmd'],
    source: 'LATENCY HISTOGRAM',
    requires: 'Redis 7.0 or later',
  },
  totalSystemMemory: {
    name: 'redis_total_system_memory_bytes',
    type: 'gauge',
    help: "Memory of the machine Redis runs on (INFO total_system_memory, read from /proc/meminfo: in a container, the node's memory, not the container's limit).",
    labels: [],
    source: 'INFO memory',
    flag: '--include-system-metrics',
  },
  lastBgsaveStatus: {
    name: 'redis_rdb_last_bgsave_status',
    type: 'gauge',
    help: "Whether the last background save (RDB snapshot) succeeded (1) or failed (0). With stop-writes-on-bgsave-error (Redis's default) a failed one makes Redis refuse writes.",
    labels: [],
    source: 'INFO persistence',
  },
  rejectedConnections: {
    name: 'redis_rejected_connections_total',
    type: 'counter',
    help: 'Connections Redis refused because maxclients was reached.',
    labels: [],
    source: 'INFO stats',
  },
} as const satisfies Record<string, MetricDef>;

export type RedisMetric = keyof typeof REDIS_METRICS;
