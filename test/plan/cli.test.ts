/**
 * `npm run plan` as a command (scripts/plan.ts, in-process): the committed outputs against a fresh
 * synthesis, a configuration change that needs more than apply, a git ref, and the exit codes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT_NEEDS_MORE, EXIT_USAGE, main } from '../../scripts/plan';
import { ENVIRONMENTS_DIR } from '../../charts/load-config';
import * as YAML from 'yaml';
import { merge } from '../../scripts/environment';

function run(argv: string[], root?: string): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, root);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tmps: string[] = [];
function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmps.push(d);
  return d;
}
afterAll(() => tmps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Merges `changes` into an environment file of a copied config directory (its sections may already exist). */
function editEnvironment(dir: string, env: string, changes: Record<string, unknown>): void {
  const file = path.join(dir, `${env}.yaml`);
  fs.writeFileSync(file, YAML.stringify(merge(YAML.parse(fs.readFileSync(file, 'utf8')), changes)));
}

test('the committed dist/ and dist-staging/ equal a fresh synthesis: no changes, exit 0', () => {
  const r = run([]);
  expect(r.err).toBe('');
  expect(r.out).toMatch(/^plan for production: dist\/ \(working tree\) -> fresh synthesis\n {2}no changes \(\d+ objects\)$/m);
  expect(r.out).toMatch(/^plan for staging: dist-staging\/ \(working tree\) -> fresh synthesis\n {2}no changes \(\d+ objects\)$/m);
  expect(r.out.split('\n').at(-1)).toBe('plan: 0 added, 0 changed, 0 removed; kubectl apply does it all');
  expect(r.code).toBe(0);
});

test('a bigger Prometheus volume and a smaller Grafana one need more than apply: exit 3, with the steps', () => {
  const config = tmpDir('plan-config-');
  fs.cpSync(ENVIRONMENTS_DIR, config, { recursive: true });
  editEnvironment(config, 'production', { prometheus: { storage: { size: '60Gi' } }, grafana: { storage: { size: '4Gi' } } });
  const r = run(['--env', 'production', '--config', config]);
  expect(r.err).toBe('');
  expect(r.out).not.toContain('plan for staging');
  // prometheus.yml follows the volume size too (its size-based retention).
  expect(r.out).toContain('    ~ ConfigMap monitoring/prometheus-config (v1)\n        data["prometheus.yml"] (+1 -1 lines)');
  expect(r.out).toContain('    ~ StatefulSet monitoring/prometheus (apps/v1)\n        spec.volumeClaimTemplates[0].spec.resources.requests.storage');
  expect(r.out).toContain('    StatefulSet monitoring/prometheus: spec.volumeClaimTemplates\n      why: Kubernetes 1.28 refuses');
  expect(r.out).toContain('      1. kubectl delete statefulset prometheus -n monitoring --cascade=orphan\n      2. kubectl apply -f dist/');
  expect(r.out).toContain('    PersistentVolumeClaim monitoring/grafana-data: spec.resources.requests.storage\n      why: a claim cannot shrink');
  expect(r.out).toContain('      1. kubectl delete persistentvolumeclaim grafana-data -n monitoring\n      2. kubectl apply -f dist/');
  expect(r.out.split('\n').at(-1)).toBe('plan: 0 added, 3 changed, 0 removed; 2 need more than kubectl apply (exit 3)');
  expect(r.code).toBe(EXIT_NEEDS_MORE);
});

test('--against reads dist/ as committed at the ref, not the working tree', () => {
  const repo = tmpDir('plan-repo-');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=plan', '-c', 'user.email=plan@example.invalid', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  fs.cpSync(path.join(__dirname, '..', '..', 'dist'), path.join(repo, 'dist'), { recursive: true });
  // As committed, the headless Service of Prometheus had a cluster address: making it headless is refused.
  const file = path.join(repo, 'dist', '0013-prometheus.k8s.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const edited = text.replace(/(\n {2}name: prometheus-headless\n {2}namespace: monitoring\nspec:\n) {2}clusterIP: None\n/, '$1');
  expect(edited).not.toBe(text);
  fs.writeFileSync(file, edited);
  git('add', 'dist');
  git('commit', '-q', '-m', 'dist');
  // The working tree says nothing: only the commit is read.
  fs.rmSync(path.join(repo, 'dist'), { recursive: true });
  const r = run(['--env', 'production', '--against', 'HEAD'], repo);
  expect(r.err).toBe('');
  expect(r.out).toMatch(/^plan for production: dist\/ at HEAD \([0-9a-f]{12}\) -> fresh synthesis$/m);
  expect(r.out).toContain('    Service monitoring/prometheus-headless: spec.clusterIP\n      why: a Service\'s clusterIP cannot change once set');
  expect(r.out).toContain('      1. kubectl delete service prometheus-headless -n monitoring\n      2. kubectl apply -f dist/');
  expect(r.out.split('\n').at(-1)).toBe('plan: 0 added, 1 changed, 0 removed; 1 need more than kubectl apply (exit 3)');
  expect(r.code).toBe(EXIT_NEEDS_MORE);
});

describe('usage errors exit 2 and say why', () => {
  test.each([
    [['--bogus'], /unknown argument '--bogus'; usage: npm run plan/],
    [['--env'], /unknown argument '--env'; usage/],
    [['--env', 'nowhere'], /no environment 'nowhere'; use one of production, staging/],
    [['--against', 'no-such-ref-for-plan'], /'no-such-ref-for-plan' is not a commit of this repository/],
  ])('%j', (argv, message) => {
    const r = run(argv);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(r.code).toBe(EXIT_USAGE);
  });
});

test('an invalid configuration exits 1 with the configuration errors, as synth does', () => {
  const config = tmpDir('plan-bad-config-');
  fs.cpSync(ENVIRONMENTS_DIR, config, { recursive: true });
  editEnvironment(config, 'production', { prometheus: { retentoin: '30d' } });
  const r = run(['--config', config]);
  expect(r.err).toMatch(/prometheus\.retentoin: is not a known setting/);
  expect(r.code).toBe(1);
});

test('manifests that cannot be compared exit 1, naming the problem', () => {
  const root = tmpDir('plan-broken-');
  fs.mkdirSync(path.join(root, 'dist'));
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\n  namespace: monitoring\n';
  fs.writeFileSync(path.join(root, 'dist', 'a.k8s.yaml'), `${cm}---\n${cm}`);
  let r = run(['--env', 'production'], root);
  expect(r.err).toBe('plan: ConfigMap monitoring/twice (v1) is written twice');
  expect(r.code).toBe(1);
  fs.writeFileSync(path.join(root, 'dist', 'a.k8s.yaml'), 'kind: [unclosed\n');
  r = run(['--env', 'production'], root);
  expect(r.err).toMatch(/^plan: .*dist\/a\.k8s\.yaml: /);
  expect(r.code).toBe(1);
});
