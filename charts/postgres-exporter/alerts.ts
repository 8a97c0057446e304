/**
 * Alerts on PostgreSQL, from what the postgres exporter reports (./metrics.ts): the database being
 * unreachable, and its connections running out (the server-side half of DB pool exhaustion; the
 * backend's own pool is BackendDbPoolExhausted).
 */
import { alertGroup, alertRule, percent, tmpl, exporterDownRule } from '../lib/alert-rules';
import { increase, jobOf, maxBy, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { POSTGRES_METRICS as M } from './metrics';
import { PostgresExporterProps } from './settings';

/** Rows of pg_stat_activity that hold one of max_connections (background workers do not). */
const CLIENT_BACKEND = 'client backend';

export function alertRules(props: PostgresExporterProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.postgresExporter);
  const service = 'postgres';
  const setting = (name: string) => maxBy(['instance'], sel(name, job));
  const a = props.settings.alerts;
  const w = props.shared.rules.rateWindow;
  const table = `${tmpl.label('schemaname')}.${tmpl.label('relname')}`;
  const tx = (metric: string) => sumBy(['instance', 'datname'], rate(sel(metric, job), w));
  return [
    alertGroup(service, [
      // PostgresDown reads pg_up, which only a running exporter reports: with the exporter gone
      // (deleted, Pending, crash-looping) nothing would say the database is unwatched. 5m: a
      // rollout of the exporter takes seconds; critical because the database's own alerts are blind.
      exporterDownRule(props.shared.rules, {
        name: 'PostgresExporterDown',
        remediation: 'Pending: read the events (resources, a node selector); crash loop: read the logs (a wrong DSN Secret, postgres-exporter key dsn).',
        service,
        exporter: props.shared.endpoints.postgresExporter,
        watched: 'PostgreSQL is',
        blind: 'PostgresDown and every database alert cannot fire',
      }),
      // The exporter reaches PostgreSQL but a query of its scrape failed (a permission missing from
      // the monitoring role, an extension dropped): some database series are missing. Not while the
      // database is down (PostgresDown says that). 10m: one failed scrape during a restart is noise.
      alertRule(props.shared.rules, {
        name: 'PostgresExporterScrapeFailing',
        remediation: 'Grant pg_monitor to the monitoring role again; re-create the extension (CREATE EXTENSION pg_stat_statements, docs/metrics.md).',
        severity: 'warning',
        service,
        expr: `${sel(M.lastScrapeError.name, job)} == 1\nunless on (instance)\n${sel(M.up.name, job)} == 0`,
        for: '10m',
        summary: `The postgres exporter ${tmpl.label('instance')} fails part of its scrape`,
        description: `The last scrapes of PostgreSQL by ${tmpl.label('instance')} had errors for 10m (pg_exporter_last_scrape_error ${tmpl.number}); some database series are missing or stale.`,
      }),
      // A deadlock means two code paths lock rows in opposite orders; PostgreSQL fails one of the
      // transactions. It is an event: the increase over deadlockWindow keeps it visible, and 1m
      // of that (not 0) rides out a counter reset when the exporter restarts.
      alertRule(props.shared.rules, {
        name: 'PostgresDeadlocks',
        remediation: 'Make both code paths lock rows in the same order (sort the ids before SELECT ... FOR UPDATE or the updates), or shorten the transactions; retrying the failed transaction is the stopgap.',
        severity: 'warning',
        service,
        expr: `${sumBy(['instance', 'datname'], increase(sel(M.deadlocks.name, job), a.deadlockWindow))} > ${a.deadlocks}`,
        for: '1m',
        summary: `Deadlocks in database ${tmpl.label('datname')}`,
        description: `PostgreSQL detected ${tmpl.number} deadlocks in ${tmpl.label('datname')} over the last ${a.deadlockWindow} (threshold ${a.deadlocks}); each failed one transaction.`,
      }),
      // Rollbacks are how the backend's failed requests and jobs end: a high share is failures,
      // whatever the cause. Only with traffic (rollbackMinRate); 10m: a burst of retries is noise.
      alertRule(props.shared.rules, {
        name: 'PostgresHighRollbackRatio',
        remediation: 'A release: roll it back. Serialization failures: retry them in the code, or lower the isolation.',
        severity: 'warning',
        service,
        expr:
          `${tx(M.rollbacks.name)}\n/\n(${tx(M.rollbacks.name)} + ${tx(M.commits.name)})\n> ${a.rollbackRatio}\n` +
          `and\n(${tx(M.rollbacks.name)} + ${tx(M.commits.name)}) > ${a.rollbackMinRate}`,
        for: '10m',
        summary: `Database ${tmpl.label('datname')} rolls back more than ${percent(a.rollbackRatio)} of transactions`,
        description: `${tmpl.percent} of the transactions of ${tmpl.label('datname')} were rolled back over the last ${w} (threshold ${percent(a.rollbackRatio)}).`,
      }),
      // An open transaction holds its locks and keeps vacuum from reclaiming any row newer than it.
      // 2m: the collector's value is exact; two minutes more is a transaction really left open.
      alertRule(props.shared.rules, {
        name: 'PostgresLongRunningTransaction',
        remediation: 'A migration or a report that is expected: let it finish, silence the alert.',
        severity: 'warning',
        service,
        expr: `${maxBy(['instance'], sel(M.oldestTransactionSeconds.name, job))} > ${a.longTransactionSeconds}`,
        for: '2m',
        summary: `A PostgreSQL transaction has been open for more than ${a.longTransactionSeconds}s`,
        description: `The oldest open transaction on ${tmpl.label('instance')} is ${tmpl.duration} old (threshold ${a.longTransactionSeconds}s); it holds locks and blocks vacuum.`,
      }),
      // Dead rows are updates and deletes vacuum has not reclaimed: the table and its indexes grow
      // and scans slow down. 1h: autovacuum may be on its way (it runs when a table passes its
      // scale factor); an hour above the share means it cannot keep up or is blocked.
      alertRule(props.shared.rules, {
        name: 'PostgresTableNotVacuumed',
        remediation: 'End the blocking transaction; then VACUUM (VERBOSE) <table>;.',
        severity: 'warning',
        service,
        expr:
          `${sel(M.tableDeadTuples.name, job)}\n/\n(${sel(M.tableDeadTuples.name, job)} + ${sel(M.tableLiveTuples.name, job)})\n> ${a.deadTupleRatio}\n` +
          `and\n${sel(M.tableDeadTuples.name, job)} > ${a.deadTupleMin}`,
        for: '1h',
        summary: `Table ${table} has more than ${percent(a.deadTupleRatio)} dead rows`,
        description: `${tmpl.percent} of the rows of ${table} in ${tmpl.label('datname')} are dead (threshold ${percent(a.deadTupleRatio)}, at least ${a.deadTupleMin} rows): vacuum does not keep up.`,
      }),
      ...(props.settings.replication.enabled
        ? [
            // Reads from a lagging replica return old data; a failover to it loses the lag. 5m:
            // a large transaction or a vacuum replays in bursts.
            alertRule(props.shared.rules, {
              name: 'PostgresReplicationLag',
              remediation: 'A long transaction or a bulk load on the primary: it catches up after; a replica short of disk or CPU: give it more; a broken stream: rebuild the replica.',
              severity: 'warning',
              service,
              expr: `${sel(M.replicationLag.name, job)} > ${props.settings.replication.lagSeconds}\nand on (instance)\n${sel(M.isReplica.name, job)} == 1`,
              for: '5m',
              summary: `PostgreSQL replica ${tmpl.label('instance')} lags behind its primary`,
              description: `The replica watched by ${tmpl.label('instance')} is ${tmpl.duration} behind its primary (threshold ${props.settings.replication.lagSeconds}s).`,
            }),
          ]
        : []),
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
