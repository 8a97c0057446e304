/**
 * Recording rules of the Postgres exporter: what the Database Health dashboard reads over 30 days
 * without re-aggregating the 100 exported statements of pg_stat_statements on every refresh (mean
 * query duration, slow query rate) and the ratios (connections against max_connections, cache hits).
 */
import { jobOf, maxBy, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { baseName, rateOp, recordName, recordingGroup } from '../lib/recording-rules';
import { POSTGRES_METRICS as M } from './metrics';
import { PostgresExporterProps } from './settings';

/** The backend type of connections that count against max_connections (not the server's own workers). */
export const CLIENT_BACKEND = 'client backend';

/** Names of the Postgres exporter's recorded series over the rate window `w`; the dashboards read these. */
export function postgresRecords(w: string) {
  return {
    /** Statement executions per second per database. */
    calls: recordName(['job', 'datname'], baseName(M.statementCalls.name), rateOp(w)),
    /** Seconds of statement execution per second per database. */
    seconds: recordName(['job', 'datname'], baseName(M.statementSeconds.name), rateOp(w)),
    /** Mean execution time of a statement per database. */
    meanDuration: recordName(['job', 'datname'], `${baseName(M.statementSeconds.name)}_per_call`, rateOp(w, 'ratio')),
    /** Executions per second of statements whose mean time is above postgresExporter.slowQuerySeconds. */
    slowCalls: recordName(['job', 'datname'], 'pg_stat_statements_slow_calls', rateOp(w)),
    /** Client connections as a share of what max_connections leaves to ordinary roles. */
    connectionsUsage: recordName(['job'], 'pg_connections_in_use', 'ratio'),
    /** Share of block reads served from shared buffers per database. */
    cacheHitRatio: recordName(['job', 'datname'], baseName(M.blocksHit.name), rateOp(w, 'ratio')),
  } as const;
}

export function recordingRules(props: PostgresExporterProps): RuleGroup[] {
  const w = props.shared.rules.rateWindow;
  const job = jobOf(props.shared.endpoints.postgresExporter);
  const r = postgresRecords(w);
  const calls = rate(sel(M.statementCalls.name, job), w);
  const seconds = rate(sel(M.statementSeconds.name, job), w);
  const hit = sumBy(['job', 'datname'], rate(sel(M.blocksHit.name, job), w));
  const read = sumBy(['job', 'datname'], rate(sel(M.blocksRead.name, job), w));
  return [
    recordingGroup(props.shared.endpoints.postgresExporter.name, [
      { record: r.calls, expr: sumBy(['job', 'datname'], calls) },
      { record: r.seconds, expr: sumBy(['job', 'datname'], seconds) },
      { record: r.meanDuration, expr: `${sel(r.seconds, job)}\n/\n(${sel(r.calls, job)} > 0)` },
      // pg_stat_statements keeps totals, not a distribution: a statement is slow when its mean over
      // the window is above the threshold, and all its executions in the window count as slow.
      // `or 0 *` the database's calls: a database with statements and none slow records 0, so the
      // slow-query panels say 0 rather than "No data" (which also means "not measured").
      {
        record: r.slowCalls,
        expr: `${sumBy(['job', 'datname'], `${calls}\n  and\n(${seconds} / ${calls} > ${props.settings.slowQuerySeconds})`)}\nor\n0 * ${sumBy(['job', 'datname'], calls)}`,
      },
      {
        record: r.connectionsUsage,
        expr:
          `${sumBy(['job'], sel(M.activityCount.name, { ...job, backend_type: CLIENT_BACKEND }))}\n/\n` +
          maxBy(['job'], `${sel(M.maxConnections.name, job)} - ${sel(M.superuserReservedConnections.name, job)}`),
      },
      { record: r.cacheHitRatio, expr: `${hit}\n/\n(${hit} + ${read} > 0)` },
    ]),
  ];
}
