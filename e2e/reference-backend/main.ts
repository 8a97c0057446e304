/**
 * The reference backend: a small Love Parser backend (Fastify, prom-client, BullMQ on Redis, a pg
 * pool on Postgres) that serves the whole metrics contract and the health endpoints, with fault
 * switches. The end-to-end run starts it as a child process; it also runs on its own:
 *
 *   DATABASE_URL=postgresql://user:pw@127.0.0.1:5432/db REDIS_URL=redis://:pw@127.0.0.1:6379 \
 *     PORT=3000 npx ts-node e2e/reference-backend/main.ts
 *
 * Environment: DATABASE_URL, REDIS_URL (required); PORT (default 3000), HOST (default 127.0.0.1),
 * DB_POOL_MAX (default 10, pg's default).
 */
import { RedisConnection } from 'bullmq';
import { Pool } from 'pg';
import { CacheClient, buildApp } from './app';
import { Faults } from './faults';
import { createMetrics } from './metrics';
import { Queues, withTimeout } from './queues';

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

  // The queues exist before the metrics that sample them, and the metrics before the workers that
  // count: `queues` is assigned right below.
  let queues: Queues | undefined;
  const metrics = createMetrics({
    queueJobs: async () => (queues ? queues.jobCounts(500) : undefined),
    queuePaused: async () => (queues ? queues.pausedStates(500) : undefined),
    dbPool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 }),
    redisConnections: async () => {
      const c = await withTimeout(cache(), 200);
      return { queue: queues ? await queues.openConnections() : 0, cache: c?.status === 'ready' ? 1 : 0 };
    },
  });
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
