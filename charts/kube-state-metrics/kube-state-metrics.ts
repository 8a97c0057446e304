/**
 * kube-state-metrics: what the Kubernetes API says about the stack's own objects (pods, their
 * containers and restarts, Deployments, StatefulSets, DaemonSets, Endpoints), as metrics. One
 * hardened replica, limited three ways:
 *
 * - `--namespaces`: the stack's three namespaces only. With a namespace list, v2.20.0 starts one
 *   list/watch per namespace for every namespaced resource (internal/store/builder.go, buildStores),
 *   so a Role in each of those namespaces is all it needs: no ClusterRole at all. Cluster-scoped
 *   resources (nodes, namespaces) would need one, and the rules read none of them: the node list the
 *   host agent alert compares against comes from Prometheus's kubelet discovery instead.
 * - `--resources`: exactly the resources the contract's metrics come from
 *   (charts/contracts/kubernetes-metrics.ts); never Secrets or ConfigMaps.
 * - `--metric-allowlist`: exactly the contract's metrics, so a new release's new series cost nothing.
 *
 * Its Go module (k8s.io/kube-state-metrics/v2) is not served by the module proxy, so it cannot run in
 * the tests here; its metrics are held to the release's documented list (./ground-truth/, and
 * test/kube-state-metrics/). docs/kubernetes.md has the details.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { container, httpProbe, podSpec, restrictedPod } from '../lib/pod';
import { podDiscovery, podTargetRelabels } from '../lib/scrape';
import { serviceAccountFor, serviceFor } from '../lib/workload';
import { KUBE_STATE_METRICS, KsmMetricDef, KsmResource } from '../contracts/kubernetes-metrics';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { dashboards } from './dashboards';
import { KubeStateMetricsProps } from './settings';

/** uid/gid `nobody`, the user the image's upstream manifests run it as. */
const KSM_UID = 65534;
/** Its own health and self-metrics port (`--telemetry-port`); the readiness probe asks there. */
export const TELEMETRY_PORT = { name: 'telemetry', port: 8081 } as const;

/** The API group of each resource kube-state-metrics lists. */
const API_GROUP: Record<KsmResource, string> = { pods: '', endpoints: '', deployments: 'apps', statefulsets: 'apps', daemonsets: 'apps' };

/** The resources the contract's metrics come from, sorted. */
export function ksmResources(metrics: Record<string, KsmMetricDef> = KUBE_STATE_METRICS): KsmResource[] {
  return [...new Set(Object.values(metrics).map((m) => m.resource))].sort();
}

/** The contract's metric names, sorted: the allowlist. */
export function ksmAllowlist(metrics: Record<string, KsmMetricDef> = KUBE_STATE_METRICS): string[] {
  return Object.values(metrics)
    .map((m) => m.name)
    .sort();
}

export function kubeStateMetricsArgs(endpoint: ServiceEndpoint, namespaces: readonly string[]): string[] {
  return [
    `--port=${endpoint.port}`,
    `--telemetry-port=${TELEMETRY_PORT.port}`,
    `--namespaces=${[...namespaces].sort().join(',')}`,
    `--resources=${ksmResources().join(',')}`,
    `--metric-allowlist=${ksmAllowlist().join(',')}`,
  ];
}

/** What its informers call, per API group: list then watch; never get, never Secrets. */
export function ksmRules(): k8s.PolicyRule[] {
  const byGroup = new Map<string, KsmResource[]>();
  for (const r of ksmResources()) byGroup.set(API_GROUP[r], [...(byGroup.get(API_GROUP[r]) ?? []), r]);
  return [...byGroup].sort(([a], [b]) => a.localeCompare(b)).map(([group, resources]) => ({ apiGroups: [group], resources, verbs: ['list', 'watch'] }));
}

export class KubeStateMetricsChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[];

  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.kubeStateMetrics;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'exporter', version: IMAGES.kubeStateMetrics.tag });
    const selector = endpoint.podLabels;
    const ns = props.shared.namespaces;
    const watched = [ns.monitoring, ns.agents, ns.backend];

    serviceAccountFor(this, 'service-account', endpoint.name, labels);
    for (const namespace of [...watched].sort()) {
      new k8s.KubeRole(this, `role-${namespace}`, { metadata: { name: endpoint.name, namespace, labels }, rules: ksmRules() });
      new k8s.KubeRoleBinding(this, `role-binding-${namespace}`, {
        metadata: { name: endpoint.name, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: endpoint.name },
        subjects: [{ kind: 'ServiceAccount', name: endpoint.name, namespace: endpoint.namespace }],
      });
    }

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: endpoint.name, labels },
      spec: {
        // One: two would serve the same series twice (every rule would count each object double).
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            apiAccess: true, // it lists and watches the API
            securityContext: restrictedPod(KSM_UID),
            containers: [
              container({
                name: endpoint.name,
                image: imageOf('kubeStateMetrics'),
                args: kubeStateMetricsArgs(endpoint, watched),
                ports: [
                  { name: endpoint.portName, containerPort: endpoint.port },
                  { name: TELEMETRY_PORT.name, containerPort: TELEMETRY_PORT.port },
                ],
                // As upstream's manifests: /livez on the metrics port, /readyz (caches synced) on telemetry.
                livenessProbe: httpProbe('/livez', endpoint.portName, { periodSeconds: 20, initialDelaySeconds: 5 }),
                readinessProbe: httpProbe('/readyz', TELEMETRY_PORT.name, { periodSeconds: 10, initialDelaySeconds: 5 }),
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
      egress: [{ peers: [{ cidrs: props.shared.network.apiServerCidrs }], ports: props.shared.network.apiServerPorts.map((port) => ({ port })) }],
    });

    this.scrapeJobs = [kubeStateMetricsJob(endpoint)];
    this.ruleGroups = alertRules(props);
    this.dashboards = dashboards(props);
  }
}

/**
 * Its scrape job. Unlike podScrapeJob, no `namespace` or `pod` target label: its series carry the
 * namespace and pod of the objects they describe, which must not be renamed to `exported_*`.
 */
export function kubeStateMetricsJob(endpoint: ServiceEndpoint): ScrapeJob {
  return {
    job_name: endpoint.name,
    metrics_path: '/metrics',
    kubernetes_sd_configs: [podDiscovery(endpoint)],
    relabel_configs: [...podTargetRelabels(endpoint), { target_label: 'service', replacement: endpoint.name }],
  };
}
