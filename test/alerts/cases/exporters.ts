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
  const other = { ...target, instance: '10.0.3.9:9187', pod: 'postgres-exporter-5d8f7-y3y' };
  /** A database's transaction counter growing by `perMinute`. */
  const xact = (metric: string, perMinute: number, datname = 'love_parser') => series(metric, { ...target, datid: datname === 'love_parser' ? '16384' : '16385', datname }, `0+${perMinute}x30`);
  const table = (relname: string) => ({ ...target, datname: 'love_parser', schemaname: 'public', relname });
  const tuples = (relname: string, live: number, dead: number) => [series(P.tableLiveTuples.name, table(relname), `${live}x80`), series(P.tableDeadTuples.name, table(relname), `${dead}x80`)];
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

    ...(['the exporter target is down', 'no exporter target at all (deleted, Pending)'] as const).map((title) =>
      fires('PostgresExporterDown', title, {
        input: title.startsWith('no') ? [] : [series('up', target, '0x10')],
        at: '8m',
        expect: [alert('PostgresExporterDown', 'critical', { service: 'postgres', job: target.job }, 'No postgres exporter can be scraped: PostgreSQL is unwatched', `Prometheus has reached no ${target.job} target for 5m; PostgresDown and every database alert cannot fire.`)],
      }),
    ),
    quiet('PostgresExporterDown', 'the exporter is scraped (whatever PostgreSQL does)', { input: [series('up', target, '1x10'), series(P.up.name, target, '0x10')], at: '8m' }),

    fires('PostgresExporterScrapeFailing', 'a query of the scrape fails while PostgreSQL is up', {
      input: [series(P.lastScrapeError.name, target, '1x20'), series(P.up.name, target, '1x20')],
      at: '15m',
      expect: [alert('PostgresExporterScrapeFailing', 'warning', { ...target, service: 'postgres' }, `The postgres exporter ${target.instance} fails part of its scrape`, `The last scrapes of PostgreSQL by ${target.instance} had errors for 10m (pg_exporter_last_scrape_error 1); some database series are missing or stale.`)],
    }),
    quiet('PostgresExporterScrapeFailing', 'PostgreSQL is down (PostgresDown says that), and a clean scrape', {
      input: [series(P.lastScrapeError.name, target, '1x20'), series(P.up.name, target, '0x20'), series(P.lastScrapeError.name, other, '0x20'), series(P.up.name, other, '1x20')],
      at: '15m',
    }),

    fires('PostgresDeadlocks', 'one deadlock in love_parser', {
      input: [series(P.deadlocks.name, { ...target, datid: '16384', datname: 'love_parser' }, '0x5 1x15'), series(P.deadlocks.name, { ...target, datid: '5', datname: 'postgres' }, '0x20')],
      at: '10m',
      expect: [alert('PostgresDeadlocks', 'warning', { service: 'postgres', instance: target.instance, datname: 'love_parser' }, 'Deadlocks in database love_parser', 'PostgreSQL detected 1 deadlocks in love_parser over the last 15m (threshold 0); each failed one transaction.')],
    }),
    quiet('PostgresDeadlocks', 'a deadlock 20 minutes ago, none since', { input: [series(P.deadlocks.name, { ...target, datid: '16384', datname: 'love_parser' }, '0x2 1x40')], at: '40m' }),

    fires('PostgresHighRollbackRatio', '3 of 10 transactions roll back at 10 a second', {
      input: [xact(P.commits.name, 420), xact(P.rollbacks.name, 180)],
      at: '20m',
      expect: [alert('PostgresHighRollbackRatio', 'warning', { service: 'postgres', instance: target.instance, datname: 'love_parser' }, 'Database love_parser rolls back more than 10% of transactions', '30% of the transactions of love_parser were rolled back over the last 5m (threshold 10%).')],
    }),
    quiet('PostgresHighRollbackRatio', '5% roll back; and half of a trickle (0.2 a second) is below the traffic floor', {
      input: [xact(P.commits.name, 570), xact(P.rollbacks.name, 30), xact(P.commits.name, 6, 'other_db'), xact(P.rollbacks.name, 6, 'other_db')],
      at: '20m',
    }),

    fires('PostgresLongRunningTransaction', 'a transaction open for 15 minutes', {
      input: [series(P.oldestTransactionSeconds.name, target, '0+60x20')],
      at: '15m',
      expect: [alert('PostgresLongRunningTransaction', 'warning', { service: 'postgres', instance: target.instance }, 'A PostgreSQL transaction has been open for more than 600s', `The oldest open transaction on ${target.instance} is 15m 0s old (threshold 600s); it holds locks and blocks vacuum.`)],
    }),
    quiet('PostgresLongRunningTransaction', 'transactions of a few seconds', { input: [series(P.oldestTransactionSeconds.name, target, '2x20')], at: '15m' }),

    fires('PostgresTableNotVacuumed', '30% dead rows of 100000 for over an hour', {
      input: tuples('parsing_jobs', 70000, 30000),
      at: '70m',
      expect: [alert('PostgresTableNotVacuumed', 'warning', { ...table('parsing_jobs'), service: 'postgres' }, 'Table public.parsing_jobs has more than 20% dead rows', '30% of the rows of public.parsing_jobs in love_parser are dead (threshold 20%, at least 10000 rows): vacuum does not keep up.')],
    }),
    quiet('PostgresTableNotVacuumed', '10% dead rows; and a small table, 50% dead but 500 rows', { input: [...tuples('parsing_jobs', 90000, 10000), ...tuples('settings', 500, 500)], at: '70m' }),
  ];
}

/**
 * The replication-lag alert, behind `postgresExporter.replication.enabled` (off in every committed
 * environment: their exporters watch primaries). Run against production with the switch on
 * (SWITCHED_CASES in ./index.ts).
 */
export function postgresReplicationCases({ config, endpoints }: CaseContext): AlertCase[] {
  const target = { job: endpoints.postgresExporter.name, instance: '10.0.3.8:9187', namespace: 'monitoring', pod: 'postgres-exporter-replica-7c9d4-k2m', service: endpoints.postgresExporter.name };
  const threshold = config.postgresExporter.replication.lagSeconds;
  return [
    fires('PostgresReplicationLag', `a replica 120s behind its primary for 10m (threshold ${threshold}s)`, {
      input: [series(P.replicationLag.name, target, '120x20'), series(P.isReplica.name, target, '1x20')],
      at: '10m',
      expect: [
        alert(
          'PostgresReplicationLag',
          'warning',
          { ...target, service: 'postgres' },
          `PostgreSQL replica ${target.instance} lags behind its primary`,
          `The replica watched by ${target.instance} is 2m 0s behind its primary (threshold ${threshold}s).`,
        ),
      ],
    }),
    quiet('PostgresReplicationLag', 'a primary (is_replica 0), whatever its lag series says; and a replica 10s behind', {
      input: [
        series(P.replicationLag.name, target, '120x20'),
        series(P.isReplica.name, target, '0x20'),
        series(P.replicationLag.name, { ...target, instance: '10.0.3.9:9187' }, '10x20'),
        series(P.isReplica.name, { ...target, instance: '10.0.3.9:9187' }, '1x20'),
      ],
      at: '10m',
    }),
    quiet('PostgresReplicationLag', 'a replica 120s behind for 3m only: a burst of replay, under its 5m', {
      input: [series(P.replicationLag.name, target, '0x5 120x3 0x12'), series(P.isReplica.name, target, '1x20')],
      at: '10m',
    }),
  ];
}

export function redisCases({ endpoints }: CaseContext): AlertCase[] {
  const target = { job: endpoints.redisExporter.name, instance: '10.0.3.8:9121', namespace: 'monitoring', pod: 'redis-exporter-6c9b4-k7m', service: endpoints.redisExporter.name };
  const other = { ...target, instance: '10.0.3.9:9121', pod: 'redis-exporter-6c9b4-p2q' };
  const memoryHigh = (t: typeof target, value: string) =>
    alert('RedisMemoryHigh', 'warning', { ...t, service: 'redis' }, 'Redis uses more than 90% of maxmemory, or 80% of the machine without maxmemory', `Redis ${t.instance} uses ${value} of its limit (maxmemory at 90%, or the machine's memory at 80% when maxmemory is 0); at 100% writes fail or keys are evicted.`);
  const info = (policy: string, values = '1x20') => series(R.instanceInfo.name, { ...target, role: 'master', redis_version: '7.0.15', maxmemory_policy: policy }, values);
  return [
    ...(['the exporter target is down', 'no exporter target at all (deleted, Pending)'] as const).map((title) =>
      fires('RedisExporterDown', title, {
        input: title.startsWith('no') ? [] : [series('up', target, '0x10')],
        at: '8m',
        expect: [alert('RedisExporterDown', 'critical', { service: 'redis', job: target.job }, 'No redis exporter can be scraped: Redis is unwatched', `Prometheus has reached no ${target.job} target for 5m; RedisDown and every Redis alert cannot fire.`)],
      }),
    ),
    quiet('RedisExporterDown', 'the exporter is scraped', { input: [series('up', target, '1x10')], at: '8m' }),

    fires('RedisEvictionPolicyUnsafe', 'maxmemory-policy switched to allkeys-lru at runtime', {
      // The info series changes labels: the noeviction series ends, the allkeys-lru one begins.
      input: [info('noeviction', '1x4'), info('allkeys-lru', '_x5 1x10')],
      at: '10m',
      expect: [alert('RedisEvictionPolicyUnsafe', 'warning', { service: 'redis', instance: target.instance, maxmemory_policy: 'allkeys-lru' }, 'Redis evicts keys under memory pressure (maxmemory-policy allkeys-lru)', `Redis ${target.instance} runs with maxmemory-policy allkeys-lru: when memory fills it deletes keys, and Bull silently loses the jobs they hold. Bull needs noeviction.`)],
    }),
    quiet('RedisEvictionPolicyUnsafe', 'noeviction', { input: [info('noeviction')], at: '10m' }),

    fires('RedisBackgroundSaveFailed', 'the last RDB snapshot failed', {
      input: [series(R.lastBgsaveStatus.name, target, '1x3 0x10')],
      at: '10m',
      expect: [alert('RedisBackgroundSaveFailed', 'critical', { ...target, service: 'redis' }, 'The last Redis background save failed', `The last RDB snapshot of Redis ${target.instance} failed and none has succeeded since, for 5m; Redis may refuse writes (stop-writes-on-bgsave-error).`)],
    }),
    quiet('RedisBackgroundSaveFailed', 'one failed save, the next one succeeded', { input: [series(R.lastBgsaveStatus.name, target, '1x3 0x2 1x8')], at: '10m' }),

    fires('RedisRejectedConnections', 'three connections refused a minute', {
      input: [series(R.rejectedConnections.name, target, '0+3x20')],
      at: '10m',
      expect: [alert('RedisRejectedConnections', 'warning', { ...target, service: 'redis' }, 'Redis refuses connections (maxclients reached)', `Redis ${target.instance} refused 15 connections over the last 5m: maxclients is reached.`)],
    }),
    quiet('RedisRejectedConnections', 'refusals long ago, none in the window', { input: [series(R.rejectedConnections.name, target, '0+3x3 9x16')], at: '15m' }),

    fires('RedisDown', 'the exporter cannot reach Redis', {
      input: [series(R.up.name, target, '0x10')],
      at: '5m',
      expect: [alert('RedisDown', 'critical', { ...target, service: 'redis', notify_sms: 'true' }, 'Redis is unreachable', `The redis exporter ${target.instance} has not been able to talk to Redis for 1m; Bull queues and the cache are down.`)],
    }),
    quiet('RedisDown', 'Redis answers', { input: [series(R.up.name, target, '1x10')], at: '5m' }),

    fires('RedisMemoryHigh', '950 of 1000 MiB of maxmemory; without maxmemory, 14 of 16 GiB of the machine', {
      input: [
        series(R.memoryUsed.name, target, '996147200x20'),
        series(R.memoryMax.name, target, '1048576000x20'),
        series(R.totalSystemMemory.name, target, `${16 * 1024 ** 3}x20`),
        series(R.memoryUsed.name, other, `${14 * 1024 ** 3}x20`),
        series(R.memoryMax.name, other, '0x20'),
        series(R.totalSystemMemory.name, other, `${16 * 1024 ** 3}x20`),
      ],
      at: '10m',
      expect: [memoryHigh(target, '95%'), memoryHigh(other, '87.5%')],
    }),
    quiet('RedisMemoryHigh', '80% of maxmemory; and without maxmemory (0, never divided by) 50% of the machine', {
      input: [
        series(R.memoryUsed.name, target, '800x20'),
        series(R.memoryMax.name, target, '1000x20'),
        series(R.totalSystemMemory.name, target, '1000x20'),
        series(R.memoryUsed.name, other, '500x20'),
        series(R.memoryMax.name, other, '0x20'),
        series(R.totalSystemMemory.name, other, '1000x20'),
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
  const inodes = (labels: typeof root, free: string, readonly = 0) => [
    series(N.filesystemFiles.name, labels, '100x30'),
    series(N.filesystemFilesFree.name, labels, free),
    series(N.filesystemReadonly.name, labels, `${readonly}x30`),
  ];
  const filesLow = (mountpoint: string, device: string, severity: 'warning' | 'critical', threshold: string, value: string) =>
    alert('NodeFilesystemFilesLow', severity, { ...root, device, mountpoint, service: 'node' }, `Filesystem ${mountpoint} on ${node.instance} has less than ${threshold} of its inodes free`, `Filesystem ${mountpoint} on ${node.instance} (${device}) has ${value} of its inodes left (threshold ${threshold}); at none, no file can be created whatever the free space.`);
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

    ...(['the exporter target is down', 'no exporter target at all (DaemonSet gone)'] as const).map((title) =>
      fires('NodeExporterDown', title, {
        input: title.startsWith('no') ? [] : [series('up', node, '0x10')],
        at: '8m',
        expect: [alert('NodeExporterDown', 'critical', { service: 'node', job: node.job }, 'No node exporter can be scraped: the nodes are unwatched', `Prometheus has reached no ${node.job} target for 5m; no disk, memory or clock alert of any node can fire.`)],
      }),
    ),
    quiet('NodeExporterDown', 'one of two node exporters is up (the other is PrometheusTargetDown)', { input: [series('up', node, '1x10'), series('up', { ...node, instance: 'worker-2', node: 'worker-2', pod: 'node-exporter-x7k2p' }, '0x10')], at: '8m' }),

    fires('NodeFilesystemFilesLow', '4% of inodes free warns; 2% is critical too', {
      input: [...inodes(root, '4x30'), ...inodes({ ...root, device: '/dev/sdb1', mountpoint: '/data' }, '2x30')],
      at: '20m',
      expect: [
        filesLow('/', '/dev/sda1', 'warning', '5%', '4%'),
        filesLow('/data', '/dev/sdb1', 'warning', '5%', '2%'),
        filesLow('/data', '/dev/sdb1', 'critical', '3%', '2%'),
      ],
    }),
    quiet('NodeFilesystemFilesLow', '20% of inodes free; a read-only filesystem without free inodes', { input: [...inodes(root, '20x30'), ...inodes(snap, '0x30', 1)], at: '20m' }),

    fires('NodeClockNotSynchronising', 'chrony stopped: not synchronised, maxerror at 16s', {
      input: [series(N.timexSyncStatus.name, node, '1x5 0x30'), series(N.timexMaxError.name, node, '0.1x5 16x30')],
      at: '30m',
      expect: [alert('NodeClockNotSynchronising', 'warning', { ...node, service: 'node' }, `The clock of ${node.instance} is not synchronised`, `Nothing has synchronised the clock of ${node.instance} for 10m (NTP or chrony stopped, or cannot reach a server); it drifts from now on. Signed payment callbacks and token expiry depend on it.`)],
    }),
    quiet('NodeClockNotSynchronising', 'synchronised; and unsynchronised but still accurate (maxerror 2s)', {
      input: [series(N.timexSyncStatus.name, node, '1x30'), series(N.timexMaxError.name, node, '0.1x30'), series(N.timexSyncStatus.name, { ...node, instance: 'worker-2' }, '0x30'), series(N.timexMaxError.name, { ...node, instance: 'worker-2' }, '2x30')],
      at: '30m',
    }),

    fires('NodeClockSkew', 'the offset grows past 50ms', {
      input: [series(N.timexOffset.name, node, '0.04+0.001x40')],
      at: '35m',
      expect: [alert('NodeClockSkew', 'warning', { ...node, service: 'node' }, `The clock of ${node.instance} is off by more than 0.05s`, `The clock of ${node.instance} is 75ms off its time source and not converging (threshold 0.05s); signed payment callbacks may be refused.`)],
    }),
    quiet('NodeClockSkew', 'a large offset that NTP is shrinking; a small steady one', {
      input: [series(N.timexOffset.name, node, '0.2-0.001x40'), series(N.timexOffset.name, { ...node, instance: 'worker-2' }, '0.01x40')],
      at: '35m',
    }),

    fires('NodeConntrackTableFull', '200000 of 262144 entries', {
      input: [series(N.conntrackEntries.name, node, '200000x20'), series(N.conntrackLimit.name, node, '262144x20')],
      at: '10m',
      expect: [alert('NodeConntrackTableFull', 'warning', { ...node, service: 'node' }, `The conntrack table of ${node.instance} is more than 75% full`, `The connection-tracking table of ${node.instance} is 76.29% full (threshold 75%); at 100% new connections are dropped.`)],
    }),
    quiet('NodeConntrackTableFull', '100000 of 262144 entries', { input: [series(N.conntrackEntries.name, node, '100000x20'), series(N.conntrackLimit.name, node, '262144x20')], at: '10m' }),

    fires('NodeFileDescriptorsHigh', '80% of fs.file-max allocated', {
      input: [series(N.filefdAllocated.name, node, '800x30'), series(N.filefdMaximum.name, node, '1000x30')],
      at: '20m',
      expect: [alert('NodeFileDescriptorsHigh', 'warning', { ...node, service: 'node' }, `${node.instance} has allocated more than 70% of its file descriptors`, `${node.instance} has allocated 80% of fs.file-max (threshold 70%); at 100% opening files and sockets fails node-wide.`)],
    }),
    quiet('NodeFileDescriptorsHigh', '1016 of 2466170 (this machine)', { input: [series(N.filefdAllocated.name, node, '1016x30'), series(N.filefdMaximum.name, node, '2466170x30')], at: '20m' }),

    fires('NodeDiskIOSaturated', 'an average queue of 12 requests for 40 minutes', {
      input: [series(N.diskIoTimeWeighted.name, { ...node, device: 'sda' }, '0+720x50')],
      at: '45m',
      expect: [alert('NodeDiskIOSaturated', 'warning', { ...node, device: 'sda', service: 'node' }, `Disk sda of ${node.instance} is saturated`, `Disk sda of ${node.instance} has had an average I/O queue of 12 over the last 5m for 30m (threshold 10).`)],
    }),
    quiet('NodeDiskIOSaturated', 'a queue of 12 for 20 minutes (a backup), then 2', { input: [series(N.diskIoTimeWeighted.name, { ...node, device: 'sda' }, '0+720x20 14400+120x30')], at: '45m' }),

    fires('NodeNetworkInterfaceErrors', '2% of received packets with errors for over an hour', {
      input: [
        series(N.networkReceiveErrors.name, { ...node, device: 'eth0' }, '0+120x80'),
        series(N.networkReceivePackets.name, { ...node, device: 'eth0' }, '0+6000x80'),
        series(N.networkTransmitErrors.name, { ...node, device: 'eth0' }, '0x80'),
        series(N.networkTransmitPackets.name, { ...node, device: 'eth0' }, '0+6000x80'),
      ],
      at: '75m',
      expect: [alert('NodeNetworkInterfaceErrors', 'warning', { ...node, device: 'eth0', direction: 'receive', service: 'node' }, `Interface eth0 of ${node.instance} has receive errors`, `2% of the packets of eth0 on ${node.instance} (direction receive) had errors over the last 5m (threshold 1%).`)],
    }),
    quiet('NodeNetworkInterfaceErrors', '0.1% of sent packets with errors', {
      input: [series(N.networkTransmitErrors.name, { ...node, device: 'eth0' }, '0+6x80'), series(N.networkTransmitPackets.name, { ...node, device: 'eth0' }, '0+6000x80')],
      at: '75m',
    }),
  ];
}
