/**
 * Every postgres_exporter metric the stack's rules and dashboards read, as the pinned exporter
 * (versions.ts: postgres-exporter v0.19.1) emits it. Alerts, recording rules, dashboards and docs
 * import names from here and never type them.
 *
 * Quirks of this exporter that the names below already account for:
 * - `pg_stat_database_*` counters have no `_total` suffix (`pg_stat_database_deadlocks`), while
 *   `pg_stat_statements_*` counters do.
 * - At 0.19 `pg_settings_*` and `pg_stat_activity_*` are not `--collector.*` collectors but the
 *   exporter's built-in queries (on unless `--disable-settings-metrics` / `--disable-default-metrics`);
 *   `--metric-prefix` renames `pg_stat_activity_*`, so the chart never sets it. 0.20 moves both to
 *   standalone `settings` and `stat_activity` collectors with the same names (docs/metrics.md).
 * - Table sizes are `pg_stat_user_tables_table_size_bytes` + `_index_size_bytes`; the
 *   `pg_stat_user_tables_size_bytes` of older releases and many dashboards is not served.
 * - The built-in queries add a `server` label (host:port of the DSN) that the collectors' series lack
 *   and that 0.20 drops: aggregate by the labels listed here, never by `server`.
 * - `stat_statements` and `long_running_transactions` are off by default: the chart passes their
 *   flags (see `flag`). At 0.19.1 `pg_long_running_transactions` has no `threshold` label (that
 *   arrived after 0.20.1); it counts open non-idle transactions, and the age of the oldest is a
 *   separate gauge.
 */
import { MetricDef } from '../lib/metric';

/** Values of `pg_stat_activity_count{state}`: PostgreSQL's backend states, all exported even at 0. */
export const PG_ACTIVITY_STATES = [
  'active',
  'idle',
  'idle in transaction',
  'idle in transaction (aborted)',
  'fastpath function call',
  'disabled',
] as const;

const DATABASE = ['datid', 'datname'] as const;
const TABLE = ['datname', 'schemaname', 'relname'] as const;
const STATEMENT = ['user', 'datname', 'queryid'] as const;

export const POSTGRES_METRICS = {
  up: {
    name: 'pg_up',
    type: 'gauge',
    help: 'Whether the last scrape could connect to PostgreSQL (1) or not (0).',
    labels: [],
    source: 'exporter',
  },
  maxConnections: {
    name: 'pg_settings_max_connections',
    type: 'gauge',
    help: 'Server setting max_connections: the most concurrent connections the server accepts.',
    labels: [],
    source: 'built-in pg_settings query',
  },
  superuserReservedConnections: {
    name: 'pg_settings_superuser_reserved_connections',
    type: 'gauge',
    help: 'Server setting superuser_reserved_connections: slots of max_connections that ordinary roles cannot use.',
    labels: [],
    source: 'built-in pg_settings query',
  },
  activityCount: {
    name: 'pg_stat_activity_count',
    type: 'gauge',
    help: 'Connections by database and state (plus user, application, backend and wait event); sum by state for the total.',
    labels: ['datname', 'state', 'usename', 'application_name', 'backend_type', 'wait_event_type', 'wait_event'],
    values: { state: PG_ACTIVITY_STATES },
    source: 'built-in pg_stat_activity query',
  },
  activityMaxTxDuration: {
    name: 'pg_stat_activity_max_tx_duration',
    type: 'gauge',
    help: 'Longest running transaction, in seconds, per label set of pg_stat_activity_count.',
    labels: ['datname', 'state', 'usename', 'application_name', 'backend_type', 'wait_event_type', 'wait_event'],
    values: { state: PG_ACTIVITY_STATES },
    source: 'built-in pg_stat_activity query',
  },
  databaseSize: {
    name: 'pg_database_size_bytes',
    type: 'gauge',
    help: 'Disk space used by each database.',
    labels: ['datname'],
    source: 'database',
  },
  tableSize: {
    name: 'pg_stat_user_tables_table_size_bytes',
    type: 'gauge',
    help: 'Disk space of a user table with its TOAST data, without indexes (pg_table_size), in the database of the DSN.',
    labels: TABLE,
    source: 'stat_user_tables',
  },
  tableIndexSize: {
    name: 'pg_stat_user_tables_index_size_bytes',
    type: 'gauge',
    help: "Disk space of a user table's indexes (pg_indexes_size); plus table_size_bytes, the table's whole footprint.",
    labels: TABLE,
    source: 'stat_user_tables',
  },
  tableDeadTuples: {
    name: 'pg_stat_user_tables_n_dead_tup',
    type: 'gauge',
    help: 'Estimated dead rows of a user table: bloat that autovacuum has not reclaimed yet.',
    labels: TABLE,
    source: 'stat_user_tables',
  },
  deadlocks: {
    name: 'pg_stat_database_deadlocks',
    type: 'counter',
    help: 'Deadlocks detected in a database (a counter without _total).',
    labels: DATABASE,
    source: 'stat_database',
  },
  commits: {
    name: 'pg_stat_database_xact_commit',
    type: 'counter',
    help: 'Transactions committed in a database (a counter without _total).',
    labels: DATABASE,
    source: 'stat_database',
  },
  rollbacks: {
    name: 'pg_stat_database_xact_rollback',
    type: 'counter',
    help: 'Transactions rolled back in a database (a counter without _total).',
    labels: DATABASE,
    source: 'stat_database',
  },
  blocksHit: {
    name: 'pg_stat_database_blks_hit',
    type: 'counter',
    help: 'Block reads served from the shared buffer cache (a counter without _total); with blks_read, the cache hit ratio.',
    labels: DATABASE,
    source: 'stat_database',
  },
  blocksRead: {
    name: 'pg_stat_database_blks_read',
    type: 'counter',
    help: 'Blocks read from disk (or the OS cache) in a database (a counter without _total).',
    labels: DATABASE,
    source: 'stat_database',
  },
  statementCalls: {
    name: 'pg_stat_statements_calls_total',
    type: 'counter',
    help: 'Executions of a normalized statement (the 100 heaviest by total time are exported).',
    labels: STATEMENT,
    source: 'stat_statements',
    flag: '--collector.stat_statements',
    requires: "the pg_stat_statements extension: in shared_preload_libraries and CREATE EXTENSION pg_stat_statements",
  },
  statementSeconds: {
    name: 'pg_stat_statements_seconds_total',
    type: 'counter',
    help: 'Total execution time of a normalized statement, in seconds; divided by calls, the mean query duration.',
    labels: STATEMENT,
    source: 'stat_statements',
    flag: '--collector.stat_statements',
    requires: "the pg_stat_statements extension: in shared_preload_libraries and CREATE EXTENSION pg_stat_statements",
  },
  longRunningTransactions: {
    name: 'pg_long_running_transactions',
    type: 'gauge',
    help: 'Open, non-idle transactions (autovacuum excluded).',
    labels: [],
    source: 'long_running_transactions',
    flag: '--collector.long_running_transactions',
  },
  oldestTransactionSeconds: {
    name: 'pg_long_running_transactions_oldest_timestamp_seconds',
    type: 'gauge',
    help: 'Age in seconds of the oldest open, non-idle transaction (autovacuum excluded); despite the name, an age, not a timestamp.',
    labels: [],
    source: 'long_running_transactions',
    flag: '--collector.long_running_transactions',
  },
  lastScrapeError: {
    name: 'pg_exporter_last_scrape_error',
    type: 'gauge',
    help: 'Whether the last scrape of PostgreSQL by the exporter had an error (1) or not (0): a query failed, so some series are missing or stale.',
    labels: [],
    source: 'exporter',
  },
  tableLiveTuples: {
    name: 'pg_stat_user_tables_n_live_tup',
    type: 'gauge',
    help: 'Estimated live rows of a user table; with n_dead_tup, the share of dead rows.',
    labels: TABLE,
    source: 'stat_user_tables',
  },
  tableLastAutovacuum: {
    name: 'pg_stat_user_tables_last_autovacuum',
    type: 'gauge',
    help: 'Unix time autovacuum last vacuumed a user table; 0 if never.',
    labels: TABLE,
    source: 'stat_user_tables',
  },
  tableLastVacuum: {
    name: 'pg_stat_user_tables_last_vacuum',
    type: 'gauge',
    help: 'Unix time a user table was last vacuumed by hand (VACUUM); 0 if never.',
    labels: TABLE,
    source: 'stat_user_tables',
  },
  isReplica: {
    name: 'pg_replication_is_replica',
    type: 'gauge',
    help: 'Whether the server the exporter watches is a replica in recovery (1) or a primary (0).',
    labels: [],
    source: 'replication',
  },
  replicationLag: {
    name: 'pg_replication_lag_seconds',
    type: 'gauge',
    help: 'On a replica, seconds since the last transaction it replayed (0 when it has replayed everything it received); always 0 on a primary.',
    labels: [],
    source: 'replication',
  },
} as const satisfies Record<string, MetricDef>;

export type PostgresMetric = keyof typeof POSTGRES_METRICS;
