/**
 * The backend's BullMQ queues and their workers, instrumented through worker events so that every
 * job is counted once, whichever code path finished it.
 */
import { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { BackendMetrics, initQueueSeries } from './metrics';

/** The Love Parser queues (charts/config.ts `backend.queues` lists the same names for their alerts). */
export const QUEUES = { broadcast: 'broadcast', parsing: 'parsing' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface BroadcastJob {
  /** Telegram chats the message goes to. */
  readonly recipients: number;
}
export interface ParsingJob {
  readonly source: string;
}

/** Finished jobs kept in Redis: enough to inspect recent ones, bounded so Redis memory is too. */
const KEEP = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } };

export class Queues {
  readonly broadcast: Queue<BroadcastJob>;
  readonly parsing: Queue<ParsingJob>;
  private readonly workers: Worker[] = [];

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly metrics: BackendMetrics,
  ) {
    this.broadcast = new Queue<BroadcastJob>(QUEUES.broadcast, { connection, defaultJobOptions: KEEP });
    this.parsing = new Queue<ParsingJob>(QUEUES.parsing, { connection, defaultJobOptions: KEEP });
    for (const q of this.all()) {
      initQueueSeries(metrics, q.name);
      // Without a listener, a Redis outage would be an unhandled 'error' event and kill the process.
      q.on('error', () => undefined);
    }
  }

  all(): Queue[] {
    return [this.broadcast, this.parsing];
  }

  /** Starts the workers; `sendMessage` stands in for the Telegram Bot API call. */
  startWorkers(sendMessage: (chat: number) => Promise<void>): void {
    const m = this.metrics;
    this.workers.push(
      this.instrument(
        new Worker<BroadcastJob>(
          QUEUES.broadcast,
          async (job) => {
            for (let chat = 0; chat < job.data.recipients; chat++) {
              try {
                await sendMessage(chat);
                m.broadcastMessages.inc({ outcome: 'sent' });
              } catch {
                m.broadcastMessages.inc({ outcome: 'failed' });
              }
            }
          },
          { connection: this.connection, concurrency: 2 },
        ),
      ),
      this.instrument(
        new Worker<ParsingJob>(
          QUEUES.parsing,
          async () => {
            try {
              await new Promise((r) => setTimeout(r, 5));
              m.parsingJobs.inc({ outcome: 'succeeded' });
            } catch (e) {
              m.parsingJobs.inc({ outcome: 'failed' });
              throw e;
            }
          },
          { connection: this.connection, concurrency: 2 },
        ),
      ),
    );
  }

  worker(name: QueueName): Worker {
    const w = this.workers.find((x) => x.name === name);
    if (!w) throw new Error(`no worker for queue ${name}`);
    return w;
  }

  /** Job counts by state of every queue; undefined when Redis does not answer within `timeoutMs`. */
  async jobCounts(timeoutMs: number): Promise<Map<string, Record<string, number>> | undefined> {
    const read = Promise.all(this.all().map(async (q) => [q.name, await q.getJobCounts()] as const));
    const counts = await withTimeout(read, timeoutMs);
    return counts ? new Map(counts) : undefined;
  }

  /** Whether each queue is paused globally; undefined when Redis does not answer within `timeoutMs`. */
  async pausedStates(timeoutMs: number): Promise<Map<string, boolean> | undefined> {
    const read = Promise.all(this.all().map(async (q) => [q.name, await q.isPaused()] as const));
    const states = await withTimeout(read, timeoutMs);
    return states ? new Map(states) : undefined;
  }

  queue(name: QueueName): Queue {
    const q = this.all().find((x) => x.name === name);
    if (!q) throw new Error(`no queue ${name}`);
    return q;
  }

  /** Connections of the queues and workers that are up. */
  async openConnections(): Promise<number> {
    const clients = await Promise.all([...this.all(), ...this.workers].map((x) => withTimeout(x.client, 200)));
    return clients.filter((c) => c?.status === 'ready').length;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close(true)));
    await Promise.allSettled(this.all().map((q) => q.close()));
  }

  private instrument<T>(worker: Worker<T>): Worker<T> {
    const m = this.metrics;
    const queue = worker.name;
    const seconds = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
    worker.on('completed', (job) => {
      m.queueJobsCompleted.inc({ queue });
      m.queueJobDuration.observe({ queue, outcome: 'completed' }, seconds(job));
      m.queueLastCompleted.set({ queue }, (job.finishedOn ?? Date.now()) / 1000);
    });
    worker.on('failed', (job) => {
      // Only the last attempt counts as a failed job; earlier ones are retries.
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      m.queueJobsFailed.inc({ queue });
      m.queueJobDuration.observe({ queue, outcome: 'failed' }, seconds(job));
    });
    worker.on('error', () => undefined); // Redis outages: BullMQ reconnects by itself
    return worker;
  }
}

/** The value of `p`, or undefined once `ms` have passed (the promise is left to settle on its own). */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
