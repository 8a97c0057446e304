/**
 * Recording rules of the Redis exporter: command latency quantiles from Redis 7's latency histogram
 * (one histogram per command), the mean latency from INFO commandstats (also on older Redis), and
 * the ratios the Redis Health dashboard draws (keyspace hits, memory against maxmemory).
 */
import { jobOf, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { baseName, quantileRules, rateOp, recordName, recordingGroup } from '../lib/recording-rules';
import { REDIS_METRICS as M } from './metrics';
import { RedisExporterProps } from './settings';

/** Quantiles of command latency the dashboard draws. */
export const COMMAND_LATENCY_QUANTILES = [0.5, 0.99] as const;

/** Names of the Redis exporter's recorded series over the rate window `w`; the dashboards read these. */
export function redisRecords(w: string) {
  return {
    /** Latency histogram buckets per command (microseconds). */
    latencyBuckets: recordName(['job', 'cmd'], `${M.commandLatency.name}_bucket`, rateOp(w)),
    /** Latency quantiles per command (microseconds), by `quantile`. */
    latency: recordName(['job', 'cmd'], M.commandLatency.name, rateOp(w, 'quantile')),
    /** Mean time per call of a command, in seconds (INFO commandstats). */
    meanLatency: recordName(['job', 'cmd'], `${baseName(M.commandsDuration.name)}_per_call`, rateOp(w, 'ratio')),
    /** Share of key lookups that found the key. */
    hitRatio: recordName(['job'], baseName(M.keyspaceHits.name), rateOp(w, 'ratio')),
    /** Memory in use as a share of maxmemory; absent while maxmemory is 0 (no limit). */
    memoryUsage: recordName(['instance'], 'redis_memory_used', 'ratio'),
  } as const;
}

export function recordingRules(props: RedisExporterProps): RuleGroup[] {
  const w = props.shared.rules.rateWindow;
  const job = jobOf(props.shared.endpoints.redisExporter);
  const r = redisRecords(w);
  const hits = sumBy(['job'], rate(sel(M.keyspaceHits.name, job), w));
  const misses = sumBy(['job'], rate(sel(M.keyspaceMisses.name, job), w));
  const calls = sumBy(['job', 'cmd'], rate(sel(M.commands.name, job), w));
  return [
    recordingGroup(props.shared.endpoints.redisExporter.name, [
      { record: r.latencyBuckets, expr: sumBy(['job', 'cmd', 'le'], rate(sel(`${M.commandLatency.name}_bucket`, job), w)) },
      ...quantileRules(r.latency, COMMAND_LATENCY_QUANTILES, sel(r.latencyBuckets, job)),
      { record: r.meanLatency, expr: `${sumBy(['job', 'cmd'], rate(sel(M.commandsDuration.name, job), w))}\n/\n(${calls} > 0)` },
      { record: r.hitRatio, expr: `${hits}\n/\n(${hits} + ${misses} > 0)` },
      { record: r.memoryUsage, expr: `${sel(M.memoryUsed.name, job)}\n/\n(${sel(M.memoryMax.name, job)} > 0)` },
    ]),
  ];
}
