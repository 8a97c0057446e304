/**
 * The backend's BullMQ queues and their workers, instrumented by the metrics contract package: the
 * queue collector samples their depth at scrape time, the worker events count every job once,
 * whichever code path finished it.
 */
import { ConnectionOptions, Queue, Worker } from 'bullmq';
import { ContractMetrics, instrumentQueues, instrumentWorker, withTimeout } from '../../packages/metrics-contract/src/index';

export { withTimeout };

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
    private readonly metrics: ContractMetrics,
  ) {
    this.broadcast = new Queue<BroadcastJob>(QUEUES.broadcast, { connection, defaultJobOptions: KEEP });
    this.parsing = new Queue<ParsingJob>(QUEUES.parsing, { connection, defaultJobOptions: KEEP });
    // Without a listener, a Redis outage would be an unhandled 'error' event and kill the process.
    for (const q of this.all()) q.on('error', () => undefined);
    // Depth sampled on every scrape (at most 500 ms on Redis), each queue's counters at zero.
    instrumentQueues(metrics, this.all(), { timeoutMs: 500 });
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
    worker.on('error', () => undefined); // Redis outages: BullMQ reconnects by itself
    return instrumentWorker(this.metrics, worker);
  }
}
