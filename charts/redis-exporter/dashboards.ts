/**
 * Redis Health: command latency, memory against maxmemory, keyspace, eviction rate and the hit/miss
 * ratio of the Redis that holds the backend's Bull queues and cache.
 */
import { jobOf, sel, sumBy } from '../lib/promql';
import { Dashboard } from '../lib/monitoring';
import { FOLDERS, UNIT, dashboard, upDown, prom, stat, timeseries, warnAbove } from '../lib/panels';
import { REDIS_METRICS as M } from './metrics';
import { redisRecords } from './recording-rules';
import { RedisExporterProps } from './settings';

export const REDIS_DASHBOARD_UID = 'love-redis';

/** The eviction policy Bull needs: any other one may evict a job's keys, and the job is lost. */
export const BULL_MAXMEMORY_POLICY = 'noeviction';

export function dashboards(props: RedisExporterProps): Dashboard[] {
  const a = { ...props.settings.alerts, rateWindow: props.shared.rules.rateWindow };
  const job = jobOf(props.shared.endpoints.redisExporter);
  const r = redisRecords(a.rateWindow);
  const perSecond = (metric: string) => sumBy([], `rate(${sel(metric, job)}[$__rate_interval])`);

  return [
    dashboard({
      uid: REDIS_DASHBOARD_UID,
      title: 'Redis Health',
      description: 'The Redis of the Bull queues and the cache: command latency, memory, keyspace, evictions, hit/miss ratio.',
      tags: ['redis', 'queues'],
      folder: FOLDERS.dataStores,
      rows: [
        {
          title: 'Overview',
          panels: [
            stat({
              title: 'Redis reachable',
              description: 'Whether the exporter could talk to Redis at its last scrape (1) or not (0).',
              unit: UNIT.count,
              width: 4,
              sparkline: false,
              queries: [prom(sel(M.up.name, job), { legend: 'up' })],
              ...upDown(),
            }),
            stat({
              title: 'Eviction policy',
              description: `maxmemory-policy of the instance. Bull needs '${BULL_MAXMEMORY_POLICY}': any other policy may evict a job's keys under memory pressure, and the job is lost.`,
              unit: UNIT.count,
              width: 4,
              sparkline: false,
              show: 'name',
              queries: [prom(sel(M.instanceInfo.name, job), { legend: '{{maxmemory_policy}}', instant: true })],
            }),
            stat({
              title: 'Memory used of maxmemory',
              description: `Memory in use as a share of maxmemory (no value while maxmemory is 0, i.e. unlimited). The Redis memory alert fires above ${a.memoryRatio}.`,
              unit: UNIT.percent,
              width: 4,
              queries: [prom(sel(r.memoryUsage, job), { legend: 'used' })],
              thresholds: warnAbove(a.memoryRatio * 0.75, a.memoryRatio),
            }),
            stat({
              title: 'Hit ratio',
              description: `Share of key lookups that found the key over ${a.rateWindow}.`,
              unit: UNIT.percent,
              width: 4,
              queries: [prom(sel(r.hitRatio, job), { legend: 'hits' })],
            }),
            stat({
              title: 'Connected clients',
              description: 'Client connections (the backend pods, the exporter), replicas excluded.',
              unit: UNIT.count,
              width: 4,
              queries: [prom(sel(M.connectedClients.name, job), { legend: 'clients' })],
            }),
            stat({
              title: 'Evicted keys',
              description: 'Keys evicted because of maxmemory in the selected time range. With Bull on this Redis, anything above 0 may be lost jobs.',
              unit: UNIT.count,
              width: 4,
              sparkline: false,
              queries: [prom(sumBy([], `increase(${sel(M.evictedKeys.name, job)}[$__range])`), { legend: 'evicted', instant: true })],
              thresholds: [{ value: 1, color: 'red' }],
            }),
          ],
        },
        {
          title: 'Command latency',
          panels: [
            timeseries({
              title: 'Command latency p99',
              description: `99th percentile of each command's latency over ${a.rateWindow}, from Redis's LATENCY HISTOGRAM (Redis 7+); the ten slowest commands.`,
              unit: UNIT.microseconds,
              min: 0,
              queries: [prom(`topk(10, ${sel(r.latency, { ...job, quantile: '0.99' })})`, { legend: '{{cmd}}' })],
            }),
            timeseries({
              title: 'Mean command latency',
              description: 'Mean time per call of each command (INFO commandstats, any Redis version); the ten slowest commands.',
              unit: UNIT.seconds,
              min: 0,
              queries: [prom(`topk(10, ${sel(r.meanLatency, job)})`, { legend: '{{cmd}}' })],
            }),
            timeseries({
              title: 'Commands per second',
              description: 'Calls per second of the ten busiest commands.',
              unit: UNIT.perSecond,
              min: 0,
              width: 24,
              queries: [prom(`topk(10, ${sumBy(['cmd'], `rate(${sel(M.commands.name, job)}[$__rate_interval])`)})`, { legend: '{{cmd}}' })],
            }),
          ],
        },
        {
          title: 'Memory and keyspace',
          panels: [
            timeseries({
              title: 'Memory usage',
              description: 'Memory Redis has allocated, and the maxmemory limit when one is set.',
              unit: UNIT.bytes,
              min: 0,
              queries: [prom(sel(M.memoryUsed.name, job), { legend: 'used' }), prom(`${sel(M.memoryMax.name, job)} > 0`, { legend: 'maxmemory' })],
            }),
            timeseries({
              title: 'Keyspace',
              description: 'Keys per logical database, and how many of them have a TTL.',
              unit: UNIT.count,
              min: 0,
              queries: [prom(sel(M.dbKeys.name, job), { legend: '{{db}} keys' }), prom(sel(M.dbKeysExpiring.name, job), { legend: '{{db}} with TTL' })],
            }),
          ],
        },
        {
          title: 'Evictions and hits',
          panels: [
            timeseries({
              title: 'Eviction rate',
              description: 'Keys evicted (maxmemory reached) and expired (TTL passed) per second.',
              unit: UNIT.perSecond,
              min: 0,
              queries: [prom(perSecond(M.evictedKeys.name), { legend: 'evicted' }), prom(perSecond(M.expiredKeys.name), { legend: 'expired' })],
            }),
            timeseries({
              title: 'Hit / miss ratio',
              description: `Share of lookups that found the key over ${a.rateWindow}. A falling ratio on the cache means more work for Postgres.`,
              unit: UNIT.percent,
              min: 0,
              max: 1,
              queries: [prom(sel(r.hitRatio, job), { legend: 'hit ratio' })],
            }),
            timeseries({
              title: 'Lookups by result',
              description: 'Key lookups per second that found the key (hits) and that did not (misses).',
              unit: UNIT.perSecond,
              min: 0,
              width: 24,
              queries: [prom(perSecond(M.keyspaceHits.name), { legend: 'hits' }), prom(perSecond(M.keyspaceMisses.name), { legend: 'misses' })],
            }),
          ],
        },
      ],
    }),
  ];
}
