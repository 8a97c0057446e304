/**
 * The Love Parser backend's metrics contract: every metric the monitoring stack's alert rules and
 * dashboards read from the backend, with its type, labels, closed label values and bucket layout.
 *
 * This module is the single source of truth. The monitoring stack re-exports it
 * (charts/contracts/backend-metrics.ts) and builds its rules, dashboards and docs/metrics.md from
 * it; the backend builds its prom-client metrics from it (./prometheus). It imports nothing, so the
 * stack's synthesis can read it without prom-client, Fastify or BullMQ installed.
 *
 * Label values are bounded: `route` is the Fastify route template (`/api/users/:id`), never the raw
 * URL; `queue` is one of the configured Bull queues; `outcome` and `state` are closed sets.
 */

/** The contract's version: the package's version (a test keeps them equal), moved with the contract. */
export const CONTRACT_VERSION = '1.1.0';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * One metric of the contract. The monitoring stack's `MetricDef` (charts/lib/metric.ts) has the same
 * fields plus two that only exporters use (`flag`, `requires`); a type test holds the two together.
 */
export interface ContractMetricDef {
  /** Full metric name as exposed, with its unit (`_seconds`, `_bytes`) and, for counters, `_total`. */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Every label the backend puts on the series (Prometheus's job/instance/... come on top). */
  readonly labels: readonly string[];
  /** Closed label value sets: the backend emits only these values. */
  readonly values?: Readonly<Record<string, readonly string[]>>;
  /** Histogram bucket bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /** Who emits it: the application's code, prom-client's default collectors, or the request hook. */
  readonly source: string;
  /**
   * What has to happen before the metric has any series, for a metric that legitimately has none on
   * a freshly started backend (a histogram of job durations before the first job). Metrics without
   * it exist from the first scrape, and the stack's BackendMetricMissing alert watches them.
   */
  readonly absentUntil?: string;
}

/** States of a Bull queue's job counts (Queue#getJobCounts); a globally paused queue moves its waiting jobs to `paused`. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

export const BACKEND_METRICS = {
  httpRequestDuration: {
    name: 'http_request_duration_seconds',
    type: 'histogram',
    help: 'Duration of HTTP requests served by Fastify, by route template, method and status code. Its _count is the request count.',
    labels: ['route', 'method', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    source: 'fastify-metrics',
  },
  queueJobs: {
    name: 'love_parser_queue_jobs',
    type: 'gauge',
    help: 'Jobs in a Bull queue by state (queue depth), sampled at scrape time.',
    labels: ['queue', 'state'],
    values: { state: QUEUE_STATES },
    source: 'application',
  },
  queuePaused: {
    name: 'love_parser_queue_paused',
    type: 'gauge',
    help: 'Whether a Bull queue is paused globally (Queue#pause, Queue#isPaused): 1 paused, 0 running. Its waiting jobs then count as paused.',
    labels: ['queue'],
    source: 'application',
  },
  queueJobDuration: {
    name: 'love_parser_queue_job_duration_seconds',
    type: 'histogram',
    help: 'Time from a worker taking a job to the job finishing, by queue and outcome.',
    labels: ['queue', 'outcome'],
    values: { outcome: ['completed', 'failed'] },
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800],
    source: 'application',
    absentUntil: 'a worker finishes its first job',
  },
  queueJobsCompleted: {
    name: 'love_parser_queue_jobs_completed_total',
    type: 'counter',
    help: 'Jobs completed by the workers of a queue.',
    labels: ['queue'],
    source: 'application',
  },
  queueJobsFailed: {
    name: 'love_parser_queue_jobs_failed_total',
    type: 'counter',
    help: 'Jobs that failed (after their last attempt) in a queue.',
    labels: ['queue'],
    source: 'application',
  },
  queueLastCompleted: {
    name: 'love_parser_queue_last_completed_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last job a queue completed; 0 until the first one.',
    labels: ['queue'],
    source: 'application',
  },
  broadcastMessages: {
    name: 'love_parser_broadcast_messages_total',
    type: 'counter',
    help: 'Telegram broadcast messages by outcome.',
    labels: ['outcome'],
    values: { outcome: ['sent', 'failed'] },
    source: 'application',
  },
  parsingJobs: {
    name: 'love_parser_parsing_jobs_total',
    type: 'counter',
    help: 'Parsing jobs processed, by outcome.',
    labels: ['outcome'],
    values: { outcome: ['succeeded', 'failed'] },
    source: 'application',
  },
  audienceSegments: {
    name: 'love_parser_audience_segments_total',
    type: 'counter',
    help: 'Audience segments built, by outcome.',
    labels: ['outcome'],
    values: { outcome: ['ready', 'failed'] },
    source: 'application',
  },
  payments: {
    name: 'love_parser_payments_total',
    type: 'counter',
    help: 'Payments by outcome.',
    labels: ['outcome'],
    values: { outcome: ['succeeded', 'failed'] },
    source: 'application',
  },
  paymentCallbacks: {
    name: 'love_parser_payment_callbacks_total',
    type: 'counter',
    help: "Payment provider callbacks received, by whether the backend processed them ('ok') or not ('failed').",
    labels: ['outcome'],
    values: { outcome: ['ok', 'failed'] },
    source: 'application',
  },
  dbPoolConnections: {
    name: 'love_parser_db_pool_connections',
    type: 'gauge',
    help: "Connections of the backend's Postgres pool: total open, idle, and clients waiting for one.",
    labels: ['state'],
    values: { state: ['total', 'idle', 'waiting'] },
    source: 'application',
  },
  dbPoolMax: {
    name: 'love_parser_db_pool_max_connections',
    type: 'gauge',
    help: "The pool's configured maximum size.",
    labels: [],
    source: 'application',
  },
  redisConnections: {
    name: 'love_parser_redis_connections',
    type: 'gauge',
    help: 'Open Redis client connections of the backend, by client (the Bull queues, the cache).',
    labels: ['client'],
    values: { client: ['queue', 'cache'] },
    source: 'application',
  },
  residentMemory: {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident memory of the Node.js process.',
    labels: [],
    source: 'prom-client default',
  },
  heapUsed: {
    name: 'nodejs_heap_size_used_bytes',
    type: 'gauge',
    help: 'V8 heap in use.',
    labels: [],
    source: 'prom-client default',
  },
  eventLoopLagP99: {
    name: 'nodejs_eventloop_lag_p99_seconds',
    type: 'gauge',
    help: '99th percentile of event-loop lag.',
    labels: [],
    source: 'prom-client default',
  },
} as const satisfies Record<string, ContractMetricDef>;

export type BackendMetric = keyof typeof BACKEND_METRICS;
