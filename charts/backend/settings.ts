/**
 * The backend's slice of the configuration (`backend:` in config/<environment>.yaml): its
 * Deployment, and the thresholds of the alerts on it.
 */
import { ConfigIssue, Infer, dnsLabel, dnsSubdomain, int, list, num, obj, promDuration, required, withDefault } from '../lib/schema';
import { imageRef, resources } from '../lib/settings';
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
    /** p95 latency over this many seconds warns. @default 1 */
    latencyP95Seconds: withDefault(num({ exclusiveMin: 0 }), 1),
    /** p99 latency over this many seconds is critical. @default 2.5 */
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
     * A backend pod in CrashLoopBackOff this long: the kubelet's back-off reaches minutes after a
     * few crashes, so a pod that recovers on its own does so well within it. @default '10m'
     */
    crashLoopFor: withDefault(promDuration(), '10m'),
    /**
     * An OOM kill of a backend container counts while its restart is within this window: long
     * enough for two evaluations after the restart, short enough to resolve once it stops. @default '10m'
     */
    oomWindow: withDefault(promDuration(), '10m'),
    /**
     * A backend pod Pending, or running but not ready, this long: longer than a start with
     * migrations (startupSeconds) and an image pull take. @default '15m'
     */
    podNotReadyFor: withDefault(promDuration(), '15m'),
    /**
     * The Deployment short of available replicas this long (a stalled rollout, pods that cannot
     * schedule). A rolling update of two pods takes about a minute. @default '15m'
     */
    replicasUnavailableFor: withDefault(promDuration(), '15m'),
    /**
     * No ready address behind the backend Service while backend containers run, this long: the
     * API is down for every client. Short, because it pages by text. @default '2m'
     */
    noReadyEndpointFor: withDefault(promDuration(), '2m'),
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
  return issues;
}

/** What the backend's chart and its rules and dashboards are built from. */
export interface BackendProps extends ComponentProps<BackendSettings> {
  /** The node memory threshold of the node exporter's alert, drawn on the backend dashboard's memory panel. */
  readonly nodeMemoryAvailableRatio: number;
}
