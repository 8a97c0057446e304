/**
 * The postgres exporter's slice of the configuration (`postgresExporter:` in
 * config/<environment>.yaml): where the database's DSN is, and the thresholds of the database's
 * alerts and dashboard.
 */
import { Infer, bool, int, num, obj, promDuration, withDefault } from '../lib/schema';
import { resources, secretRef } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const postgresExporterSettings = obj({
  /** Existing Secret with the monitoring DSN (`postgresql://monitor:...@host:5432/db?sslmode=...`). */
  dsnSecret: secretRef('postgres-exporter', 'dsn'),
  resources: resources({ cpu: '50m', memory: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' }),
  /**
   * A statement whose mean execution time (pg_stat_statements) is above this many seconds counts
   * as slow in the Database Health dashboard's slow query rate. @default 0.5
   */
  slowQuerySeconds: withDefault(num({ exclusiveMin: 0 }), 0.5),
  alerts: obj({
    /** Share of Postgres max_connections in use. @default 0.8 */
    connectionsRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.8),
    /**
     * Deadlocks within deadlockWindow above this warn. One is already an application bug (two code
     * paths lock rows in opposite orders), and PostgreSQL resolves each by failing a transaction.
     * @default 0 (any deadlock)
     */
    deadlocks: withDefault(int({ min: 0 }), 0),
    /** How long a deadlock keeps PostgresDeadlocks firing, so it is seen. @default '15m' */
    deadlockWindow: withDefault(promDuration(), '15m'),
    /**
     * Share of transactions rolled back (over rules.rateWindow) above which PostgresHighRollbackRatio
     * warns: the backend rolls back on errors, so a high share is failing requests or jobs. @default 0.1
     */
    rollbackRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /** Transactions per second before the rollback share means anything. @default 1 */
    rollbackMinRate: withDefault(num({ exclusiveMin: 0 }), 1),
    /**
     * Age in seconds of the oldest open transaction above which PostgresLongRunningTransaction warns:
     * it holds locks and keeps vacuum from reclaiming rows. The backend's transactions last
     * milliseconds; a migration or a report may take minutes. @default 600
     */
    longTransactionSeconds: withDefault(num({ exclusiveMin: 0 }), 600),
    /** Share of a table's rows that are dead above which PostgresTableNotVacuumed warns. @default 0.2 */
    deadTupleRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.2),
    /** Dead rows a table needs before its share counts: a small table vacuums in no time. @default 10000 */
    deadTupleMin: withDefault(int({ min: 1 }), 10000),
  }),
  /**
   * Replication lag, for when the exporter watches a streaming replica (its DSN names the replica):
   * PostgreSQL measures the lag on the replica, and the exporter reports 0 on a primary. Off by
   * default: the stack's one exporter watches the primary.
   */
  replication: obj({
    /** Alert on replication lag: turn on where the exporter watches a replica. @default false */
    enabled: withDefault(bool(), false),
    /** Seconds behind the primary above which PostgresReplicationLag warns. @default 30 */
    lagSeconds: withDefault(num({ exclusiveMin: 0 }), 30),
  }),
});
export type PostgresExporterSettings = Infer<typeof postgresExporterSettings>;

/** What the chart and its rules and dashboards are built from. */
export interface PostgresExporterProps extends ComponentProps<PostgresExporterSettings> {
  /** The backend's DB pool threshold (backend.alerts.dbPoolRatio), drawn on the Database Health dashboard's pool panel. */
  readonly backendDbPoolRatio: number;
}
