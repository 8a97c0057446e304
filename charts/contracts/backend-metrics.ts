/**
 * The backend's metrics contract: every metric the stack's rules and dashboards read from the Love
 * Parser backend, with its type, labels and meaning. The definitions live in the package the
 * backend imports (packages/metrics-contract, `@love-parser/metrics-contract`); this module
 * re-exports them, so rules, dashboards, docs/metrics.md and the backend's instrumentation can never
 * differ. Alert rules, dashboards, the reference backend and test fixtures import names from here
 * and never type them.
 *
 * Only the package's dependency-free `contract` module is imported (test/architecture/imports.ts
 * allows exactly that): synthesis must not need prom-client, Fastify or BullMQ.
 *
 * Label values are bounded: `route` is the Fastify route template (`/api/users/:id`), never the raw
 * URL; `queue` is one of the configured Bull queues; `outcome` and `state` are closed sets.
 */
import { BACKEND_METRICS as CONTRACT, CONTRACT_VERSION, QUEUE_STATES } from '../../packages/metrics-contract/src/contract';
import { MetricDef } from '../lib/metric';

/**
 * Every definition is a MetricDef of charts/lib/metric.ts: the package's shape is lib's without the
 * exporter-only fields (test/metrics-contract/shape.test.ts holds that both ways).
 */
export const BACKEND_METRICS = CONTRACT satisfies Record<string, MetricDef>;

export type BackendMetric = keyof typeof BACKEND_METRICS;

export { CONTRACT_VERSION, QUEUE_STATES };

/** 5xx responses, as the `status_code` label of the request histogram carries them. */
export const SERVER_ERROR = { re: '5..' } as const;
