/**
 * node_exporter on every node: a DaemonSet in the agents namespace (Pod Security `privileged`, the
 * documented exception). Each privilege it keeps has a reason, and everything else is dropped:
 *
 * - hostNetwork: the interface counters it reports (/proc/net/dev) are per network namespace; only
 *   the host's are the node's. Pod selectors do not match host-network pods, so Prometheus's egress
 *   to it is allowed by node address (`network.nodeCidrs`), and this pod's own policy is
 *   documentation more than enforcement (most CNIs ignore host-network pods).
 * - hostPID: the filesystem collector reads the mount table of PID 1; in the host PID namespace that
 *   is the host's init, so it sees the node's filesystems and not the container's.
 * - the host root, read-only at /host with `--path.rootfs=/host`, to statfs() the node's mount
 *   points; `HostToContainer` propagation shows disks mounted after the pod started.
 *
 * It runs as `nobody` with no capability, no privilege escalation and a read-only root filesystem:
 * /proc, /sys and statfs() need none of them.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { requiredFlags } from '../lib/metric';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { RESTRICTED_CONTAINER, container, httpProbe, podSpec, restrictedPod } from '../lib/pod';
import { serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { NODE_METRICS } from './metrics';
import { recordingRules } from './recording-rules';
import { NodeExporterProps } from './settings';

/** uid/gid `nobody` of the node-exporter image. */
const EXPORTER_UID = 65534;
export const HOST_ROOT = '/host';

/**
 * Mount points never reported: the pinned exporter's own defaults (pseudo filesystems, Docker and
 * Podman storage) plus what Kubernetes nodes add: kubelet pod volumes and the container runtimes'
 * bind mounts and snapshots. Each of them mirrors a real disk already reported at its own mount
 * point, and alerting on them gives false disk alerts (a full overlay that is not a full disk).
 */
export const MOUNT_POINTS_EXCLUDE =
  '^/(dev|proc|sys|run/credentials/.+|var/lib/docker/.+|var/lib/containers/storage/.+|var/lib/kubelet/.+|var/lib/containerd/.+|run/containerd/.+|run/k3s/.+|var/lib/rancher/.+|run/netns/.+|run/user/.+)($|/)';

/**
 * Filesystem types never reported: the exporter's defaults (virtual and read-only image filesystems)
 * plus tmpfs/ramfs, which are memory: their filling up is memory pressure, alerted on as such.
 */
export const FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs|tmpfs|ramfs)$';

/** Pod-side virtual interfaces (one per pod, churning with every pod) and loopback: not the node's network. */
export const NET_DEVICES_EXCLUDE = '^(lo|veth.*|cali.*|cilium.*|lxc.*|flannel.*|cni.*|docker.*|br-.*|vxlan.*|tunl.*|kube-ipvs.*|[a-f0-9]{15})$';

export function nodeExporterArgs(port: number): string[] {
  return [
    `--web.listen-address=:${port}`,
    `--path.rootfs=${HOST_ROOT}`,
    `--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`,
    `--collector.filesystem.fs-types-exclude=${FS_TYPES_EXCLUDE}`,
    `--collector.netdev.device-exclude=${NET_DEVICES_EXCLUDE}`,
    `--collector.netclass.ignored-devices=${NET_DEVICES_EXCLUDE}`,
    ...requiredFlags(NODE_METRICS),
  ];
}

export class NodeExporterChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[] = [];

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.nodeExporter;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'exporter', version: IMAGES.nodeExporter.tag });
    const selector = endpoint.podLabels;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: endpoint.name, labels },
      spec: {
        selector: { matchLabels: selector },
        // One node at a time: a bad rollout loses one node's metrics, not the fleet's.
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            ...podSpec({
              serviceAccountName: endpoint.name,
              // A host agent stuck Pending leaves its node unwatched: the highest class of the stack.
              priorityClassName: props.shared.priorityClasses.hostAgents.name,
              securityContext: restrictedPod(EXPORTER_UID),
              containers: [
                container({
                  name: 'node-exporter',
                  image: imageOf('nodeExporter'),
                  args: nodeExporterArgs(endpoint.port),
                  ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                  livenessProbe: httpProbe('/', endpoint.portName, { periodSeconds: 20 }),
                  readinessProbe: httpProbe('/', endpoint.portName, { periodSeconds: 10 }),
                  resources: c.resources,
                  // Restricted, stated explicitly: the host namespaces above are pod-level, the container keeps nothing.
                  securityContext: RESTRICTED_CONTAINER,
                  volumeMounts: [{ name: 'host-root', mountPath: HOST_ROOT, readOnly: true, mountPropagation: 'HostToContainer' }],
                }),
              ],
              volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
            }),
            hostNetwork: true,
            hostPid: true,
            // Every node, whatever its taints (control plane, dedicated pools, NoExecute included).
            tolerations: [{ operator: 'Exists' }],
          },
        },
      },
    });

    // For humans and `kubectl port-forward`; Prometheus discovers the pods themselves.
    serviceFor(this, 'service', endpoint, labels, { headless: true });

    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      ingress: [{ peers: [{ endpoint: props.shared.endpoints.prometheus }], ports: [{ port: endpoint.port }] }],
      egress: [],
      dns: false,
    });

    this.scrapeJobs = [podScrapeJob({ job: 'node-exporter', endpoint, nodeLabel: true })];
    this.ruleGroups = [...recordingRules(props), ...alertRules(props)];
  }
}
