/**
 * Database Health: query duration and the slow query rate (pg_stat_statements), connections against
 * max_connections and the backend's own pool saturation, table and database sizes, and the health
 * signals behind them (cache hits, transactions, deadlocks, long transactions).
 */
import { jobOf, maxBy, sel, sumBy } from '../lib/promql';
import { Dashboard } from '../lib/monitoring';
import { BACKEND_METRICS } from '../contracts/backend-metrics';
import { BACKEND_DB_POOL_USAGE } from '../contracts/recorded';
import { FOLDERS, UNIT, barGauge, dashboard, upDown, prom, stat, timeseries, warnAbove } from '../lib/panels';
import { POSTGRES_METRICS as M } from './metrics';
import { CLIENT_BACKEND, postgresRecords } from './recording-rules';
import { PostgresExporterProps } from './settings';

export const POSTGRES_DASHBOARD_UID = 'love-postgres';

export function dashboards(props: PostgresExporterProps): Dashboard[] {
  const a = { ...props.settings.alerts, rateWindow: props.shared.rules.rateWindow };
  const job = jobOf(props.shared.endpoints.postgresExporter);
  const backendJob = jobOf(props.shared.endpoints.backend);
  const r = postgresRecords(a.rateWindow);
  const slow = props.settings.slowQuerySeconds;
  const perSecond = (metric: string) => sumBy(['datname'], `rate(${sel(metric, job)}[$__rate_interval])`);

  return [
    dashboard({
      uid: POSTGRES_DASHBOARD_UID,
      title: 'Database Health',
      description: 'Postgres as the backend sees it: query duration, slow queries, connection pool saturation, table sizes.',
      tags: ['postgres', 'database'],
      folder: FOLDERS.dataStores,
      rows: [
        {
          title: 'Overview',
          panels: [
            stat({
              title: 'Postgres reachable',
              description: 'Whether the exporter could connect to Postgres at its last scrape (1) or not (0).',
              unit: UNIT.count,
              sparkline: false,
              queries: [prom(sel(M.up.name, job), { legend: 'up' })],
              ...upDown(),
            }),
            stat({
              title: 'Connections in use',
              description: `Client connections as a share of max_connections minus the superuser reserve. The connection alert fires above ${a.connectionsRatio}.`,
              unit: UNIT.percent,
              queries: [prom(sel(r.connectionsUsage, job), { legend: 'in use' })],
              thresholds: warnAbove(a.connectionsRatio * 0.75, a.connectionsRatio),
            }),
            stat({
              title: 'Mean query duration',
              description: `Mean execution time of every statement of every database over ${a.rateWindow}.`,
              unit: UNIT.seconds,
              queries: [prom(`${sumBy([], sel(r.seconds, job))}\n/\n${sumBy([], sel(r.calls, job))}`, { legend: 'mean' })],
              thresholds: warnAbove(slow / 2, slow),
            }),
            stat({
              title: 'Slow queries per second',
              description: `Executions per second of statements whose mean time is above ${slow}s (postgresExporter.slowQuerySeconds).`,
              unit: UNIT.perSecond,
              queries: [prom(sumBy([], sel(r.slowCalls, job)), { legend: 'slow' })],
            }),
          ],
        },
        {
          title: 'Queries',
          panels: [
            timeseries({
              title: 'Query duration by database',
              description: `Mean execution time per statement, per database, over ${a.rateWindow} (pg_stat_statements). Dashed: the slow query threshold.`,
              unit: UNIT.seconds,
              min: 0,
              queries: [prom(sel(r.meanDuration, job), { legend: '{{datname}}' })],
              thresholds: [{ value: slow, color: 'red' }],
            }),
            timeseries({
              title: 'Slow query rate',
              description: `Executions per second of statements whose mean time over ${a.rateWindow} is above ${slow}s.`,
              unit: UNIT.perSecond,
              min: 0,
              queries: [prom(sel(r.slowCalls, job), { legend: '{{datname}}' })],
            }),
            barGauge({
              title: 'Slowest statements',
              description: 'The ten statements with the highest mean execution time now, by database and queryid (match the queryid in pg_stat_statements).',
              unit: UNIT.seconds,
              queries: [
                prom(`topk(10,\n  rate(${sel(M.statementSeconds.name, job)}[$__rate_interval])\n  /\n  (rate(${sel(M.statementCalls.name, job)}[$__rate_interval]) > 0)\n)`, {
                  legend: '{{datname}} {{queryid}}',
                  instant: true,
                }),
              ],
              thresholds: warnAbove(slow / 2, slow),
            }),
            timeseries({
              title: 'Statements per second',
              description: 'Statement executions per second, per database.',
              unit: UNIT.perSecond,
              min: 0,
              queries: [prom(sel(r.calls, job), { legend: '{{datname}}' })],
            }),
          ],
        },
        {
          title: 'Connections',
          panels: [
            timeseries({
              title: 'Connections by state',
              description: 'Client connections by state. Many "idle in transaction" connections hold locks and pool slots doing nothing.',
              unit: UNIT.count,
              stack: true,
              min: 0,
              queries: [
                prom(sumBy(['state'], sel(M.activityCount.name, { ...job, backend_type: CLIENT_BACKEND })), { legend: '{{state}}' }),
                prom(maxBy([], `${sel(M.maxConnections.name, job)} - ${sel(M.superuserReservedConnections.name, job)}`), { legend: 'max_connections (without reserve)' }),
              ],
            }),
            timeseries({
              title: 'Backend connection pool saturation',
              description: `Share of each backend pod's Postgres pool in use. BackendDbPoolExhausted fires above ${props.backendDbPoolRatio} for 5m.`,
              unit: UNIT.percent,
              min: 0,
              max: 1,
              queries: [prom(sel(BACKEND_DB_POOL_USAGE, backendJob), { legend: '{{pod}}' })],
              thresholds: [{ value: props.backendDbPoolRatio, color: 'red' }],
            }),
            timeseries({
              title: 'Clients waiting for a pool connection',
              description: 'Requests and jobs of each backend pod waiting for a free connection of its pool: above 0, the pool is the bottleneck.',
              unit: UNIT.count,
              min: 0,
              queries: [prom(sel(BACKEND_METRICS.dbPoolConnections.name, { ...backendJob, state: 'waiting' }), { legend: '{{pod}}' })],
            }),
            timeseries({
              title: 'Connections in use',
              description: `Client connections against max_connections minus the superuser reserve.`,
              unit: UNIT.percent,
              min: 0,
              max: 1,
              queries: [prom(sel(r.connectionsUsage, job), { legend: 'in use' })],
              thresholds: [{ value: a.connectionsRatio, color: 'red' }],
            }),
          ],
        },
        {
          title: 'Tables',
          panels: [
            barGauge({
              title: 'Largest tables',
              description: 'The ten largest user tables, indexes and TOAST data included.',
              unit: UNIT.bytes,
              queries: [prom(`topk(10, ${sel(M.tableSize.name, job)})`, { legend: '{{datname}} {{schemaname}}.{{relname}}', instant: true })],
            }),
            timeseries({
              title: 'Database size',
              description: 'Disk space used by each database over time: the growth rate tells when the disk fills.',
              unit: UNIT.bytes,
              queries: [prom(sel(M.databaseSize.name, job), { legend: '{{datname}}' })],
            }),
            barGauge({
              title: 'Dead rows',
              description: 'The ten tables with the most dead rows autovacuum has not reclaimed yet (bloat).',
              unit: UNIT.count,
              queries: [prom(`topk(10, ${sel(M.tableDeadTuples.name, job)})`, { legend: '{{datname}} {{schemaname}}.{{relname}}', instant: true })],
            }),
            timeseries({
              title: 'Largest tables over time',
              description: 'Size of the ten largest tables over time.',
              unit: UNIT.bytes,
              queries: [prom(`topk(10, ${sel(M.tableSize.name, job)})`, { legend: '{{schemaname}}.{{relname}}' })],
            }),
          ],
        },
        {
          title: 'Health',
          panels: [
            timeseries({
              title: 'Cache hit ratio',
              description: 'Share of block reads served from shared buffers, per database. Well below 0.99 on a busy database, the working set no longer fits in memory.',
              unit: UNIT.percent,
              max: 1,
              width: 8,
              queries: [prom(sel(r.cacheHitRatio, job), { legend: '{{datname}}' })],
            }),
            timeseries({
              title: 'Transactions',
              description: 'Commits and rollbacks per second, per database.',
              unit: UNIT.perSecond,
              min: 0,
              width: 8,
              queries: [prom(perSecond(M.commits.name), { legend: '{{datname}} commits' }), prom(perSecond(M.rollbacks.name), { legend: '{{datname}} rollbacks' })],
            }),
            timeseries({
              title: 'Deadlocks and long transactions',
              description: 'Deadlocks per interval, per database; and the age of the oldest open transaction, which blocks vacuum while it runs.',
              unit: UNIT.count,
              min: 0,
              width: 8,
              queries: [
                prom(sumBy(['datname'], `increase(${sel(M.deadlocks.name, job)}[$__rate_interval])`), { legend: '{{datname}} deadlocks' }),
                prom(sel(M.oldestTransactionSeconds.name, job), { legend: 'oldest transaction (s)' }),
              ],
            }),
          ],
        },
      ],
    }),
  ];
}
