/**
 * Every node_exporter metric the stack's rules and dashboards read, as the pinned exporter
 * (versions.ts: node-exporter v1.12.1) emits it on Linux. Alerts, recording rules, dashboards and
 * docs import names from here and never type them.
 *
 * All of them come from collectors that are on by default (cpu, loadavg, meminfo, filesystem,
 * diskstats, netdev). Filesystem series exist only for mount points the chart does not exclude
 * (pseudo filesystems and container/kubelet bind mounts are excluded, so a disk alert never fires
 * for an overlay or a pod volume).
 */
import { MetricDef } from '../lib/metric';

/** Values of `node_cpu_seconds_total{mode}` on Linux. */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

const FILESYSTEM = ['device', 'mountpoint', 'fstype', 'device_error'] as const;

export const NODE_METRICS = {
  cpuSeconds: {
    name: 'node_cpu_seconds_total',
    type: 'counter',
    help: 'Seconds each CPU spent in each mode; 1 - rate of idle is the utilisation.',
    labels: ['cpu', 'mode'],
    values: { mode: CPU_MODES },
    source: 'cpu',
  },
  load1: { name: 'node_load1', type: 'gauge', help: '1m load average.', labels: [], source: 'loadavg' },
  load5: { name: 'node_load5', type: 'gauge', help: '5m load average.', labels: [], source: 'loadavg' },
  load15: { name: 'node_load15', type: 'gauge', help: '15m load average.', labels: [], source: 'loadavg' },
  memoryAvailable: {
    name: 'node_memory_MemAvailable_bytes',
    type: 'gauge',
    help: 'Memory available for new work without swapping (MemAvailable in /proc/meminfo).',
    labels: [],
    source: 'meminfo',
  },
  memoryTotal: {
    name: 'node_memory_MemTotal_bytes',
    type: 'gauge',
    help: 'Usable RAM of the node (MemTotal in /proc/meminfo).',
    labels: [],
    source: 'meminfo',
  },
  filesystemAvail: {
    name: 'node_filesystem_avail_bytes',
    type: 'gauge',
    help: 'Bytes of a filesystem available to non-root users.',
    labels: FILESYSTEM,
    source: 'filesystem',
  },
  filesystemSize: {
    name: 'node_filesystem_size_bytes',
    type: 'gauge',
    help: 'Size of a filesystem in bytes.',
    labels: FILESYSTEM,
    source: 'filesystem',
  },
  filesystemReadonly: {
    name: 'node_filesystem_readonly',
    type: 'gauge',
    help: 'Whether a filesystem is mounted read-only (1); a read-write disk remounted read-only signals errors.',
    labels: FILESYSTEM,
    source: 'filesystem',
  },
  filesystemFiles: {
    name: 'node_filesystem_files',
    type: 'gauge',
    help: 'Inodes of a filesystem.',
    labels: FILESYSTEM,
    source: 'filesystem',
  },
  filesystemFilesFree: {
    name: 'node_filesystem_files_free',
    type: 'gauge',
    help: 'Free inodes of a filesystem.',
    labels: FILESYSTEM,
    source: 'filesystem',
  },
  diskIoTime: {
    name: 'node_disk_io_time_seconds_total',
    type: 'counter',
    help: 'Seconds a disk spent doing I/O; its rate is the utilisation of the device.',
    labels: ['device'],
    source: 'diskstats',
  },
  diskReadBytes: {
    name: 'node_disk_read_bytes_total',
    type: 'counter',
    help: 'Bytes read from a disk.',
    labels: ['device'],
    source: 'diskstats',
  },
  diskWrittenBytes: {
    name: 'node_disk_written_bytes_total',
    type: 'counter',
    help: 'Bytes written to a disk.',
    labels: ['device'],
    source: 'diskstats',
  },
  networkReceiveBytes: {
    name: 'node_network_receive_bytes_total',
    type: 'counter',
    help: 'Bytes received on a network interface.',
    labels: ['device'],
    source: 'netdev',
  },
  networkTransmitBytes: {
    name: 'node_network_transmit_bytes_total',
    type: 'counter',
    help: 'Bytes sent on a network interface.',
    labels: ['device'],
    source: 'netdev',
  },
} as const satisfies Record<string, MetricDef>;

export type NodeMetric = keyof typeof NODE_METRICS;
