/**
 * The node exporter's slice of the configuration (`nodeExporter:` in config/<environment>.yaml):
 * its resources and the thresholds of the alerts on the nodes. The nodes' addresses, which its
 * NetworkPolicy needs, are shared network facts (`network.nodeCidrs`).
 */
import { ConfigIssue, Infer, durationToSeconds, num, obj, promDuration, show, withDefault } from '../lib/schema';
import { resources } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const nodeExporterSettings = obj({
  resources: resources({ cpu: '50m', memory: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' }),
  alerts: obj({
    /** Free share of a filesystem below which disk pressure warns. @default 0.1 */
    diskFreeRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /** Free share of a filesystem below which disk pressure is critical. @default 0.05 */
    diskFreeCriticalRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /**
     * History predict_linear() fits the disk trend on: long enough that a log burst or a compaction
     * does not look like a trend. @default '6h'
     */
    diskFillLookback: withDefault(promDuration(), '6h'),
    /** A filesystem predicted full within this warns (a working day to act). @default '24h' */
    diskFillWarningWithin: withDefault(promDuration(), '24h'),
    /** A filesystem predicted full within this is critical (act now). @default '4h' */
    diskFillCriticalWithin: withDefault(promDuration(), '4h'),
    /** Available share of node memory below which memory pressure warns. @default 0.1 */
    memoryAvailableRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.1),
    /** Free share of a filesystem's inodes below which NodeFilesystemFilesLow warns (node-mixin: 5%/3%). @default 0.05 */
    inodesFreeRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /** ... and is critical: no new file can be created, whatever the free space. @default 0.03 */
    inodesFreeCriticalRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.03),
    /**
     * Clock offset in seconds above which NodeClockSkew warns (node-mixin: 0.05). Payment
     * callbacks are signed with timestamps, and TLS and token expiry depend on the clock. @default 0.05
     */
    clockOffsetSeconds: withDefault(num({ exclusiveMin: 0 }), 0.05),
    /** Share of the conntrack table in use above which NodeConntrackTableFull warns (node-mixin: 75%). @default 0.75 */
    conntrackRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.75),
    /** Share of fs.file-max allocated above which NodeFileDescriptorsHigh warns (node-mixin: 70%). @default 0.7 */
    fileDescriptorsRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.7),
    /**
     * Average I/O queue length of a disk above which NodeDiskIOSaturated warns (node-mixin: 10):
     * requests wait for the device, and every database write waits with them. @default 10
     */
    diskQueueLength: withDefault(num({ exclusiveMin: 0 }), 10),
    /** Share of a network interface's packets with errors above which NodeNetworkInterfaceErrors warns (node-mixin: 1%). @default 0.01 */
    networkErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.01),
  }),
});
export type NodeExporterSettings = Infer<typeof nodeExporterSettings>;

/** Thresholds out of order; paths are relative to `nodeExporter`. */
export function nodeExporterChecks(s: NodeExporterSettings): ConfigIssue[] {
  const a = s.alerts;
  const issues: ConfigIssue[] = [];
  if (a.diskFreeCriticalRatio >= a.diskFreeRatio) {
    issues.push({
      path: 'alerts.diskFreeCriticalRatio',
      message: `is ${a.diskFreeCriticalRatio}, not below nodeExporter.alerts.diskFreeRatio ${a.diskFreeRatio}: the critical disk alert would fire before the warning`,
      fix: 'keep the critical free share below the warning free share',
    });
  }
  if (a.inodesFreeCriticalRatio >= a.inodesFreeRatio) {
    issues.push({
      path: 'alerts.inodesFreeCriticalRatio',
      message: `is ${a.inodesFreeCriticalRatio}, not below nodeExporter.alerts.inodesFreeRatio ${a.inodesFreeRatio}: the critical inode alert would fire before the warning`,
      fix: 'keep the critical free share below the warning free share',
    });
  }
  if (durationToSeconds(a.diskFillCriticalWithin) >= durationToSeconds(a.diskFillWarningWithin)) {
    issues.push({
      path: 'alerts.diskFillCriticalWithin',
      message: `is ${show(a.diskFillCriticalWithin)}, not shorter than nodeExporter.alerts.diskFillWarningWithin ${show(a.diskFillWarningWithin)}`,
      fix: 'keep the critical horizon shorter than the warning horizon',
    });
  }
  return issues;
}

/** What the chart and its rules and dashboards are built from. */
export type NodeExporterProps = ComponentProps<NodeExporterSettings>;
