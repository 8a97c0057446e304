import { synthStack, testConfig, find } from './util';

describe('cluster chart', () => {
  const { charts } = synthStack();

  test('matches the snapshot', () => {
    expect(charts.cluster).toMatchSnapshot();
  });

  test.each([
    ['monitoring', 'restricted'],
    ['love-parser', 'restricted'],
    ['monitoring-agents', 'privileged'],
  ])('namespace %s enforces Pod Security %s', (name, level) => {
    const ns = find(charts.cluster, 'Namespace', name);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe(level);
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe(level);
  });

  test('namespaces come first: in the first chart, and in Argo CD wave -1', () => {
    expect(Object.keys(charts)[0]).toBe('cluster');
    for (const ns of charts.cluster.filter((m) => m.kind === 'Namespace')) {
      expect(ns.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    }
  });

  test('cluster-scoped objects carry no namespace', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass'];
    for (const m of charts.cluster.filter((x) => clusterScoped.includes(x.kind))) expect(m.metadata.namespace).toBeUndefined();
  });

  test('namespace names come from config', () => {
    const custom = synthStack(testConfig({ namespaces: { monitoring: 'obs', agents: 'obs-agents', backend: 'lp' } })).charts.cluster;
    expect(custom.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name).sort()).toEqual(['lp', 'obs', 'obs-agents']);
  });

  describe('priority classes', () => {
    const { all } = synthStack();
    const classes = charts.cluster.filter((m) => m.kind === 'PriorityClass');

    test('two, in the namespace-less first chart, wave -1, never the cluster default', () => {
      expect(classes.map((c) => c.metadata.name).sort()).toEqual(['love-parser-alerting', 'love-parser-host-agents']);
      for (const c of classes) {
        expect(c.metadata.namespace).toBeUndefined();
        expect(c.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
        expect(c.globalDefault).toBe(false);
      }
    });

    test('host agents highest and preempting; Prometheus and Alertmanager next, without preempting the application', () => {
      const agents = find(classes, 'PriorityClass', 'love-parser-host-agents');
      const alerting = find(classes, 'PriorityClass', 'love-parser-alerting');
      expect(agents.value).toBeGreaterThan(alerting.value);
      expect(agents.preemptionPolicy).toBe('PreemptLowerPriority');
      expect(alerting.preemptionPolicy).toBe('Never');
    });

    test('the workloads name them: host agents, Prometheus and Alertmanager; nothing names a class that does not exist', () => {
      const byWorkload = Object.fromEntries(
        all.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind)).map((m) => [m.metadata.name, m.spec.template.spec.priorityClassName]),
      );
      expect(byWorkload['node-exporter']).toBe('love-parser-host-agents');
      expect(byWorkload['log-shipper']).toBe('love-parser-host-agents');
      expect(byWorkload.prometheus).toBe('love-parser-alerting');
      expect(byWorkload.alertmanager).toBe('love-parser-alerting');
      const names = new Set(classes.map((c) => c.metadata.name));
      for (const [w, pc] of Object.entries(byWorkload)) if (pc !== undefined) expect({ w, exists: names.has(pc as string) }).toEqual({ w, exists: true });
    });

    test('names and values come from config', () => {
      const custom = synthStack(testConfig({ priorityClasses: { hostAgents: { name: 'agents', value: 5000 }, alerting: { name: 'alerting', value: 4000, preemptLowerPriority: true } } }));
      const c = custom.charts.cluster.filter((m) => m.kind === 'PriorityClass');
      expect(c.map((x) => [x.metadata.name, x.value, x.preemptionPolicy])).toEqual([
        ['agents', 5000, 'PreemptLowerPriority'],
        ['alerting', 4000, 'PreemptLowerPriority'],
      ]);
      expect(find(custom.all, 'StatefulSet', 'prometheus').spec.template.spec.priorityClassName).toBe('alerting');
    });
  });
});
