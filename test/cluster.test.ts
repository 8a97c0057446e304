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
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    for (const m of charts.cluster.filter((x) => clusterScoped.includes(x.kind))) expect(m.metadata.namespace).toBeUndefined();
  });

  test('namespace names come from config', () => {
    const custom = synthStack(testConfig({ namespaces: { monitoring: 'obs', agents: 'obs-agents', backend: 'lp' } })).charts.cluster;
    expect(custom.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name).sort()).toEqual(['lp', 'obs', 'obs-agents']);
  });
});
