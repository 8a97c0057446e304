/**
 * The backend's slice of the configuration (`backend:` in config/<environment>.yaml): its
 * Deployment, and the thresholds of the alerts on it.
 */
import { ConfigIssue, Infer, bool, dnsLabel, dnsSubdomain, int, list, num, obj, promDuration, required, storageSize, str, withDefault } from '../lib/schema';
import { imageRef, resources } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const backendSettings = obj({
  /** The backend image; there is no default: the release to run is the operator's decision. */
  image: required(imageRef()),
  /**
   * Existing `kubernetes.io/dockerconfigjson` Secrets in the backend's namespace with the
   * credentials of its private registry (`kubectl create secret docker-registry`, README "Private
   * images"). The kubelet pulls the image with them. @default [] (a public image, or node credentials)
   */
  imagePullSecrets: withDefault(list(dnsSubdomain(), { unique: true }), []),
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
  /**
   * Winston's file transport, as in the original stack (`backend/logs/*.log`). The recommended setup
   * is the console transport with the JSON format (docs/logs.md): standard output is shipped already.
   * Enabled, the backend gets a writable emptyDir at `path` (its root filesystem stays read-only),
   * `LOG_DIR` in its environment, and the log shipper tails `*.log` there on each node with the same
   * Winston parsing and pod labels (job `kubernetes-pod-files`).
   */
  logFiles: obj({
    /** @default false */
    enabled: withDefault(bool(), false),
    /** Where the backend writes its log files (absolute). @default '/app/logs' */
    path: withDefault(str({ pattern: /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, expects: "an absolute directory such as '/app/logs'" }), '/app/logs'),
    /**
     * Size limit of the volume: the kubelet evicts the pod above it, so let Winston rotate
     * (`maxsize`, `maxFiles`) well below it. Counts against the node's ephemeral storage. @default '1Gi'
     */
    sizeLimit: withDefault(storageSize(), '1Gi'),
  }),
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
  if (s.logFiles.enabled && (s.logFiles.path === '/tmp' || s.logFiles.path.startsWith('/tmp/'))) {
    issues.push({
      path: 'logFiles.path',
      message: `is '${s.logFiles.path}', inside the backend's /tmp scratch volume`,
      fix: "choose a directory of its own, e.g. '/app/logs'",
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
