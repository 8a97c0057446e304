/**
 * Container and volume metrics from every node's kubelet: cAdvisor's `container_*` on
 * `/metrics/cadvisor` and the kubelet's `kubelet_volume_stats_*` on `/metrics`. Nothing runs here:
 * this component contributes Prometheus's two scrape jobs, the permission they need, and the
 * container and claim alerts.
 *
 * How Prometheus reaches them (docs/kubernetes.md has the comparison):
 * - directly, on each node's kubelet port (10250) over HTTPS with Prometheus's ServiceAccount
 *   token, which the kubelet checks with the API server (webhook authorization);
 * - the permission that asks for is `get nodes/metrics`: the kubelet maps every path under
 *   /metrics to the `metrics` subresource (pkg/kubelet/server/auth.go, 1.28 and 1.37 alike);
 * - not through the API server's node proxy (`/api/v1/nodes/<node>/proxy/metrics/cadvisor`):
 *   that needs `nodes/proxy`, which reaches every kubelet endpoint, exec and attach included (the
 *   CIS benchmark 5.1.14 asks to avoid it), and it puts every scrape through the API server.
 *
 * Node discovery is cluster-wide (nodes are not namespaced), so the permission is a ClusterRole:
 * list/watch nodes and get nodes/metrics, nothing else. It lives in this chart, which has no
 * namespace, because cdk8s stamps a chart's namespace on cluster-scoped objects too.
 *
 * Cardinality: `metric_relabel_configs` keep only the contract's metrics and only series of the
 * stack's namespaces, before anything is stored (docs/kubernetes.md counts the series).
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { syncEarly } from '../lib/component';
import { PART_OF } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { CADVISOR_METRICS, KUBELET_METRICS, KUBERNETES_JOBS } from '../contracts/kubernetes-metrics';
import { alertRules } from './alerts';
import { KubeletProps, KubeletSettings } from './settings';

/** Where every pod with `automountServiceAccountToken` finds its token and the cluster CA. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What the two jobs need: discover the nodes, then GET /metrics and /metrics/cadvisor on each kubelet. */
export const KUBELET_SCRAPE_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
];

/** A scrape job of every node's kubelet, keeping only `metrics` of the `namespaces`. */
export function kubeletJob(o: {
  job: string;
  path: string;
  settings: KubeletSettings;
  metrics: readonly string[];
  namespaces: readonly string[];
  /** Drop series without a container (cAdvisor's pod cgroups): the rules read containers only. */
  containersOnly?: boolean;
}): ScrapeJob {
  return {
    job_name: o.job,
    scheme: 'https',
    metrics_path: o.path,
    authorization: { type: 'Bearer', credentials_file: `${SERVICE_ACCOUNT_DIR}/token` },
    tls_config: { ca_file: `${SERVICE_ACCOUNT_DIR}/ca.crt`, ...(o.settings.insecureSkipVerify ? { insecure_skip_verify: true } : {}) },
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [
      // The node's address as discovery chose it (InternalIP first), on the configured kubelet port:
      // written out so the port is stated here, where Prometheus's NetworkPolicy is derived from.
      { source_labels: ['__address__'], regex: '([^:]+)(?::[0-9]+)?', target_label: '__address__', replacement: `$1:${o.settings.port}` },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      // One target per node: `instance` is the node's name, stable across address changes.
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
      { target_label: 'service', replacement: 'kubelet' },
    ],
    metric_relabel_configs: [
      { source_labels: ['__name__'], regex: [...o.metrics].sort().join('|'), action: 'keep' },
      { source_labels: ['namespace'], regex: [...o.namespaces].sort().join('|'), action: 'keep' },
      ...(o.containersOnly ? [{ source_labels: ['container'], regex: '', action: 'drop' }] : []),
    ],
  };
}

export class KubeletChart extends Chart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[] = [];
  /** Name of the ClusterRole and its binding (prefixed with the monitoring namespace: unique in the cluster). */
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: KubeletProps) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const d of props.dependsOn) this.addDependency(d);
    const prometheus = props.shared.endpoints.prometheus;
    const ns = props.shared.namespaces;
    const namespaces = [ns.monitoring, ns.agents, ns.backend];
    this.roleName = `${prometheus.namespace}-${prometheus.name}-kubelet`;
    const labels = {
      'app.kubernetes.io/name': prometheus.name,
      'app.kubernetes.io/component': 'metrics',
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };

    const role = new k8s.KubeClusterRole(this, 'cluster-role', { metadata: { name: this.roleName, labels }, rules: [...KUBELET_SCRAPE_RULES] });
    const binding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: this.roleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.roleName },
      subjects: [{ kind: 'ServiceAccount', name: prometheus.name, namespace: prometheus.namespace }],
    });
    syncEarly(role);
    syncEarly(binding);

    this.scrapeJobs = [
      kubeletJob({
        job: KUBERNETES_JOBS.cadvisor,
        path: '/metrics/cadvisor',
        settings: props.settings,
        metrics: Object.values(CADVISOR_METRICS).map((m) => m.name),
        namespaces,
        containersOnly: true,
      }),
      kubeletJob({ job: KUBERNETES_JOBS.kubelet, path: '/metrics', settings: props.settings, metrics: Object.values(KUBELET_METRICS).map((m) => m.name), namespaces }),
    ];
    this.ruleGroups = alertRules(props);
  }
}
