/**
 * The backend's slice of the configuration (`backend:` in config/<environment>.yaml): its
 * Deployment, and the thresholds of the alerts on it.
 */
import { ConfigIssue, Infer, bool, dnsLabel, dnsSubdomain, durationToSeconds, int, list, num, obj, promDuration, required, show, storageSize, str, withDefault } from '../lib/schema';
import { imageRef, resources } from '../lib/settings';
import { WORKBOOK_WINDOWS, formatDuration, scaleWindows } from '../lib/slo';
import { BACKEND_METRICS } from '../contracts/backend-metrics';
import { ComponentProps } from '../contracts/shared';

/** What every objective has: a target share of good events and the period it holds over. */
const objective = (target: number, minEvents: number) => ({
  /** Share of good events, strictly between 0 and 1 (0.995 leaves an error budget of 0.5%). */
  target: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), target),
  /**
   * The rolling period the target holds over. The burn-rate windows scale with it (1h and 5m at
   * 30d; 56m and 4m40s at 28d). @default '28d' (four whole weeks: every weekday counts as often)
   */
  period: withDefault(promDuration(), '28d'),
  /**
   * Events the long window of a burn-rate alert must hold before it may fire: below that, a few
   * failures are a large share and say nothing (the night-time flapping of a plain ratio).
   */
  minEvents: withDefault(int({ min: 0 }), minEvents),
});

export const backendSettings = obj({
  /** The backend image; there is no default: the release to run is the operator's decision. */
  image: required(imageRef()),
  /**
   * Existing `kubernetes.io/dockerconfigjson` Secrets in the backend's namespace with the
   * credentials of its private registry (`kubectl create secret docker-registry`, README "Private
   * images"). The kubelet pulls the image with them. @default [] (a public image, or node credentials)
   */
  imagePullSecrets: withDefault(list(dnsSubdomain(), { unique: true }), []),
  /** Pods of the backend Deployment. @default 2 */
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
    /**
     * Give the backend a writable volume for Winston's file transport and let the log shipper tail
     * its `*.log` files, for a backend that logs to files instead of its standard output. @default false
     */
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
    /** How long the 5xx ratio must stay above errorRatio before the alert fires. @default '5m' */
    errorFor: withDefault(promDuration(), '5m'),
    /**
     * p95 latency over this many seconds warns. Must be a bucket bound of the request histogram
     * (the contract's buckets), or histogram_quantile can only guess around it. @default 1
     */
    latencyP95Seconds: withDefault(num({ exclusiveMin: 0 }), 1),
    /** p99 latency over this many seconds is critical; a bucket bound too. @default 2.5 */
    latencyP99Seconds: withDefault(num({ exclusiveMin: 0 }), 2.5),
    /** How long a latency threshold must be exceeded before its alert fires. @default '10m' */
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
     * Requests per second the whole API needs before HighErrorRate may warn: at night a handful of
     * requests with two failures is no 5% of anything. @default 0.5 (150 requests in 5m)
     */
    serviceMinRequestRate: withDefault(num({ exclusiveMin: 0 }), 0.5),
    /**
     * A queue paused this long warns (BackendQueuePaused): long enough for a deliberate pause
     * during a deploy or a migration, short enough that a forgotten one is noticed. @default '10m'
     */
    queuePausedFor: withDefault(promDuration(), '10m'),
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
    /**
     * A pod that is up but has not served a contract metric for this long raises
     * BackendMetricMissing. Longer than a rollout and than the gaps a sampled gauge has while its
     * source is down (queue depth during a Redis outage, which RedisDown reports). @default '15m'
     */
    metricMissingFor: withDefault(promDuration(), '15m'),
  }),
  /**
   * Service level objectives: each gets burn-rate alerts (pages and tickets, the SRE workbook's
   * multi-window scheme), recording rules and a row of the SLO dashboard (docs/alerting.md).
   */
  slos: obj({
    /** Share of API requests answered without a 5xx. @default target 0.995, period '28d', minEvents 100 */
    availability: obj(objective(0.995, 100)),
    /** Share of API requests answered within `thresholdSeconds`. @default target 0.99, period '28d', minEvents 100 */
    latency: obj({
      ...objective(0.99, 100),
      /**
       * A request slower than this is a bad event. Must be a bucket bound of
       * http_request_duration_seconds (charts/contracts/backend-metrics.ts): the share is read
       * from that bucket, nothing is interpolated. @default 1
       */
      thresholdSeconds: withDefault(num({ exclusiveMin: 0 }), 1),
    }),
    /** Share of payment provider callbacks processed. @default target 0.99, period '28d', minEvents 20 (callbacks are sparse) */
    paymentCallbacks: obj(objective(0.99, 20)),
    /** Share of queue jobs that finished without failing (after their last attempt). @default target 0.99, period '28d', minEvents 20 */
    queueJobs: obj(objective(0.99, 20)),
    /**
     * Share of time every queue is fresh: it has nothing waiting (or paused), or it completed a job
     * within `maxAge`. Time-based, so minEvents does not apply. @default target 0.99, period '28d'
     */
    queueFreshness: obj({
      /** Share of time every queue is fresh. @default 0.99 */
      target: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.99),
      /** The rolling period the target holds over. @default '28d' */
      period: withDefault(promDuration(), '28d'),
      /** Work waiting and nothing completed for this long makes a queue stale. @default '5m' */
      maxAge: withDefault(promDuration(), '5m'),
    }),
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
  const bounds: readonly number[] = BACKEND_METRICS.httpRequestDuration.buckets;
  if (!bounds.includes(s.slos.latency.thresholdSeconds)) {
    const t = s.slos.latency.thresholdSeconds;
    const below = [...bounds].reverse().find((b) => b < t);
    const above = bounds.find((b) => b > t);
    issues.push({
      path: 'slos.latency.thresholdSeconds',
      message: `is ${t}, which is no bucket bound of ${BACKEND_METRICS.httpRequestDuration.name} (${bounds.join(', ')}): the share of requests under it cannot be read from the histogram`,
      fix: `use a bucket bound${below !== undefined || above !== undefined ? `, e.g. ${[below, above].filter((b) => b !== undefined).join(' or ')}` : ''}, or add ${t} to the buckets of the metrics contract (and to the backend's instrumentation)`,
    });
  }
  return issues;
}

/** The objectives of the slice, by their path under `backend.slos`. */
export const SLO_KEYS = ['availability', 'latency', 'paymentCallbacks', 'queueJobs', 'queueFreshness'] as const;

/**
 * Rate windows need samples: a window shorter than four scrapes gives rate() one or two points and
 * a ratio that jumps. The burn-rate windows scale with the period (`scaleWindows`), so a short
 * period makes short windows; this says which period is the least that works. Paths are relative
 * to `backend`; `scrapeInterval` is Prometheus's.
 */
export function backendSloChecks(s: BackendSettings, scrapeInterval: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const minWindow = 4 * durationToSeconds(scrapeInterval);
  for (const key of SLO_KEYS) {
    const period = s.slos[key].period;
    const windows = scaleWindows(WORKBOOK_WINDOWS, period);
    const all = windows.flatMap((w) => [w.short, w.long]);
    const shortest = all.reduce((a, b) => (durationToSeconds(a) <= durationToSeconds(b) ? a : b));
    const longest = all.reduce((a, b) => (durationToSeconds(a) >= durationToSeconds(b) ? a : b));
    const workbookShortest = Math.min(...WORKBOOK_WINDOWS.map((w) => durationToSeconds(w.short)));
    const leastPeriod = formatDuration(Math.ceil((minWindow / workbookShortest) * durationToSeconds('30d')));
    if (durationToSeconds(shortest) < minWindow) {
      issues.push({
        path: `slos.${key}.period`,
        message: `is ${show(period)}, which scales the shortest burn-rate window to ${shortest}, less than four scrapes (${formatDuration(minWindow)} at prometheus.scrapeInterval ${scrapeInterval})`,
        fix: `set a period of at least ${leastPeriod}, or scrape more often`,
      });
    } else if (durationToSeconds(longest) >= durationToSeconds(period)) {
      issues.push({
        path: `slos.${key}.period`,
        message: `is ${show(period)}, not longer than its longest burn-rate window ${longest}`,
        fix: `set a period of at least ${leastPeriod}`,
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
