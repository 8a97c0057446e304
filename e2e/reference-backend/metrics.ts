/**
 * The backend's Prometheus metrics, built from the metrics contract (charts/contracts/backend-metrics.ts).
 *
 * This is the pattern the Love Parser backend follows: every name, help text, label set and bucket
 * layout is imported from the contract, so a metric the alert rules or dashboards read can never be
 * spelled differently by the code that emits it. Values that can be read at any time (queue depths,
 * pool sizes, connection states) are sampled in `collect()` when Prometheus scrapes, instead of
 * being pushed from event handlers that could miss an update.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BACKEND_METRICS } from '../../charts/contracts/backend-metrics';
import { MetricDef } from '../../charts/lib/metric';

type Labels<D extends MetricDef> = D['labels'][number];
type Defs = typeof BACKEND_METRICS;

function counter<D extends MetricDef>(registry: Registry, def: D): Counter<Labels<D>> {
  expectType(def, 'counter');
  return new Counter({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry] });
}

function gauge<D extends MetricDef>(registry: Registry, def: D, collect?: (this: Gauge<Labels<D>>) => Promise<void> | void): Gauge<Labels<D>> {
  expectType(def, 'gauge');
  return new Gauge({ name: def.name, help: def.help, labelNames: def.labels, registers: [registry], ...(collect ? { collect } : {}) });
}

function histogram<D extends MetricDef>(registry: Registry, def: D): Histogram<Labels<D>> {
  expectType(def, 'histogram');
  if (!def.buckets) throw new Error(`metrics contract: histogram ${def.name} has no buckets`);
  return new Histogram({ name: def.name, help: def.help, labelNames: def.labels, buckets: [...def.buckets], registers: [registry] });
}

function expectType(def: MetricDef, type: MetricDef['type']): void {
  if (def.type !== type) throw new Error(`metrics contract: ${def.name} is a ${def.type}, built here as a ${type}`);
}

/** Values sampled at scrape time; each returns `undefined` when its source cannot answer right now. */
export interface Samplers {
  /** Job counts per queue and state (Queue#getJobCounts). */
  queueJobs(): Promise<Map<string, Record<string, number>> | undefined>;
  /** Whether each queue is paused globally (Queue#isPaused). */
  queuePaused(): Promise<Map<string, boolean> | undefined>;
  /** The pg Pool's counters. */
  dbPool(): { total: number; idle: number; waiting: number; max: number };
  /** Open Redis connections per client. */
  redisConnections(): Promise<Record<Defs['redisConnections']['values']['client'][number], number>>;
}

export type BackendMetrics = ReturnType<typeof createMetrics>;

/**
 * A registry with every metric of the contract. The application's own code increments the counters
 * and observes the histograms it gets back; the gauges read `samplers` on every scrape.
 */
export function createMetrics(samplers: Samplers) {
  const registry = new Registry();
  const M = BACKEND_METRICS;

  // process_resident_memory_bytes, nodejs_heap_size_used_bytes, nodejs_eventloop_lag_p99_seconds, ...
  collectDefaultMetrics({ register: registry });

  const metrics = {
    registry,
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
      const counts = await samplers.queueJobs();
      // Redis unreachable: expose no depth rather than a stale one (and never fail the scrape:
      // the other metrics, and `up`, must keep flowing while Redis is down).
      this.reset();
      if (!counts) return;
      for (const [queue, byState] of counts) {
        for (const state of M.queueJobs.values.state) this.set({ queue, state }, byState[state] ?? 0);
      }
    }),
    queuePaused: gauge(registry, M.queuePaused, async function () {
      const paused = await samplers.queuePaused();
      this.reset();
      if (!paused) return;
      for (const [queue, p] of paused) this.set({ queue }, p ? 1 : 0);
    }),
    dbPoolConnections: gauge(registry, M.dbPoolConnections, function () {
      const p = samplers.dbPool();
      for (const state of M.dbPoolConnections.values.state) this.set({ state }, p[state]);
    }),
    dbPoolMax: gauge(registry, M.dbPoolMax, function () {
      this.set(samplers.dbPool().max);
    }),
    redisConnections: gauge(registry, M.redisConnections, async function () {
      const open = await samplers.redisConnections();
      for (const client of M.redisConnections.values.client) this.set({ client }, open[client]);
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

  assertContract(registry);
  return metrics;
}

/** Every queue gets its zeroed series too (a queue's name is only known once it exists). */
export function initQueueSeries(metrics: BackendMetrics, queue: string): void {
  metrics.queueJobsCompleted.inc({ queue }, 0);
  metrics.queueJobsFailed.inc({ queue }, 0);
  metrics.queueLastCompleted.set({ queue }, 0);
}

/** Fails at startup, not in production dashboards, when a metric of the contract is not registered. */
function assertContract(registry: Registry): void {
  const registered = new Set(registry.getMetricsAsArray().map((m) => m.name));
  const missing = Object.values(BACKEND_METRICS)
    .map((m) => m.name)
    .filter((name) => !registered.has(name));
  if (missing.length > 0) throw new Error(`metrics contract: not registered: ${missing.join(', ')}`);
}
