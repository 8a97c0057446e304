/**
 * The one configuration of the stack: its schema, its documented defaults (which reproduce the
 * original docker compose stack), and the checks that span several fields.
 *
 * An environment file (`config/<environment>.yaml`) overrides any default; `loadConfig` in
 * `charts/load-config.ts` reads it. Everything a component needs comes from here: nothing else
 * reads the environment or a file.
 */
import {
  ConfigIssue,
  Infer,
  bool,
  cpuQuantity,
  cpuToMillis,
  dnsLabel,
  dnsSubdomain,
  durationToSeconds,
  int,
  list,
  memoryQuantity,
  num,
  obj,
  oneOf,
  optional,
  parseOrThrow,
  promDuration,
  required,
  secretKey,
  show,
  sizeToBytes,
  storageSize,
  str,
  withDefault,
} from './lib/schema';

/** Tags that move: an image under such a tag is not reproducible. */
const FLOATING_TAGS = ['latest', 'stable', 'main', 'master', 'edge', 'nightly', 'dev'];

const imageRef = () =>
  obj({
    /** Registry and repository, e.g. `ghcr.io/love-parser/backend`. */
    repository: required(
      str({
        pattern: /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
        expects: "an image repository such as 'ghcr.io/love-parser/backend' (no tag)",
      }),
    ),
    /** A released, immutable tag such as `1.4.2`; floating tags are refused. */
    tag: required(
      str({
        pattern: new RegExp(`^(?!(${FLOATING_TAGS.join('|')})$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`),
        expects: `a released image tag such as '1.4.2' (not ${FLOATING_TAGS.map((t) => `'${t}'`).join(', ')})`,
      }),
    ),
  });

const resources = (d: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string }) =>
  withDefault(
    obj({
      requests: obj({ cpu: withDefault(cpuQuantity(), d.cpu), memory: withDefault(memoryQuantity(), d.memory) }),
      limits: obj({ cpu: withDefault(cpuQuantity(), d.cpuLimit), memory: withDefault(memoryQuantity(), d.memoryLimit) }),
    }),
    { requests: { cpu: d.cpu, memory: d.memory }, limits: { cpu: d.cpuLimit, memory: d.memoryLimit } },
  );

const volume = (size: string) =>
  obj({
    /** Size of the PersistentVolumeClaim. */
    size: withDefault(storageSize(), size),
    /** StorageClass of the claim; the cluster default when left out. */
    storageClass: optional(dnsSubdomain()),
  });

const secretRef = (name: string, key: string) =>
  obj({ name: withDefault(dnsSubdomain(), name), key: withDefault(secretKey(), key) });

export const stackSchema = obj({
  /** Name of the environment; set from the file name by `loadConfig`. @default 'production' */
  environment: withDefault(dnsLabel(), 'production'),
  /** Value of the `cluster` external label on every series and alert. @default 'love-parser' */
  cluster: withDefault(dnsLabel(), 'love-parser'),

  namespaces: obj({
    /** Prometheus, Alertmanager, Grafana, Loki and the exporters; Pod Security `restricted`. */
    monitoring: withDefault(dnsLabel(), 'monitoring'),
    /** Host-level agents (node exporter, log shipper); Pod Security `privileged`, nothing else runs there. */
    agents: withDefault(dnsLabel(), 'monitoring-agents'),
    /** The Love Parser backend; Pod Security `restricted`. */
    backend: withDefault(dnsLabel(), 'love-parser'),
  }),

  network: obj({
    /**
     * Where the Kubernetes API server is, for the egress policies of components that use discovery.
     * Narrow this to the control plane's addresses when they are known.
     * @default ['0.0.0.0/0'] on ports 443 and 6443
     */
    apiServerCidrs: withDefault(
      list(str({ pattern: /^[0-9.]+\/[0-9]{1,2}$/, expects: "an IPv4 CIDR such as '10.0.0.1/32'" }), { minItems: 1 }),
      ['0.0.0.0/0'],
    ),
    apiServerPorts: withDefault(list(int({ min: 1, max: 65535 }), { minItems: 1, unique: true }), [443, 6443]),
  }),

  backend: obj({
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
  }),

  prometheus: obj({
    /** @default '15s' (the seed's scrape interval) */
    scrapeInterval: withDefault(promDuration(), '15s'),
    /** @default '15s' */
    evaluationInterval: withDefault(promDuration(), '15s'),
    /** Time-based retention. @default '30d' (the seed's) */
    retention: withDefault(promDuration(), '30d'),
    /**
     * Size-based retention as a share of the claim. Prometheus's own docs advise at most 80-85% of
     * the disk: the WAL and compaction need headroom, and a full disk crash-loops the server.
     * @default 0.8
     */
    retentionSizeRatio: withDefault(num({ min: 0.5, max: 0.9 }), 0.8),
    /** The `prometheus-data` claim. @default 50Gi */
    storage: volume('50Gi'),
    /**
     * Seconds Prometheus may take to become ready after a start before liveness applies: a WAL
     * replay of a full head block on a slow network disk takes minutes, and killing it mid-replay
     * only starts it over. @default 900
     */
    startupSeconds: withDefault(int({ min: 60, max: 3600 }), 900),
    /**
     * How often Prometheus checks its configuration and rule files for changes and reloads them
     * (`--config.auto-reload-interval`). @default '30s'
     */
    reloadInterval: withDefault(promDuration(), '30s'),
    resources: resources({ cpu: '500m', memory: '2Gi', cpuLimit: '2', memoryLimit: '4Gi' }),
  }),

  alertmanager: obj({
    /** Existing Secret holding every receiver credential, mounted read-only as files. */
    secretName: withDefault(dnsSubdomain(), 'alertmanager-receivers'),
    /** @default '30s' */
    groupWait: withDefault(promDuration(), '30s'),
    /** @default '5m' */
    groupInterval: withDefault(promDuration(), '5m'),
    /** @default '4h' */
    repeatInterval: withDefault(promDuration(), '4h'),
    slack: obj({
      enabled: withDefault(bool(), true),
      /** @default '#ops-love-parser' */
      channel: withDefault(str({ pattern: /^#[a-z0-9][a-z0-9_-]{0,79}$/, expects: "a Slack channel starting with '#', e.g. '#ops-love-parser'" }), '#ops-love-parser'),
      /** Key of the Slack incoming-webhook URL in the receivers Secret. */
      webhookUrlKey: withDefault(secretKey(), 'slack-webhook-url'),
    }),
    email: obj({
      enabled: withDefault(bool(), true),
      /** Where critical alerts go. Required when email is enabled. */
      to: optional(str({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expects: "an email address such as 'oncall@example.org'" })),
      from: optional(str({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expects: "an email address such as 'alertmanager@example.org'" })),
      /** SMTP server as host:port; STARTTLS is required. */
      smarthost: optional(str({ pattern: /^[a-z0-9.-]+:[0-9]{1,5}$/, expects: "host:port such as 'smtp.example.org:587'" })),
      username: optional(str({ minLength: 1, expects: 'an SMTP user name' })),
      /** Key of the SMTP password in the receivers Secret. */
      passwordKey: withDefault(secretKey(), 'smtp-password'),
    }),
    sms: obj({
      /** A generic webhook (Twilio, OpsGenie, ...) for alerts labelled notify_sms="true". @default false */
      enabled: withDefault(bool(), false),
      urlKey: withDefault(secretKey(), 'sms-webhook-url'),
      tokenKey: withDefault(secretKey(), 'sms-webhook-token'),
    }),
    pagerduty: obj({
      /** @default false */
      enabled: withDefault(bool(), false),
      routingKeyKey: withDefault(secretKey(), 'pagerduty-routing-key'),
    }),
    heartbeat: obj({
      /**
       * Dead-man's switch: the always-firing Watchdog alert is posted to an external heartbeat
       * service (healthchecks.io, Dead Man's Snitch, ...) that alarms when the posts stop, i.e. when
       * Prometheus, Alertmanager or the path between them is dead. Disabled, the Watchdog goes to a
       * receiver without integrations (visible in the UI, sent nowhere). @default false
       */
      enabled: withDefault(bool(), false),
      /** Key of the heartbeat URL in the receivers Secret (the URL usually embeds its token). */
      urlKey: withDefault(secretKey(), 'heartbeat-url'),
      /** Time between two posts; the heartbeat service's grace period must be longer. @default '5m' */
      interval: withDefault(promDuration(), '5m'),
    }),
    /** Silences and the notification log. @default 2Gi */
    storage: volume('2Gi'),
    resources: resources({ cpu: '50m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '256Mi' }),
  }),

  grafana: obj({
    /** Existing Secret with the admin user name and password, read by Grafana from files. */
    adminSecret: obj({
      name: withDefault(dnsSubdomain(), 'grafana-admin'),
      userKey: withDefault(secretKey(), 'admin-user'),
      passwordKey: withDefault(secretKey(), 'admin-password'),
    }),
    /** Grafana's database (users, preferences, annotations); dashboards themselves come from code. @default 5Gi */
    storage: volume('5Gi'),
    /** Optional Ingress; without it, use `kubectl port-forward` (see README). */
    ingress: optional(
      obj({
        host: required(str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, expects: "a host name such as 'grafana.example.org'" })),
        /** Existing TLS Secret for the host (cert-manager can create it); Grafana is never served over plain HTTP. */
        tlsSecret: required(dnsSubdomain()),
        className: optional(dnsSubdomain()),
        /**
         * Namespace of the ingress controller's pods: Grafana's NetworkPolicy admits them on its
         * port. A controller in the host network is not matched by namespace; see docs/grafana.md.
         * @default 'ingress-nginx'
         */
        controllerNamespace: withDefault(dnsLabel(), 'ingress-nginx'),
      }),
    ),
    /**
     * Seconds Grafana may take to answer /api/health after a start before liveness applies: an
     * upgrade runs database migrations first, minutes on a slow disk. @default 300
     */
    startupSeconds: withDefault(int({ min: 30, max: 1800 }), 300),
    /**
     * A statement whose mean execution time (pg_stat_statements) is above this many seconds counts
     * as slow in the Database Health dashboard's slow query rate. @default 0.5
     */
    slowQuerySeconds: withDefault(num({ exclusiveMin: 0 }), 0.5),
    resources: resources({ cpu: '100m', memory: '256Mi', cpuLimit: '1', memoryLimit: '512Mi' }),
  }),

  loki: obj({
    /** Log retention, enforced by the compactor. @default '30d' (like Prometheus) */
    retention: withDefault(promDuration(), '30d'),
    /** The `loki-data` claim. @default 50Gi */
    storage: volume('50Gi'),
    /** Per-tenant ingestion rate in MiB/s; one backend writes far less. @default 8 */
    ingestionRateMb: withDefault(int({ min: 1, max: 1024 }), 8),
    /** Burst above the rate, in MiB. @default 16 */
    ingestionBurstMb: withDefault(int({ min: 1, max: 2048 }), 16),
    /**
     * Rate of one stream (one container's lines of one level) in MiB/s; above it Loki answers 429
     * for that stream only. Loki's own default. @default 3
     */
    perStreamRateMb: withDefault(int({ min: 1, max: 1024 }), 3),
    /** Burst of one stream above its rate, in MiB. Loki's own default. @default 15 */
    perStreamBurstMb: withDefault(int({ min: 1, max: 2048 }), 15),
    /**
     * Active streams the single tenant may hold: about pods x containers x levels x 2 (stdout and
     * stderr). One backend with Postgres and the monitoring stack uses a few hundred. @default 10000
     */
    maxStreams: withDefault(int({ min: 100, max: 1000000 }), 10000),
    /**
     * Oldest line Loki accepts. A shipper catching up after an outage longer than this loses what is
     * older; keep it at or below the retention. @default '7d'
     */
    rejectOlderThan: withDefault(promDuration(), '7d'),
    resources: resources({ cpu: '200m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  }),

  logs: obj({
    /**
     * The log shipper on every node. Promtail is the seed's; it reached end of life upstream on
     * 2026-03-02, so Alloy is the supported choice for new installs. @default 'promtail'
     */
    shipper: withDefault(oneOf(['promtail', 'alloy'] as const), 'promtail'),
    /** Also ship `/var/log/postgresql/*.log` from the nodes (a Postgres running on the host). @default false */
    hostPostgresLogs: withDefault(bool(), false),
    /**
     * Group that may read the host's Postgres log files (`adm`, gid 4, on Debian and Ubuntu: the files
     * are `postgres:adm 0640`). The shipper joins it only when hostPostgresLogs is on. @default 4
     */
    hostLogGroup: withDefault(int({ min: 1, max: 65535 }), 4),
    /**
     * Values of the pods' `app.kubernetes.io/name` (or `app`) label that mark Postgres servers: their
     * logs go through the Postgres stage (level from LOG/ERROR/FATAL...) instead of the generic one.
     * @default ['postgres', 'postgresql']
     */
    postgresApps: withDefault(list(dnsLabel(), { minItems: 1, unique: true }), ['postgres', 'postgresql']),
    // Alloy idles at 100-150Mi; 512Mi leaves room for a node's backlog after a Loki outage.
    resources: resources({ cpu: '50m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' }),
  }),

  exporters: obj({
    postgres: obj({
      /** Existing Secret with the monitoring DSN (`postgresql://monitor:...@host:5432/db?sslmode=...`). */
      dsnSecret: secretRef('postgres-exporter', 'dsn'),
      resources: resources({ cpu: '50m', memory: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' }),
    }),
    redis: obj({
      /** Existing Secret with the Redis address (`redis://host:6379`) and password. */
      secretName: withDefault(dnsSubdomain(), 'redis-exporter'),
      addressKey: withDefault(secretKey(), 'address'),
      passwordKey: withDefault(secretKey(), 'password'),
      resources: resources({ cpu: '50m', memory: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' }),
    }),
    node: obj({
      /**
       * Addresses of the cluster's nodes. The node exporter runs in the host network, where pod
       * selectors do not apply, so Prometheus's egress to it is allowed to these addresses (on the
       * exporter's port only). Narrow this to the node subnet when it is known.
       * @default ['0.0.0.0/0']
       */
      nodeCidrs: withDefault(
        list(str({ pattern: /^[0-9.]+\/[0-9]{1,2}$/, expects: "an IPv4 CIDR such as '10.0.0.0/16'" }), { minItems: 1 }),
        ['0.0.0.0/0'],
      ),
      resources: resources({ cpu: '50m', memory: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' }),
    }),
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
    /** Share of Postgres max_connections in use. @default 0.8 */
    pgConnectionsRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.8),
    /** Jobs waiting and none completed for this long means a stuck queue. @default '10m' */
    queueStuckFor: withDefault(promDuration(), '10m'),
    /** Share of failed payment callbacks. @default 0.1 */
    paymentCallbackFailureRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /** Free share of a filesystem below which disk pressure warns. @default 0.1 */
    diskFreeRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /** Available share of node memory below which memory pressure warns. @default 0.1 */
    memoryAvailableRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /** Share of Redis maxmemory in use. @default 0.9 */
    redisMemoryRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.9),
    /**
     * Share of one Alertmanager integration's notifications failing that alerts. Alertmanager retries
     * before it counts a failure, so even 1% means notifications are being lost. @default 0.01
     */
    notificationFailureRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.01),
    /**
     * Window of rate() in the error-ratio and latency rules: 20 scrapes at 15s, so one slow or lost
     * scrape does not swing the ratio. @default '5m'
     */
    rateWindow: withDefault(promDuration(), '5m'),
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
    /** Free share of a filesystem below which disk pressure is critical. @default 0.05 */
    diskFreeCriticalRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /**
     * History predict_linear() fits the disk trend on: long enough that a log burst or a compaction
     * does not look like a trend. @default '6h'
     */
    diskFillLookback: withDefault(promDuration(), '6h'),
    /** A filesystem predicted full within this warns (a working day to act). @default '24h' */
    diskFillWarningWithin: withDefault(promDuration(), '24h'),
    /** A filesystem predicted full within this is critical (act now). @default '4h' */
    diskFillCriticalWithin: withDefault(promDuration(), '4h'),
    /**
     * Where RUNBOOK.md is browsable; every alert's runbook_url is this plus `#<heading anchor>`.
     * @default derived from argocd.repoURL and argocd.targetRevision (`<repo>/blob/<revision>/RUNBOOK.md`)
     */
    runbookUrl: optional(str({ pattern: /^https:\/\/[^\s#]+$/, expects: "an https URL of RUNBOOK.md such as 'https://git.example.org/ops/monitoring/-/blob/main/RUNBOOK.md'" })),
  }),

  argocd: obj({
    /** Git URL of this repository. */
    repoURL: required(str({ pattern: /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, expects: "a git URL such as 'https://github.com/org/repo.git'" })),
    /** @default 'main' */
    targetRevision: withDefault(str({ pattern: /^[A-Za-z0-9._/-]+$/, expects: "a branch, tag or commit such as 'main'" }), 'main'),
    /** @default 'dist' */
    path: withDefault(str({ pattern: /^[A-Za-z0-9._/-]+$/, expects: "a path in the repository such as 'dist'" }), 'dist'),
    /** Namespace Argo CD runs in. @default 'argocd' */
    namespace: withDefault(dnsLabel(), 'argocd'),
    /** @default 'default' */
    project: withDefault(dnsLabel(), 'default'),
  }),
});

export type StackConfig = Infer<typeof stackSchema>;
export type Resources = StackConfig['backend']['resources'];
export type VolumeConfig = StackConfig['prometheus']['storage'];

/** Checks that need several fields at once: settings that contradict each other. */
export function crossChecks(c: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ns = c.namespaces;
  const names = [ns.monitoring, ns.agents, ns.backend];
  if (new Set(names).size !== names.length) {
    issues.push({
      path: 'namespaces',
      message: `must be three different namespaces, got ${show(ns)}`,
      fix: 'give monitoring, agents and backend their own namespace (their Pod Security levels differ)',
    });
  }
  if (c.backend.minAvailable >= c.backend.replicas) {
    issues.push({
      path: 'backend.minAvailable',
      message: `is ${c.backend.minAvailable} with backend.replicas ${c.backend.replicas}: no pod could ever be evicted and node drains would hang`,
      fix: `set backend.minAvailable below ${c.backend.replicas}, or raise backend.replicas`,
    });
  }
  if (c.alerts.latencyP95Seconds >= c.alerts.latencyP99Seconds) {
    issues.push({
      path: 'alerts.latencyP95Seconds',
      message: `is ${c.alerts.latencyP95Seconds}, not below alerts.latencyP99Seconds ${c.alerts.latencyP99Seconds}`,
      fix: 'keep the p95 threshold below the p99 threshold',
    });
  }
  if (durationToSeconds(c.prometheus.evaluationInterval) < durationToSeconds(c.prometheus.scrapeInterval)) {
    issues.push({
      path: 'prometheus.evaluationInterval',
      message: `is ${show(c.prometheus.evaluationInterval)}, shorter than scrapeInterval ${show(c.prometheus.scrapeInterval)}: rules would evaluate the same samples twice`,
      fix: 'set evaluationInterval to at least the scrape interval',
    });
  }
  if (c.loki.ingestionBurstMb < c.loki.ingestionRateMb) {
    issues.push({
      path: 'loki.ingestionBurstMb',
      message: `is ${c.loki.ingestionBurstMb}, below loki.ingestionRateMb ${c.loki.ingestionRateMb}`,
      fix: 'set the burst to at least the rate',
    });
  }
  issues.push(...lokiChecks(c.loki));
  const am = c.alertmanager;
  if (!am.slack.enabled && !am.email.enabled) {
    issues.push({
      path: 'alertmanager',
      message: 'has both slack and email disabled: warnings and critical alerts would reach nobody',
      fix: 'enable alertmanager.slack or alertmanager.email',
    });
  }
  if (am.email.enabled) {
    for (const key of ['to', 'from', 'smarthost', 'username'] as const) {
      if (am.email[key] === undefined) {
        issues.push({
          path: `alertmanager.email.${key}`,
          message: 'is required when alertmanager.email.enabled is true',
          fix: `set alertmanager.email.${key}, or set alertmanager.email.enabled to false`,
        });
      }
    }
  }
  if (c.alerts.diskFreeCriticalRatio >= c.alerts.diskFreeRatio) {
    issues.push({
      path: 'alerts.diskFreeCriticalRatio',
      message: `is ${c.alerts.diskFreeCriticalRatio}, not below alerts.diskFreeRatio ${c.alerts.diskFreeRatio}: the critical disk alert would fire before the warning`,
      fix: 'keep the critical free share below the warning free share',
    });
  }
  if (durationToSeconds(c.alerts.diskFillCriticalWithin) >= durationToSeconds(c.alerts.diskFillWarningWithin)) {
    issues.push({
      path: 'alerts.diskFillCriticalWithin',
      message: `is ${show(c.alerts.diskFillCriticalWithin)}, not shorter than alerts.diskFillWarningWithin ${show(c.alerts.diskFillWarningWithin)}`,
      fix: 'keep the critical horizon shorter than the warning horizon',
    });
  }
  const sized = [
    ['prometheus.storage.size', c.prometheus.storage.size],
    ['loki.storage.size', c.loki.storage.size],
  ] as const;
  for (const [path, size] of sized) {
    if (sizeToBytes(size) < 1024 ** 3) {
      issues.push({ path, message: `is ${show(size)}, too small for 30 days of data`, fix: "use at least '1Gi'" });
    }
  }
  for (const [path, r] of resourceEntries(c)) {
    if (cpuToMillis(r.requests.cpu) > cpuToMillis(r.limits.cpu)) {
      issues.push({
        path: `${path}.requests.cpu`,
        message: `is ${show(r.requests.cpu)}, above the limit ${show(r.limits.cpu)}`,
        fix: 'keep requests at or below limits',
      });
    }
    if (sizeToBytes(r.requests.memory) > sizeToBytes(r.limits.memory)) {
      issues.push({
        path: `${path}.requests.memory`,
        message: `is ${show(r.requests.memory)}, above the limit ${show(r.limits.memory)}`,
        fix: 'keep requests at or below limits',
      });
    }
  }
  return issues;
}

/** Loki settings that contradict each other or Loki's own rules (docs/logs.md). */
function lokiChecks(l: StackConfig['loki']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const day = 86400;
  const retention = durationToSeconds(l.retention);
  // The compactor deletes whole index tables of 24h: a retention that is not whole days is refused.
  if (retention < day || retention % day !== 0) {
    issues.push({
      path: 'loki.retention',
      message: `is ${show(l.retention)}; Loki's retention must be whole days (its index period is 24h)`,
      fix: "use days, such as '30d' or '7d'",
    });
  }
  if (durationToSeconds(l.rejectOlderThan) > retention) {
    issues.push({
      path: 'loki.rejectOlderThan',
      message: `is ${show(l.rejectOlderThan)}, beyond loki.retention ${show(l.retention)}: such lines would be deleted on arrival`,
      fix: 'keep rejectOlderThan at or below the retention',
    });
  }
  if (l.perStreamBurstMb < l.perStreamRateMb) {
    issues.push({
      path: 'loki.perStreamBurstMb',
      message: `is ${l.perStreamBurstMb}, below loki.perStreamRateMb ${l.perStreamRateMb}`,
      fix: 'set the burst to at least the rate',
    });
  }
  if (l.perStreamRateMb > l.ingestionRateMb) {
    issues.push({
      path: 'loki.perStreamRateMb',
      message: `is ${l.perStreamRateMb}, above the whole tenant's loki.ingestionRateMb ${l.ingestionRateMb}`,
      fix: 'keep the per-stream rate at or below the ingestion rate',
    });
  }
  return issues;
}

function resourceEntries(c: StackConfig): [string, Resources][] {
  return [
    ['backend.resources', c.backend.resources],
    ['prometheus.resources', c.prometheus.resources],
    ['alertmanager.resources', c.alertmanager.resources],
    ['grafana.resources', c.grafana.resources],
    ['loki.resources', c.loki.resources],
    ['logs.resources', c.logs.resources],
    ['exporters.postgres.resources', c.exporters.postgres.resources],
    ['exporters.redis.resources', c.exporters.redis.resources],
    ['exporters.node.resources', c.exporters.node.resources],
  ];
}

/** Validates raw input (already merged from the environment file) into a StackConfig, or throws a ConfigError. */
export function parseConfig(input: unknown): StackConfig {
  return parseOrThrow(stackSchema, input, crossChecks);
}
