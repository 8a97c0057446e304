/**
 * The log shipper on every node, Promtail or Grafana Alloy (`logs.shipper`): a DaemonSet in the
 * agents namespace that reads the node's pod logs (and, when enabled, the host's Postgres logs),
 * parses them (./pipeline.ts) and pushes them to Loki.
 *
 * Both shippers run under the same name, labels, ServiceAccount, Service, NetworkPolicy and scrape
 * job, from one pipeline model: switching is a rolling update of the DaemonSet, and every stream
 * keeps its labels (docs/logs.md says what a switch costs).
 *
 * Privileges, each kept on purpose:
 * - uid 0: container runtimes write /var/log/pods as root-owned 0640 (0600 on some); only root (or
 *   CAP_DAC_READ_SEARCH, which Kubernetes cannot give a non-root process: added capabilities are not
 *   ambient) can read them. Every capability is dropped all the same: root reads the files as their
 *   owner, not by bypassing permissions, and cannot escalate, write the root filesystem or the log
 *   mounts, or load anything.
 * - hostPath, read-only: /var/log/pods (and /var/log/postgresql when enabled). With the backend's
 *   Winston files (`backend.logFiles`), also the kubelet's pods directory, where their emptyDir is:
 *   read-only, but it shows every pod's volumes on the node, Secret volumes included, to a root
 *   process. That is why the console transport (standard output) is the recommended setup and the
 *   files are off by default (docs/logs.md).
 * - hostPath, read-write: one directory of its own under /var/lib for its positions, so a restarted
 *   or updated pod resumes where the previous one stopped: nothing lost, nothing shipped twice.
 * - the `adm` group (logs.hostLogGroup), only with host Postgres logs: those files are postgres:adm 0640.
 * - a ServiceAccount token and a read-only ClusterRole (./rbac.ts) for pod discovery.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { configMapVolume, container, httpProbe, podSpec, scratchVolume } from '../lib/pod';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { IMAGES, imageOf } from '../versions';
import { ALLOY, alloyArgs, alloyConfig } from './alloy';
import { HOST_POSTGRES_DIR, LogPipeline, NODE_ENV_VAR, POD_LOG_DIR, logPipeline } from './pipeline';
import { PROMTAIL, promtailArgs, promtailConfig } from './promtail';
import { LogsProps } from './settings';
import { alertRules } from './alerts';
import { dashboards } from './dashboards';

export type Shipper = 'promtail' | 'alloy';

/** What differs between the two shippers; everything else is shared. */
interface ShipperRuntime {
  readonly image: string;
  readonly version: string;
  readonly args: string[];
  readonly configDir: string;
  readonly configKey: string;
  readonly configText: string;
  readonly stateDir: string;
  readonly readyPath: string;
  readonly livePath: string;
}

function runtime(shipper: Shipper, pipeline: LogPipeline): ShipperRuntime {
  if (shipper === 'promtail') {
    return {
      image: imageOf('promtail'),
      version: IMAGES.promtail.tag,
      args: promtailArgs(pipeline),
      configDir: PROMTAIL.configDir,
      configKey: PROMTAIL.configFile.slice(PROMTAIL.configDir.length + 1),
      configText: YAML.stringify(promtailConfig(pipeline), { lineWidth: 0 }),
      stateDir: PROMTAIL.stateDir,
      // Ready once its target managers run; /metrics answers whenever the process serves HTTP.
      readyPath: '/ready',
      livePath: '/metrics',
    };
  }
  return {
    image: imageOf('alloy'),
    version: IMAGES.alloy.tag,
    args: alloyArgs(),
    configDir: ALLOY.configDir,
    configKey: ALLOY.configFile.slice(ALLOY.configDir.length + 1),
    configText: alloyConfig(pipeline),
    stateDir: ALLOY.stateDir,
    readyPath: '/-/ready',
    livePath: '/-/healthy',
  };
}

/** Root, with every capability dropped (see the header): the agents namespace is the only place allowed this. */
const SHIPPER_CONTAINER: k8s.SecurityContext = {
  runAsUser: 0,
  runAsNonRoot: false,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export class LogShipperChart extends ComponentChart implements MonitoringSource {
  readonly endpoint: ServiceEndpoint;
  readonly shipper: Shipper;
  /** The shipper-neutral pipeline both configurations are rendered from. */
  readonly pipeline: LogPipeline;
  /** The configuration file as written into the ConfigMap (promtail.yaml or config.alloy). */
  readonly configText: string;
  readonly configKey: string;
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[];

  constructor(scope: Construct, id: string, props: LogsProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.logShipper;
    super(scope, id, endpoint.namespace, props.dependsOn);
    this.endpoint = endpoint;
    this.shipper = c.shipper;
    const push = props.loki?.push ?? props.shared.endpoints.loki;
    this.pipeline = logPipeline(c, props.shared.cluster, { ...props.shared.endpoints, loki: push }, props.backendLogFiles ?? false);
    const rt = runtime(c.shipper, this.pipeline);
    this.configText = rt.configText;
    this.configKey = rt.configKey;
    if (endpoint.port !== PROMTAIL.httpPort || endpoint.port !== ALLOY.httpPort) {
      throw new Error(`the logShipper endpoint's port ${endpoint.port} must be the shippers' HTTP port ${PROMTAIL.httpPort} (charts/lib/endpoints.ts)`);
    }

    const labels = componentLabels({ name: endpoint.name, component: 'logs', version: rt.version });
    const selector = endpoint.podLabels;
    const configMapName = `${endpoint.name}-config`;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: configMapName, labels },
      data: { [rt.configKey]: rt.configText },
    });

    const hostDir = (name: string, path: string, type: 'Directory' | 'DirectoryOrCreate'): k8s.Volume => ({ name, hostPath: { path, type } });
    const volumes: k8s.Volume[] = [
      configMapVolume('config', configMapName),
      hostDir('pod-logs', POD_LOG_DIR, 'Directory'),
      hostDir('state', rt.stateDir, 'DirectoryOrCreate'),
      scratchVolume('tmp'),
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: rt.configDir, readOnly: true },
      { name: 'pod-logs', mountPath: POD_LOG_DIR, readOnly: true },
      { name: 'state', mountPath: rt.stateDir },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    if (props.backendLogFiles) {
      // The backend's log volume is a directory of the kubelet's on the node; mounted at the same
      // path, read-only, because the pipeline's paths are the node's. See the header on what else it shows.
      volumes.push(hostDir('kubelet-pods', c.kubeletPodsDir, 'Directory'));
      mounts.push({ name: 'kubelet-pods', mountPath: c.kubeletPodsDir, readOnly: true });
    }
    if (c.hostPostgresLogs) {
      // OrCreate: nodes without Postgres get an empty directory instead of a pod that cannot start.
      volumes.push(hostDir('postgresql-logs', HOST_POSTGRES_DIR, 'DirectoryOrCreate'));
      mounts.push({ name: 'postgresql-logs', mountPath: HOST_POSTGRES_DIR, readOnly: true });
    }

    new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: endpoint.name, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          // Neither shipper reloads its file on its own: a changed configuration rolls the pods.
          metadata: { labels, annotations: { 'checksum/config': configChecksum(rt.configText) } },
          spec: {
            ...podSpec({
              serviceAccountName: endpoint.name,
              // A host agent stuck Pending leaves its node unwatched: the highest class of the stack.
              priorityClassName: props.shared.priorityClasses.hostAgents.name,
              apiAccess: true,
              securityContext: {
                runAsUser: 0,
                runAsGroup: 0,
                runAsNonRoot: false,
                ...(c.hostPostgresLogs ? { supplementalGroups: [c.hostLogGroup] } : {}),
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                container({
                  name: c.shipper,
                  image: rt.image,
                  args: rt.args,
                  // The node name: discovery and the `node` label use it.
                  env: [{ name: NODE_ENV_VAR, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
                  ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                  livenessProbe: httpProbe(rt.livePath, endpoint.portName),
                  readinessProbe: httpProbe(rt.readyPath, endpoint.portName),
                  resources: c.resources,
                  volumeMounts: mounts,
                  securityContext: SHIPPER_CONTAINER,
                }),
              ],
              volumes,
            }),
            // Every node, tainted ones included: a node whose logs are not shipped is a blind spot.
            tolerations: [{ operator: 'Exists' }],
          },
        },
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    const c0 = props.shared.network;
    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      // Prometheus scrapes the shipper's metrics.
      ingress: [{ peers: [{ endpoint: props.shared.endpoints.prometheus }], ports: [{ port: endpoint.port }] }],
      egress: [
        // Pushes to Loki.
        { peers: [{ endpoint: push }], ports: [{ port: push.port }] },
        // Pod discovery.
        { peers: [{ cidrs: c0.apiServerCidrs }], ports: c0.apiServerPorts.map((port) => ({ port })) },
      ],
    });

    this.scrapeJobs = [podScrapeJob({ job: endpoint.name, endpoint, nodeLabel: true, targetLabels: { shipper: c.shipper } })];
    this.ruleGroups = alertRules(props);
    this.dashboards = dashboards(props);
  }
}
