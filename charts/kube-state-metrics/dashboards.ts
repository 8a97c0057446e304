/**
 * "Kubernetes: Love Parser workloads": what Kubernetes sees of the stack's pods (ready, restarts,
 * StatefulSets and host agents), their containers against their limits (memory, CPU throttling),
 * the claims (fill and time to full) and the probes from outside (success, latency, certificate).
 * Thresholds are the alerts' own, passed from their slices, so a panel turns red where an alert fires.
 */
import { Dashboard } from '../lib/monitoring';
import { FOLDERS, UNIT, barGauge, dashboard, greenAbove, prom, stat, timeseries, warnAbove } from '../lib/panels';
import { Matchers, maxBy, sel, sumBy } from '../lib/promql';
import { CADVISOR_METRICS as C, KUBELET_METRICS as V, KUBERNETES_DASHBOARD_UID, KUBERNETES_JOBS, KUBE_STATE_METRICS as K } from '../contracts/kubernetes-metrics';
import { PROBE_METRICS as P } from '../contracts/probe-metrics';
import { KubeStateMetricsProps } from './settings';

/** Matches the probe jobs of charts/blackbox-exporter/probes.ts (`blackbox-<name>`). */
const PROBE_JOBS: Matchers = { job: { re: 'blackbox-.+' } };
const CONTAINER = ['namespace', 'pod', 'container'];

export function dashboards(props: KubeStateMetricsProps): Dashboard[] {
  const ns = props.shared.namespaces;
  const window = props.shared.rules.rateWindow;
  const stack: Matchers = { namespace: { re: [ns.backend, ns.monitoring, ns.agents].sort().join('|') } };
  const ksm: Matchers = { job: KUBERNETES_JOBS.kubeStateMetrics, ...stack };
  const cadvisor: Matchers = { job: KUBERNETES_JOBS.cadvisor, ...stack, container: { not: '' } };
  const volumes: Matchers = { job: KUBERNETES_JOBS.kubelet, ...stack };
  const backend = props.shared.endpoints.backend;
  const limits = maxBy(CONTAINER, sel(K.containerResourceLimits.name, { ...ksm, resource: 'memory', unit: 'byte' }));
  const throttled = (m: string) => sumBy(CONTAINER, `increase(${sel(m, cadvisor)}[${window}])`);
  const available = sel(V.volumeAvailable.name, volumes);

  return [
    dashboard({
      uid: KUBERNETES_DASHBOARD_UID,
      title: 'Kubernetes: Love Parser workloads',
      description: "The stack's pods, containers, claims and probes as Kubernetes and the blackbox exporter see them.",
      tags: ['kubernetes'],
      folder: FOLDERS.app,
      rows: [
        {
          title: 'Pods',
          panels: [
            stat({
              title: 'Ready backend endpoints',
              description: 'Ready addresses behind the backend Service. At 0 with pods running, BackendNoReadyEndpoint pages: every client is refused.',
              unit: UNIT.count,
              queries: [prom(`count(${sel(K.endpointAddress.name, { job: KUBERNETES_JOBS.kubeStateMetrics, namespace: backend.namespace, endpoint: backend.name, ready: 'true' })}) or vector(0)`, { legend: 'ready' })],
              ...greenAbove(2, 1),
            }),
            stat({
              title: 'Pods not ready',
              description: "Pods of the stack's namespaces whose Ready condition is false or unknown.",
              unit: UNIT.count,
              queries: [prom(`sum(${sel(K.podStatusReady.name, { ...ksm, condition: { re: 'false|unknown' } })}) or vector(0)`, { legend: 'not ready' })],
              thresholds: warnAbove(1, 2),
            }),
            stat({
              title: 'Containers waiting',
              description: 'Containers waiting to run, by reason (CrashLoopBackOff, ImagePullBackOff, ...).',
              unit: UNIT.count,
              queries: [prom(sumBy(['reason'], sel(K.containerWaitingReason.name, ksm)), { legend: '{{reason}}' })],
              thresholds: warnAbove(1, 3),
            }),
            stat({
              title: 'Pods pending',
              description: 'Pods that cannot be placed or started (no node fits, an image cannot be pulled).',
              unit: UNIT.count,
              queries: [prom(`sum(${sel(K.podStatusPhase.name, { ...ksm, phase: 'Pending' })}) or vector(0)`, { legend: 'pending' })],
              thresholds: warnAbove(1, 3),
            }),
            timeseries({
              title: 'Container restarts',
              description: `Restarts per container over the last ${window}. A steady climb is a crash loop; OOMKilled restarts show in the memory panel below.`,
              unit: UNIT.count,
              bars: true,
              queries: [prom(sumBy(CONTAINER, `increase(${sel(K.containerRestarts.name, ksm)}[${window}])`) + ' > 0', { legend: '{{namespace}}/{{pod}} {{container}}' })],
            }),
            timeseries({
              title: 'StatefulSets and host agents: ready against desired',
              description: 'Ready replicas of each StatefulSet and available pods of each DaemonSet, next to what they ask for; a gap is KubeStatefulSetReplicasMismatch or a host agent missing on a node.',
              unit: UNIT.count,
              queries: [
                prom(sel(K.statefulsetReplicasReady.name, ksm), { legend: '{{statefulset}} ready' }),
                prom(sel(K.statefulsetReplicas.name, ksm), { legend: '{{statefulset}} desired' }),
                prom(sel(K.daemonsetAvailable.name, ksm), { legend: '{{daemonset}} available' }),
                prom(sel(K.daemonsetDesired.name, ksm), { legend: '{{daemonset}} desired' }),
              ],
            }),
          ],
        },
        {
          title: 'Containers against their limits',
          panels: [
            timeseries({
              title: 'Memory: working set against limit',
              description: `Working set of each container as a share of its memory limit. At ${props.memoryLimitRatio * 100}% KubeContainerMemoryNearLimit warns; at 100% the container is OOM-killed.`,
              unit: UNIT.percent,
              min: 0,
              queries: [prom(`${maxBy(CONTAINER, sel(C.memoryWorkingSet.name, cadvisor))}\n/ on (namespace, pod, container)\n${limits}`, { legend: '{{pod}} {{container}}' })],
              thresholds: warnAbove(props.memoryLimitRatio * 0.9, props.memoryLimitRatio),
            }),
            timeseries({
              title: 'CPU throttling',
              description: `Share of CFS periods in which each container hit its CPU limit, over the last ${window}. Above ${props.cpuThrottlingRatio * 100}% KubeContainerCpuThrottled warns.`,
              unit: UNIT.percent,
              min: 0,
              queries: [prom(`${throttled(C.cfsThrottledPeriods.name)}\n/\n${throttled(C.cfsPeriods.name)}`, { legend: '{{pod}} {{container}}' })],
              thresholds: warnAbove(props.cpuThrottlingRatio / 2, props.cpuThrottlingRatio),
            }),
            timeseries({
              title: 'CPU used',
              description: `CPU cores each container used, averaged over the last ${window}.`,
              unit: UNIT.count,
              queries: [prom(sumBy(CONTAINER, `rate(${sel(C.cpuUsage.name, cadvisor)}[${window}])`), { legend: '{{pod}} {{container}}' })],
            }),
            timeseries({
              title: 'OOM events',
              description: `Out-of-memory events the kernel reported per container over the last ${window}.`,
              unit: UNIT.count,
              bars: true,
              queries: [prom(sumBy(CONTAINER, `increase(${sel(C.oomEvents.name, cadvisor)}[${window}])`) + ' > 0', { legend: '{{pod}} {{container}}' })],
            }),
          ],
        },
        {
          title: 'Claims',
          panels: [
            barGauge({
              title: 'Claims: used share',
              description: 'Used share of each mounted claim of the stack (the kubelet volume stats).',
              unit: UNIT.percent,
              max: 1,
              queries: [prom(`1 - ${available} / ${sel(V.volumeCapacity.name, volumes)}`, { legend: '{{namespace}}/{{persistentvolumeclaim}}', instant: true })],
              thresholds: warnAbove(0.85, 0.97),
            }),
            timeseries({
              title: 'Claims: time to full',
              description: 'At the rate of the last 6h, how long until each filling claim is full; claims that are not filling are not drawn.',
              unit: UNIT.seconds,
              min: 0,
              queries: [prom(`${available} / (-deriv(${available}[6h]) > 0)`, { legend: '{{namespace}}/{{persistentvolumeclaim}}' })],
            }),
          ],
        },
        {
          title: 'Probes from outside',
          panels: [
            timeseries({
              title: 'Probe success',
              description: 'Whether each probed URL answered as a client expects (1) or not (0). BlackboxProbeFailed fires when it stays at 0.',
              unit: UNIT.count,
              min: 0,
              max: 1,
              queries: [prom(sel(P.success.name, PROBE_JOBS), { legend: '{{target}}' })],
            }),
            timeseries({
              title: 'Probe duration',
              description: 'How long each probe took: DNS, connect, TLS, request and answer.',
              unit: UNIT.seconds,
              queries: [prom(sel(P.duration.name, PROBE_JOBS), { legend: '{{target}}' })],
            }),
            stat({
              title: 'Certificate days left',
              description: `Days until the certificate of each https:// URL expires; BlackboxCertificateExpiring warns below ${props.certificateWarningDays}.`,
              unit: UNIT.count,
              queries: [prom(`(${sel(P.sslEarliestCertExpiry.name, PROBE_JOBS)} - time()) / 86400`, { legend: '{{target}}' })],
              ...greenAbove(props.certificateWarningDays, props.certificateWarningDays / 3),
            }),
          ],
        },
      ],
    }),
  ];
}
