/**
 * Fault switches of the reference backend, served under /__faults. They make the backend misbehave
 * the way the production incidents of the seed's "Testing alerts" do, so that the end-to-end run can
 * watch the real alert fire and resolve. The Love Parser backend has no such routes.
 *
 *   GET    /__faults                       the current faults
 *   PUT    /__faults/errors                {"routes": ["/api/stats"]}   those API routes answer 500
 *   PUT    /__faults/broadcast-worker      {"paused": true}             the broadcast worker stops taking jobs
 *   PUT    /__faults/queue-paused        {"queue": "parsing", "paused": true}  the queue is paused globally (Queue#pause)
 *   PUT    /__faults/db-pool               {"hold": 19}                 that many pool connections are held
 *   PUT    /__faults/payment-callbacks     {"fail": true}               payment callbacks fail (500, outcome failed)
 *   DELETE /__faults                       every fault cleared
 *
 * One fault is set at startup instead, because a backend that drifted from the metrics contract is a
 * release, not a runtime state: CONTRACT_METRICS_OFF (METRICS_OFF_ENV) names contract metrics the
 * backend leaves out of /metrics (main.ts).
 */
import { FastifyInstance } from 'fastify';
import { Pool, PoolClient } from 'pg';
import { QUEUES, QueueName, Queues } from './queues';

export const FAULTS_PREFIX = '/__faults';

/** The environment variable naming contract metrics, comma-separated, that the backend does not serve. */
export const METRICS_OFF_ENV = 'CONTRACT_METRICS_OFF';

export class Faults {
  /** Route templates that answer 500. */
  readonly failingRoutes = new Set<string>();
  paymentCallbacksFail = false;
  /** Queues this switch paused globally (Queue#pause: every worker stops, waiting jobs move to the paused list). */
  readonly pausedQueues = new Set<QueueName>();
  private readonly held: PoolClient[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly queues: Queues,
  ) {}

  state() {
    return {
      errors: { routes: [...this.failingRoutes] },
      broadcastWorker: { paused: this.queues.worker(QUEUES.broadcast).isPaused() },
      pausedQueues: [...this.pausedQueues],
      dbPool: { held: this.held.length, max: this.pool.options.max },
      paymentCallbacks: { fail: this.paymentCallbacksFail },
    };
  }

  async setBroadcastPaused(paused: boolean): Promise<void> {
    const worker = this.queues.worker(QUEUES.broadcast);
    // doNotWaitActive: the switch answers at once; the job in hand still finishes.
    if (paused) await worker.pause(true);
    else worker.resume();
  }

  async setQueuePaused(queue: QueueName, paused: boolean): Promise<void> {
    const q = this.queues.queue(queue);
    if (paused) {
      await q.pause();
      this.pausedQueues.add(queue);
    } else {
      await q.resume();
      this.pausedQueues.delete(queue);
    }
  }

  /** Holds `n` connections of the pool (checked out and never released), as a leak or long transactions would. */
  async holdDbConnections(n: number): Promise<void> {
    while (this.held.length > n) this.held.pop()!.release();
    while (this.held.length < n) this.held.push(await this.pool.connect());
  }

  async clear(): Promise<void> {
    this.failingRoutes.clear();
    this.paymentCallbacksFail = false;
    await this.holdDbConnections(0);
    await this.setBroadcastPaused(false);
    for (const q of [...this.pausedQueues]) await this.setQueuePaused(q, false);
  }

  register(app: FastifyInstance): void {
    app.get(FAULTS_PREFIX, async () => this.state());
    app.delete(FAULTS_PREFIX, async () => {
      await this.clear();
      return this.state();
    });
    app.put<{ Body: { routes: string[] } }>(`${FAULTS_PREFIX}/errors`, async (req) => {
      this.failingRoutes.clear();
      for (const r of req.body.routes) this.failingRoutes.add(r);
      return this.state();
    });
    app.put<{ Body: { paused: boolean } }>(`${FAULTS_PREFIX}/broadcast-worker`, async (req) => {
      await this.setBroadcastPaused(req.body.paused);
      return this.state();
    });
    app.put<{ Body: { queue: string; paused: boolean } }>(`${FAULTS_PREFIX}/queue-paused`, async (req, reply) => {
      const queue = Object.values(QUEUES).find((q) => q === req.body.queue);
      if (!queue) return reply.code(400).send({ error: `queue must be one of ${Object.values(QUEUES).join(', ')}` });
      await this.setQueuePaused(queue, req.body.paused);
      return this.state();
    });
    app.put<{ Body: { hold: number } }>(`${FAULTS_PREFIX}/db-pool`, async (req, reply) => {
      const max = this.pool.options.max ?? 10;
      if (!Number.isInteger(req.body.hold) || req.body.hold < 0 || req.body.hold > max) {
        return reply.code(400).send({ error: `hold must be an integer from 0 to the pool size ${max}` });
      }
      await this.holdDbConnections(req.body.hold);
      return this.state();
    });
    app.put<{ Body: { fail: boolean } }>(`${FAULTS_PREFIX}/payment-callbacks`, async (req) => {
      this.paymentCallbacksFail = req.body.fail;
      return this.state();
    });
  }
}
