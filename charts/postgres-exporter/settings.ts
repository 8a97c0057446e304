/**
 * The postgres exporter's slice of the configuration (`postgresExporter:` in
 * config/<environment>.yaml): where the database's DSN is, and the thresholds of the database's
 * alerts and dashboard.
 */
import { Infer, num, obj, withDefault } from '../lib/schema';
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
  }),
});
export type PostgresExporterSettings = Infer<typeof postgresExporterSettings>;

/** What the chart and its rules and dashboards are built from. */
export interface PostgresExporterProps extends ComponentProps<PostgresExporterSettings> {
  /** The backend's DB pool threshold (backend.alerts.dbPoolRatio), drawn on the Database Health dashboard's pool panel. */
  readonly backendDbPoolRatio: number;
}
