/**
 * Alerts on the nodes, from node_exporter (./metrics.ts): disk space low, disk filling up, memory
 * pressure. Filesystems the chart excludes (pseudo filesystems, container and kubelet mounts) have
 * no series, so these never fire for an overlay or a pod volume; read-only filesystems are left out
 * here because they are full by design.
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { jobOf, sel } from '../lib/promql';
import { AlertRule, RuleGroup } from '../lib/monitoring';
import { durationToSeconds } from '../lib/schema';
import { NODE_METRICS as M } from './metrics';
import { NodeExporterProps } from './settings';

/** Labels that identify one filesystem of one node. */
const FILESYSTEM = 'instance, device, mountpoint';

export function alertRules(props: NodeExporterProps): RuleGroup[] {
  const a = { ...props.settings.alerts, rateWindow: props.shared.rules.rateWindow };
  const job = jobOf(props.shared.endpoints.nodeExporter);
  const service = 'node';
  const avail = sel(M.filesystemAvail.name, job);
  const freeRatio = `${avail} / ${sel(M.filesystemSize.name, job)}`;
  const writable = `and on (${FILESYSTEM})\n${sel(M.filesystemReadonly.name, job)} == 0`;
  const where = `${tmpl.label('mountpoint')} on ${tmpl.label('instance')}`;

  const spaceLow = (severity: 'warning' | 'critical', ratio: number, forDuration: string): AlertRule =>
    alertRule(props.shared.rules, {
      name: 'NodeFilesystemSpaceLow',
      remediation: "Images: crictl rmi --prune on the node (or let the kubelet's image GC run).",
      severity,
      service,
      expr: `(\n${freeRatio}\n) < ${ratio}\n${writable}`,
      for: forDuration,
      summary: `Filesystem ${where} has less than ${percent(ratio)} free`,
      description: `Filesystem ${where} (${tmpl.label('device')}) has ${tmpl.percent} of its space left (threshold ${percent(ratio)}).`,
    });

  const fillingUp = (severity: 'warning' | 'critical', within: string, forDuration: string): AlertRule =>
    alertRule(props.shared.rules, {
      name: 'NodeFilesystemFillingUp',
      remediation: 'Stop or fix the writer, or grow the filesystem; as for NodeFilesystemSpaceLow.',
      severity,
      service,
      // The value is the free share now; the condition is the trend of the last diskFillLookback.
      expr:
        `(\n${freeRatio}\n)\nand on (${FILESYSTEM})\n` +
        `predict_linear(${avail}[${a.diskFillLookback}], ${durationToSeconds(within)}) < 0\n${writable}`,
      for: forDuration,
      summary: `Filesystem ${where} will be full within ${within}`,
      description: `Filesystem ${where} (${tmpl.label('device')}) has ${tmpl.percent} of its space left and, at the rate of the last ${a.diskFillLookback}, fills up within ${within}.`,
    });

  return [
    alertGroup(service, [
      // Space does not come back by itself: 15m ignores a temporary file that is written and
      // deleted (a backup, a compaction). Critical after 5m: at 5% there is little time left.
      spaceLow('warning', a.diskFreeRatio, '15m'),
      spaceLow('critical', a.diskFreeCriticalRatio, '5m'),
      // A trend must hold: 1h (warning) and 30m (critical) of the same prediction, so a one-off
      // burst inside the lookback does not notify.
      fillingUp('warning', a.diskFillWarningWithin, '1h'),
      fillingUp('critical', a.diskFillCriticalWithin, '30m'),
      // MemAvailable already counts reclaimable cache, so a low value is real pressure: the OOM
      // killer is next. 10m ignores a short peak (a batch job, a compaction).
      alertRule(props.shared.rules, {
        name: 'NodeMemoryPressure',
        remediation: 'Find the pod using the memory; lower its limit, fix its leak or restart it; move workloads (kubectl drain <node> --ignore-daemonsets --delete-emptydir-data) or add capacity.',
        severity: 'warning',
        service,
        expr: `${sel(M.memoryAvailable.name, job)} / ${sel(M.memoryTotal.name, job)}\n< ${a.memoryAvailableRatio}`,
        for: '10m',
        summary: `Node ${tmpl.label('instance')} has less than ${percent(a.memoryAvailableRatio)} memory available`,
        description: `Node ${tmpl.label('instance')} has ${tmpl.percent} of its memory available (threshold ${percent(a.memoryAvailableRatio)}); the OOM killer is next.`,
      }),
    ]),
  ];
}
