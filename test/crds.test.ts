/**
 * The Argo CD CRD is committed once, under tools/kubeconform/crds/, so a clone is self-contained: the
 * kubeconform schema and the API server check both read it. It must stay the file the project was
 * given, which `cdk8s import` (cdk8s.yaml) generates imports/ from; where that material sits beside
 * the clone, the copy is compared with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './util';

const committed = path.join(ROOT, 'tools', 'kubeconform', 'crds', 'argocd-application-crd.yaml');
const shared = path.join(ROOT, '..', 'shared', 'crds', 'argocd-application-crd.yaml');

test('the committed Argo CD CRD is the v3.4.4 Application CRD', () => {
  const text = fs.readFileSync(committed, 'utf8');
  expect(text).toMatch(/name: applications\.argoproj\.io/);
  expect(text).toMatch(/kind: CustomResourceDefinition/);
});

// In CI and in development the shared material sits beside the clone; elsewhere there is nothing to compare.
(fs.existsSync(shared) ? test : test.skip)('it is byte-identical to ../shared/crds/', () => {
  expect(fs.readFileSync(committed, 'utf8')).toBe(fs.readFileSync(shared, 'utf8'));
});
