/**
 * Alertmanager: one replica in a StatefulSet whose claim keeps silences and the notification log
 * across restarts, the configuration from ./routing.ts in a ConfigMap, receiver credentials read
 * from files of an existing Secret, a Service for Prometheus and Grafana, and its network policy.
 *
 * One replica on purpose. Alertmanager's high availability is a gossip cluster; peers that never
 * join (a NetworkPolicy, a headless Service without published not-ready addresses, a wrong
 * advertise address) each notify on their own and every page arrives twice. A single
 * replica with persistent state restarts in seconds without losing silences or re-sending what the
 * notification log already recorded, and Prometheus keeps re-sending firing alerts meanwhile. The
 * gossip listener is switched off so nothing tries to form a cluster.
 *
 * Reloading: Alertmanager v0.34 has no file watcher. The pod template carries a checksum of the
 * configuration, so a changed alertmanager.yml rolls the pod (seconds; state is on the claim); the
 * ConfigMap is mounted as a directory, so `kill -HUP 1` also picks it up without a restart.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { Flow, allowOnly } from '../lib/network';
import { configMapVolume, container, httpProbe, podSpec, restrictedPod, secretVolume } from '../lib/pod';
import { StatefulSet, claimTemplate } from '../lib/storage';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { TEMPLATE_FILE, NOTIFICATION_TEMPLATE, alertmanagerConfig, secretFiles, smtpPort } from './routing';
import { AlertmanagerProps } from './settings';

/** uid and gid of `nobody`, the user of the official Alertmanager image. */
const NOBODY = 65534;

/** Where the pod finds its files. */
export const ALERTMANAGER_PATHS = {
  configDir: '/etc/alertmanager/config',
  configFile: '/etc/alertmanager/config/alertmanager.yml',
  secretsDir: '/etc/alertmanager/secrets',
  storage: '/alertmanager',
} as const;

/** Receivers are HTTPS APIs (Slack, PagerDuty, SMS and heartbeat webhooks); SMTP adds its own port. */
const HTTPS = 443;

export class AlertmanagerChart extends ComponentChart implements MonitoringSource {
  readonly endpoint: ServiceEndpoint;
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  /** alertmanager.yml as written into the ConfigMap. */
  readonly configYaml: string;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.alertmanager;
    super(scope, id, endpoint.namespace, props.dependsOn);
    this.endpoint = endpoint;

    const labels = componentLabels({ name: endpoint.name, component: 'alerting', version: IMAGES.alertmanager.tag });
    const selector = endpoint.podLabels;
    const files = secretFiles(props.settings, { secretsDir: ALERTMANAGER_PATHS.secretsDir });
    this.configYaml = YAML.stringify(alertmanagerConfig(props.settings, { secretsDir: ALERTMANAGER_PATHS.secretsDir }), { lineWidth: 0 });
    const configMapName = `${endpoint.name}-config`;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: configMapName, labels },
      data: { 'alertmanager.yml': this.configYaml, [TEMPLATE_FILE]: NOTIFICATION_TEMPLATE },
    });
    const checksum = configChecksum(this.configYaml, NOTIFICATION_TEMPLATE);

    new StatefulSet(this, 'statefulset', {
      metadata: { name: endpoint.name, labels },
      spec: {
        // Not headless: with one replica nothing needs per-pod DNS, and no peer discovery happens.
        serviceName: endpoint.name,
        replicas: 1,
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum } },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            // fsGroup makes the claim and the 0400 Secret files readable by `nobody`.
            securityContext: restrictedPod(NOBODY, { fsGroup: NOBODY }),
            containers: [
              container({
                name: 'alertmanager',
                image: imageOf('alertmanager'),
                args: [
                  `--config.file=${ALERTMANAGER_PATHS.configFile}`,
                  `--storage.path=${ALERTMANAGER_PATHS.storage}`,
                  `--web.listen-address=:${endpoint.port}`,
                  // Links in notifications (silence, alert list) point at the in-cluster Service.
                  `--web.external-url=${endpoint.url}`,
                  // Empty disables gossip: one replica, no peers to wait for or to duplicate pages.
                  '--cluster.listen-address=',
                  '--log.format=json',
                ],
                ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                livenessProbe: httpProbe('/-/healthy', endpoint.portName),
                readinessProbe: httpProbe('/-/ready', endpoint.portName, { periodSeconds: 5 }),
                resources: c.resources,
                volumeMounts: [
                  { name: 'config', mountPath: ALERTMANAGER_PATHS.configDir, readOnly: true },
                  { name: 'secrets', mountPath: ALERTMANAGER_PATHS.secretsDir, readOnly: true },
                  { name: 'data', mountPath: ALERTMANAGER_PATHS.storage },
                ],
              }),
            ],
            volumes: [
              configMapVolume('config', configMapName),
              // Only the keys enabled receivers read; a missing key keeps the pod from starting.
              secretVolume(
                'secrets',
                c.secretName,
                files.map((f) => ({ key: f.key, path: f.key })),
              ),
            ],
          }),
        },
        volumeClaimTemplates: [claimTemplate('data', selector, c.storage)],
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    const smtp = smtpPort(props.settings);
    const egress: Flow[] = [{ peers: [{ anywhere: true }], ports: [HTTPS, ...(smtp !== undefined && smtp !== HTTPS ? [smtp] : [])].map((port) => ({ port })) }];
    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      // Prometheus sends alerts and scrapes; Grafana reads alerts and silences.
      ingress: [{ peers: [{ endpoint: props.shared.endpoints.prometheus }, { endpoint: props.shared.endpoints.grafana }], ports: [{ port: endpoint.port }] }],
      egress,
    });

    this.scrapeJobs = [podScrapeJob({ job: endpoint.name, endpoint })];
    this.ruleGroups = alertRules(props);
  }
}
