/**
 * What the package serves when a backend uses it: the reference backend's instrumentation
 * (createContractMetrics, instrumentFastify, instrumentQueues, instrumentWorker) built in-process,
 * with stand-ins for the pg pool, the Redis clients, the queues and a worker, served by Fastify on
 * 127.0.0.1 (a free port). No Redis, no Postgres. (Fastify's inject() cannot run under jest: it
 * loads an ES module.)
 */
import { EventEmitter } from 'node:events';
import Fastify, { FastifyInstance } from 'fastify';
import { ContractMetrics, createContractMetrics, instrumentFastify, instrumentQueues, instrumentWorker } from '../../packages/metrics-contract/src/index';

export const METRICS_PATH = '/metrics';

/** A queue whose job counts come from `counts` (or never come, when `counts` is 'hang'). */
export function fakeQueue(name: string, counts: Record<string, number> | 'hang', paused = false) {
  return {
    name,
    getJobCounts: () => (counts === 'hang' ? new Promise<Record<string, number>>(() => undefined) : Promise.resolve(counts)),
    isPaused: () => (counts === 'hang' ? new Promise<boolean>(() => undefined) : Promise.resolve(paused)),
  };
}

/** A worker: the events BullMQ's Worker emits, with its name. */
export function fakeWorker(name: string): EventEmitter & { name: string } {
  return Object.assign(new EventEmitter(), { name });
}

export interface Instrumented {
  readonly metrics: ContractMetrics;
  readonly app: FastifyInstance;
  readonly worker: EventEmitter & { name: string };
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** One request, bounded by a timeout; the response's status and body. */
  request(method: string, path: string): Promise<{ status: number; body: string; contentType: string | null }>;
}

/** A Fastify app with the request hook and /metrics, two queues and a worker, as the reference backend wires them. */
export async function instrumentedBackend(): Promise<Instrumented> {
  const metrics = createContractMetrics({
    samplers: {
      dbPool: () => ({ total: 5, idle: 3, waiting: 0, max: 20 }),
      redisConnections: async () => ({ queue: 4, cache: 1 }),
    },
  });
  instrumentQueues(metrics, [fakeQueue('broadcast', { waiting: 2, active: 1 }), fakeQueue('parsing', {})], { timeoutMs: 200 });
  const worker = fakeWorker('broadcast');
  instrumentWorker(metrics, worker as any);
  const app = Fastify({ logger: false });
  instrumentFastify(app, metrics, { metricsPath: METRICS_PATH, exclude: (r) => r.startsWith('/__faults') });
  app.get<{ Params: { id: string } }>('/api/users/:id', async (req) => ({ id: req.params.id }));
  app.get('/api/broken', async (_req, reply) => reply.code(500).send({ error: 'no' }));
  app.put('/__faults/errors', async () => ({}));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const request = async (method: string, p: string) => {
    const res = await fetch(`${url}${p}`, { method, signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
  };
  return { metrics, app, worker, url, request };
}

/** The instrumented backend after some traffic and one finished job: every contract metric has series. */
export async function conformingText(): Promise<string> {
  const { app, worker, request } = await instrumentedBackend();
  try {
    await request('GET', '/api/users/7');
    await request('GET', '/api/broken');
    worker.emit('completed', { processedOn: 1_000, finishedOn: 3_000, attemptsMade: 1, opts: {} });
    return (await request('GET', METRICS_PATH)).body;
  } finally {
    await app.close();
  }
}
