/**
 * Recording rules of the node exporter: per-node utilisation ratios the backend dashboard's
 * "system load" row reads (kube-prometheus's node rules, same names). Every series of a node carries
 * `instance` = the node name (the scrape job sets it).
 */
import { ComponentProps } from '../lib/component';
import { jobOf, rate, sel } from '../lib/alerting';
import { RuleGroup } from '../lib/monitoring';
import { rateOp, recordName, recordingGroup } from '../grafana/recording';
import { StackConfig } from '../config';
import { NODE_METRICS as M } from './metrics';

/** Names of the node exporter's recorded series; the dashboards read these. */
export function nodeRecords(c: StackConfig) {
  const w = c.alerts.rateWindow;
  return {
    /** CPUs of a node. */
    cpus: recordName(['instance'], 'node_cpus', 'count'),
    /** Share of a node's CPU time not idle, over the rate window. */
    cpuUtilisation: recordName(['instance'], 'node_cpu_utilisation', rateOp(w)),
    /** 1m load average per CPU: above 1, runnable tasks wait for a CPU. */
    load1PerCpu: recordName(['instance'], 'node_load1_per_cpu', 'ratio'),
    /** Share of a node's memory not available to new work. */
    memoryUtilisation: recordName(['instance'], 'node_memory_utilisation', 'ratio'),
  } as const;
}

export function recordingRules(props: ComponentProps): RuleGroup[] {
  const c = props.config;
  const job = jobOf(props.endpoints.nodeExporter);
  const r = nodeRecords(c);
  const idle = sel(M.cpuSeconds.name, { ...job, mode: 'idle' });
  return [
    recordingGroup(props.endpoints.nodeExporter.name, [
      // `without`, not `by`: the node's target labels (instance, node, pod, ...) stay on the result.
      { record: r.cpus, expr: `count without (cpu, mode) (${idle})` },
      { record: r.cpuUtilisation, expr: `1 - avg without (cpu, mode) (${rate(idle, c.alerts.rateWindow)})` },
      { record: r.load1PerCpu, expr: `${sel(M.load1.name, job)}\n/\n${sel(r.cpus, job)}` },
      { record: r.memoryUtilisation, expr: `1 - ${sel(M.memoryAvailable.name, job)}\n/\n${sel(M.memoryTotal.name, job)}` },
    ]),
  ];
}
