import { App, Testing } from 'cdk8s';
import { buildGitOps } from '../charts/stack';
import { GITOPS_DIR, outputDirOf } from '../charts/synth';
import { testConfig } from './util';

function application(env = 'production') {
  const app = new App();
  const chart = buildGitOps(app, testConfig({}, env), env);
  const [only] = Testing.synth(chart);
  return only;
}

describe('Argo CD Application', () => {
  test('matches the snapshot', () => {
    expect(application()).toMatchSnapshot();
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
