/**
 * Alerts on Redis, which holds the Bull queues, from what the redis exporter reports (./metrics.ts):
 * Redis unreachable, memory near maxmemory, and keys evicted (with Bull, an evicted key is a lost job).
 */
import { alertGroup, alertRule, percent, tmpl, exporterDownRule } from '../lib/alert-rules';
import { increase, jobOf, maxBy, sel } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { REDIS_METRICS as M } from './metrics';
import { RedisExporterProps } from './settings';

export function alertRules(props: RedisExporterProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.redisExporter);
  const service = 'redis';
  const w = props.shared.rules.rateWindow;
  return [
    alertGroup(service, [
      // RedisDown reads redis_up, which only a running exporter reports: with the exporter gone
      // nothing would say Redis is unwatched. 5m: a rollout of the exporter takes seconds;
      // critical because the queues' store has no alert left.
      exporterDownRule(props.shared.rules, {
        name: 'RedisExporterDown',
        remediation: "Pending: read the events; crash loop: the logs (the redis-exporter Secret's address and password keys).",
        service,
        exporter: props.shared.endpoints.redisExporter,
        watched: 'Redis is',
        blind: 'RedisDown and every Redis alert cannot fire',
      }),
      // Bull loses its jobs when a key is evicted; only `noeviction` makes Redis refuse the write
      // instead (the backend sees the error). A setting, not a load: 1m rides out one odd scrape,
      // and it must be seen before memory fills (then RedisEvictingKeys is already too late).
      alertRule(props.shared.rules, {
        name: 'RedisEvictionPolicyUnsafe',
        remediation: "redis-cli CONFIG SET maxmemory-policy noeviction, and fix the source (the Redis config file, or the managed service's parameter group) so a restart keeps it; CONFIG REWRITE if Redis owns its file.",
        severity: 'warning',
        service,
        expr: `${maxBy(['instance', 'maxmemory_policy'], sel(M.instanceInfo.name, { ...job, maxmemory_policy: { not: 'noeviction' } }))} == 1`,
        for: '1m',
        summary: `Redis evicts keys under memory pressure (maxmemory-policy ${tmpl.label('maxmemory_policy')})`,
        description: `Redis ${tmpl.label('instance')} runs with maxmemory-policy ${tmpl.label('maxmemory_policy')}: when memory fills it deletes keys, and Bull silently loses the jobs they hold. Bull needs noeviction.`,
      }),
      // A failed RDB snapshot: with stop-writes-on-bgsave-error (the default) Redis refuses every
      // write until a save succeeds, so queues stop; without it, a restart loses the data since the
      // last good save. 5m: the next save (or a retry) may succeed.
      alertRule(props.shared.rules, {
        name: 'RedisBackgroundSaveFailed',
        remediation: "Free disk or fix the directory's permissions, then redis-cli BGSAVE and check LASTSAVE.",
        severity: 'critical',
        service,
        expr: `${sel(M.lastBgsaveStatus.name, job)} == 0`,
        for: '5m',
        summary: 'The last Redis background save failed',
        description: `The last RDB snapshot of Redis ${tmpl.label('instance')} failed and none has succeeded since, for 5m; Redis may refuse writes (stop-writes-on-bgsave-error).`,
      }),
      // maxclients reached: new connections (a restarted backend pod, a worker) are refused. An
      // event: the increase over the rate window keeps it visible; 1m, not 0, rides out a reset.
      alertRule(props.shared.rules, {
        name: 'RedisRejectedConnections',
        remediation: 'A connection leak: restart the leaking pods, then fix the code; otherwise raise maxclients.',
        severity: 'warning',
        service,
        expr: `${increase(sel(M.rejectedConnections.name, job), w)} > 0`,
        for: '1m',
        summary: 'Redis refuses connections (maxclients reached)',
        description: `Redis ${tmpl.label('instance')} refused ${tmpl.number} connections over the last ${w}: maxclients is reached.`,
      }),
      // The original stack's name. Queues, workers and the cache stop with Redis; 1m rides out a
      // restart (Redis loads its RDB in seconds at this size), then a text wakes someone.
      alertRule(props.shared.rules, {
        name: 'RedisDown',
        remediation: 'Redis down: restart it with the tool that runs it; if it was OOM-killed, give it more memory and check RedisMemoryHigh.',
        severity: 'critical',
        notifySms: true,
        service,
        expr: `${sel(M.up.name, job)} == 0`,
        for: '1m',
        summary: 'Redis is unreachable',
        description: `The redis exporter ${tmpl.label('instance')} has not been able to talk to Redis for 1m; Bull queues and the cache are down.`,
      }),
      // Against maxmemory when it is set; when it is 0 (no limit), against the machine's memory,
      // which Redis would otherwise fill until the OOM killer (or the container limit: Redis does
      // not see it, so keep maxmemory below that limit) ends it. Dividing by (max > 0) drops the
      // unlimited case from the first branch instead of dividing by 0. With Bull's `noeviction`,
      // full memory makes every write fail; 5m ignores a burst of jobs the workers drain.
      alertRule(props.shared.rules, {
        name: 'RedisMemoryHigh',
        remediation: "Finished jobs piling up: clean completed and failed jobs (Bull's clean), and make the backend use removeOnComplete/removeOnFail.",
        severity: 'warning',
        service,
        expr:
          `(\n${sel(M.memoryUsed.name, job)}\n  /\n(${sel(M.memoryMax.name, job)} > 0)\n) > ${props.settings.alerts.memoryRatio}\nor\n` +
          `(\n${sel(M.memoryUsed.name, job)}\n  /\n${sel(M.totalSystemMemory.name, job)}\n) > ${props.settings.alerts.systemMemoryRatio}\nand\n${sel(M.memoryMax.name, job)} == 0`,
        for: '5m',
        summary: `Redis uses more than ${percent(props.settings.alerts.memoryRatio)} of maxmemory, or ${percent(props.settings.alerts.systemMemoryRatio)} of the machine without maxmemory`,
        description: `Redis ${tmpl.label('instance')} uses ${tmpl.percent} of its limit (maxmemory at ${percent(props.settings.alerts.memoryRatio)}, or the machine's memory at ${percent(props.settings.alerts.systemMemoryRatio)} when maxmemory is 0); at 100% writes fail or keys are evicted.`,
      }),
      // Any eviction is an incident: Bull keeps jobs in keys, so an evicted key is a lost job. An
      // event, not a state, hence no `for`: it fires while the window holds evictions.
      alertRule(props.shared.rules, {
        name: 'RedisEvictingKeys',
        remediation: 'Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in the Redis configuration so it survives a restart).',
        severity: 'critical',
        service,
        expr: `${increase(sel(M.evictedKeys.name, job), w)} > 0`,
        for: '0m',
        summary: 'Redis is evicting keys (queue jobs may be lost)',
        description: `Redis ${tmpl.label('instance')} evicted ${tmpl.number} keys over the last ${w}; its maxmemory_policy must be noeviction for Bull.`,
      }),
    ]),
  ];
}
