/**
 * Alerts on PostgreSQL, from what the postgres exporter reports (./metrics.ts): the database being
 * unreachable, and its connections running out (the server-side half of DB pool exhaustion; the
 * backend's own pool is BackendDbPoolExhausted).
 */
import { ComponentProps } from '../lib/component';
import { alertGroup, alertRule, jobOf, maxBy, percent, sel, sumBy, tmpl } from '../lib/alerting';
import { RuleGroup } from '../lib/monitoring';
import { POSTGRES_METRICS as M } from './metrics';

/** Rows of pg_stat_activity that hold one of max_connections (background workers do not). */
const CLIENT_BACKEND = 'client backend';

export function alertRules(props: ComponentProps): RuleGroup[] {
  const c = props.config;
  const job = jobOf(props.endpoints.postgresExporter);
  const service = 'postgres';
  const setting = (name: string) => maxBy(['instance'], sel(name, job));
  return [
    alertGroup(service, [
      // The exporter is up but cannot connect: the backend cannot either. 1m rides out a restart
      // or a failover (seconds), and then someone is woken by text.
      alertRule(c, {
        name: 'PostgresDown',
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
      alertRule(c, {
        name: 'PostgresTooManyConnections',
        severity: 'warning',
        service,
        expr:
          `${sumBy(['instance'], sel(M.activityCount.name, { ...job, backend_type: CLIENT_BACKEND }))}\n  /\n` +
          `(${setting(M.maxConnections.name)} - ${setting(M.superuserReservedConnections.name)})\n> ${c.alerts.pgConnectionsRatio}`,
        for: '5m',
        summary: `PostgreSQL connections are above ${percent(c.alerts.pgConnectionsRatio)} of max_connections`,
        description: `Client connections use ${tmpl.percent} of the connections PostgreSQL allows ordinary roles (max_connections minus superuser_reserved_connections; threshold ${percent(c.alerts.pgConnectionsRatio)}).`,
      }),
    ]),
  ];
}
