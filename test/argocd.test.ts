import { App, Testing } from 'cdk8s';
import { buildGitOps } from '../charts/stack';
import { GITOPS_DIR, outputDirOf } from '../charts/synth';
import { synthStack, testConfig } from './util';

/** The environment's argocd/ objects: its AppProject and its Application. */
function gitops(env = 'production') {
  const config = testConfig({}, env);
  const app = new App();
  const chart = buildGitOps(app, config, env, synthStack(config).all);
  const objects = Testing.synth(chart);
  return { project: objects.find((o) => o.kind === 'AppProject'), application: objects.find((o) => o.kind === 'Application'), objects };
}
const application = (env = 'production') => gitops(env).application;

describe('Argo CD Application', () => {
  test('matches the snapshot', () => {
    expect(gitops().objects).toMatchSnapshot();
  });

  test('syncs dist/ of the configured repository and revision, pruning and self-healing', () => {
    const a = application();
    expect(a).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: 'argocd' } });
    expect(a.spec.source).toEqual({
      repoURL: 'https://github.com/love-parser/monitoring.git',
      targetRevision: 'main',
      path: 'dist',
      directory: { recurse: false },
    });
    expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  test('each environment syncs its own directory, and the Application lives outside every synced one', () => {
    expect(application('staging').spec.source.path).toBe(outputDirOf('staging'));
    expect(application('production').spec.source.path).toBe(outputDirOf('production'));
    for (const env of ['production', 'staging']) expect(GITOPS_DIR).not.toBe(application(env).spec.source.path);
  });

  test('does not create namespaces implicitly: dist/ carries them with their Pod Security labels', () => {
    expect(application().spec.syncPolicy.syncOptions).toContain('CreateNamespace=false');
  });
});

describe('GitOps cannot delete what matters', () => {
  const { all } = synthStack();

  test('every Namespace and every standalone claim is neither pruned nor deleted by Argo CD', () => {
    const kept = all.filter((m) => m.kind === 'Namespace' || m.kind === 'PersistentVolumeClaim');
    expect(kept.map((m) => m.kind).sort()).toEqual(['Namespace', 'Namespace', 'Namespace', 'PersistentVolumeClaim']);
    for (const m of kept) expect({ name: m.metadata.name, options: m.metadata.annotations?.['argocd.argoproj.io/sync-options'] }).toEqual({ name: m.metadata.name, options: 'Prune=false,Delete=false' });
  });

  test('claims of StatefulSets are made by the StatefulSet controller, never by Argo CD, and kept when a StatefulSet goes', () => {
    // Argo CD tracks only what it applied; and without persistentVolumeClaimRetentionPolicy the
    // controller's default is Retain on deletion and on scale-down (docs/gitops.md).
    for (const s of all.filter((m) => m.kind === 'StatefulSet')) {
      expect(s.spec.volumeClaimTemplates?.length).toBeGreaterThan(0);
      expect(s.spec.persistentVolumeClaimRetentionPolicy ?? { whenDeleted: 'Retain', whenScaled: 'Retain' }).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    }
  });

  test('each environment has its own AppProject, which the Application uses; never the default project', () => {
    for (const env of ['production', 'staging']) {
      const { project, application: a } = gitops(env);
      expect(project.metadata).toMatchObject({ name: `love-parser-monitoring-${env}`, namespace: 'argocd' });
      expect(a.spec.project).toBe(project.metadata.name);
    }
  });

  test('the project allows this repository, the namespaces and kinds of dist/, and the cluster-scoped objects by name', () => {
    const { project, application: a } = gitops();
    expect(project.spec.sourceRepos).toEqual([a.spec.source.repoURL]);
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual(['love-parser', 'monitoring', 'monitoring-agents']);
    expect(project.spec.destinations.every((d: any) => d.server === a.spec.destination.server)).toBe(true);
    expect(project.spec.destinations.map((d: any) => d.namespace)).toContain(a.spec.destination.namespace);
    const kinds = new Set(all.filter((m) => m.metadata.namespace).map((m) => `${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : ''}/${m.kind}`));
    expect(project.spec.namespaceResourceWhitelist.map((k: any) => `${k.group}/${k.kind}`).sort()).toEqual([...kinds].sort());
    const clusterScoped = all.filter((m) => !m.metadata.namespace).map((m) => `${m.kind}/${m.metadata.name}`);
    expect(project.spec.clusterResourceWhitelist.map((k: any) => `${k.kind}/${k.name}`).sort()).toEqual(clusterScoped.sort());
    expect(project.spec.clusterResourceWhitelist.every((k: any) => k.name && !k.name.includes('*'))).toBe(true);
    // Nothing of Argo CD itself, no CRDs, no webhooks: kinds outside dist/ are refused by the project.
    expect(kinds.has('apiextensions.k8s.io/CustomResourceDefinition')).toBe(false);
  });
});
