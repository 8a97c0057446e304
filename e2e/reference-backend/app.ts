/**
 * The reference backend's HTTP surface: a slice of the Love Parser API (users, stats, broadcasts,
 * parsing, audience segments, payments and their provider callbacks), the health endpoints the
 * Kubernetes probes use, and /metrics. Fault switches are registered by faults.ts.
 */
import Fastify, { FastifyInstance, FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { HEALTH, METRICS_PATH } from '../../charts/backend/backend';
import { ContractMetrics, instrumentFastify } from '../../packages/metrics-contract/src/index';
import { FAULTS_PREFIX, Faults } from './faults';
import { Queues, withTimeout } from './queues';

/** The client used as a cache (BullMQ's connection wrapper around ioredis). */
export interface CacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  ping(): Promise<string>;
}

export interface AppDeps {
  readonly pool: Pool;
  readonly cache: () => Promise<CacheClient>;
  readonly queues: Queues;
  readonly metrics: ContractMetrics;
  readonly faults: Faults;
}

/** A dependency check answers within this, or counts as down: probes must fail fast, not hang. */
const CHECK_TIMEOUT_MS = 1000;

type HealthPath = typeof HEALTH.live | typeof HEALTH.ready | (typeof HEALTH.deep)[number];
type Check = { ok: boolean; [detail: string]: unknown };

export function buildApp(deps: AppDeps): FastifyInstance {
  const { pool, queues, metrics, faults } = deps;
  const app = Fastify({ logger: false });
  const started = Date.now();

  // ---- request metrics: the package's hook, and /metrics ---------------------------------------
  // Labelled by route template, never the raw URL; scrapes and fault switches are not traffic.
  instrumentFastify(app, metrics, { metricsPath: METRICS_PATH, exclude: (route) => route.startsWith(FAULTS_PREFIX) });

  // ---- the 5xx fault: chosen routes fail before their handler runs -------------------------
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    if (route !== undefined && faults.failingRoutes.has(route)) {
      await reply.code(500).send({ error: 'injected fault: this route answers 500' });
    }
  });

  // ---- health ------------------------------------------------------------------------------
  const db = async (): Promise<Check> => {
    const r = await withTimeout(pool.query('SELECT 1 AS ok').then(() => true), CHECK_TIMEOUT_MS);
    return { ok: r === true, pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } };
  };
  const redis = async (): Promise<Check> => {
    const r = await withTimeout(deps.cache().then((c) => c.ping()), CHECK_TIMEOUT_MS);
    return { ok: r === 'PONG' };
  };
  // Typed by the paths of HEALTH: a path added to the contract without a handler does not compile.
  const health: Record<HealthPath, () => Promise<Check>> = {
    '/health': async () => ({ ok: true, uptimeSeconds: Math.round((Date.now() - started) / 1000) }),
    '/health/live': async () => ({ ok: true }),
    '/health/ready': async () => {
      const [d, r] = await Promise.all([db(), redis()]);
      return { ok: d.ok && r.ok, postgres: d.ok, redis: r.ok };
    },
    '/health/db': db,
    '/health/redis': redis,
    // The reference backend talks to no Telegram; the Love Parser backend calls getMe here.
    '/health/telegram': async () => ({ ok: true, telegram: 'not configured in the reference backend' }),
  };
  const answer = async (reply: FastifyReply, check: () => Promise<Check>) => {
    const { ok, ...detail } = await check();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'fail', ...detail });
  };
  for (const [path, check] of Object.entries(health)) {
    // Both /health/* and /api/health/* are served (the seed's backend registers both).
    app.get(path, (_req, reply) => answer(reply, check));
    app.get(`/api${path}`, (_req, reply) => answer(reply, check));
  }

  // ---- the API -----------------------------------------------------------------------------
  app.get<{ Params: { id: string } }>('/api/users/:id', async (req, reply) => {
    const r = await pool.query('SELECT id, name FROM users WHERE id = $1', [Number(req.params.id)]);
    return r.rowCount ? r.rows[0] : reply.code(404).send({ error: 'no such user' });
  });

  app.get('/api/stats', async () => {
    const cache = await deps.cache();
    const cached = await cache.get('stats');
    if (cached) return JSON.parse(cached);
    const r = await pool.query<{ users: string; payments: string }>(
      'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM payments) AS payments',
    );
    const stats = { users: Number(r.rows[0].users), payments: Number(r.rows[0].payments) };
    await cache.set('stats', JSON.stringify(stats), 'EX', 5);
    return stats;
  });

  app.post<{ Body: { recipients?: number } }>('/api/broadcasts', async (req, reply) => {
    const job = await queues.broadcast.add('broadcast', { recipients: req.body?.recipients ?? 3 });
    return reply.code(202).send({ id: job.id });
  });

  app.post<{ Body: { source?: string } }>('/api/parsing-jobs', async (req, reply) => {
    const job = await queues.parsing.add('parse', { source: req.body?.source ?? 'channel' });
    return reply.code(202).send({ id: job.id });
  });

  app.post('/api/audience-segments', async (_req, reply) => {
    metrics.audienceSegments.inc({ outcome: 'ready' });
    return reply.code(201).send({ status: 'ready' });
  });

  app.post<{ Body: { amount?: number } }>('/api/payments', async (req, reply) => {
    const r = await pool.query<{ id: number }>("INSERT INTO payments (amount, status) VALUES ($1, 'pending') RETURNING id", [
      req.body?.amount ?? 100,
    ]);
    return reply.code(201).send({ id: r.rows[0].id });
  });

  // The payment provider's callback. A callback that is not processed answers 500 so the provider
  // retries it, and counts as failed: that ratio is what the payment alert watches.
  app.post<{ Body: { paymentId: number; status: 'succeeded' | 'failed' } }>('/api/payments/callback', async (req, reply) => {
    try {
      if (faults.paymentCallbacksFail) throw new Error('injected fault: payment callback processing fails');
      const { paymentId, status } = req.body;
      await pool.query('UPDATE payments SET status = $2 WHERE id = $1', [paymentId, status]);
      metrics.paymentCallbacks.inc({ outcome: 'ok' });
      metrics.payments.inc({ outcome: status === 'succeeded' ? 'succeeded' : 'failed' });
      return { status: 'processed' };
    } catch (e) {
      metrics.paymentCallbacks.inc({ outcome: 'failed' });
      return reply.code(500).send({ error: (e as Error).message });
    }
  });

  faults.register(app);
  return app;
}
