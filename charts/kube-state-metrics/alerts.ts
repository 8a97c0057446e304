/**
 * Alerts from kube-state-metrics on the stack's own workloads, and on kube-state-metrics itself:
 * a StatefulSet of the stack short of ready replicas, a host agent (node exporter, log shipper)
 * missing or unready on a node (that node then goes unmonitored, silently), and kube-state-metrics
 * gone (every Kubernetes alert of the stack, BackendNoReadyEndpoint included, goes blind).
 *
 * Each workload alert's `service` is the workload it is about, so it is grouped and routed with that
 * component's other alerts.
 */
import { alertGroup, alertRule, tmpl } from '../lib/alert-rules';
import { UP, jobDown, maxBy, sel } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { KUBERNETES_JOBS, KUBE_STATE_METRICS as K } from '../contracts/kubernetes-metrics';
import { KubeStateMetricsProps } from './settings';

export function alertRules(props: KubeStateMetricsProps): RuleGroup[] {
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  const endpoint = props.shared.endpoints.kubeStateMetrics;
  const ns = props.shared.namespaces;
  const ksm = { job: KUBERNETES_JOBS.kubeStateMetrics };
  const stack = { ...ksm, namespace: { re: [ns.backend, ns.monitoring, ns.agents].sort().join('|') } };
  const agents = [props.shared.endpoints.nodeExporter, props.shared.endpoints.logShipper].map((e) => e.name).sort();
  const agentPods = sel(K.podInfo.name, { ...ksm, namespace: ns.agents, created_by_kind: 'DaemonSet', created_by_name: { re: agents.join('|') } });
  // Every node Prometheus's kubelet discovery knows, scraped or not (up is 0 for an unreachable one).
  const nodes = `group by (node) (${sel(UP, { job: KUBERNETES_JOBS.kubelet })})`;
  const expected = agents.map((agent) => `label_replace(${nodes}, "daemonset", "${agent}", "", "")`).join(' or ');
  const running = `label_replace(group by (node, created_by_name) (${agentPods}), "daemonset", "$1", "created_by_name", "(.*)")`;
  const ksmUp = `max(${sel(UP, ksm)}) == 1`;

  return [
    alertGroup(endpoint.name, [
      // 5m: a rescheduled pod is back well within that; longer, and the Kubernetes alerts are blind.
      alertRule(ctx, {
        name: 'KubeStateMetricsDown',
        remediation: 'Re-apply dist/ (the Roles); raise kubeStateMetrics.resources; then kubectl -n monitoring rollout restart deployment/kube-state-metrics.',
        severity: 'warning',
        service: endpoint.name,
        expr: jobDown(endpoint),
        for: '5m',
        summary: 'kube-state-metrics is down',
        description: `No target of job ${endpoint.name} has been up for 5m: every alert on pods, Deployments, StatefulSets, DaemonSets and the backend's endpoints (BackendNoReadyEndpoint, which texts) cannot fire.`,
      }),
      alertRule(ctx, {
        name: 'KubeStatefulSetReplicasMismatch',
        remediation: 'Full volume: grow the claim as for KubePersistentVolumeFillingUp.',
        severity: 'warning',
        expr: `label_replace(${sel(K.statefulsetReplicasReady.name, stack)} < on (namespace, statefulset) ${sel(K.statefulsetReplicas.name, stack)}, "service", "$1", "statefulset", "(.*)")`,
        for: a.statefulSetFor,
        summary: `StatefulSet ${tmpl.label('namespace')}/${tmpl.label('statefulset')} has fewer ready replicas than it asks for`,
        description: `StatefulSet ${tmpl.label('namespace')}/${tmpl.label('statefulset')} has had ${tmpl.number} ready replica(s), fewer than its spec, for ${a.statefulSetFor}.`,
      }),
      // A node without a pod of the agent, or whose pod cannot be placed (a Pending pod has no node
      // yet). Guarded by kube-state-metrics being up: without its series every node would look empty.
      alertRule(ctx, {
        name: 'KubeDaemonSetPodMissing',
        remediation: "Free resources on the node or give the agents a PriorityClass; lower the agent's requests; for virtual nodes, accept the gap (silence for that node).",
        severity: 'warning',
        expr: `label_replace((${expected}) unless on (node, daemonset) ${running}, "service", "$1", "daemonset", "(.*)") and on () ${ksmUp}`,
        for: a.hostAgentFor,
        summary: `Host agent ${tmpl.label('daemonset')} does not run on node ${tmpl.label('node')}`,
        description: `Node ${tmpl.label('node')} has had no pod of DaemonSet ${ns.agents}/${tmpl.label('daemonset')} for ${a.hostAgentFor} (value ${tmpl.number}): its metrics or logs are not collected.`,
      }),
      alertRule(ctx, {
        name: 'KubeDaemonSetPodNotReady',
        remediation: `Delete the pod (the DaemonSet recreates it); for the log shipper, "too many open files" means raising the node's inotify limits.`,
        severity: 'warning',
        expr: `label_replace(label_replace(${maxBy(['namespace', 'pod'], `${sel(K.podStatusReady.name, { ...ksm, namespace: ns.agents, condition: { re: 'false|unknown' } })} == 1`)} * on (namespace, pod) group_left (node, created_by_name) ${agentPods}, "daemonset", "$1", "created_by_name", "(.*)"), "service", "$1", "created_by_name", "(.*)")`,
        for: a.hostAgentFor,
        summary: `Host agent pod ${tmpl.label('pod')} on node ${tmpl.label('node')} is not ready`,
        description: `Pod ${tmpl.label('pod')} of DaemonSet ${ns.agents}/${tmpl.label('daemonset')} on node ${tmpl.label('node')} has been unready for ${a.hostAgentFor} (value ${tmpl.number}).`,
      }),
    ]),
  ];
}
