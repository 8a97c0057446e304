/**
 * The reference backend: a small Love Parser backend (Fastify, prom-client, BullMQ on Redis, a pg
 * pool on Postgres) that serves the whole metrics contract and the health endpoints, with fault
 * switches. The end-to-end run starts it as a child process; it also runs on its own:
 *
 *   DATABASE_URL=postgresql://user:pw@127.0.0.1:5432/db REDIS_URL=redis://:pw@127.0.0.1:6379 \
 *     PORT=3000 npx ts-node e2e/reference-backend/main.ts
 *
 * Environment: DATABASE_URL, REDIS_URL (required); PORT (default 3000), HOST (default 127.0.0.1),
 * DB_POOL_MAX (default 10, pg's default); CONTRACT_METRICS_OFF (default none): contract metric
 * names, comma-separated, that this backend leaves out of /metrics, as a backend that drifted from
 * the contract would (the end-to-end `contract-drift` scenario).
 *
 * Every metric comes from the metrics contract package (packages/metrics-contract), exactly as the
 * Love Parser backend imports it: the end-to-end run proves the package, not a copy of it.
 */
import { RedisConnection } from 'bullmq';
import { Pool } from 'pg';
import { BACKEND_METRICS } from '../../packages/metrics-contract/src/contract';
import { ContractMetrics, createContractMetrics, pgPoolSample } from '../../packages/metrics-contract/src/index';
import { CacheClient, buildApp } from './app';
import { Faults, METRICS_OFF_ENV } from './faults';
import { Queues, withTimeout } from './queues';

/**
 * Removes the named contract metrics from the registry: the backend then serves everything else,
 * with `up` 1, as a backend built against another contract would. A name outside the contract is
 * refused, so a typo cannot make a drift test pass vacuously.
 */
function switchOff(metrics: ContractMetrics, spec: string | undefined): string[] {
  const names = (spec ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const known = new Set(Object.values(BACKEND_METRICS).map((m) => m.name as string));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`reference backend: ${METRICS_OFF_ENV} names ${unknown.join(', ')}, not metrics of the contract`);
  for (const n of names) metrics.registry.removeSingleMetric(n);
  return names;
}

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`reference backend: ${name} is required`);
  return v;
}

/** ioredis options from a `redis://[:password@]host:port[/db]` URL. */
function redisOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number(u.pathname.slice(1) || 0),
  };
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, name text NOT NULL);
  CREATE TABLE IF NOT EXISTS payments (id serial PRIMARY KEY, amount integer NOT NULL, status text NOT NULL);
  INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 100) AS i ON CONFLICT DO NOTHING;
`;

async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: env('DATABASE_URL'),
    max: Number(env('DB_POOL_MAX', '10')),
    // A request waits at most 2s for a connection, then fails instead of piling up.
    connectionTimeoutMillis: 2000,
  });
  // An idle client whose server went away emits 'error'; unhandled, it would end the process.
  pool.on('error', () => undefined);
  await pool.query(SCHEMA); // the backend's migrations, run at boot

  const redis = redisOptions(env('REDIS_URL'));
  // The cache fails fast when Redis is away (no offline queue, no blocking retries); the queues
  // (BullMQ's own connections) wait and reconnect.
  const cacheConnection = new RedisConnection(
    { ...redis, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    { blocking: false, skipVersionCheck: true },
  );
  cacheConnection.on('error', () => undefined);
  const cache = () => cacheConnection.client as Promise<unknown> as Promise<CacheClient & { status: string }>;

  // The metrics exist before the queues and workers that count into them; the queues' depth
  // sampler is set by the package's queue collector when they are created.
  let queues: Queues | undefined;
  const metrics = createContractMetrics({
    samplers: {
      dbPool: () => pgPoolSample(pool),
      redisConnections: async () => {
        const c = await withTimeout(cache(), 200);
        return { queue: queues ? await queues.openConnections() : 0, cache: c?.status === 'ready' ? 1 : 0 };
      },
    },
  });
  const off = switchOff(metrics, process.env[METRICS_OFF_ENV]);
  if (off.length) console.log(`reference backend: contract metrics switched off: ${off.join(', ')}`);
  const q = new Queues({ ...redis, maxRetriesPerRequest: null }, metrics);
  queues = q;
  // Stands in for the Telegram Bot API call of a broadcast.
  q.startWorkers(() => new Promise((resolve) => setTimeout(resolve, 1)));

  const faults = new Faults(pool, q);
  const app = buildApp({ pool, cache, queues: q, metrics, faults });
  const address = await app.listen({ host: env('HOST', '127.0.0.1'), port: Number(env('PORT', '3000')) });
  console.log(`reference backend listening on ${address}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await faults.holdDbConnections(0);
    await q.close();
    await cacheConnection.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
