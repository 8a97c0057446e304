/**
 * `npm run preflight`'s checks (scripts/preflight/checks.ts) against fake clusters: what it needs is
 * derived from the synthesized stack, every failure carries its fix, and a complete cluster passes.
 * The real API server run is scripts/checks/85-preflight.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadCustomDashboards } from '../../charts/grafana/custom';
import { sharedOf } from '../../charts/stack';
import { StackConfig } from '../../charts/config';
import {
  ClusterReader,
  CrdInfo,
  Needs,
  PodInfo,
  ReadError,
  StorageClassInfo,
  OLDEST_KUBERNETES,
  exitCodeOf,
  formatChecklist,
  needsOf,
  parseVersion,
  runChecks,
} from '../../scripts/preflight/checks';
import { stackFiles } from '../../scripts/preflight/stack';
import { secretsOf } from '../../scripts/secrets';
import { ROOT, testConfig } from '../util';

const dashboards = loadCustomDashboards();

function needsFor(config: StackConfig, argocd = true): Needs {
  const f = stackFiles(config, dashboards);
  return needsOf(config, f.distDir, f.dist, argocd ? f.gitops : undefined);
}

/** A cluster as a fake reader would answer; `complete(needs)` holds everything the needs ask for. */
interface FakeCluster {
  version: { gitVersion: string; major: string; minor: string };
  namespaces: Map<string, string>;
  secrets: Map<string, string[]>;
  storageClasses: StorageClassInfo[];
  pods: PodInfo[];
  crds: Map<string, CrdInfo>;
  /** Reads that fail, by method name. */
  failing?: Set<keyof ClusterReader>;
}

function emptyCluster(): FakeCluster {
  return { version: { gitVersion: 'v1.28.15', major: '1', minor: '28' }, namespaces: new Map(), secrets: new Map(), storageClasses: [], pods: [], crds: new Map() };
}

function complete(needs: Needs): FakeCluster {
  const c = emptyCluster();
  for (const ns of [...needs.namespaces.map((n) => n.name), ...(needs.argocd?.namespaces ?? [])]) c.namespaces.set(ns, 'Active');
  for (const s of needs.secrets) c.secrets.set(`${s.namespace}/${s.name}`, s.keys.map((k) => k.key));
  c.storageClasses = [{ name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }];
  for (const crd of needs.argocd?.crds ?? []) c.crds.set(crd.name, { group: crd.group, kind: crd.kind, servedVersions: [crd.version], established: true });
  return c;
}

function reader(c: FakeCluster): ClusterReader & { calls: string[] } {
  const calls: string[] = [];
  const guard = <T>(m: keyof ClusterReader, f: () => T): T => {
    calls.push(m);
    if (c.failing?.has(m)) throw new ReadError(`${m}: forbidden`);
    return f();
  };
  return {
    calls,
    serverVersion: () => guard('serverVersion', () => c.version),
    namespace: (name) => guard('namespace', () => (c.namespaces.has(name) ? { phase: c.namespaces.get(name)! } : undefined)),
    secretKeys: (ns, name) => guard('secretKeys', () => c.secrets.get(`${ns}/${name}`)),
    storageClasses: () => guard('storageClasses', () => c.storageClasses),
    pods: () => guard('pods', () => c.pods),
    crd: (name) => guard('crd', () => c.crds.get(name)),
  };
}

const failures = (results: ReturnType<typeof runChecks>) => results.filter((r) => r.status === 'fail');

describe('what production needs, derived from its config and manifests', () => {
  const config = testConfig();
  const needs = needsFor(config);
  const shared = sharedOf(config);

  test('the Secrets are the templates of npm run secrets-template, with the enabled receivers only', () => {
    expect(needs.secrets).toEqual(secretsOf(config));
    const staging = needsFor(testConfig({}, 'staging'));
    const am = (n: Needs) => n.secrets.find((s) => s.name === config.alertmanager.secretName)!.keys.map((k) => k.key);
    // Production pages through PagerDuty; staging has no PagerDuty receiver, so no key for it.
    expect(am(needs).length).toBeGreaterThan(am(staging).length);
  });

  test('every namespace of the stack, created by the file of dist/ that holds its Namespace', () => {
    const files = stackFiles(config, dashboards);
    for (const ns of Object.values(config.namespaces)) {
      const n = needs.namespaces.find((x) => x.name === ns);
      expect(n?.createdBy).toBeDefined();
      const text = fs.readFileSync(path.join(ROOT, n!.createdBy!), 'utf8');
      expect(YAML.parseAllDocuments(text).map((d) => d.toJSON()).some((o) => o.kind === 'Namespace' && o.metadata.name === ns)).toBe(true);
    }
    expect(files.distDir).toBe('dist');
  });

  test("the node exporter's port is a host port, its pods told apart by its selector", () => {
    const ep = shared.endpoints.nodeExporter;
    expect(needs.hostPorts).toEqual([
      { port: ep.port, protocol: 'TCP', workload: `DaemonSet ${ep.namespace}/${ep.name}`, namespace: ep.namespace, selector: ep.podLabels },
    ]);
  });

  test('every claim, with the StorageClass of its settings', () => {
    expect(needs.claims.length).toBeGreaterThanOrEqual(4);
    expect(needs.claims.every((c) => c.storageClass === undefined)).toBe(true);
    const fast = needsFor(testConfig({ prometheus: { storage: { storageClass: 'fast-ssd' } } }));
    const named = fast.claims.filter((c) => c.storageClass === 'fast-ssd');
    expect(named.map((c) => c.what)).toEqual([expect.stringMatching(/^StatefulSet monitoring\/prometheus, claim /)]);
  });

  test('the Argo CD CRDs and namespace of argocd/<env>.k8s.yaml, only when asked for', () => {
    expect(needs.argocd?.file).toBe('argocd/production.k8s.yaml');
    expect(needs.argocd?.namespaces).toEqual([config.argocd.namespace]);
    // The committed CRD's own name is what the plural rule gives for Application.
    const crd = YAML.parse(fs.readFileSync(path.join(ROOT, 'tools/kubeconform/crds/argocd-application-crd.yaml'), 'utf8'));
    expect(needs.argocd?.crds.map((c) => c.name)).toContain(crd.metadata.name);
    expect(needs.argocd?.crds.map((c) => c.name)).toEqual(['applications.argoproj.io', 'appprojects.argoproj.io']);
    expect(needsFor(config, false).argocd).toBeUndefined();
  });

  test('the oldest Kubernetes release is the oldest one the API server check runs', () => {
    const minors = fs
      .readdirSync(path.join(ROOT, 'tools'))
      .map((d) => /^kube-1\.(\d+)$/.exec(d))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    expect(minors.length).toBeGreaterThan(0);
    expect(OLDEST_KUBERNETES).toEqual({ major: 1, minor: Math.min(...minors) });
  });
});

describe('stack files', () => {
  test.each(['production', 'staging'])('%s: the names and objects npm run synth writes', (env) => {
    const f = stackFiles(testConfig({}, env), dashboards);
    const dir = path.join(ROOT, f.distDir);
    expect(f.dist.map((x) => x.file).sort()).toEqual(fs.readdirSync(dir).map((x) => `${f.distDir}/${x}`).sort());
    for (const file of [...f.dist, f.gitops]) {
      const committed = YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, file.file), 'utf8')).map((d) => d.toJSON());
      expect(file.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(committed.map((o) => `${o.kind}/${o.metadata.name}`));
    }
  });
});

describe('checks against fake clusters', () => {
  const config = testConfig();
  const needs = needsFor(config);

  test('a complete cluster passes every check', () => {
    const results = runChecks(needs, reader(complete(needs)));
    expect(failures(results)).toEqual([]);
    expect(exitCodeOf(results)).toBe(0);
    expect(results.length).toBe(1 + needs.namespaces.length + needs.secrets.length + 1 + 1 + 1 + needs.argocd!.crds.length);
  });

  test('an empty cluster: every Secret, the default StorageClass and the Argo CD pieces fail, each with its fix', () => {
    const results = runChecks(needs, reader(emptyCluster()));
    expect(exitCodeOf(results)).toBe(1);
    for (const s of needs.secrets) {
      const r = results.find((x) => x.title.startsWith(`Secret ${s.namespace}/${s.name}:`))!;
      expect(r.status).toBe('fail');
      expect(r.fix).toContain(`kubectl -n ${s.namespace} create secret generic ${s.name} --from-env-file=secrets/production/${s.file}.env`);
      expect(r.fix?.[0]).toMatch(/^kubectl apply -f dist\/0000-cluster\.k8s\.yaml/);
    }
    // Absent namespaces are fine: dist/ creates them.
    for (const ns of Object.values(config.namespaces)) {
      expect(results.find((x) => x.title === `namespace ${ns}: absent, dist/0000-cluster.k8s.yaml creates it`)?.status).toBe('pass');
    }
    const titles = failures(results).map((r) => r.title);
    expect(titles).toEqual(expect.arrayContaining([expect.stringMatching(/^no default StorageClass/), 'CRD applications.argoproj.io does not exist', 'namespace argocd (Argo CD\'s, for argocd/production.k8s.yaml) does not exist']));
    expect(failures(results).every((r) => (r.fix ?? []).length > 0)).toBe(true);
  });

  test('a Secret without a required key names the key; an absent optional key passes', () => {
    const c = complete(needs);
    const am = needs.secrets.find((s) => s.name === config.alertmanager.secretName)!;
    const dropped = am.keys[am.keys.length - 1].key;
    c.secrets.set(`${am.namespace}/${am.name}`, am.keys.slice(0, -1).map((k) => k.key));
    const backend = needs.secrets.find((s) => s.keys.some((k) => k.optional))!;
    c.secrets.set(`${backend.namespace}/${backend.name}`, backend.keys.filter((k) => !k.optional).map((k) => k.key));
    const results = runChecks(needs, reader(c));
    const f = failures(results);
    expect(f.map((r) => r.title)).toEqual([`Secret ${am.namespace}/${am.name}: lacks key ${dropped}`]);
    expect(f[0].fix?.[1]).toBe(`kubectl -n ${am.namespace} create secret generic ${am.name} --from-env-file=secrets/production/alertmanager.env --dry-run=client -o yaml | kubectl apply -f -`);
    const optional = results.find((r) => r.title.startsWith(`Secret ${backend.namespace}/${backend.name}:`))!;
    expect(optional.status).toBe('pass');
    expect(optional.detail?.join(' ')).toMatch(/\(optional\) not set/);
  });

  test('a Terminating namespace fails and its Secrets are not read', () => {
    const c = complete(needs);
    c.namespaces.set(config.namespaces.backend, 'Terminating');
    const r = reader(c);
    const f = failures(runChecks(needs, r)).map((x) => x.title);
    expect(f).toContain(`namespace ${config.namespaces.backend} is being deleted (Terminating)`);
    expect(f).toContain(`Secret ${config.namespaces.backend}/${config.backend.envSecret}: cannot exist yet (its namespace is absent or being deleted)`);
    expect(r.calls.filter((m) => m === 'secretKeys').length).toBe(needs.secrets.length - 1);
  });

  test.each([
    [{ gitVersion: 'v1.28.15', major: '1', minor: '28' }, 'pass'],
    [{ gitVersion: 'v1.37.2', major: '1', minor: '37' }, 'pass'],
    [{ gitVersion: 'v1.30.4-eks-a737599', major: '1', minor: '30+' }, 'pass'],
    [{ gitVersion: 'v1.29.1-gke.1', major: '', minor: '' }, 'pass'],
    [{ gitVersion: 'v1.27.16', major: '1', minor: '27' }, 'fail'],
    [{ gitVersion: 'v1.9.0', major: '1', minor: '9' }, 'fail'],
    [{ gitVersion: 'unknown', major: '', minor: '' }, 'fail'],
  ])('server %o: %s', (version, status) => {
    const c = complete(needs);
    c.version = version;
    expect(runChecks(needs, reader(c))[0].status).toBe(status);
  });

  test('parseVersion prefers major/minor and falls back to gitVersion', () => {
    expect(parseVersion({ gitVersion: 'v1.31.0', major: '1', minor: '31+' })).toEqual({ major: 1, minor: 31 });
    expect(parseVersion({ gitVersion: 'v1.29.3', major: '', minor: '' })).toEqual({ major: 1, minor: 29 });
    expect(parseVersion({ gitVersion: 'x', major: '', minor: '' })).toBeUndefined();
  });

  describe('host ports', () => {
    const port = needs.hostPorts[0];
    const pod = (p: Partial<PodInfo>): PodInfo => ({ namespace: 'kube-system', name: 'p', nodeName: 'node-1', phase: 'Running', hostNetwork: false, labels: {}, ports: [], ...p });
    const hostPortResult = (pods: PodInfo[]) => {
      const c = complete(needs);
      c.pods = pods;
      return runChecks(needs, reader(c)).find((r) => r.title.startsWith(`host port ${port.port}/`))!;
    };

    test.each<[string, 'pass' | 'fail', PodInfo]>([
      ['another node exporter on the host network', 'fail', pod({ name: 'prometheus-node-exporter-x', hostNetwork: true, ports: [{ containerPort: port.port }] })],
      ['the same, as the server stores it (hostPort defaulted)', 'fail', pod({ hostNetwork: true, ports: [{ containerPort: port.port, hostPort: port.port, protocol: 'TCP' }] })],
      ['a pod with hostPort, not on the host network', 'fail', pod({ ports: [{ containerPort: 8080, hostPort: port.port }] })],
      ['a pod not scheduled yet (it will hold the port)', 'fail', pod({ nodeName: undefined, phase: 'Pending', hostNetwork: true, ports: [{ containerPort: port.port }] })],
      ["our own node exporter's pod", 'pass', pod({ namespace: port.namespace, labels: { ...port.selector, extra: 'x' }, hostNetwork: true, ports: [{ containerPort: port.port }] })],
      ['our labels in another namespace', 'fail', pod({ labels: { ...port.selector }, hostNetwork: true, ports: [{ containerPort: port.port }] })],
      ['a pod on the pod network with the same container port', 'pass', pod({ ports: [{ containerPort: port.port }] })],
      ['a finished pod', 'pass', pod({ phase: 'Succeeded', hostNetwork: true, ports: [{ containerPort: port.port }] })],
      ['the port over UDP', 'pass', pod({ hostNetwork: true, ports: [{ containerPort: port.port, protocol: 'UDP' }] })],
    ])('%s: %s', (_, status, p) => {
      const r = hostPortResult([p]);
      expect(r.status).toBe(status);
      if (status === 'fail') expect(r.detail?.[0]).toContain(`${p.namespace}/${p.name}`);
    });

    test('many holders are listed up to ten', () => {
      const pods = Array.from({ length: 12 }, (_, i) => pod({ name: `ne-${i}`, hostNetwork: true, ports: [{ containerPort: port.port }] }));
      const r = hostPortResult(pods);
      expect(r.title).toMatch(/held by 12 other pods$/);
      expect(r.detail).toHaveLength(11);
      expect(r.detail?.[10]).toBe('and 2 more');
    });
  });

  describe('StorageClasses', () => {
    const storage = (n: Needs, classes: StorageClassInfo[]) => {
      const c = complete(n);
      c.storageClasses = classes;
      return runChecks(n, reader(c)).filter((r) => /StorageClass|storageClass/.test(r.title));
    };
    const fastNeeds = needsFor(testConfig({ prometheus: { storage: { storageClass: 'fast-ssd' } } }));

    test('a named class that does not exist fails; one that exists passes', () => {
      const missing = storage(fastNeeds, [{ name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }]);
      expect(missing.map((r) => [r.status, r.title])).toEqual([
        ['pass', 'claims without a storageClass get the default StorageClass standard'],
        ['fail', 'StorageClass fast-ssd does not exist (existing: standard)'],
      ]);
      const both = storage(fastNeeds, [{ name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, { name: 'fast-ssd', annotations: {} }]);
      expect(both.every((r) => r.status === 'pass')).toBe(true);
    });

    test('no default class fails; the beta annotation and several defaults pass', () => {
      expect(storage(needs, [{ name: 'standard', annotations: {} }]).map((r) => r.status)).toEqual(['fail']);
      expect(storage(needs, [{ name: 'old', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }]).map((r) => r.status)).toEqual(['pass']);
      const two = storage(needs, [
        { name: 'a', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        { name: 'b', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      ]);
      expect(two.map((r) => [r.status, r.title])).toEqual([['pass', 'claims without a storageClass get a default StorageClass (2: a, b; claims get the newest)']]);
    });
  });

  describe('Argo CD', () => {
    test('not asked for: one line saying it was not checked, and no CRD read', () => {
      const n = needsFor(config, false);
      const r = reader(emptyCluster());
      const results = runChecks(n, r);
      expect(results.filter((x) => x.status === 'skip').map((x) => x.title)).toEqual(['Argo CD: not checked (pass --argocd when deploying with argocd/production.k8s.yaml)']);
      expect(r.calls).not.toContain('crd');
    });

    test.each<[string, Partial<CrdInfo>, string]>([
      ['another kind under the name', { kind: 'Other' }, 'CRD applications.argoproj.io defines argoproj.io Other, not argoproj.io Application'],
      ['the version not served', { servedVersions: ['v1beta1'] }, 'CRD applications.argoproj.io does not serve v1alpha1 (serves v1beta1)'],
      ['not Established', { established: false }, 'CRD applications.argoproj.io is not Established yet'],
    ])('%s fails', (_, change, title) => {
      const c = complete(needs);
      c.crds.set('applications.argoproj.io', { ...c.crds.get('applications.argoproj.io')!, ...change });
      expect(failures(runChecks(needs, reader(c))).map((r) => r.title)).toEqual([title]);
    });
  });

  describe('reads that fail', () => {
    test('an unreachable server is one failure and nothing else is read', () => {
      const c = emptyCluster();
      c.failing = new Set(['serverVersion']);
      const r = reader(c);
      const results = runChecks(needs, r);
      expect(results.map((x) => [x.status, x.title])).toEqual([['fail', 'API server: cannot read the server version: serverVersion: forbidden']]);
      expect(r.calls).toEqual(['serverVersion']);
    });

    test('a forbidden read fails its own checks and the others still run', () => {
      const c = complete(needs);
      c.failing = new Set(['secretKeys', 'pods']);
      const results = runChecks(needs, reader(c));
      const f = failures(results);
      expect(f).toHaveLength(needs.secrets.length + 1);
      expect(f.every((r) => r.title.includes('cannot read') && r.fix?.[0].startsWith('check kubectl access'))).toBe(true);
      expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThan(needs.namespaces.length);
    });
  });

  test('the checklist: a mark per check, details and fixes indented, a summary line', () => {
    const results = runChecks(needs, reader(emptyCluster()));
    const text = formatChecklist('preflight of production:', results);
    const lines = text.split('\n');
    expect(lines[0]).toBe('preflight of production:');
    expect(lines[1]).toBe('  ✓ Kubernetes v1.28.15 (at least 1.28)');
    expect(lines).toContain('  ✗ CRD applications.argoproj.io does not exist');
    expect(lines.filter((l) => l.startsWith('      fix: ')).length).toBe(failures(results).length);
    expect(lines[lines.length - 1]).toBe(`preflight: ${results.filter((r) => r.status === 'pass').length} passed, ${failures(results).length} failed`);
  });
});
