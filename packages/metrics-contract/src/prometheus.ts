/**
 * prom-client metrics for exactly the contract: names, help, label names and buckets come from
 * ./contract, so the backend cannot spell a metric differently from the rules that read it. A label
 * set the contract does not name is a type error at the call site (`inc({ outcome: 'ok' })`).
 *
 * Values that can be read at any time (pool sizes, connection states, queue depths) are sampled in
 * `collect()` when Prometheus scrapes, instead of being pushed from event handlers that could miss
 * an update. A sampler that cannot answer exposes no series rather than a stale one; the stack's
 * BackendMetricMissing alert notices a metric that stays away.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BACKEND_METRICS, ContractMetricDef } from './contract';

const M = BACKEND_METRICS;
/** The `source` of the contract metrics prom-client's default collectors emit. */
const DEFAULT_SOURCE = 'prom-client default';
type Defs = typeof BACKEND_METRICS;
type Labels<D extends ContractMetricDef> = D['labels'][number];

/** The Postgres pool's counters (pg's Pool has them as totalCount, idleCount, waitingCount, options.max). */
export interface DbPoolSample {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}

export type QueueState = Defs['queueJobs']['values']['state'][number];
export type RedisClientKind = Defs['redisConnections']['values']['client'][number];

/**
 * What the gauges read at scrape time. Each returns `undefined` when its source cannot answer now
 * (the metric then has no series for that scrape). `queueJobs` is usually set by `instrumentQueues`
 * (./bullmq).
 */
export interface Samplers {
  queueJobs?: () => Promise<ReadonlyMap<string, Partial<Record<string, number>>> | undefined>;
  /** Whether each queue is paused globally; set by `instrumentQueues` with `queueJobs`. */
  queuePaused?: () => Promise<ReadonlyMap<string, boolean> | undefined>;
  dbPool?: () => DbPoolSample | undefined;
  redisConnections?: () => Promise<Partial<Record<RedisClientKind, number>> | undefined> | Partial<Record<RedisClientKind, number>> | undefined;
}

export interface ContractMetricsOptions {
  /** @default a new Registry */
  readonly registry?: Registry;
  /**
   * prom-client's default collectors, which emit the contract's process_resident_memory_bytes,
   * nodejs_heap_size_used_bytes and nodejs_eventloop_lag_p99_seconds. Turn off only when the
   * application already calls collectDefaultMetrics on this registry. @default true
   */
  readonly defaultMetrics?: boolean;
  readonly samplers?: Samplers;
}

function counter<D extends ContractMetricDef>(registry: Registry, def: D): Counter<Labels<D>> {
  expectType(def, 'counter');
  return new Counter({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry] });
}

function gauge<D extends ContractMetricDef>(registry: Registry, def: D, collect?: (this: Gauge<Labels<D>>) => Promise<void> | void): Gauge<Labels<D>> {
  expectType(def, 'gauge');
  return new Gauge({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry], ...(collect ? { collect } : {}) });
}

function histogram<D extends ContractMetricDef>(registry: Registry, def: D): Histogram<Labels<D>> {
  expectType(def, 'histogram');
  if (!def.buckets) throw new Error(`metrics contract: histogram ${def.name} has no buckets`);
  return new Histogram({ name: def.name, help: def.help, labelNames: def.labels, buckets: [...def.buckets], registers: [registry] });
}

function expectType(def: ContractMetricDef, type: ContractMetricDef['type']): void {
  if (def.type !== type) throw new Error(`metrics contract: ${def.name} is a ${def.type}, built here as a ${type}`);
}

export type ContractMetrics = ReturnType<typeof createContractMetrics>;

/**
 * A registry with every metric of the contract. The application increments the counters and
 * observes the histograms it gets back; the gauges read `samplers` on every scrape. Throws when a
 * contract metric could not be registered (at startup, not on a dashboard).
 */
export function createContractMetrics(opts: ContractMetricsOptions = {}) {
  const registry = opts.registry ?? new Registry();
  const samplers: Samplers = { ...opts.samplers };
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const metrics = {
    registry,
    /** Mutable: `instrumentQueues` sets `queueJobs`; an application may set the others late. */
    samplers,
    httpRequestDuration: histogram(registry, M.httpRequestDuration),
    queueJobDuration: histogram(registry, M.queueJobDuration),
    queueJobsCompleted: counter(registry, M.queueJobsCompleted),
    queueJobsFailed: counter(registry, M.queueJobsFailed),
    queueLastCompleted: gauge(registry, M.queueLastCompleted),
    broadcastMessages: counter(registry, M.broadcastMessages),
    parsingJobs: counter(registry, M.parsingJobs),
    audienceSegments: counter(registry, M.audienceSegments),
    payments: counter(registry, M.payments),
    paymentCallbacks: counter(registry, M.paymentCallbacks),

    queueJobs: gauge(registry, M.queueJobs, async function () {
      const counts = samplers.queueJobs ? await samplers.queueJobs() : undefined;
      // Redis unreachable: expose no depth rather than a stale one (and never fail the scrape: the
      // other metrics, and `up`, must keep flowing while Redis is down).
      this.reset();
      if (!counts) return;
      for (const [queue, byState] of counts) {
        for (const state of M.queueJobs.values.state) this.set({ queue, state }, byState[state] ?? 0);
      }
    }),
    queuePaused: gauge(registry, M.queuePaused, async function () {
      const paused = samplers.queuePaused ? await samplers.queuePaused() : undefined;
      this.reset();
      if (!paused) return;
      for (const [queue, p] of paused) this.set({ queue }, p ? 1 : 0);
    }),
    dbPoolConnections: gauge(registry, M.dbPoolConnections, function () {
      const p = samplers.dbPool?.();
      this.reset();
      if (!p) return;
      for (const state of M.dbPoolConnections.values.state) this.set({ state }, p[state]);
    }),
    // A gauge without labels always exposes a sample (prom-client starts it at 0): without an
    // answer it keeps its last value, the pool's size, which does not change while the process runs.
    dbPoolMax: gauge(registry, M.dbPoolMax, function () {
      const p = samplers.dbPool?.();
      if (p) this.set(p.max);
    }),
    redisConnections: gauge(registry, M.redisConnections, async function () {
      const open = await samplers.redisConnections?.();
      this.reset();
      if (!open) return;
      for (const client of M.redisConnections.values.client) this.set({ client }, open[client] ?? 0);
    }),
  };

  // Counters with a closed label set start at 0 for every value, so that rate() and ratios see the
  // series from the first scrape instead of from the first failure (a ratio over a series that is
  // born with its first increment hides that increment from rate()).
  for (const outcome of M.broadcastMessages.values.outcome) metrics.broadcastMessages.inc({ outcome }, 0);
  for (const outcome of M.parsingJobs.values.outcome) metrics.parsingJobs.inc({ outcome }, 0);
  for (const outcome of M.audienceSegments.values.outcome) metrics.audienceSegments.inc({ outcome }, 0);
  for (const outcome of M.payments.values.outcome) metrics.payments.inc({ outcome }, 0);
  for (const outcome of M.paymentCallbacks.values.outcome) metrics.paymentCallbacks.inc({ outcome }, 0);

  assertRegistered(registry, opts.defaultMetrics ?? true);
  return metrics;
}

/**
 * A queue's series at zero (a queue's name is only known once it exists): its completed and failed
 * counters and its last-completion time, so the stuck-queue alert and the ratios see the queue from
 * the first scrape. `instrumentQueues` calls it for every queue.
 */
export function initQueueSeries(metrics: ContractMetrics, queue: string): void {
  metrics.queueJobsCompleted.inc({ queue }, 0);
  metrics.queueJobsFailed.inc({ queue }, 0);
  metrics.queueLastCompleted.set({ queue }, 0);
}

/** The sample of a pg Pool (or anything with its counters). */
export function pgPoolSample(pool: { totalCount: number; idleCount: number; waitingCount: number; options: { max?: number } }, defaultMax = 10): DbPoolSample {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? defaultMax };
}

/**
 * Fails at startup when a metric of the contract is not registered. Without the default collectors
 * the process metrics are the application's to collect (and check-backend's to verify).
 */
function assertRegistered(registry: Registry, defaults: boolean): void {
  const registered = new Set(registry.getMetricsAsArray().map((m) => m.name));
  const missing = Object.values(BACKEND_METRICS as Record<string, ContractMetricDef>)
    .filter((m) => defaults || m.source !== DEFAULT_SOURCE)
    .map((m) => m.name)
    .filter((name) => !registered.has(name));
  if (missing.length > 0) throw new Error(`metrics contract: not registered: ${missing.join(', ')}`);
}
