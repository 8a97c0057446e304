/**
 * Alerts on the nodes, from node_exporter (./metrics.ts): disk space low, disk filling up, memory
 * pressure. Filesystems the chart excludes (pseudo filesystems, container and kubelet mounts) have
 * no series, so these never fire for an overlay or a pod volume; read-only filesystems are left out
 * here because they are full by design.
 */
import { alertGroup, alertRule, percent, tmpl, exporterDownRule } from '../lib/alert-rules';
import { jobOf, rate, sel } from '../lib/promql';
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

  const filesLow = (severity: 'warning' | 'critical', ratio: number, forDuration: string): AlertRule =>
    alertRule(props.shared.rules, {
      name: 'NodeFilesystemFilesLow',
      remediation: 'Delete what piles up (crictl rmi --prune for unused images, a cache directory); a filesystem for many small files needs more inodes (mkfs -i) when recreated.',
      severity,
      service,
      expr: `(\n${sel(M.filesystemFilesFree.name, job)} / ${sel(M.filesystemFiles.name, job)}\n) < ${ratio}\n${writable}`,
      for: forDuration,
      summary: `Filesystem ${where} has less than ${percent(ratio)} of its inodes free`,
      description: `Filesystem ${where} (${tmpl.label('device')}) has ${tmpl.percent} of its inodes left (threshold ${percent(ratio)}); at none, no file can be created whatever the free space.`,
    });
  const w = a.rateWindow;
  const errorShare = (errors: string, packets: string, direction: string) =>
    `label_replace(\n  ${rate(sel(errors, job), w)} / ${rate(sel(packets, job), w)} > ${a.networkErrorRatio},\n  "direction", "${direction}", "", ""\n)`;

  return [
    alertGroup(service, [
      // Every node's disk and memory alerts read node_exporter. A node whose exporter is down is
      // PrometheusTargetDown; none at all (the DaemonSet deleted, its pods unschedulable) leaves
      // no `up` series to be 0: this catches both. 5m: a rollout replaces pods one by one.
      exporterDownRule(props.shared.rules, {
        name: 'NodeExporterDown',
        remediation: 'Pods refused by Pod Security: the namespace lost its privileged label (kubectl apply -f dist/).',
        service,
        exporter: props.shared.endpoints.nodeExporter,
        watched: 'the nodes are',
        blind: 'no disk, memory or clock alert of any node can fire',
      }),
      // Inodes run out on filesystems of many small files (container layers, caches, mail): writes
      // fail with "No space left on device" while df shows space. Same holds as for space.
      filesLow('warning', a.inodesFreeRatio, '15m'),
      filesLow('critical', a.inodesFreeCriticalRatio, '5m'),
      // The kernel gives up on the clock's accuracy (maxerror 16s) only after its synchronisation
      // stopped for a while; the min over 5m ignores one odd sample. 10m (node-mixin): chrony
      // restarting is not an incident.
      alertRule(props.shared.rules, {
        name: 'NodeClockNotSynchronising',
        remediation: 'Restart chronyd/ntpd; allow its traffic; point it at a reachable server.',
        severity: 'warning',
        service,
        expr: `min_over_time(${sel(M.timexSyncStatus.name, job)}[5m]) == 0\nand\n${sel(M.timexMaxError.name, job)} >= 16`,
        for: '10m',
        summary: `The clock of ${tmpl.label('instance')} is not synchronised`,
        description: `Nothing has synchronised the clock of ${tmpl.label('instance')} for 10m (NTP or chrony stopped, or cannot reach a server); it drifts from now on. Signed payment callbacks and token expiry depend on it.`,
      }),
      // An offset that is large and not shrinking (node-mixin's rule): NTP corrects a small offset
      // within minutes, so 10m of it is a clock that drifts faster than it is corrected.
      alertRule(props.shared.rules, {
        name: 'NodeClockSkew',
        remediation: "chronyc makestep corrects a large offset at once; then find why it drifted (a bad source, a VM host's clock).",
        severity: 'warning',
        service,
        expr:
          `(\n  ${sel(M.timexOffset.name, job)} > ${a.clockOffsetSeconds}\n  and\n  deriv(${sel(M.timexOffset.name, job)}[5m]) >= 0\n)\nor\n` +
          `(\n  ${sel(M.timexOffset.name, job)} < -${a.clockOffsetSeconds}\n  and\n  deriv(${sel(M.timexOffset.name, job)}[5m]) <= 0\n)`,
        for: '10m',
        summary: `The clock of ${tmpl.label('instance')} is off by more than ${a.clockOffsetSeconds}s`,
        description: `The clock of ${tmpl.label('instance')} is ${tmpl.duration} off its time source and not converging (threshold ${a.clockOffsetSeconds}s); signed payment callbacks may be refused.`,
      }),
      // Past the limit the kernel drops new connections (pods see timeouts, not errors). 5m:
      // a connection storm that drains is noise.
      alertRule(props.shared.rules, {
        name: 'NodeConntrackTableFull',
        remediation: 'Reuse connections in the client that floods; raise net.netfilter.nf_conntrack_max on the node.',
        severity: 'warning',
        service,
        expr: `${sel(M.conntrackEntries.name, job)} / ${sel(M.conntrackLimit.name, job)}\n> ${a.conntrackRatio}`,
        for: '5m',
        summary: `The conntrack table of ${tmpl.label('instance')} is more than ${percent(a.conntrackRatio)} full`,
        description: `The connection-tracking table of ${tmpl.label('instance')} is ${tmpl.percent} full (threshold ${percent(a.conntrackRatio)}); at 100% new connections are dropped.`,
      }),
      // fs.file-max reached: every open() and accept() on the node fails. 15m: a leak grows; a
      // burst of connections is not one.
      alertRule(props.shared.rules, {
        name: 'NodeFileDescriptorsHigh',
        remediation: 'Restart the leaking process, then fix the leak; raise fs.file-max if the load is real.',
        severity: 'warning',
        service,
        expr: `${sel(M.filefdAllocated.name, job)} / ${sel(M.filefdMaximum.name, job)}\n> ${a.fileDescriptorsRatio}`,
        for: '15m',
        summary: `${tmpl.label('instance')} has allocated more than ${percent(a.fileDescriptorsRatio)} of its file descriptors`,
        description: `${tmpl.label('instance')} has allocated ${tmpl.percent} of fs.file-max (threshold ${percent(a.fileDescriptorsRatio)}); at 100% opening files and sockets fails node-wide.`,
      }),
      // The average number of requests waiting for a disk: above diskQueueLength every write (the
      // database's WAL, Prometheus's TSDB) waits behind the others. 30m (node-mixin): backups and
      // compactions saturate a disk for minutes by design.
      alertRule(props.shared.rules, {
        name: 'NodeDiskIOSaturated',
        remediation: 'Move the heavy batch off peak hours, or to another disk; a disk that is always saturated needs more IOPS.',
        severity: 'warning',
        service,
        expr: `${rate(sel(M.diskIoTimeWeighted.name, job), w)}\n> ${a.diskQueueLength}`,
        for: '30m',
        summary: `Disk ${tmpl.label('device')} of ${tmpl.label('instance')} is saturated`,
        description: `Disk ${tmpl.label('device')} of ${tmpl.label('instance')} has had an average I/O queue of ${tmpl.number} over the last ${w} for 30m (threshold ${a.diskQueueLength}).`,
      }),
      // A share of packets with errors: a bad cable, a NIC or driver fault, a full ring buffer.
      // 1h (node-mixin): a few errors during a link renegotiation are noise.
      alertRule(props.shared.rules, {
        name: 'NodeNetworkInterfaceErrors',
        remediation: 'Drain the node (kubectl drain <node> --ignore-daemonsets) and have the hardware or the cloud provider check the interface; raise the ring buffer for overruns.',
        severity: 'warning',
        service,
        expr:
          `${errorShare(M.networkReceiveErrors.name, M.networkReceivePackets.name, 'receive')}\nor\n` +
          `${errorShare(M.networkTransmitErrors.name, M.networkTransmitPackets.name, 'transmit')}`,
        for: '1h',
        summary: `Interface ${tmpl.label('device')} of ${tmpl.label('instance')} has ${tmpl.label('direction')} errors`,
        description: `${tmpl.percent} of the packets of ${tmpl.label('device')} on ${tmpl.label('instance')} (direction ${tmpl.label('direction')}) had errors over the last ${w} (threshold ${percent(a.networkErrorRatio)}).`,
      }),
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
