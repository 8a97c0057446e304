/**
 * The blackbox exporter: probes from outside the backend's pods, the way clients reach them. It
 * fetches the backend's `/health/ready` through the backend Service (so "no ready endpoint" looks
 * exactly as it does to a client: no answer) and the configured external URLs (public API, Telegram
 * webhook, payment callback), reporting for https:// ones when their certificate expires.
 *
 * One hardened replica (two would probe everything twice), its configuration (blackbox.yml) from a
 * ConfigMap whose checksum rolls the pod (v0.27.0 re-reads it only on SIGHUP or POST /-/reload),
 * and a NetworkPolicy that lets it reach only what it probes: the backend's port, and the ports of
 * the external URLs. Prometheus runs one scrape job per URL (./probes.ts).
 */
import * as YAML from 'yaml';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { Flow, allowOnly } from '../lib/network';
import { configMapVolume, container, httpProbe, podSpec, restrictedPod } from '../lib/pod';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { blackboxConfig, probeJobs, probes } from './probes';
import { BlackboxExporterProps, urlPort } from './settings';

/** uid/gid `nobody` of the quay.io/prometheus/blackbox-exporter image. */
const BLACKBOX_UID = 65534;
export const BLACKBOX_CONFIG_DIR = '/etc/blackbox';
export const BLACKBOX_CONFIG_FILE = 'blackbox.yml';

export function blackboxExporterArgs(port: number): string[] {
  return [`--config.file=${BLACKBOX_CONFIG_DIR}/${BLACKBOX_CONFIG_FILE}`, `--web.listen-address=:${port}`];
}

export class BlackboxExporterChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[] = [];
  /** The generated blackbox.yml. */
  readonly configYaml: string;

  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    const c = props.settings;
    const ep = props.shared.endpoints;
    const endpoint = ep.blackboxExporter;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'exporter', version: IMAGES.blackboxExporter.tag });
    const selector = endpoint.podLabels;
    const all = probes(c, ep.backend);
    this.configYaml = YAML.stringify(blackboxConfig(c), { lineWidth: 0 });
    const configMap = `${endpoint.name}-config`;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: configMap, labels }, data: { [BLACKBOX_CONFIG_FILE]: this.configYaml } });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: endpoint.name, labels },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { 'checksum/config': configChecksum(this.configYaml) } },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            securityContext: restrictedPod(BLACKBOX_UID),
            containers: [
              container({
                name: endpoint.name,
                image: imageOf('blackboxExporter'),
                args: blackboxExporterArgs(endpoint.port),
                ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                livenessProbe: httpProbe('/-/healthy', endpoint.portName, { periodSeconds: 20 }),
                readinessProbe: httpProbe('/-/healthy', endpoint.portName, { periodSeconds: 10 }),
                resources: c.resources,
                volumeMounts: [{ name: 'config', mountPath: BLACKBOX_CONFIG_DIR, readOnly: true }],
              }),
            ],
            volumes: [configMapVolume('config', configMap)],
          }),
        },
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    const externalPorts = [...new Set(all.filter((p) => !p.internal).map((p) => urlPort(p.url)))].sort((a, b) => a - b);
    const egress: Flow[] = [
      { peers: [{ endpoint: ep.backend }], ports: [{ port: ep.backend.port }] },
      ...(externalPorts.length ? [{ peers: [{ anywhere: true as const }], ports: externalPorts.map((port) => ({ port })) }] : []),
    ];
    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      ingress: [{ peers: [{ endpoint: ep.prometheus }], ports: [{ port: endpoint.port }] }],
      egress,
    });

    this.scrapeJobs = probeJobs(c, endpoint, all);
    this.ruleGroups = alertRules(props);
  }
}
