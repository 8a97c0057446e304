/**
 * What Kubernetes says about the stack's workloads, as the stack reads it: kube-state-metrics'
 * object state (v2.20.0), and the kubelet's container (cAdvisor) and volume metrics. Several
 * components read these (the backend's pod alerts, the workload and claim alerts, the Kubernetes
 * dashboard), so the contract lives here and not in one component's folder.
 *
 * Names, types and labels are proven against the pinned sources, not typed from memory:
 * - kube-state-metrics: `charts/kube-state-metrics/ground-truth/kube-state-metrics-v2.20.0.tsv`
 *   (every metric of its docs/metrics tables at that tag; test/kube-state-metrics/ground-truth.test.ts
 *   holds this contract and every rule and panel to it). Its Go module is not served by the module
 *   proxy, so it cannot run here.
 * - cAdvisor: `github.com/google/cadvisor/lib` v0.60.5 (the release k8s.io/kubernetes v1.37.2
 *   vendors), metrics/prometheus.go; the kubelet adds `container`, `pod`, `namespace` (plus `id`,
 *   `name`, `image`) in containerPrometheusLabelsFunc (pkg/kubelet/server/server.go).
 * - the kubelet's volume stats: k8s.io/kubernetes v1.37.2 pkg/kubelet/metrics/collectors/volume_stats.go.
 * docs/kubernetes.md says how each was checked.
 */
import { MetricDef } from '../lib/metric';

/** `pod`, `namespace`, `uid`: every kube_pod_* series names its pod so. */
const POD = ['namespace', 'pod', 'uid'] as const;
const CONTAINER = ['namespace', 'pod', 'uid', 'container'] as const;

/** Values of `kube_pod_status_ready{condition}` and `kube_pod_status_phase{phase}`. */
export const POD_READY_CONDITIONS = ['true', 'false', 'unknown'] as const;
export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

/** The kube-state-metrics resource (its `--resources` name) each metric comes from. */
export type KsmResource = 'pods' | 'deployments' | 'statefulsets' | 'daemonsets' | 'endpoints';

export interface KsmMetricDef extends MetricDef {
  readonly resource: KsmResource;
}

export const KUBE_STATE_METRICS = {
  podInfo: {
    name: 'kube_pod_info',
    type: 'gauge',
    help: 'Always 1; names the node a pod runs on and the controller that created it.',
    labels: [...POD, 'node', 'created_by_kind', 'created_by_name', 'host_ip', 'pod_ip', 'priority_class', 'host_network'],
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  podStatusPhase: {
    name: 'kube_pod_status_phase',
    type: 'gauge',
    help: '1 for the phase a pod is in, 0 for the others.',
    labels: [...POD, 'phase'],
    values: { phase: POD_PHASES },
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  podStatusReady: {
    name: 'kube_pod_status_ready',
    type: 'gauge',
    help: "1 for the state of the pod's Ready condition (true, false, unknown), 0 for the others.",
    labels: [...POD, 'condition'],
    values: { condition: POD_READY_CONDITIONS },
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  containerRestarts: {
    name: 'kube_pod_container_status_restarts_total',
    type: 'counter',
    help: 'Restarts of a container of a pod.',
    labels: CONTAINER,
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  containerWaitingReason: {
    name: 'kube_pod_container_status_waiting_reason',
    type: 'gauge',
    help: 'Always 1 while a container waits, with the reason (CrashLoopBackOff, ImagePullBackOff, ...).',
    labels: [...CONTAINER, 'reason'],
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  containerLastTerminatedReason: {
    name: 'kube_pod_container_status_last_terminated_reason',
    type: 'gauge',
    help: 'Always 1, with the reason the previous run of a container ended (OOMKilled, Error, ...).',
    labels: [...CONTAINER, 'reason'],
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  containerRunning: {
    name: 'kube_pod_container_status_running',
    type: 'gauge',
    help: '1 while a container runs.',
    labels: CONTAINER,
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  containerResourceLimits: {
    name: 'kube_pod_container_resource_limits',
    type: 'gauge',
    help: 'A limit of a container, per resource (`memory` in `byte`, `cpu` in `core`).',
    labels: [...CONTAINER, 'node', 'resource', 'unit'],
    source: 'kube-state-metrics pods',
    resource: 'pods',
  },
  deploymentSpecReplicas: {
    name: 'kube_deployment_spec_replicas',
    type: 'gauge',
    help: 'Replicas a Deployment asks for.',
    labels: ['namespace', 'deployment'],
    source: 'kube-state-metrics deployments',
    resource: 'deployments',
  },
  deploymentReplicasAvailable: {
    name: 'kube_deployment_status_replicas_available',
    type: 'gauge',
    help: 'Replicas of a Deployment ready for at least minReadySeconds.',
    labels: ['namespace', 'deployment'],
    source: 'kube-state-metrics deployments',
    resource: 'deployments',
  },
  deploymentReplicasUnavailable: {
    name: 'kube_deployment_status_replicas_unavailable',
    type: 'gauge',
    help: 'Replicas a Deployment still lacks to be fully available.',
    labels: ['namespace', 'deployment'],
    source: 'kube-state-metrics deployments',
    resource: 'deployments',
  },
  deploymentCondition: {
    name: 'kube_deployment_status_condition',
    type: 'gauge',
    help: 'A condition of a Deployment (Available, Progressing, ...) with its status; `Progressing` false means its progress deadline passed.',
    labels: ['namespace', 'deployment', 'condition', 'status', 'reason'],
    source: 'kube-state-metrics deployments',
    resource: 'deployments',
  },
  statefulsetReplicas: {
    name: 'kube_statefulset_replicas',
    type: 'gauge',
    help: 'Replicas a StatefulSet asks for.',
    labels: ['namespace', 'statefulset'],
    source: 'kube-state-metrics statefulsets',
    resource: 'statefulsets',
  },
  statefulsetReplicasReady: {
    name: 'kube_statefulset_status_replicas_ready',
    type: 'gauge',
    help: 'Replicas of a StatefulSet whose pods are ready.',
    labels: ['namespace', 'statefulset'],
    source: 'kube-state-metrics statefulsets',
    resource: 'statefulsets',
  },
  daemonsetDesired: {
    name: 'kube_daemonset_status_desired_number_scheduled',
    type: 'gauge',
    help: 'Nodes that should run a pod of the DaemonSet.',
    labels: ['namespace', 'daemonset'],
    source: 'kube-state-metrics daemonsets',
    resource: 'daemonsets',
  },
  daemonsetAvailable: {
    name: 'kube_daemonset_status_number_available',
    type: 'gauge',
    help: 'Nodes whose pod of the DaemonSet is available.',
    labels: ['namespace', 'daemonset'],
    source: 'kube-state-metrics daemonsets',
    resource: 'daemonsets',
  },
  endpointInfo: {
    name: 'kube_endpoint_info',
    type: 'gauge',
    help: 'Always 1 for every Endpoints object, even one without any address.',
    labels: ['namespace', 'endpoint'],
    source: 'kube-state-metrics endpoints',
    resource: 'endpoints',
  },
  endpointAddress: {
    name: 'kube_endpoint_address',
    type: 'gauge',
    help: 'One series per address and port of an Endpoints object; `ready` says whether the address receives traffic.',
    labels: ['namespace', 'endpoint', 'ip', 'port_name', 'port_protocol', 'port_number', 'ready'],
    values: { ready: ['true', 'false'] },
    source: 'kube-state-metrics endpoints',
    resource: 'endpoints',
  },
} as const satisfies Record<string, KsmMetricDef>;

/** Labels the kubelet puts on every cAdvisor container series (containerPrometheusLabelsFunc). */
const CADVISOR = ['namespace', 'pod', 'container', 'id', 'name', 'image'] as const;

/** The kubelet's `/metrics/cadvisor`: one series per container (and per pod cgroup, with `container=""`). */
export const CADVISOR_METRICS = {
  memoryWorkingSet: {
    name: 'container_memory_working_set_bytes',
    type: 'gauge',
    help: 'Working set of a container: what the kernel cannot reclaim; the OOM killer compares this with the limit.',
    labels: CADVISOR,
    source: 'cadvisor MemoryUsageMetrics',
  },
  cpuUsage: {
    name: 'container_cpu_usage_seconds_total',
    type: 'counter',
    help: 'CPU time a container used (`cpu` is "total" unless per-CPU metrics are on).',
    labels: [...CADVISOR, 'cpu'],
    source: 'cadvisor CpuUsageMetrics',
  },
  cfsPeriods: {
    name: 'container_cpu_cfs_periods_total',
    type: 'counter',
    help: 'CFS enforcement periods that elapsed; only for containers with a CPU limit.',
    labels: CADVISOR,
    source: 'cadvisor CpuUsageMetrics',
  },
  cfsThrottledPeriods: {
    name: 'container_cpu_cfs_throttled_periods_total',
    type: 'counter',
    help: 'CFS periods in which the container hit its CPU limit and was throttled.',
    labels: CADVISOR,
    source: 'cadvisor CpuUsageMetrics',
  },
  oomEvents: {
    name: 'container_oom_events_total',
    type: 'counter',
    help: 'Out-of-memory events the kernel reported for a container.',
    labels: CADVISOR,
    source: 'cadvisor OOMMetrics',
  },
} as const satisfies Record<string, MetricDef>;

const VOLUME = ['namespace', 'persistentvolumeclaim'] as const;

/** The kubelet's `/metrics`: volume stats of every mounted claim (volume_stats.go). */
export const KUBELET_METRICS = {
  volumeCapacity: {
    name: 'kubelet_volume_stats_capacity_bytes',
    type: 'gauge',
    help: 'Capacity of the filesystem of a mounted claim.',
    labels: VOLUME,
    source: 'kubelet volume stats',
  },
  volumeAvailable: {
    name: 'kubelet_volume_stats_available_bytes',
    type: 'gauge',
    help: 'Bytes free on the filesystem of a mounted claim.',
    labels: VOLUME,
    source: 'kubelet volume stats',
  },
  volumeUsed: {
    name: 'kubelet_volume_stats_used_bytes',
    type: 'gauge',
    help: 'Bytes used on the filesystem of a mounted claim.',
    labels: VOLUME,
    source: 'kubelet volume stats',
  },
} as const satisfies Record<string, MetricDef>;

/** The scrape jobs these come from: one name each, shared by the jobs, the rules and the dashboard. */
export const KUBERNETES_JOBS = {
  kubeStateMetrics: 'kube-state-metrics',
  cadvisor: 'kubelet-cadvisor',
  kubelet: 'kubelet',
} as const;

/** Fixed uid of the "Kubernetes: Love Parser workloads" dashboard (charts/kube-state-metrics/dashboards.ts); the backend's links to it. */
export const KUBERNETES_DASHBOARD_UID = 'love-kubernetes';
