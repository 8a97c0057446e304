/**
 * Alerts on Redis, which holds the Bull queues, from what the redis exporter reports (./metrics.ts):
 * Redis unreachable, memory near maxmemory, and keys evicted (with Bull, an evicted key is a lost job).
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { increase, jobOf, sel } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { REDIS_METRICS as M } from './metrics';
import { RedisExporterProps } from './settings';

export function alertRules(props: RedisExporterProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.redisExporter);
  const service = 'redis';
  const w = props.shared.rules.rateWindow;
  return [
    alertGroup(service, [
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
      // maxmemory 0 means no limit: dividing by (max > 0) drops that case instead of dividing by 0.
      // With Bull's `noeviction`, full memory makes every write fail; 5m ignores a burst of
      // enqueued jobs that the workers drain.
      alertRule(props.shared.rules, {
        name: 'RedisMemoryHigh',
        remediation: "Finished jobs piling up: clean completed and failed jobs (Bull's clean), and make the backend use removeOnComplete/removeOnFail.",
        severity: 'warning',
        service,
        expr: `${sel(M.memoryUsed.name, job)}\n  /\n(${sel(M.memoryMax.name, job)} > 0)\n> ${props.settings.alerts.memoryRatio}`,
        for: '5m',
        summary: `Redis uses more than ${percent(props.settings.alerts.memoryRatio)} of maxmemory`,
        description: `Redis ${tmpl.label('instance')} uses ${tmpl.percent} of its maxmemory (threshold ${percent(props.settings.alerts.memoryRatio)}); at 100% writes fail or keys are evicted.`,
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
