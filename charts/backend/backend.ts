/**
 * The Love Parser backend (Fastify API and Bull workers): its Deployment with the health probes the
 * backend exposes, a PodDisruptionBudget, the `backend` Service, its network policy, and what it
 * contributes to monitoring (its scrape job). The image and the Secret holding its environment come
 * from config; nothing here knows a credential.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BACKEND_LOG_FILES } from '../contracts/logs';
import { ComponentChart } from '../lib/component';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { container, httpProbe, podSpec, restrictedPod, scratchVolume, startupProbe } from '../lib/pod';
import { serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { alertRules } from './alerts';
import { kubernetesAlertRules } from './kubernetes-alerts';
import { dashboards } from './dashboards';
import { recordingRules } from './recording-rules';
import { sloRules } from './slos';
import { BackendProps } from './settings';

/** The backend's health endpoints (also served under /api/health/*). */
export const HEALTH = {
  /** Process is alive; no dependency checks. Bound to the liveness probe. */
  live: '/health/live',
  /** Fails fast when Postgres, Redis or Telegram are down. Bound to the readiness probe. */
  ready: '/health/ready',
  /** Deep checks, for humans and synthetic monitoring, not for probes. */
  deep: ['/health', '/health/db', '/health/redis', '/health/telegram'],
} as const;

/** Where the backend serves Prometheus metrics. */
export const METRICS_PATH = '/metrics';

/** The backend's container in its pods: the Kubernetes alerts select it, the log shipper finds its log volume by it. */
export const BACKEND_CONTAINER = BACKEND_LOG_FILES.container;

/** uid of the `node` user in the official Node.js images the backend is built on. */
const NODE_UID = 1000;

/** HTTPS: the Telegram Bot API, payment providers, Sentry. */
const HTTPS = 443;

export class BackendChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[];

  constructor(scope: Construct, id: string, props: BackendProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.backend;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'api', version: c.image.tag.split('@')[0], partOf: 'love-parser' });
    const selector = endpoint.podLabels;
    // Winston's file transport needs a writable directory; the root filesystem stays read-only.
    const logFiles = c.logFiles.enabled ? c.logFiles : undefined;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: endpoint.name, labels },
      spec: {
        replicas: c.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        // Surge first: capacity never drops below `replicas` during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels },
          spec: {
            ...podSpec({
              serviceAccountName: endpoint.name,
              securityContext: restrictedPod(NODE_UID),
              imagePullSecrets: c.imagePullSecrets,
              terminationGracePeriodSeconds: 45, // let Bull workers finish their current job
              containers: [
                container({
                  name: BACKEND_CONTAINER,
                  image: `${c.image.repository}:${c.image.tag}`,
                  ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                  env: [
                    { name: 'NODE_ENV', value: 'production' },
                    { name: 'PORT', value: String(endpoint.port) },
                    { name: 'HOST', value: '0.0.0.0' },
                    // Where a Winston file transport writes (filename: path.join(process.env.LOG_DIR, 'app.log')).
                    ...(logFiles ? [{ name: 'LOG_DIR', value: logFiles.path }] : []),
                  ],
                  // DATABASE_URL, REDIS_URL, TELEGRAM_BOT_TOKEN, payment keys, optional SENTRY_DSN.
                  envFrom: [{ secretRef: { name: c.envSecret, optional: false } }],
                  livenessProbe: httpProbe(HEALTH.live, endpoint.portName, { periodSeconds: 10, failureThreshold: 3 }),
                  // Readiness fails fast (period 5s) so a pod whose dependencies are down leaves the Service.
                  readinessProbe: httpProbe(HEALTH.ready, endpoint.portName, { periodSeconds: 5, failureThreshold: 2 }),
                  startupProbe: startupProbe(HEALTH.live, endpoint.portName, c.startupSeconds),
                  resources: c.resources,
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(logFiles ? [{ name: BACKEND_LOG_FILES.volume, mountPath: logFiles.path }] : [])],
                }),
              ],
              // The log shipper tails the log volume on the node: its name is part of the path it reads.
              volumes: [scratchVolume('tmp', '256Mi'), ...(logFiles ? [scratchVolume(BACKEND_LOG_FILES.volume, logFiles.sizeLimit)] : [])],
            }),
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
            ],
          },
        },
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: endpoint.name, labels },
      spec: { minAvailable: k8s.IntOrString.fromNumber(c.minAvailable), selector: { matchLabels: selector } },
    });

    serviceFor(this, 'service', endpoint, labels);

    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      // The API's clients (ingress controller, Telegram webhooks, other services) and Prometheus.
      ingress: [{ peers: [{ anywhere: true }], ports: [{ port: endpoint.port }] }],
      // Postgres and Redis on their configured ports (network.postgresPort, network.redisPort), and HTTPS.
      egress: [{ peers: [{ anywhere: true }], ports: [...new Set([props.shared.network.postgresPort, props.shared.network.redisPort, HTTPS])].map((port) => ({ port })) }],
    });

    this.scrapeJobs = [podScrapeJob({ job: 'backend', endpoint, metricsPath: METRICS_PATH })];
    this.ruleGroups = [...recordingRules(props), ...alertRules(props), ...sloRules(props), ...kubernetesAlertRules(props)];
    this.dashboards = dashboards(props);
  }
}
