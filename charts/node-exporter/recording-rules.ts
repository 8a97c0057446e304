/**
 * Recording rules of the node exporter: per-node utilisation ratios the backend dashboard's
 * "system load" row reads (kube-prometheus's node rules, same names). Every series of a node carries
 * `instance` = the node name (the scrape job sets it).
 */
import { jobOf, rate, sel } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { recordingGroup } from '../lib/recording-rules';
import { nodeRecords } from '../contracts/recorded';
import { NODE_METRICS as M } from './metrics';
import { NodeExporterProps } from './settings';

export function recordingRules(props: NodeExporterProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.nodeExporter);
  const r = nodeRecords(props.shared.rules.rateWindow);
  const idle = sel(M.cpuSeconds.name, { ...job, mode: 'idle' });
  return [
    recordingGroup(props.shared.endpoints.nodeExporter.name, [
      // `without`, not `by`: the node's target labels (instance, node, pod, ...) stay on the result.
      { record: r.cpus, expr: `count without (cpu, mode) (${idle})` },
      { record: r.cpuUtilisation, expr: `1 - avg without (cpu, mode) (${rate(idle, props.shared.rules.rateWindow)})` },
      { record: r.load1PerCpu, expr: `${sel(M.load1.name, job)}\n/\n${sel(r.cpus, job)}` },
      { record: r.memoryUtilisation, expr: `1 - ${sel(M.memoryAvailable.name, job)}\n/\n${sel(M.memoryTotal.name, job)}` },
    ]),
  ];
}
