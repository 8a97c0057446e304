/**
 * Every node_exporter metric the stack's rules and dashboards read, as the pinned exporter
 * (versions.ts: node-exporter v1.12.1) emits it on Linux. Alerts, recording rules, dashboards and
 * docs import names from here and never type them.
 *
 * All of them come from collectors that are on by default (cpu, loadavg, meminfo, filesystem,
 * diskstats, netdev, timex, conntrack, filefd). The conntrack series exist only where the kernel's
 * nf_conntrack module is loaded (it is on every Kubernetes node: kube-proxy and most CNIs use it). Filesystem series exist only for mount points the chart does not exclude
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
  diskIoTimeWeighted: {
    name: 'node_disk_io_time_weighted_seconds_total',
    type: 'counter',
    help: 'Seconds spent doing I/O weighted by the requests in flight; its rate is the average queue length of the device.',
    labels: ['device'],
    source: 'diskstats',
  },
  networkReceiveErrors: {
    name: 'node_network_receive_errs_total',
    type: 'counter',
    help: 'Receive errors on a network interface (bad frames, FIFO overruns).',
    labels: ['device'],
    source: 'netdev',
  },
  networkTransmitErrors: {
    name: 'node_network_transmit_errs_total',
    type: 'counter',
    help: 'Transmit errors on a network interface.',
    labels: ['device'],
    source: 'netdev',
  },
  networkReceivePackets: {
    name: 'node_network_receive_packets_total',
    type: 'counter',
    help: 'Packets received on a network interface.',
    labels: ['device'],
    source: 'netdev',
  },
  networkTransmitPackets: {
    name: 'node_network_transmit_packets_total',
    type: 'counter',
    help: 'Packets sent on a network interface.',
    labels: ['device'],
    source: 'netdev',
  },
  timexSyncStatus: {
    name: 'node_timex_sync_status',
    type: 'gauge',
    help: "Whether the kernel's clock is synchronised to a time source (1) or not (0): NTP or chrony disciplines it.",
    labels: [],
    source: 'timex',
  },
  timexMaxError: {
    name: 'node_timex_maxerror_seconds',
    type: 'gauge',
    help: "The kernel's bound on the clock's error; it grows while nothing synchronises the clock and reaches 16s when the kernel gives up.",
    labels: [],
    source: 'timex',
  },
  timexOffset: {
    name: 'node_timex_offset_seconds',
    type: 'gauge',
    help: "The clock's offset from its time source, as NTP or chrony last measured it.",
    labels: [],
    source: 'timex',
  },
  conntrackEntries: {
    name: 'node_nf_conntrack_entries',
    type: 'gauge',
    help: 'Connections in the kernel connection-tracking table.',
    labels: [],
    source: 'conntrack',
    requires: 'the nf_conntrack kernel module (loaded on Kubernetes nodes)',
  },
  conntrackLimit: {
    name: 'node_nf_conntrack_entries_limit',
    type: 'gauge',
    help: 'Size of the connection-tracking table (net.netfilter.nf_conntrack_max); past it, new connections are dropped.',
    labels: [],
    source: 'conntrack',
    requires: 'the nf_conntrack kernel module (loaded on Kubernetes nodes)',
  },
  filefdAllocated: {
    name: 'node_filefd_allocated',
    type: 'gauge',
    help: 'File descriptors allocated on the node (/proc/sys/fs/file-nr).',
    labels: [],
    source: 'filefd',
  },
  filefdMaximum: {
    name: 'node_filefd_maximum',
    type: 'gauge',
    help: 'The node-wide limit on file descriptors (fs.file-max).',
    labels: [],
    source: 'filefd',
  },
} as const satisfies Record<string, MetricDef>;

export type NodeMetric = keyof typeof NODE_METRICS;
