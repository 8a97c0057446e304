/**
 * Alertmanager: a gossip cluster of replicas (three in production) in a StatefulSet, each with its
 * own claim for silences and the notification log; the configuration from ./routing.ts in a
 * ConfigMap; receiver credentials read from files of an existing Secret; a headless Service that
 * names every pod (peers and Prometheus find them by DNS), a Service for Grafana; a
 * PodDisruptionBudget, anti-affinity and its network policy.
 *
 * How the cluster stays one: the headless Service publishes not-ready pods, so peers resolve
 * each other's stable names (`alertmanager-<i>.alertmanager-headless.<ns>.svc`) while they start;
 * each pod advertises its own pod IP; the NetworkPolicy admits gossip (TCP and UDP 9094) between
 * Alertmanager pods only; a cluster label keeps foreign clusters out. Every Prometheus sends every
 * alert to every replica; the replica first in the peer order notifies, the others wait
 * `peerTimeout` per position and find the notification in the gossiped log. Peers that never join
 * would each notify: AlertmanagerClusterMembersInconsistent says so.
 *
 * Reloading: Alertmanager v0.34 has no file watcher. The pod template carries a checksum of the
 * configuration, so a changed alertmanager.yml rolls the pods one at a time (state is on the
 * claims and in the peers); the ConfigMap is mounted as a directory, so `kill -HUP 1` also picks it
 * up without a restart.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { Flow, allowOnly } from '../lib/network';
import { configMapVolume, container, fieldEnv, httpProbe, podSpec, restrictedPod, secretVolume } from '../lib/pod';
import { oneAtATime, spreadAcrossNodes } from '../lib/ha';
import { StatefulSet, claimTemplate } from '../lib/storage';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { TEMPLATE_FILE, NOTIFICATION_TEMPLATE, alertmanagerConfig, secretFiles, smtpPort } from './routing';
import { AlertmanagerProps, AlertmanagerSettings } from './settings';

/** uid and gid of `nobody`, the user of the official Alertmanager image. */
const NOBODY = 65534;

/** Where the pod finds its files. */
export const ALERTMANAGER_PATHS = {
  configDir: '/etc/alertmanager/config',
  configFile: '/etc/alertmanager/config/alertmanager.yml',
  secretsDir: '/etc/alertmanager/secrets',
  storage: '/alertmanager',
} as const;

/** The gossip port: memberlist speaks TCP (state sync) and UDP (probes, gossip) on the same number. */
export const CLUSTER_PORT = 9094;
export const CLUSTER_PORT_NAMES = { tcp: 'mesh-tcp', udp: 'mesh-udp' } as const;
const POD_IP_ENV = 'POD_IP';

/** Receivers are HTTPS APIs (Slack, PagerDuty, OpsGenie, SMS and heartbeat webhooks); SMTP adds its own port. */
const HTTPS = 443;

/**
 * The ports Alertmanager's notifications leave on: HTTPS for Slack and PagerDuty (their APIs),
 * OpsGenie's API (443, or the port its apiUrl names), the SMTP relay's, the SMS webhook's and the
 * heartbeat's, for the receivers that are on.
 */
export function receiverPorts(s: AlertmanagerSettings): number[] {
  const smtp = smtpPort(s);
  const ports = [
    ...(s.slack.enabled || s.pagerduty.enabled ? [HTTPS] : []),
    ...(s.email.enabled && smtp !== undefined ? [smtp] : []),
    ...(s.opsgenie.enabled ? [s.opsgenie.apiUrl && new URL(s.opsgenie.apiUrl).port ? Number(new URL(s.opsgenie.apiUrl).port) : HTTPS] : []),
    ...(s.sms.enabled ? [s.sms.port] : []),
    ...(s.heartbeat.enabled ? [s.heartbeat.port] : []),
  ];
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Anywhere, or the configured ranges (an egress proxy, a NAT). */
function receiverPeers(cidrs: readonly string[]): Flow['peers'] {
  return cidrs.includes('0.0.0.0/0') ? [{ anywhere: true }] : [{ cidrs }];
}

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

    const peers = Array.from({ length: c.replicas }, (_, i) => `--cluster.peer=${endpoint.podHost(i)}:${CLUSTER_PORT}`);
    new StatefulSet(this, 'statefulset', {
      metadata: { name: endpoint.name, labels },
      spec: {
        // Headless: the stable per-pod DNS names the peers join by.
        serviceName: endpoint.headlessName,
        replicas: c.replicas,
        // All replicas start at once, so a new cluster forms without waiting on readiness one by one.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum } },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            // fsGroup makes the claim and the 0400 Secret files readable by `nobody`.
            securityContext: restrictedPod(NOBODY, { fsGroup: NOBODY }),
            priorityClassName: props.shared.priorityClasses.alerting.name,
            affinity: spreadAcrossNodes(selector, c.antiAffinity),
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
                  `--cluster.listen-address=0.0.0.0:${CLUSTER_PORT}`,
                  // The pod IP, not whatever interface memberlist would guess.
                  `--cluster.advertise-address=$(${POD_IP_ENV}):${CLUSTER_PORT}`,
                  ...peers,
                  `--cluster.peer-timeout=${c.peerTimeout}`,
                  // Packets of another Alertmanager cluster that reaches this port are refused.
                  `--cluster.label=${endpoint.namespace}/${endpoint.name}`,
                  '--log.format=json',
                ],
                env: [fieldEnv(POD_IP_ENV, 'status.podIP')],
                ports: [
                  { name: endpoint.portName, containerPort: endpoint.port },
                  { name: CLUSTER_PORT_NAMES.tcp, containerPort: CLUSTER_PORT, protocol: 'TCP' },
                  { name: CLUSTER_PORT_NAMES.udp, containerPort: CLUSTER_PORT, protocol: 'UDP' },
                ],
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

    serviceFor(this, 'headless-service', endpoint, labels, {
      name: endpoint.headlessName,
      headless: true,
      // Peers must resolve each other before they are ready: readiness waits for the cluster to settle.
      publishNotReadyAddresses: true,
      extraPorts: [
        { name: CLUSTER_PORT_NAMES.tcp, port: CLUSTER_PORT, protocol: 'TCP' },
        { name: CLUSTER_PORT_NAMES.udp, port: CLUSTER_PORT, protocol: 'UDP' },
      ],
    });
    serviceFor(this, 'service', endpoint, labels);
    oneAtATime(this, 'pdb', endpoint.name, labels, selector);

    const gossip: Flow = {
      peers: [{ endpoint }],
      ports: [
        { port: CLUSTER_PORT, protocol: 'TCP' },
        { port: CLUSTER_PORT, protocol: 'UDP' },
      ],
    };
    const egress: Flow[] = [{ peers: receiverPeers(props.settings.receiverCidrs), ports: receiverPorts(props.settings).map((port) => ({ port })) }];
    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      // Prometheus sends alerts and scrapes; Grafana reads alerts and silences.
      // Gossip: the other Alertmanagers only.
      ingress: [{ peers: [{ endpoint: props.shared.endpoints.prometheus }, { endpoint: props.shared.endpoints.grafana }], ports: [{ port: endpoint.port }] }, gossip],
      egress: [...egress, gossip],
    });

    this.scrapeJobs = [podScrapeJob({ job: endpoint.name, endpoint })];
    this.ruleGroups = alertRules(props);
  }
}
