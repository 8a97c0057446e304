/**
 * The kubectl reader of `npm run preflight` against a stand-in kubectl (a script that records its
 * arguments and answers with canned JSON): only `get` and `version`, the context passed on, absent
 * objects as undefined, errors as ReadError, and a Secret's values never leaving the reader. The
 * real kubectl against a real API server is scripts/checks/85-preflight.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReadError, formatChecklist, needsOf, runChecks } from '../../scripts/preflight/checks';
import { kubectlReader } from '../../scripts/preflight/kubectl';
import { stackFiles } from '../../scripts/preflight/stack';
import { loadCustomDashboards } from '../../charts/grafana/custom';
import { testConfig } from '../util';

let dir: string;
let fake: string;

const SECRET_VALUE = 'c2VjcmV0LXZhbHVlLTQ4MTU='; // base64 of a value that must never be printed

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-kubectl-'));
  fake = path.join(dir, 'kubectl');
  // Answers by the words of the command line; every call is appended to calls.log.
  fs.writeFileSync(
    fake,
    `#!/usr/bin/env bash
echo "$*" >>"${dir}/calls.log"
args=" $* "
case "$args" in
  *" version -o json "*) echo '{"clientVersion":{"gitVersion":"v1.28.15"},"serverVersion":{"gitVersion":"v1.28.15","major":"1","minor":"28"}}' ;;
  *" config current-context "*) echo from-kubeconfig ;;
  *" get namespace monitoring "*) echo '{"kind":"Namespace","metadata":{"name":"monitoring"},"status":{"phase":"Active"}}' ;;
  *" get namespace "*) ;;
  *" secret alertmanager-receivers "*) echo '{"kind":"Secret","metadata":{"name":"alertmanager-receivers"},"data":{"slack-webhook-url":"${SECRET_VALUE}","smtp-password":"${SECRET_VALUE}"}}' ;;
  *" secret forbidden "*) echo 'Error from server (Forbidden): secrets "forbidden" is forbidden: User "u" cannot get resource "secrets"' >&2; exit 1 ;;
  *" secret "*) ;;
  *" get storageclasses.storage.k8s.io "*) echo '{"items":[{"metadata":{"name":"standard","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}]}' ;;
  *" get pods "*) echo '{"items":[{"metadata":{"namespace":"kube-system","name":"other-ne","labels":{"app":"ne"}},"spec":{"nodeName":"n1","hostNetwork":true,"containers":[{"name":"c","ports":[{"containerPort":9100,"hostPort":9100,"protocol":"TCP"}]}]},"status":{"phase":"Running"}}]}' ;;
  *" get customresourcedefinitions.apiextensions.k8s.io applications.argoproj.io "*) echo '{"spec":{"group":"argoproj.io","names":{"kind":"Application"},"versions":[{"name":"v1alpha1","served":true}]},"status":{"conditions":[{"type":"Established","status":"True"}]}}' ;;
  *" get customresourcedefinitions.apiextensions.k8s.io "*) ;;
  *) echo "unexpected: $*" >&2; exit 3 ;;
esac
`,
    { mode: 0o755 },
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const calls = () => fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n');

beforeEach(() => fs.rmSync(path.join(dir, 'calls.log'), { force: true }));

test('reads with get and version only, passing the context and a request timeout', () => {
  const r = kubectlReader({ kubectl: fake, context: 'staging-cluster' });
  expect(r.serverVersion()).toEqual({ gitVersion: 'v1.28.15', major: '1', minor: '28' });
  expect(r.namespace('monitoring')).toEqual({ phase: 'Active' });
  expect(r.namespace('absent')).toBeUndefined();
  expect(r.storageClasses()).toEqual([{ name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }]);
  expect(r.pods()).toEqual([
    { namespace: 'kube-system', name: 'other-ne', nodeName: 'n1', phase: 'Running', hostNetwork: true, labels: { app: 'ne' }, ports: [{ containerPort: 9100, hostPort: 9100, protocol: 'TCP' }] },
  ]);
  expect(r.crd('applications.argoproj.io')).toEqual({ group: 'argoproj.io', kind: 'Application', servedVersions: ['v1alpha1'], established: true });
  expect(r.crd('appprojects.argoproj.io')).toBeUndefined();
  expect(r.context()).toBe('staging-cluster');
  const log = calls();
  expect(log.length).toBe(7);
  for (const line of log) {
    expect(line).toMatch(/^--context staging-cluster --request-timeout=30s (get|version) /);
  }
  expect(log).toContain('--context staging-cluster --request-timeout=30s get namespace absent --ignore-not-found -o json');
  expect(log).toContain('--context staging-cluster --request-timeout=30s get pods --all-namespaces --field-selector=status.phase!=Succeeded,status.phase!=Failed -o json');
});

test("a Secret's keys, never its values; a failed read is a ReadError with kubectl's message", () => {
  const r = kubectlReader({ kubectl: fake });
  expect(r.secretKeys('monitoring', 'alertmanager-receivers')).toEqual(['slack-webhook-url', 'smtp-password']);
  expect(r.secretKeys('monitoring', 'absent')).toBeUndefined();
  expect(calls()[0]).toBe('--request-timeout=30s get -n monitoring secret alertmanager-receivers --ignore-not-found -o json');
  expect(() => r.secretKeys('monitoring', 'forbidden')).toThrow(ReadError);
  expect(() => r.secretKeys('monitoring', 'forbidden')).toThrow(/is forbidden/);
  expect(r.context()).toBe('from-kubeconfig');
  expect(() => kubectlReader({ kubectl: path.join(dir, 'no-such-kubectl') }).serverVersion()).toThrow(/kubectl not found/);
});

test('a whole checklist through the reader holds no Secret value', () => {
  const config = testConfig();
  const f = stackFiles(config, loadCustomDashboards());
  const results = runChecks(needsOf(config, f.distDir, f.dist, f.gitops), kubectlReader({ kubectl: fake }));
  const text = formatChecklist('preflight:', results);
  expect(text).toContain('Secret monitoring/alertmanager-receivers: lacks keys');
  expect(text).toContain('kube-system/other-ne on n1 (host network)');
  expect(text).not.toContain(SECRET_VALUE);
  expect(text).not.toContain(Buffer.from(SECRET_VALUE, 'base64').toString());
});
