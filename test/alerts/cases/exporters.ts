/** Cases of the exporters' alerts (Postgres, Redis, node), with series named from their metric modules. */
import { NODE_METRICS as N } from '../../../charts/node-exporter/metrics';
import { POSTGRES_METRICS as P } from '../../../charts/postgres-exporter/metrics';
import { REDIS_METRICS as R } from '../../../charts/redis-exporter/metrics';
import { AlertCase, CaseContext, fires, quiet, series } from '../harness';
import { alert } from './common';

export function postgresCases({ endpoints }: CaseContext): AlertCase[] {
  // Target labels as podScrapeJob writes them; the rules' own `service` must win over the scraped one.
  const target = { job: endpoints.postgresExporter.name, instance: '10.0.3.7:9187', namespace: 'monitoring', pod: 'postgres-exporter-5d8f7-x2x', service: endpoints.postgresExporter.name };
  const activity = (state: string, backendType: string, n: number) =>
    series(P.activityCount.name, { ...target, datname: 'love_parser', state, usename: 'app', backend_type: backendType }, `${n}x20`);
  const settings = [series(P.maxConnections.name, target, '103x20'), series(P.superuserReservedConnections.name, target, '3x20')];
  const down = alert('PostgresDown', 'critical', { ...target, service: 'postgres', notify_sms: 'true' }, 'PostgreSQL is unreachable', `The postgres exporter ${target.instance} has not been able to connect to PostgreSQL for 1m.`);
  return [
    fires('PostgresDown', 'the exporter cannot connect', { input: [series(P.up.name, target, '0x10')], at: '5m', expect: [down] }),
    quiet('PostgresDown', 'the exporter connects', { input: [series(P.up.name, target, '1x10')], at: '5m' }),
    quiet('PostgresDown', 'a 30s restart', { interval: '15s', input: [series(P.up.name, target, '1x8 0x1 1x30')], at: '8m' }),

    fires('PostgresTooManyConnections', '90 client connections of 100 usable (103 minus 3 reserved)', {
      input: [...settings, activity('active', 'client backend', 30), activity('idle', 'client backend', 60), activity('active', 'autovacuum worker', 3)],
      at: '10m',
      expect: [
        alert('PostgresTooManyConnections', 'warning', { service: 'postgres', instance: target.instance }, 'PostgreSQL connections are above 80% of max_connections', 'Client connections use 90% of the connections PostgreSQL allows ordinary roles (max_connections minus superuser_reserved_connections; threshold 80%).'),
      ],
    }),
    quiet('PostgresTooManyConnections', '70 client connections; background workers do not count', {
      input: [...settings, activity('idle', 'client backend', 70), activity('active', 'background writer', 30)],
      at: '10m',
    }),
  ];
}

export function redisCases({ endpoints }: CaseContext): AlertCase[] {
  const target = { job: endpoints.redisExporter.name, instance: '10.0.3.8:9121', namespace: 'monitoring', pod: 'redis-exporter-6c9b4-k7m', service: endpoints.redisExporter.name };
  const other = { ...target, instance: '10.0.3.9:9121', pod: 'redis-exporter-6c9b4-p2q' };
  return [
    fires('RedisDown', 'the exporter cannot reach Redis', {
      input: [series(R.up.name, target, '0x10')],
      at: '5m',
      expect: [alert('RedisDown', 'critical', { ...target, service: 'redis', notify_sms: 'true' }, 'Redis is unreachable', `The redis exporter ${target.instance} has not been able to talk to Redis for 1m; Bull queues and the cache are down.`)],
    }),
    quiet('RedisDown', 'Redis answers', { input: [series(R.up.name, target, '1x10')], at: '5m' }),

    fires('RedisMemoryHigh', '950 of 1000 MiB', {
      input: [series(R.memoryUsed.name, target, '996147200x20'), series(R.memoryMax.name, target, '1048576000x20')],
      at: '10m',
      expect: [alert('RedisMemoryHigh', 'warning', { ...target, service: 'redis' }, 'Redis uses more than 90% of maxmemory', `Redis ${target.instance} uses 95% of its maxmemory (threshold 90%); at 100% writes fail or keys are evicted.`)],
    }),
    quiet('RedisMemoryHigh', '80% used, and an instance without maxmemory (0) is not divided by zero', {
      input: [
        series(R.memoryUsed.name, target, '800x20'),
        series(R.memoryMax.name, target, '1000x20'),
        series(R.memoryUsed.name, other, '950x20'),
        series(R.memoryMax.name, other, '0x20'),
      ],
      at: '10m',
    }),

    fires('RedisEvictingKeys', 'two keys evicted a minute', {
      input: [series(R.evictedKeys.name, target, '0+2x20')],
      at: '10m',
      expect: [alert('RedisEvictingKeys', 'critical', { ...target, service: 'redis' }, 'Redis is evicting keys (queue jobs may be lost)', `Redis ${target.instance} evicted 10 keys over the last 5m; its maxmemory_policy must be noeviction for Bull.`)],
    }),
    quiet('RedisEvictingKeys', 'evictions long ago, none in the window', { input: [series(R.evictedKeys.name, target, '0+2x3 6x16')], at: '15m' }),
  ];
}

export function nodeCases({ endpoints }: CaseContext): AlertCase[] {
  // A host agent's `instance` is its node name (podScrapeJob with nodeLabel).
  const node = { job: endpoints.nodeExporter.name, instance: 'worker-1', node: 'worker-1', namespace: 'monitoring-agents', pod: 'node-exporter-8fj2k', service: endpoints.nodeExporter.name };
  const root = { ...node, device: '/dev/sda1', mountpoint: '/', fstype: 'ext4' };
  const snap = { ...node, device: '/dev/loop0', mountpoint: '/snap/core/1', fstype: 'squashfs' };
  const fs = (labels: typeof root, size: number, avail: string, readonly = 0) => [
    series(N.filesystemSize.name, labels, `${size}x200`),
    series(N.filesystemAvail.name, labels, avail),
    series(N.filesystemReadonly.name, labels, `${readonly}x200`),
  ];
  const low = (severity: 'warning' | 'critical', threshold: string, value: string) =>
    alert('NodeFilesystemSpaceLow', severity, { ...root, service: 'node' }, `Filesystem / on ${node.instance} has less than ${threshold} free`, `Filesystem / on ${node.instance} (/dev/sda1) has ${value} of its space left (threshold ${threshold}).`);
  const filling = (severity: 'warning' | 'critical', within: string, value: string) =>
    alert('NodeFilesystemFillingUp', severity, { ...root, service: 'node' }, `Filesystem / on ${node.instance} will be full within ${within}`, `Filesystem / on ${node.instance} (/dev/sda1) has ${value} of its space left and, at the rate of the last 6h, fills up within ${within}.`);
  const memory = (available: number) => [series(N.memoryAvailable.name, node, `${available}x20`), series(N.memoryTotal.name, node, `${8 * 1024 ** 3}x20`)];
  return [
    fires('NodeFilesystemSpaceLow', '8% free warns', { input: fs(root, 100, '8x30'), at: '20m', expect: [low('warning', '10%', '8%')] }),
    fires('NodeFilesystemSpaceLow', '4% free is critical and warns', { input: fs(root, 100, '4x30'), at: '20m', expect: [low('warning', '10%', '4%'), low('critical', '5%', '4%')] }),
    quiet('NodeFilesystemSpaceLow', '20% free, and a full read-only filesystem', { input: [...fs(root, 100, '20x30'), ...fs(snap, 100, '0x30', 1)], at: '20m' }),
    quiet('NodeFilesystemSpaceLow', '8% free for less than 15m', { input: fs(root, 100, '20x15 8x15'), at: '25m' }),

    // 600 bytes free of 1000, falling: at 90m, 0.5/min leaves 1110 minutes (18.5h); 3/min leaves 110 minutes.
    fires('NodeFilesystemFillingUp', 'full in 18.5h warns', { input: fs(root, 1000, '600-0.5x120'), at: '90m', expect: [filling('warning', '24h', '55.5%')] }),
    fires('NodeFilesystemFillingUp', 'full in 110 minutes is critical and warns', {
      input: fs(root, 1000, '600-3x120'),
      at: '90m',
      expect: [filling('warning', '24h', '33%'), filling('critical', '4h', '33%')],
    }),
    quiet('NodeFilesystemFillingUp', 'steady and growing free space; a shrinking read-only filesystem', {
      input: [...fs(root, 1000, '500x120'), ...fs({ ...root, device: '/dev/sdb1', mountpoint: '/data' }, 1000, '100+1x120'), ...fs(snap, 1000, '600-3x120', 1)],
      at: '90m',
    }),

    fires('NodeMemoryPressure', '512MiB of 8GiB available', {
      input: memory(512 * 1024 ** 2),
      at: '15m',
      expect: [alert('NodeMemoryPressure', 'warning', { ...node, service: 'node' }, `Node ${node.instance} has less than 10% memory available`, `Node ${node.instance} has 6.25% of its memory available (threshold 10%); the OOM killer is next.`)],
    }),
    quiet('NodeMemoryPressure', '1GiB of 8GiB available', { input: memory(1024 ** 3), at: '15m' }),
  ];
}
