/**
 * The backend's slice of the configuration (`backend:` in config/<environment>.yaml): its
 * Deployment, and the thresholds of the alerts on it.
 */
import { ConfigIssue, Infer, dnsLabel, dnsSubdomain, int, list, num, obj, promDuration, required, withDefault } from '../lib/schema';
import { imageRef, resources } from '../lib/settings';
import { BACKEND_METRICS } from '../contracts/backend-metrics';
import { ComponentProps } from '../contracts/shared';

export const backendSettings = obj({
  /** The backend image; there is no default: the release to run is the operator's decision. */
  image: required(imageRef()),
  /** @default 2 */
  replicas: withDefault(int({ min: 1, max: 50 }), 2),
  /** Pods the PodDisruptionBudget keeps during voluntary disruptions. @default 1 */
  minAvailable: withDefault(int({ min: 0, max: 49 }), 1),
  /**
   * Existing Secret whose keys become the container's environment (DATABASE_URL, REDIS_URL,
   * TELEGRAM_BOT_TOKEN, payment keys, optional SENTRY_DSN). Created from an .env file, never committed.
   * @default 'love-parser-backend-env'
   */
  envSecret: withDefault(dnsSubdomain(), 'love-parser-backend-env'),
  /** Seconds a slow boot (migrations, warm caches) may take before liveness applies. @default 180 */
  startupSeconds: withDefault(int({ min: 10, max: 1800 }), 180),
  /** Bull queues; each gets its stagnation alert. @default ['broadcast', 'parsing'] */
  queues: withDefault(list(dnsLabel(), { minItems: 1, unique: true }), ['broadcast', 'parsing']),
  resources: resources({ cpu: '250m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  alerts: obj({
    /** Share of 5xx responses that pages. @default 0.05 (5% for errorFor) */
    errorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /** @default '5m' */
    errorFor: withDefault(promDuration(), '5m'),
    /**
     * p95 latency over this many seconds warns. Must be a bucket bound of the request histogram
     * (the contract's buckets), or histogram_quantile can only guess around it. @default 1
     */
    latencyP95Seconds: withDefault(num({ exclusiveMin: 0 }), 1),
    /** p99 latency over this many seconds is critical; a bucket bound too. @default 2.5 */
    latencyP99Seconds: withDefault(num({ exclusiveMin: 0 }), 2.5),
    /** @default '10m' */
    latencyFor: withDefault(promDuration(), '10m'),
    /** Share of the backend's DB pool in use. @default 0.9 */
    dbPoolRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.9),
    /** Jobs waiting and none completed for this long means a stuck queue. @default '10m' */
    queueStuckFor: withDefault(promDuration(), '10m'),
    /** Share of failed payment callbacks. @default 0.1 */
    paymentCallbackFailureRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /**
     * Requests per second a route needs before its own error ratio can alert: on a route hit a few
     * times a minute, two failures are 100% and say nothing. @default 0.1 (6 requests a minute)
     */
    routeMinRequestRate: withDefault(num({ exclusiveMin: 0 }), 0.1),
    /**
     * Window of the payment callback failure ratio. Callbacks are sparse: over 5 minutes one failure
     * out of two would be 50%; 30 minutes holds enough callbacks to mean something. @default '30m'
     */
    paymentWindow: withDefault(promDuration(), '30m'),
    /**
     * A pod that is up but has not served a contract metric for this long raises
     * BackendMetricMissing. Longer than a rollout and than the gaps a sampled gauge has while its
     * source is down (queue depth during a Redis outage, which RedisDown reports). @default '15m'
     */
    metricMissingFor: withDefault(promDuration(), '15m'),
  }),
});
export type BackendSettings = Infer<typeof backendSettings>;

/** Settings that contradict each other; paths are relative to `backend`. */
export function backendChecks(s: BackendSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (s.minAvailable >= s.replicas) {
    issues.push({
      path: 'minAvailable',
      message: `is ${s.minAvailable} with backend.replicas ${s.replicas}: no pod could ever be evicted and node drains would hang`,
      fix: `set backend.minAvailable below ${s.replicas}, or raise backend.replicas`,
    });
  }
  if (s.alerts.latencyP95Seconds >= s.alerts.latencyP99Seconds) {
    issues.push({
      path: 'alerts.latencyP95Seconds',
      message: `is ${s.alerts.latencyP95Seconds}, not below backend.alerts.latencyP99Seconds ${s.alerts.latencyP99Seconds}`,
      fix: 'keep the p95 threshold below the p99 threshold',
    });
  }
  const request = BACKEND_METRICS.httpRequestDuration;
  for (const key of ['latencyP95Seconds', 'latencyP99Seconds'] as const) {
    const v = s.alerts[key];
    if (!request.buckets.some((b) => b === v)) {
      issues.push({
        path: `alerts.${key}`,
        message: `is ${v}, not a bucket bound of ${request.name} [${request.buckets.join(', ')}]: histogram_quantile interpolates inside a bucket, so the alert would compare with a guessed latency`,
        fix: `use one of the bounds, or add ${v} to the buckets of the metrics contract (packages/metrics-contract, a minor version) and deploy the backend with it first`,
      });
    }
  }
  return issues;
}

/**
 * Bounds a histogram the backend serves must have, by metric name: the latency thresholds the alert
 * rules compare its quantiles with. `npm run check-backend` checks a live backend against them.
 */
export function requiredBucketBounds(s: BackendSettings): Record<string, number[]> {
  return { [BACKEND_METRICS.httpRequestDuration.name]: [s.alerts.latencyP95Seconds, s.alerts.latencyP99Seconds] };
}

/** What the backend's chart and its rules and dashboards are built from. */
export interface BackendProps extends ComponentProps<BackendSettings> {
  /** The node memory threshold of the node exporter's alert, drawn on the backend dashboard's memory panel. */
  readonly nodeMemoryAvailableRatio: number;
}
