import { FS_TYPES_EXCLUDE, HOST_ROOT, MOUNT_POINTS_EXCLUDE, NET_DEVICES_EXCLUDE } from '../../charts/node-exporter/node-exporter';
import { find, synthStack, testConfig } from '../util';

const { charts, stack } = synthStack();
const containerOf = (chart: any[], kind: string, name: string) => find(chart, kind, name).spec.template.spec.containers[0];

describe('postgres-exporter chart', () => {
  const chart = charts['postgres-exporter'];
  const c = containerOf(chart, 'Deployment', 'postgres-exporter');

  test('matches the snapshot', () => {
    expect(chart).toMatchSnapshot();
  });

  test('reads the DSN from the configured Secret key, and writes no value', () => {
    expect(c.env).toEqual([{ name: 'DATA_SOURCE_NAME', valueFrom: { secretKeyRef: { name: 'postgres-exporter', key: 'dsn' } } }]);
    const custom = containerOf(synthStack(testConfig({ postgresExporter: { dsnSecret: { name: 'pg-monitor', key: 'url' } } })).charts['postgres-exporter'], 'Deployment', 'postgres-exporter');
    expect(custom.env[0].valueFrom.secretKeyRef).toEqual({ name: 'pg-monitor', key: 'url' });
  });

  test('turns on the collectors for query duration and long transactions, listens on 9187', () => {
    expect(c.args).toEqual(['--web.listen-address=:9187', '--collector.long_running_transactions', '--collector.stat_statements']);
    expect(c.image).toBe('quay.io/prometheuscommunity/postgres-exporter:v0.19.1');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9187, protocol: 'TCP' }]);
  });

  test('probes never query the database', () => {
    expect(c.livenessProbe.httpGet.path).toBe('/');
    expect(c.readinessProbe.httpGet.path).toBe('/');
  });

  test('only Prometheus reaches it; it reaches only PostgreSQL (and DNS)', () => {
    const np = find(chart, 'NetworkPolicy', 'postgres-exporter');
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('prometheus');
    expect(np.spec.ingress[0].ports).toEqual([{ port: 9187, protocol: 'TCP' }]);
    expect(np.spec.egress.map((e: any) => e.ports.map((p: any) => p.port)).flat().sort()).toEqual([53, 53, 5432]);
  });

  test('contributes its scrape job and the rule groups of its folder', () => {
    expect(stack.postgresExporter.scrapeJobs.map((j) => j.job_name)).toEqual(['postgres-exporter']);
    expect(stack.postgresExporter.ruleGroups.length).toBeGreaterThan(0);
  });
});

describe('redis-exporter chart', () => {
  const chart = charts['redis-exporter'];
  const c = containerOf(chart, 'Deployment', 'redis-exporter');

  test('matches the snapshot', () => {
    expect(chart).toMatchSnapshot();
  });

  test('address and password from the configured Secret keys', () => {
    expect(c.env).toEqual([
      { name: 'REDIS_ADDR', valueFrom: { secretKeyRef: { name: 'redis-exporter', key: 'address' } } },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-exporter', key: 'password' } } },
    ]);
  });

  test('runs as its image user 59000, non-root, with a /health probe and only Redis egress', () => {
    const pod = find(chart, 'Deployment', 'redis-exporter').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 59000 });
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.args).toContain('--web.listen-address=:9121');
    const np = find(chart, 'NetworkPolicy', 'redis-exporter');
    expect(np.spec.egress.map((e: any) => e.ports.map((p: any) => p.port)).flat().sort()).toEqual([53, 53, 6379]);
  });
});

describe('node-exporter chart', () => {
  const chart = charts['node-exporter'];
  const ds = find(chart, 'DaemonSet', 'node-exporter');
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];

  test('matches the snapshot', () => {
    expect(chart).toMatchSnapshot();
  });

  test('runs on every node in the agents namespace, tolerating every taint', () => {
    expect(ds.metadata.namespace).toBe('monitoring-agents');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
  });

  test('host PID and network, the host root read-only at /host with HostToContainer propagation', () => {
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.volumes).toEqual([{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }]);
    expect(c.volumeMounts).toEqual([{ name: 'host-root', mountPath: HOST_ROOT, readOnly: true, mountPropagation: 'HostToContainer' }]);
    expect(c.args).toContain('--path.rootfs=/host');
  });

  test('keeps no other privilege: non-root, no capability, read-only root, no escalation, no API token', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('excludes pseudo filesystems and container/kubelet bind mounts, keeps real disks', () => {
    expect(c.args).toContain(`--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`);
    expect(c.args).toContain(`--collector.filesystem.fs-types-exclude=${FS_TYPES_EXCLUDE}`);
    const mp = new RegExp(MOUNT_POINTS_EXCLUDE);
    for (const excluded of [
      '/proc',
      '/sys/fs/cgroup',
      '/dev/shm',
      '/var/lib/kubelet/pods/0b6e/volumes/kubernetes.io~csi/pvc-1/mount',
      '/var/lib/kubelet/plugins/kubernetes.io/csi/pv/x/globalmount',
      '/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs',
      '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs',
      '/var/lib/docker/overlay2/abc/merged',
      '/run/netns/cni-1234',
    ]) {
      expect({ excluded, match: mp.test(excluded) }).toEqual({ excluded, match: true });
    }
    for (const kept of ['/', '/boot', '/var', '/var/lib/kubelet', '/var/lib/containerd', '/mnt/data', '/srv/postgres']) {
      expect({ kept, match: mp.test(kept) }).toEqual({ kept, match: false });
    }
    const fs = new RegExp(FS_TYPES_EXCLUDE);
    for (const t of ['overlay', 'tmpfs', 'proc', 'cgroup2', 'squashfs', 'nsfs']) expect({ t, match: fs.test(t) }).toEqual({ t, match: true });
    for (const t of ['ext4', 'xfs', 'btrfs', 'zfs', 'vfat']) expect({ t, match: fs.test(t) }).toEqual({ t, match: false });
  });

  test('leaves pod network interfaces out of the node network metrics', () => {
    const re = new RegExp(NET_DEVICES_EXCLUDE);
    for (const d of ['lo', 'veth1a2b3c', 'cali12345', 'cilium_host', 'lxc0a1b', 'flannel.1', 'cni0', 'docker0']) expect({ d, match: re.test(d) }).toEqual({ d, match: true });
    for (const d of ['eth0', 'ens5', 'enp0s3', 'bond0', 'wlan0']) expect({ d, match: re.test(d) }).toEqual({ d, match: false });
  });

  test('listens on 9100 with probes; its policy admits Prometheus only and allows no egress', () => {
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/', port: 'metrics' });
    const np = find(chart, 'NetworkPolicy', 'node-exporter');
    expect(np.spec.ingress[0].ports).toEqual([{ port: 9100, protocol: 'TCP' }]);
    expect(np.spec.policyTypes).toContain('Egress');
    expect(np.spec.egress).toBeUndefined();
  });

  test('its scrape job labels series by node', () => {
    const [job] = stack.nodeExporter.scrapeJobs as any[];
    expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual(['monitoring-agents']);
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' });
  });
});
