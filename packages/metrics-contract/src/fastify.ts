/**
 * The request histogram for a Fastify application: one `onResponse` hook observing
 * http_request_duration_seconds by route template, method and status code, and optionally the
 * /metrics route itself. The same names and labels as fastify-metrics' default histogram.
 */
import type { FastifyInstance } from 'fastify';
import type { ContractMetrics } from './prometheus';

export interface FastifyMetricsOptions {
  /**
   * Serve the registry here (GET, Prometheus text format). The path is left out of the histogram:
   * the scrape is not traffic. @default undefined (the application serves /metrics itself)
   */
  readonly metricsPath?: string;
  /** Route templates left out of the histogram besides `metricsPath` (internal or test routes). */
  readonly exclude?: (route: string) => boolean;
  /**
   * The `route` label of requests no route matched: one bounded value instead of every scanned
   * URL. @default 'unmatched'
   */
  readonly unmatchedRoute?: string;
}

/**
 * Observes every response in an `onResponse` hook, so errors thrown anywhere are counted with their
 * final status code. `route` is Fastify's route template (`/api/users/:id`), never the raw URL: one
 * series per route, not one per user id. Register it before the routes (hooks apply to routes
 * registered after them in the same encapsulation context).
 */
export function instrumentFastify(app: FastifyInstance, metrics: Pick<ContractMetrics, 'registry' | 'httpRequestDuration'>, opts: FastifyMetricsOptions = {}): void {
  const unmatched = opts.unmatchedRoute ?? 'unmatched';
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? unmatched;
    if (route === opts.metricsPath || opts.exclude?.(route)) return;
    metrics.httpRequestDuration.observe({ route, method: req.method, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  if (opts.metricsPath !== undefined) {
    app.get(opts.metricsPath, async (_req, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }
}
