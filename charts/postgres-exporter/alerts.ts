/**
 * Alerts on PostgreSQL, from what the postgres exporter reports (./metrics.ts): the database being
 * unreachable, and its connections running out (the server-side half of DB pool exhaustion; the
 * backend's own pool is BackendDbPoolExhausted).
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { jobOf, maxBy, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { POSTGRES_METRICS as M } from './metrics';
import { PostgresExporterProps } from './settings';

/** Rows of pg_stat_activity that hold one of max_connections (background workers do not). */
const CLIENT_BACKEND = 'client backend';

export function alertRules(props: PostgresExporterProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.postgresExporter);
  const service = 'postgres';
  const setting = (name: string) => maxBy(['instance'], sel(name, job));
  return [
    alertGroup(service, [
      // The exporter is up but cannot connect: the backend cannot either. 1m rides out a restart
      // or a failover (seconds), and then someone is woken by text.
      alertRule(props.shared.rules, {
        name: 'PostgresDown',
        remediation: 'Database down: restart it with the tool that runs it (managed service console, its StatefulSet, or systemctl restart postgresql on the host); check disk space first, a full disk stops Postgres.',
        severity: 'critical',
        notifySms: true,
        service,
        expr: `${sel(M.up.name, job)} == 0`,
        for: '1m',
        summary: 'PostgreSQL is unreachable',
        description: `The postgres exporter ${tmpl.label('instance')} has not been able to connect to PostgreSQL for 1m.`,
      }),
      // Against the slots ordinary roles may use (max_connections minus the superuser reserve):
      // past that, new connections fail with "remaining connection slots are reserved". 5m: a
      // deploy briefly runs two sets of pools; five minutes is a leak or a pool sized too large.
      alertRule(props.shared.rules, {
        name: 'PostgresTooManyConnections',
        remediation: 'Pools too large: pods × pool size must stay below the usable connections; lower the pool size or put a pooler (PgBouncer) in front.',
        severity: 'warning',
        service,
        expr:
          `${sumBy(['instance'], sel(M.activityCount.name, { ...job, backend_type: CLIENT_BACKEND }))}\n  /\n` +
          `(${setting(M.maxConnections.name)} - ${setting(M.superuserReservedConnections.name)})\n> ${props.settings.alerts.connectionsRatio}`,
        for: '5m',
        summary: `PostgreSQL connections are above ${percent(props.settings.alerts.connectionsRatio)} of max_connections`,
        description: `Client connections use ${tmpl.percent} of the connections PostgreSQL allows ordinary roles (max_connections minus superuser_reserved_connections; threshold ${percent(props.settings.alerts.connectionsRatio)}).`,
      }),
    ]),
  ];
}
