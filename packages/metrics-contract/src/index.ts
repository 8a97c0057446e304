/**
 * @love-parser/metrics-contract: the Love Parser backend's metrics contract, typed prom-client
 * metrics for exactly that contract, the Fastify request hook, the BullMQ queue collector, and the
 * conformance check the monitoring stack runs against a backend's /metrics.
 *
 * Subpaths: `/contract` (the definitions only, no dependencies), `/prometheus`, `/fastify`,
 * `/bullmq`, `/check`. This index re-exports them all and so needs prom-client installed.
 */
export * from './contract';
export * from './prometheus';
export * from './fastify';
export * from './bullmq';
export * from './exposition';
export * from './check';
export * from './signature';
