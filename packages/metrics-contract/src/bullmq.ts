/**
 * The queue metrics for BullMQ: queue depth by state sampled at scrape time (Queue#getJobCounts),
 * and completed and failed jobs and their durations counted from the workers' events, so every job
 * is counted once, whichever code path finished it. Only BullMQ's types are used: the package adds
 * no runtime dependency on it.
 */
import type { Job, Queue, Worker } from 'bullmq';
import { ContractMetrics, initQueueSeries } from './prometheus';

/** The part of a BullMQ Queue the collector reads. */
export type QueueLike = Pick<Queue, 'name' | 'getJobCounts' | 'isPaused'>;

export interface QueueCollectorOptions {
  /**
   * A scrape waits at most this long for Redis; then the depth is left out of that scrape, not the
   * whole scrape failed (a /metrics that hangs on Redis would turn a Redis outage into a backend
   * outage). @default 500
   */
  readonly timeoutMs?: number;
}

/**
 * Samples the depth of `queues` and whether each is paused on every scrape (love_parser_queue_jobs,
 * love_parser_queue_paused) and starts each queue's
 * counters at zero. Call once with every queue of the process.
 */
export function instrumentQueues(metrics: ContractMetrics, queues: readonly QueueLike[], opts: QueueCollectorOptions = {}): void {
  const timeoutMs = opts.timeoutMs ?? 500;
  for (const q of queues) initQueueSeries(metrics, q.name);
  metrics.samplers.queueJobs = async () => {
    const read = Promise.all(queues.map(async (q) => [q.name, await q.getJobCounts()] as const));
    const counts = await withTimeout(read, timeoutMs);
    return counts ? new Map(counts) : undefined;
  };
  metrics.samplers.queuePaused = async () => {
    const read = Promise.all(queues.map(async (q) => [q.name, await q.isPaused()] as const));
    const states = await withTimeout(read, timeoutMs);
    return states ? new Map(states) : undefined;
  };
}

/**
 * Counts a worker's finished jobs: completed ones, failed ones after their last attempt (earlier
 * attempts are retries), their durations by outcome, and the queue's last completion time. The
 * queue's series start at zero through `instrumentQueues`, which a worker-only process calls too.
 */
export function instrumentWorker<T>(metrics: ContractMetrics, worker: Worker<T>): Worker<T> {
  const queue = worker.name;
  const seconds = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
  worker.on('completed', (job) => {
    metrics.queueJobsCompleted.inc({ queue });
    metrics.queueJobDuration.observe({ queue, outcome: 'completed' }, seconds(job));
    metrics.queueLastCompleted.set({ queue }, (job.finishedOn ?? Date.now()) / 1000);
  });
  worker.on('failed', (job) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    metrics.queueJobsFailed.inc({ queue });
    metrics.queueJobDuration.observe({ queue, outcome: 'failed' }, seconds(job));
  });
  return worker;
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
