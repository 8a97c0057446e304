/**
 * Alerts on every container and claim of the stack, from the kubelet's metrics (cAdvisor and volume
 * stats) and kube-state-metrics' limits: a container at its memory limit (the OOM killer is next), a
 * container throttled by its CPU limit, a claim filling up. One rule covers every component; each
 * alert's `service` is the component it is about (the container's name, or the StatefulSet a claim
 * belongs to), so Alertmanager groups and routes it with that component's other alerts.
 *
 * node_exporter cannot see claims: the chart excludes the kubelet's volume mounts on purpose (they
 * would give false disk alerts), and Loki deletes by age only, so these are the only disk alerts for
 * the `prometheus-data`, `loki-data` and Alertmanager claims.
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { maxBy, sel, sumBy } from '../lib/promql';
import { RuleGroup, Severity } from '../lib/monitoring';
import { durationToSeconds } from '../lib/schema';
import { CADVISOR_METRICS as C, KUBELET_METRICS as V, KUBERNETES_JOBS, KUBE_STATE_METRICS as K } from '../contracts/kubernetes-metrics';
import { KubeletProps } from './settings';

const CONTAINER = ['namespace', 'pod', 'container'];

/**
 * `service` from a claim's name: a StatefulSet's claim is `<template>-<statefulset>-<ordinal>` and
 * the stack's templates end in `data` (`prometheus-data-prometheus-0`, `data-alertmanager-0`); any
 * other claim keeps its own name as the service.
 */
export const CLAIM_SERVICE = '(?:.+-)?data-(.+)-[0-9]+';

export function alertRules(props: KubeletProps): RuleGroup[] {
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  const cadvisor = { job: KUBERNETES_JOBS.cadvisor, container: { not: '' } };
  const volumes = { job: KUBERNETES_JOBS.kubelet };
  const window = ctx.rateWindow;
  const increase = (metric: string) => `increase(${sel(metric, cadvisor)}[${window}])`;
  const freeRatio = `${sel(V.volumeAvailable.name, volumes)} / ${sel(V.volumeCapacity.name, volumes)}`;
  const claimService = (expr: string) => `label_replace(label_replace(${expr}, "service", "$1", "persistentvolumeclaim", "(.*)"), "service", "$1", "persistentvolumeclaim", "${CLAIM_SERVICE}")`;
  const claim = `${tmpl.label('namespace')}/${tmpl.label('persistentvolumeclaim')}`;
  const fillingUp = (severity: Severity, expr: string, forDuration: string, summary: string, description: string) =>
    alertRule(ctx, {
      name: 'KubePersistentVolumeFillingUp',
      remediation: 'Grow the claim (prometheus.storage.size, loki.storage.size; the StorageClass must allow expansion), or shorten retention (prometheus.retention, loki.retention); Prometheus also deletes by prometheus.retentionSizeRatio.',
      severity,
      expr: claimService(expr), for: forDuration, summary, description });

  return [
    alertGroup('kubelet', [
      // The working set is what the OOM killer compares with the limit (cache the kernel can drop is
      // not in it). memoryFor (15m): a heap that grows and is collected again does not notify.
      alertRule(ctx, {
        name: 'KubeContainerMemoryNearLimit',
        remediation: "Raise the component's resources.limits.memory in its config section; remove the cardinality that grew.",
        severity: 'warning',
        expr: `label_replace(${maxBy(CONTAINER, sel(C.memoryWorkingSet.name, cadvisor))} / on (namespace, pod, container) ${maxBy(CONTAINER, sel(K.containerResourceLimits.name, { job: KUBERNETES_JOBS.kubeStateMetrics, resource: 'memory', unit: 'byte' }))} > ${a.memoryLimitRatio}, "service", "$1", "container", "(.*)")`,
        for: a.memoryFor,
        summary: `Container ${tmpl.label('container')} of ${tmpl.label('pod')} is close to its memory limit`,
        description: `Container ${tmpl.label('container')} of ${tmpl.label('namespace')}/${tmpl.label('pod')} uses ${tmpl.percent} of its memory limit (threshold ${percent(a.memoryLimitRatio)}); at 100% it is OOM-killed.`,
      }),
      // Share of the CFS periods in which the container used up its quota; only containers with a
      // CPU limit have these counters (every workload of the stack has one).
      alertRule(ctx, {
        name: 'KubeContainerCpuThrottled',
        remediation: "Raise the component's resources.limits.cpu (a Node.js backend at its limit often needs 2 cores for its GC bursts), or spread the load over more replicas.",
        severity: 'warning',
        expr: `label_replace(${sumBy(CONTAINER, increase(C.cfsThrottledPeriods.name))} / ${sumBy(CONTAINER, increase(C.cfsPeriods.name))} > ${a.cpuThrottlingRatio}, "service", "$1", "container", "(.*)")`,
        for: a.cpuThrottlingFor,
        summary: `Container ${tmpl.label('container')} of ${tmpl.label('pod')} is CPU-throttled`,
        description: `Container ${tmpl.label('container')} of ${tmpl.label('namespace')}/${tmpl.label('pod')} was throttled in ${tmpl.percent} of its CPU periods over the last ${window} (threshold ${percent(a.cpuThrottlingRatio)}); its latency suffers. Raise its CPU limit.`,
      }),
      // Both must hold: below the free floor AND the trend of the last volumeFillLookback fills it
      // within volumeFillWithin. 1h of the same prediction, so one burst is not a trend.
      fillingUp(
        'warning',
        `(${freeRatio} < ${a.volumeFillFreeRatio}) and on (namespace, persistentvolumeclaim) predict_linear(${sel(V.volumeAvailable.name, volumes)}[${a.volumeFillLookback}], ${durationToSeconds(a.volumeFillWithin)}) < 0`,
        '1h',
        `Claim ${claim} will be full within ${a.volumeFillWithin}`,
        `Claim ${claim} has ${tmpl.percent} free (floor ${percent(a.volumeFillFreeRatio)}) and, at the rate of the last ${a.volumeFillLookback}, fills up within ${a.volumeFillWithin}.`,
      ),
      // Whatever the trend: almost full now. 5m: space does not come back by itself.
      fillingUp(
        'critical',
        `${freeRatio} < ${a.volumeFreeCriticalRatio}`,
        '5m',
        `Claim ${claim} is almost full`,
        `Claim ${claim} has ${tmpl.percent} free (threshold ${percent(a.volumeFreeCriticalRatio)}); the server writing to it stops or crash-loops when it is full.`,
      ),
    ]),
  ];
}
