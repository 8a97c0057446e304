/**
 * redis_exporter: one Deployment reading the Redis that holds the Bull queues and the cache. Its
 * address and password come from an existing Secret; nothing here knows them. The defaults of the
 * pinned exporter already give every metric REDIS_METRICS names (memory, keys, evictions, hits and
 * misses from INFO; per-command latency from INFO commandstats and LATENCY HISTOGRAM).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { requiredFlags } from '../lib/metric';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { container, httpProbe, podSpec, restrictedPod } from '../lib/pod';
import { serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { dashboards } from './dashboards';
import { REDIS_METRICS } from './metrics';
import { recordingRules } from './recording-rules';
import { RedisExporterProps } from './settings';

/** The uid/gid the redis_exporter image runs as (`USER 59000:59000`). */
const EXPORTER_UID = 59000;
const REDIS_PORT = 6379;

export function redisExporterArgs(port: number): string[] {
  return [
    `--web.listen-address=:${port}`,
    // Its own Go runtime and process series are noise next to Redis's; Prometheus has `up` for it.
    '--redis-only-metrics',
    ...requiredFlags(REDIS_METRICS),
  ];
}

export class RedisExporterChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[];

  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.redisExporter;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'exporter', version: IMAGES.redisExporter.tag });
    const selector = endpoint.podLabels;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: endpoint.name, labels },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            securityContext: restrictedPod(EXPORTER_UID),
            containers: [
              container({
                name: 'redis-exporter',
                image: imageOf('redisExporter'),
                args: redisExporterArgs(endpoint.port),
                env: [
                  { name: 'REDIS_ADDR', valueFrom: { secretKeyRef: { name: c.secretName, key: c.addressKey } } },
                  { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: c.secretName, key: c.passwordKey } } },
                ],
                ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                // /health answers without touching Redis (redis_up says whether Redis is up).
                livenessProbe: httpProbe('/health', endpoint.portName, { periodSeconds: 20 }),
                readinessProbe: httpProbe('/health', endpoint.portName, { periodSeconds: 10 }),
                resources: c.resources,
              }),
            ],
          }),
        },
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      ingress: [{ peers: [{ endpoint: props.shared.endpoints.prometheus }], ports: [{ port: endpoint.port }] }],
      egress: [{ peers: [{ anywhere: true }], ports: [{ port: REDIS_PORT }] }],
    });

    this.scrapeJobs = [podScrapeJob({ job: 'redis-exporter', endpoint })];
    this.ruleGroups = [...recordingRules(props), ...alertRules(props)];
    this.dashboards = dashboards(props);
  }
}
