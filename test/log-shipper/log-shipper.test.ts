import { createHash } from 'node:crypto';
import * as YAML from 'yaml';
import { ALLOY } from '../../charts/log-shipper/alloy';
import { BACKEND_LOG_FILES, ERROR_LEVELS, LOG_JOBS, LEVEL_VALUES, STREAM_LABELS } from '../../charts/contracts/logs';
import { Stage, logPipeline } from '../../charts/log-shipper/pipeline';
import { PROMTAIL } from '../../charts/log-shipper/promtail';
import { jobOf } from '../../charts/lib/promql';
import { stackEndpoints } from '../../charts/contracts/endpoints';
import { streamSelector } from '../../charts/loki/logql';
import { IMAGES } from '../../charts/versions';
import { check } from '../loki/doc-schema';
import { find, synthStack, testConfig } from '../util';
import { checkComponents } from './alloy-components';
import { AlloySyntaxError, parseAlloy } from './alloy-syntax';
import { PROMTAIL_3_6 } from './promtail-schema';
import { HostFileFixture, PodFixture, ShipperModel, Shipped, fromAlloy, fromPromtail, jmespath, re2, ship } from './simulate';

const SHIPPERS = ['promtail', 'alloy'] as const;
type ShipperName = (typeof SHIPPERS)[number];

function synth(shipper: ShipperName, logs: Record<string, unknown> = {}, env = 'production') {
  return synthStack(testConfig({ logs: { shipper, ...logs } }, env));
}

/** The shipper's chart: DaemonSet, its container, and the configuration file as written. */
function shipperOf(shipper: ShipperName, logs: Record<string, unknown> = {}) {
  const { charts, stack } = synth(shipper, logs);
  const manifests = charts['log-shipper'];
  const ds = find(manifests, 'DaemonSet', 'log-shipper');
  const cm = find(manifests, 'ConfigMap', 'log-shipper-config');
  const key = shipper === 'promtail' ? 'promtail.yaml' : 'config.alloy';
  return { charts, stack, manifests, ds, pod: ds.spec.template.spec, main: ds.spec.template.spec.containers[0], text: cm.data[key] as string };
}

/** The configuration as the DaemonSet would run it, read back into stages. */
function modelOf(shipper: ShipperName, logs: Record<string, unknown> = {}): ShipperModel {
  const s = shipperOf(shipper, logs);
  return shipper === 'promtail' ? fromPromtail(YAML.parse(s.text), s.main.args) : fromAlloy(parseAlloy(s.text));
}

function walkStages(stages: readonly Stage[], visit: (s: Stage) => void): void {
  for (const s of stages) {
    visit(s);
    if (s.kind === 'match') walkStages(s.stages, visit);
  }
}

describe.each(SHIPPERS)('%s DaemonSet', (shipper) => {
  const { manifests, ds, pod, main, text, stack } = shipperOf(shipper);
  const withHostLogs = shipperOf(shipper, { hostPostgresLogs: true });

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('runs the pinned image on every node, in the agents namespace', () => {
    expect(ds.metadata.namespace).toBe('monitoring-agents');
    const pinned = IMAGES[shipper];
    expect(main.image).toBe(`${pinned.repository}:${pinned.tag}`);
    expect(main.name).toBe(shipper);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(ds.spec.template.metadata.labels['app.kubernetes.io/version']).toBe(pinned.tag);
  });

  test('keeps uid 0 for reading /var/log/pods but no capability, no escalation, a read-only root', () => {
    expect(pod.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(main.securityContext).toEqual({
      runAsUser: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
    // The adm group only when host Postgres files are read.
    expect(withHostLogs.pod.securityContext.supplementalGroups).toEqual([4]);
    expect(shipperOf(shipper, { hostPostgresLogs: true, hostLogGroup: 110 }).pod.securityContext.supplementalGroups).toEqual([110]);
  });

  test('mounts host log directories read-only; its own state directory under /var/lib is the only writable host path', () => {
    const hostVolumes = (p: any) => p.volumes.filter((v: any) => v.hostPath);
    const mountOf = (c: any, name: string) => c.volumeMounts.find((m: any) => m.name === name);
    const stateDir = shipper === 'promtail' ? PROMTAIL.stateDir : ALLOY.stateDir;
    expect(hostVolumes(pod)).toEqual([
      { name: 'pod-logs', hostPath: { path: '/var/log/pods', type: 'Directory' } },
      { name: 'state', hostPath: { path: stateDir, type: 'DirectoryOrCreate' } },
    ]);
    expect(mountOf(main, 'pod-logs')).toEqual({ name: 'pod-logs', mountPath: '/var/log/pods', readOnly: true });
    expect(mountOf(main, 'state')).toEqual({ name: 'state', mountPath: stateDir });
    expect(stateDir).toMatch(new RegExp(`^/var/lib/${shipper}$`));
    expect(hostVolumes(withHostLogs.pod)).toContainEqual({ name: 'postgresql-logs', hostPath: { path: '/var/log/postgresql', type: 'DirectoryOrCreate' } });
    expect(mountOf(withHostLogs.main, 'postgresql-logs')).toEqual({ name: 'postgresql-logs', mountPath: '/var/log/postgresql', readOnly: true });
    for (const p of [pod, withHostLogs.pod]) {
      const writable = p.containers[0].volumeMounts.filter((m: any) => !m.readOnly && hostVolumes(p).some((v: any) => v.name === m.name));
      expect(writable.map((m: any) => m.name)).toEqual(['state']);
    }
  });

  test('keeps its read positions in the host directory, so a new pod resumes where the old one stopped', () => {
    if (shipper === 'promtail') {
      const config = YAML.parse(text);
      expect(config.positions.filename).toBe(`${PROMTAIL.stateDir}/positions.yaml`);
    } else {
      expect(main.args).toContain(`--storage.path=${ALLOY.stateDir}/data`);
    }
  });

  test('knows its node from the downward API', () => {
    expect(main.env).toEqual([{ name: 'HOSTNAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }]);
  });

  test('probes its readiness endpoint and its liveness on the HTTP port; resources from config', () => {
    expect(main.ports).toEqual([{ name: 'http', containerPort: 9080, protocol: 'TCP' }]);
    expect(main.readinessProbe.httpGet).toMatchObject({ path: shipper === 'promtail' ? '/ready' : '/-/ready', port: 'http' });
    expect(main.livenessProbe.httpGet).toMatchObject({ path: shipper === 'promtail' ? '/metrics' : '/-/healthy', port: 'http' });
    expect(main.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    const tuned = shipperOf(shipper, { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } } });
    expect(tuned.main.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
  });

  test('reads its configuration from a directory mount, and a checksum of it rolls the pods', () => {
    const dir = shipper === 'promtail' ? PROMTAIL.configDir : ALLOY.configDir;
    expect(main.volumeMounts).toContainEqual({ name: 'config', mountPath: dir, readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'log-shipper-config' } });
    const checksum = ds.spec.template.metadata.annotations['checksum/config'];
    expect(checksum).toBe(createHash('sha256').update(text).digest('hex'));
    expect(withHostLogs.ds.spec.template.metadata.annotations['checksum/config']).not.toBe(checksum);
  });

  test('its own ServiceAccount, with the token mounted for pod discovery, bound to a read-only ClusterRole', () => {
    expect(pod.serviceAccountName).toBe('log-shipper');
    expect(pod.automountServiceAccountToken).toBe(true);
    const rbac = synth(shipper).charts['log-shipper-rbac'];
    const role = find(rbac, 'ClusterRole', 'monitoring-agents-log-shipper');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const binding = find(rbac, 'ClusterRoleBinding', 'monitoring-agents-log-shipper');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'log-shipper', namespace: 'monitoring-agents' }]);
    for (const m of rbac) {
      expect(m.metadata.namespace).toBeUndefined();
      expect(m.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    }
  });

  test('its NetworkPolicy: Prometheus in on 9080; out only to Loki, the API server and DNS', () => {
    const policy = find(manifests, 'NetworkPolicy', 'log-shipper');
    expect(policy.spec.podSelector.matchLabels).toEqual(ds.spec.selector.matchLabels);
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } }],
        ports: [{ port: 9080, protocol: 'TCP' }],
      },
    ]);
    expect(policy.spec.egress).toEqual([
      // DNS: the kube-dns pods and NodeLocal DNSCache's address (network.dns).
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }, { ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': 'loki' } } }], ports: [{ port: 3100, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] },
    ]);
  });

  test('Prometheus scrapes every shipper pod on its node, as the job the alerts select', () => {
    const [job] = stack.logShipper.scrapeJobs as any[];
    expect(job.job_name).toBe(jobOf(stackEndpoints(testConfig().namespaces).logShipper).job);
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['monitoring-agents'] }, selectors: [{ role: 'pod', label: 'app.kubernetes.io/name=log-shipper,app.kubernetes.io/instance=log-shipper' }] }]);
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'http', action: 'keep' });
    expect(job.relabel_configs).toContainEqual({ target_label: 'shipper', replacement: shipper });
  });
});

describe('switching shipper keeps everything around the DaemonSet', () => {
  test('same names, selector, Service, policy and scrape job; only the pod template differs', () => {
    const p = synth('promtail').charts['log-shipper'];
    const a = synth('alloy').charts['log-shipper'];
    expect(p.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(a.map((m) => `${m.kind}/${m.metadata.name}`));
    expect(find(p, 'DaemonSet', 'log-shipper').spec.selector).toEqual(find(a, 'DaemonSet', 'log-shipper').spec.selector);
    const strip = (m: any) => ({ ...m, metadata: { ...m.metadata, labels: { ...m.metadata.labels, 'app.kubernetes.io/version': '' } } });
    for (const kind of ['Service', 'NetworkPolicy']) expect(strip(find(p, kind, 'log-shipper'))).toEqual(strip(find(a, kind, 'log-shipper')));
  });
});

describe('configuration files', () => {
  const promtail = shipperOf('promtail', { hostPostgresLogs: true });
  const alloy = shipperOf('alloy', { hostPostgresLogs: true });
  const promtailYaml = YAML.parse(promtail.text);

  test('promtail.yaml passes the Promtail 3.6 reference, field by field', () => {
    expect(check(PROMTAIL_3_6, promtailYaml)).toEqual([]);
    expect(check(PROMTAIL_3_6, YAML.parse(shipperOf('promtail').text))).toEqual([]);
  });

  test.each([
    ['an unknown stage', (c: any) => c.scrape_configs[0].pipeline_stages.push({ lowercase: {} }), /unknown field/],
    ['two stages in one item', (c: any) => (c.scrape_configs[0].pipeline_stages[0] = { cri: {}, json: { expressions: {} } }), /exactly one/],
    ['a bad relabel action', (c: any) => (c.scrape_configs[0].relabel_configs[0].action = 'rename'), /action: expected one of/],
    ['a duration with days', (c: any) => (c.clients[0].batchwait = '1d'), /batchwait: expected a Go duration/],
    ['a label name with a dash', (c: any) => (c.clients[0].external_labels['k8s-cluster'] = 'x'), /key does not match/],
    ['a client without URL', (c: any) => delete c.clients[0].url, /url: required/],
  ])('the Promtail schema refuses %s', (_what, mutate, message) => {
    const bad = structuredClone(promtailYaml);
    mutate(bad);
    expect(check(PROMTAIL_3_6, bad).join('\n')).toMatch(message);
  });

  test('config.alloy parses and every component, argument and reference is one Alloy v1.18 documents', () => {
    const ast = parseAlloy(alloy.text);
    expect(checkComponents(ast)).toEqual([]);
    expect(checkComponents(parseAlloy(shipperOf('alloy').text))).toEqual([]);
    expect(ast.map((b) => (b.kind === 'block' ? `${b.name}.${b.label}` : b.name))).toEqual([
      'discovery.kubernetes.pods',
      'discovery.relabel.pods',
      'local.file_match.pods',
      'loki.source.file.pods',
      'loki.process.pods',
      'discovery.relabel.postgres_pods',
      'local.file_match.postgres_pods',
      'loki.source.file.postgres_pods',
      'loki.process.postgres_pods',
      'local.file_match.postgresql_host',
      'loki.source.file.postgresql_host',
      'loki.process.postgresql_host',
      'loki.write.default',
    ]);
  });

  test.each([
    ['a missing brace', (t: string) => t.replace(/\}\s*$/, ''), /expected|unexpected/],
    ['an unknown escape in a string', (t: string) => t.replace('"kubernetes-pods"', '"kube\\dpods"'), /unknown escape sequence/],
    ['two attributes on one line', (t: string) => t.replace('role = "pod"\n', 'role = "pod" role = "pod"\n'), /new line/],
  ])('the Alloy parser refuses %s', (_what, mutate, message) => {
    expect(() => parseAlloy(mutate(alloy.text))).toThrow(AlloySyntaxError);
    expect(() => parseAlloy(mutate(alloy.text))).toThrow(message);
  });

  test.each([
    ['an unknown argument', (t: string) => t.replace('forward_to = [loki.process.pods.receiver]', 'forward_to = [loki.process.pods.receiver]\n  follow = true'), /no argument 'follow'/],
    ['a reference to a missing component', (t: string) => t.replace('local.file_match.pods.targets', 'local.file_match.nope.targets'), /no component exports/],
    ['an unknown stage', (t: string) => t.replace('stage.cri { }', 'stage.crio { }'), /no block 'stage.crio'/],
    ['a missing required argument', (t: string) => t.replace(/\n\s*role = "pod"\n\s*selectors/, '\n  selectors'), /missing required argument 'role'/],
    ['a string where receivers go', (t: string) => t.replace('forward_to = [loki.write.default.receiver]', 'forward_to = ["loki"]'), /must be receivers/],
    ['a bad duration', (t: string) => t.replace('max_wait_time = "3s"', 'max_wait_time = "3 seconds"'), /not a duration/],
  ])('the Alloy component check refuses %s', (_what, mutate, message) => {
    const text = mutate(alloy.text);
    expect(text).not.toBe(alloy.text);
    expect(checkComponents(parseAlloy(text)).join('\n')).toMatch(message);
  });

  test('every regular expression is RE2, every selector is LogQL, every JMESPath expression is read', () => {
    const model = logPipeline(testConfig({ logs: { hostPostgresLogs: true } }).logs, 'love-parser-production', stackEndpoints(testConfig().namespaces));
    let regexes = 0;
    for (const s of model.sources) {
      for (const r of s.kind === 'pods' ? s.relabel : []) if (r.regex) expect(() => new RegExp(`^(?:${r.regex})$`)).not.toThrow();
      walkStages(s.stages, (st) => {
        if (st.kind === 'regex') {
          expect(() => re2(st.expression)).not.toThrow();
          regexes++;
        }
        if (st.kind === 'multiline') expect(() => re2(st.firstline)).not.toThrow();
        if (st.kind === 'match') expect(() => streamSelector(st.selector)).not.toThrow();
        if (st.kind === 'json') for (const e of Object.values(st.expressions)) expect(() => jmespath(e, {})).not.toThrow();
      });
    }
    expect(regexes).toBe(3);
    expect(() => re2('(?<=x)y')).toThrow(/not RE2/);
  });

  test('both files read back to the same sources, relabelling, stages and client labels as the pipeline model', () => {
    const c = testConfig({ logs: { hostPostgresLogs: true } });
    const model = logPipeline(c.logs, c.cluster, stackEndpoints(c.namespaces));
    const p = fromPromtail(promtailYaml, promtail.main.args);
    const a = fromAlloy(parseAlloy(alloy.text));
    const neutral = (m: ShipperModel) => m.sources.map(({ name, kind, relabel, path, labels, stages }) => ({ name, kind, relabel, path, labels, stages }));
    const expected = model.sources.map((s) =>
      s.kind === 'pods' ? { name: s.name, kind: s.kind, relabel: s.relabel, path: undefined, labels: undefined, stages: s.stages } : { name: s.name, kind: s.kind, relabel: undefined, path: s.path, labels: s.labels, stages: s.stages },
    );
    expect(neutral(p)).toEqual(expected);
    expect(neutral(a)).toEqual(expected);
    expect(p.staticLabels).toEqual({ cluster: 'love-parser-production' });
    expect(a.staticLabels).toEqual(p.staticLabels);
    expect(p.envLabels).toEqual({ node: 'HOSTNAME' });
    expect(a.envLabels).toEqual(p.envLabels);
    // Promtail restricts tailing to its node through __host__, Alloy its discovery through a field selector.
    expect(p.sources.filter((s) => s.kind === 'pods').every((s) => s.hostCheck)).toBe(true);
    expect(a.sources.filter((s) => s.kind === 'pods').every((s) => s.fieldSelector)).toBe(true);
  });

  test('both push to the loki Service with the same batching and retries', () => {
    const client = promtailYaml.clients[0];
    expect(client).toMatchObject({ url: 'http://loki.monitoring.svc:3100/loki/api/v1/push', batchwait: '1s', batchsize: 1048576, timeout: '10s', backoff_config: { min_period: '500ms', max_period: '5m', max_retries: 10 } });
    const endpoint = (parseAlloy(alloy.text).find((b) => b.kind === 'block' && b.name === 'loki.write') as any).body.find((b: any) => b.name === 'endpoint');
    const get = (n: string) => endpoint.body.find((x: any) => x.name === n).value.value;
    expect([get('url'), get('batch_wait'), get('batch_size'), get('remote_timeout'), get('min_backoff_period'), get('max_backoff_period'), get('max_backoff_retries')]).toEqual([
      client.url,
      '1s',
      '1MiB',
      '10s',
      '500ms',
      '5m',
      10,
    ]);
  });

  test('Promtail reads no environment in its file (no -config.expand-env: envsubst would eat $1 and backslashes)', () => {
    expect(promtail.main.args).toEqual(['-config.file=/etc/promtail/promtail.yaml', '-client.external-labels=node=$(HOSTNAME)']);
    expect(promtail.text).toContain('/var/log/pods/*$1/*.log');
  });
});

// ---- sample pods and lines ------------------------------------------------------------------------

const NODE = 'node-a';

function podMeta(o: { ns: string; name: string; uid: string; container: string; node: string; labels: Record<string, string> }): Record<string, string> {
  return {
    __address__: '10.0.0.7:3000',
    __meta_kubernetes_namespace: o.ns,
    __meta_kubernetes_pod_name: o.name,
    __meta_kubernetes_pod_uid: o.uid,
    __meta_kubernetes_pod_container_name: o.container,
    __meta_kubernetes_pod_node_name: o.node,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ip: '10.0.0.7',
    ...Object.fromEntries(Object.entries(o.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, v])),
  };
}

function podFixture(o: Parameters<typeof podMeta>[0], lines: string[]): PodFixture {
  return { meta: podMeta(o), file: `/var/log/pods/${o.ns}_${o.name}_${o.uid}/${o.container}/0.log`, lines };
}

const winston = (o: Record<string, unknown>) => JSON.stringify({ timestamp: '2026-08-01T12:00:00.120Z', ...o });
const cri = (i: number, stream: 'stdout' | 'stderr', content: string) => `2026-08-01T12:00:0${i}.123456789Z ${stream} F ${content}`;
const backendLabels = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' };

const WINSTON_ERROR = winston({
  level: 'error',
  message: 'payment callback failed',
  reqId: 'req-7f3a',
  method: 'POST',
  url: '/api/payments/callback',
  statusCode: 500,
  responseTime: 87.5,
  err: { message: 'signature mismatch', stack: 'Error: signature mismatch\n    at verify (/app/payments.js:42:11)' },
});

const PODS: PodFixture[] = [
  podFixture({ ns: 'love-parser', name: 'backend-6d5f9c7b8-x2x9q', uid: '3f1c9a52-1111-4e55-9d6a-0c1b2a3d4e5f', container: 'backend', node: NODE, labels: backendLabels }, [
    cri(0, 'stdout', WINSTON_ERROR),
    cri(1, 'stdout', winston({ level: 'WARN', message: 'broadcast queue slow', queue: 'broadcast', jobId: '1842' })),
    cri(2, 'stdout', winston({ level: 'fatality', message: 'unknown level' })),
    cri(3, 'stderr', 'node:internal/process: plain text, not JSON'),
  ]),
  // Same app on another node: the shipper on node-a must not read it.
  podFixture({ ns: 'love-parser', name: 'backend-6d5f9c7b8-zz81k', uid: '77aa0000-2222-4e55-9d6a-0c1b2a3d4e5f', container: 'backend', node: 'node-b', labels: backendLabels }, [cri(0, 'stdout', WINSTON_ERROR)]),
  podFixture(
    { ns: 'love-parser', name: 'postgresql-0', uid: '9b8c7d6e-3333-4e55-9d6a-0c1b2a3d4e5f', container: 'postgresql', node: NODE, labels: { 'app.kubernetes.io/name': 'postgresql' } },
    [
      cri(0, 'stderr', '2026-08-01 12:00:01.004 UTC [57] ERROR:  relation "broadcasts" does not exist at character 15'),
      cri(1, 'stderr', '2026-08-01 12:00:01.004 UTC [57] STATEMENT:  SELECT id'),
      cri(2, 'stderr', '\tFROM broadcasts'),
      cri(3, 'stderr', '2026-08-01 12:00:02.310 UTC [1] LOG:  checkpoint starting: time'),
    ],
  ),
  // Another app logging JSON with a level: only the backend's lines are parsed as Winston.
  podFixture({ ns: 'love-parser', name: 'redis-0', uid: 'aa11bb22-4444-4e55-9d6a-0c1b2a3d4e5f', container: 'redis', node: NODE, labels: { app: 'redis' } }, [cri(0, 'stdout', '{"level":"error","msg":"not the backend"}')]),
];

const HOST_FILES: HostFileFixture[] = [
  {
    path: '/var/log/postgresql/postgresql-15-main.log',
    lines: ['2026-08-01 12:00:05.456 UTC [1234] love@lovedb FATAL:  password authentication failed for user "love"', '2026-08-01 12:00:06.001 UTC [1235] [unknown]@[unknown] LOG:  connection received: host=10.0.0.9 port=51234'],
  },
  // Not a Postgres log: the glob must not pick it up.
  { path: '/var/log/postgresql/archive.tar', lines: ['binary'] },
];

function shippedBy(shipper: ShipperName, logs: Record<string, unknown> = { hostPostgresLogs: true }): Shipped[] {
  return ship(modelOf(shipper, logs), { node: NODE, pods: PODS, hostFiles: HOST_FILES });
}

const COMMON = { cluster: 'love-parser-production', node: NODE };

describe.each(SHIPPERS)('%s ships the sample lines', (shipper) => {
  const shipped = shippedBy(shipper);
  const bySource = (s: string) => shipped.filter((e) => e.source === s);
  const backend = shipped.filter((e) => e.labels.app === 'backend');

  test("a Winston error line: level as a label, the fields operators filter on as structured metadata, the JSON line intact", () => {
    expect(backend[0]).toEqual({
      source: 'pods',
      labels: { ...COMMON, job: LOG_JOBS.pods, namespace: 'love-parser', pod: 'backend-6d5f9c7b8-x2x9q', container: 'backend', app: 'backend', stream: 'stdout', level: 'error' },
      metadata: { request_id: 'req-7f3a', method: 'POST', route: '/api/payments/callback', status_code: '500', duration_ms: '87.5', error: 'signature mismatch' },
      line: WINSTON_ERROR,
    });
  });

  test('levels are normalised to the known set; unknown or missing levels set no label', () => {
    expect(backend.map((e) => e.labels.level)).toEqual(['error', 'warn', undefined, undefined]);
    expect(backend[1].metadata).toEqual({ queue: 'broadcast', job_id: '1842' });
    expect(backend[3].labels.stream).toBe('stderr');
  });

  test('only pods of its own node are read', () => {
    expect(shipped.some((e) => e.labels.pod === 'backend-6d5f9c7b8-zz81k')).toBe(false);
  });

  test('a Postgres pod goes through the Postgres stage only: level from the severity, continuation lines joined', () => {
    expect(bySource('pods').some((e) => e.labels.app === 'postgresql')).toBe(false);
    const pg = bySource('postgres_pods');
    expect(pg.map((e) => e.labels.level)).toEqual(['error', 'statement', 'log']);
    expect(pg[0].labels).toEqual({ ...COMMON, job: LOG_JOBS.pods, namespace: 'love-parser', pod: 'postgresql-0', container: 'postgresql', app: 'postgresql', stream: 'stderr', level: 'error' });
    expect(pg[0].metadata).toEqual({ pg_pid: '57' });
    expect(pg[1].line).toBe('2026-08-01 12:00:01.004 UTC [57] STATEMENT:  SELECT id\n\tFROM broadcasts');
  });

  test("the host's Postgres files: Debian's prefix, user and database as structured metadata", () => {
    const host = bySource('postgresql_host');
    expect(host.map((e) => e.labels)).toEqual([
      { ...COMMON, job: LOG_JOBS.postgresHost, app: 'postgresql', level: 'fatal' },
      { ...COMMON, job: LOG_JOBS.postgresHost, app: 'postgresql', level: 'log' },
    ]);
    expect(host[0].metadata).toEqual({ pg_pid: '1234', pg_user: 'love', pg_database: 'lovedb' });
    expect(host[1].metadata).toEqual({ pg_pid: '1235', pg_user: '[unknown]', pg_database: '[unknown]' });
    expect(ERROR_LEVELS).toContain(host[0].labels.level);
  });

  test("other apps' JSON is not parsed as Winston; the legacy `app` label still names the app", () => {
    const redis = shipped.filter((e) => e.labels.pod === 'redis-0');
    expect(redis).toHaveLength(1);
    expect(redis[0].labels.app).toBe('redis');
    expect(redis[0].labels.level).toBeUndefined();
  });

  test('every stream carries only the known labels, and every level is a known value', () => {
    for (const e of shipped) {
      for (const l of Object.keys(e.labels)) expect(STREAM_LABELS).toContain(l);
      expect(e.labels.filename).toBeUndefined();
      if (e.labels.level !== undefined) expect(LEVEL_VALUES).toContain(e.labels.level);
    }
    expect(shipped).toHaveLength(4 + 4 + 1 + 2 - 1);
  });

  test('without hostPostgresLogs the host files are not read', () => {
    expect(shippedBy(shipper, {}).some((e) => e.labels.job === LOG_JOBS.postgresHost)).toBe(false);
  });
});

test('Promtail and Alloy ship exactly the same entries', () => {
  expect(shippedBy('alloy')).toEqual(shippedBy('promtail'));
  expect(shippedBy('alloy').length).toBeGreaterThan(0);
});

describe('no high-cardinality label anywhere', () => {
  const FORBIDDEN = ['filename', 'request_id', 'trace_id', 'job_id', 'route', 'status_code', 'duration_ms', 'error', 'pg_pid', 'pg_user', 'pg_database', 'pod_uid', 'uid', 'ip', 'message'];

  /** Every label a source can put on a stream, read from the configuration itself. */
  function producible(model: ShipperModel): Set<string> {
    const labels = new Set<string>([...Object.keys(model.staticLabels), ...Object.keys(model.envLabels)]);
    for (const s of model.sources) {
      for (const r of s.relabel ?? []) if (r.targetLabel && !r.targetLabel.startsWith('__') && (r.action ?? 'replace') === 'replace') labels.add(r.targetLabel);
      for (const l of Object.keys(s.labels ?? {})) labels.add(l);
      labels.add('filename');
      const dropped = new Set<string>();
      walkStages(s.stages, (st) => {
        if (st.kind === 'cri') labels.add('stream');
        if (st.kind === 'labels') for (const l of Object.keys(st.values)) labels.add(l);
        if (st.kind === 'labelDrop') st.values.forEach((l) => dropped.add(l));
      });
      expect(dropped).toContain('filename');
    }
    labels.delete('filename');
    return labels;
  }

  test.each(SHIPPERS)('%s: the label set is the closed list, nothing per request, per process or per file', (shipper) => {
    const labels = producible(modelOf(shipper, { hostPostgresLogs: true }));
    expect([...labels].sort()).toEqual([...STREAM_LABELS].sort());
    for (const f of FORBIDDEN) expect(labels.has(f)).toBe(false);
  });

  test.each(SHIPPERS)('%s: a labels stage only ever sets `level`, from a regex group that is a fixed list of words', (shipper) => {
    for (const s of modelOf(shipper, { hostPostgresLogs: true }).sources) {
      const stages: Stage[] = [];
      walkStages(s.stages, (st) => stages.push(st));
      for (const st of stages.filter((x): x is Extract<Stage, { kind: 'labels' }> => x.kind === 'labels')) {
        expect(Object.keys(st.values)).toEqual(['level']);
        const key = st.values.level;
        const producer = stages.find((x) => x.kind === 'regex' && new RegExp(`\\(\\?P<${key}>`).test(x.expression)) as Extract<Stage, { kind: 'regex' }>;
        const group = new RegExp(`\\(\\?P<${key}>([^()]*)\\)`).exec(producer.expression)![1];
        const words = group.split('|');
        expect(words.every((w) => /^[A-Za-z0-9]+$/.test(w))).toBe(true);
        for (const w of words) expect(LEVEL_VALUES).toContain(w.toLowerCase());
      }
    }
  });

  test("fits Loki's limit of 15 label names per stream, with the service_name Loki adds", () => {
    expect(STREAM_LABELS.length + 1).toBeLessThanOrEqual(15);
  });
});

// ---- the backend's Winston files (backend.logFiles) -----------------------------------------------

describe.each(SHIPPERS)("%s tails the backend's Winston files when backend.logFiles is on", (shipper) => {
  const KUBELET_PODS = '/var/lib/kubelet/pods';
  const uid = '3f1c9a52-1111-4e55-9d6a-0c1b2a3d4e5f';
  const volumeDir = (podUid: string) => `${KUBELET_PODS}/${podUid}/volumes/kubernetes.io~empty-dir/${BACKEND_LOG_FILES.volume}`;
  const fileLine = winston({ level: 'error', message: 'payment callback failed', reqId: 'req-9', url: '/api/payments/callback', statusCode: 502 });
  const withFiles: PodFixture[] = [
    {
      ...PODS[0],
      volumeFiles: [
        { path: `${volumeDir(uid)}/app.log`, lines: [fileLine, winston({ level: 'info', message: 'started', queue: 'parsing' })] },
        // Winston's rotation keeps the older file as app1.log: tailed too.
        { path: `${volumeDir(uid)}/app1.log`, lines: [winston({ level: 'Warn', message: 'rotated' })] },
        // Not a log file, and another volume of the same pod: neither is read.
        { path: `${volumeDir(uid)}/app.log.gz`, lines: ['binary'] },
        { path: `${KUBELET_PODS}/${uid}/volumes/kubernetes.io~empty-dir/tmp/app.log`, lines: [winston({ level: 'error', message: 'scratch' })] },
      ],
    },
    // The backend pod on node-b writes files too: the shipper on node-a must not read them.
    { ...PODS[1], volumeFiles: [{ path: `${volumeDir('77aa0000-2222-4e55-9d6a-0c1b2a3d4e5f')}/app.log`, lines: [fileLine] }] },
    // Another app with a volume of the same name is not the backend.
    { ...PODS[3], volumeFiles: [{ path: `${volumeDir('aa11bb22-4444-4e55-9d6a-0c1b2a3d4e5f')}/app.log`, lines: [fileLine] }] },
    PODS[2],
  ];
  const config = (on: boolean) => testConfig({ logs: { shipper }, backend: { logFiles: { enabled: on } } });
  const chartOf = (on: boolean) => {
    const manifests = synthStack(config(on)).charts['log-shipper'];
    const ds = find(manifests, 'DaemonSet', 'log-shipper');
    const text = find(manifests, 'ConfigMap', 'log-shipper-config').data[shipper === 'promtail' ? 'promtail.yaml' : 'config.alloy'];
    const model = shipper === 'promtail' ? fromPromtail(YAML.parse(text), ds.spec.template.spec.containers[0].args) : fromAlloy(parseAlloy(text));
    return { ds, model };
  };
  const on = chartOf(true);
  const shipped = ship(on.model, { node: NODE, pods: withFiles, hostFiles: [] });
  const files = shipped.filter((e) => e.labels.job === LOG_JOBS.podFiles);

  test('the file lines: same pod labels and Winston parsing as standard output, job kubernetes-pod-files, no stream', () => {
    expect(files).toEqual([
      {
        source: 'backend_files',
        labels: { ...COMMON, job: LOG_JOBS.podFiles, namespace: 'love-parser', pod: 'backend-6d5f9c7b8-x2x9q', container: 'backend', app: 'backend', level: 'error' },
        metadata: { request_id: 'req-9', route: '/api/payments/callback', status_code: '502' },
        line: fileLine,
      },
      {
        source: 'backend_files',
        labels: { ...COMMON, job: LOG_JOBS.podFiles, namespace: 'love-parser', pod: 'backend-6d5f9c7b8-x2x9q', container: 'backend', app: 'backend', level: 'info' },
        metadata: { queue: 'parsing' },
        line: winston({ level: 'info', message: 'started', queue: 'parsing' }),
      },
      {
        source: 'backend_files',
        labels: { ...COMMON, job: LOG_JOBS.podFiles, namespace: 'love-parser', pod: 'backend-6d5f9c7b8-x2x9q', container: 'backend', app: 'backend', level: 'warn' },
        metadata: {},
        line: winston({ level: 'Warn', message: 'rotated' }),
      },
    ]);
  });

  test("standard output is still shipped as before, and the same line's labels differ only in job and stream", () => {
    const stdout = shipped.filter((e) => e.labels.job === LOG_JOBS.pods && e.labels.app === 'backend');
    expect(stdout).toHaveLength(4);
    const { job: _j, stream: _s, ...stdoutLabels } = stdout[0].labels;
    const { job: _k, ...fileLabels } = files[0].labels;
    expect(fileLabels).toEqual(stdoutLabels);
  });

  test('off (the default), no file source and no kubelet directory mount', () => {
    const off = chartOf(false);
    expect(off.model.sources.map((s) => s.name)).not.toContain('backend_files');
    expect(ship(off.model, { node: NODE, pods: withFiles, hostFiles: [] }).some((e) => e.labels.job === LOG_JOBS.podFiles)).toBe(false);
    expect(off.ds.spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('kubelet-pods');
  });

  test("on, the kubelet's pods directory is mounted read-only at the same path, from logs.kubeletPodsDir", () => {
    const pod = on.ds.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'kubelet-pods', hostPath: { path: KUBELET_PODS, type: 'Directory' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'kubelet-pods', mountPath: KUBELET_PODS, readOnly: true });
    const k0s = synthStack(testConfig({ logs: { shipper, kubeletPodsDir: '/var/lib/k0s/kubelet/pods' }, backend: { logFiles: { enabled: true } } })).charts['log-shipper'];
    const text = find(k0s, 'ConfigMap', 'log-shipper-config').data[shipper === 'promtail' ? 'promtail.yaml' : 'config.alloy'];
    expect(text).toContain(`/var/lib/k0s/kubelet/pods/$1/volumes/kubernetes.io~empty-dir/${BACKEND_LOG_FILES.volume}/*.log`);
  });
});

test("Promtail and Alloy ship the backend's files identically", () => {
  const shippedWith = (shipper: ShipperName) => {
    const manifests = synthStack(testConfig({ logs: { shipper }, backend: { logFiles: { enabled: true } } })).charts['log-shipper'];
    const ds = find(manifests, 'DaemonSet', 'log-shipper');
    const text = find(manifests, 'ConfigMap', 'log-shipper-config').data[shipper === 'promtail' ? 'promtail.yaml' : 'config.alloy'];
    const model = shipper === 'promtail' ? fromPromtail(YAML.parse(text), ds.spec.template.spec.containers[0].args) : fromAlloy(parseAlloy(text));
    const uid = '3f1c9a52-1111-4e55-9d6a-0c1b2a3d4e5f';
    const pods = [{ ...PODS[0], volumeFiles: [{ path: `/var/lib/kubelet/pods/${uid}/volumes/kubernetes.io~empty-dir/${BACKEND_LOG_FILES.volume}/app.log`, lines: [WINSTON_ERROR] }] }];
    return ship(model, { node: NODE, pods, hostFiles: [] });
  };
  const alloy = shippedWith('alloy');
  expect(alloy.filter((e) => e.labels.job === LOG_JOBS.podFiles)).toHaveLength(1);
  expect(alloy).toEqual(shippedWith('promtail'));
});

test("with the backend's files on, both configuration files still pass the Promtail 3.6 reference and Alloy v1.18's components", () => {
  const text = (shipper: ShipperName) =>
    find(synthStack(testConfig({ logs: { shipper, hostPostgresLogs: true }, backend: { logFiles: { enabled: true } } })).charts['log-shipper'], 'ConfigMap', 'log-shipper-config').data[
      shipper === 'promtail' ? 'promtail.yaml' : 'config.alloy'
    ];
  const promtail = YAML.parse(text('promtail'));
  expect(promtail.scrape_configs.map((s: any) => s.job_name)).toContain('backend_files');
  expect(check(PROMTAIL_3_6, promtail)).toEqual([]);
  const ast = parseAlloy(text('alloy'));
  expect(ast.map((b) => (b.kind === 'block' ? `${b.name}.${b.label}` : b.name))).toContain('loki.source.file.backend_files');
  expect(checkComponents(ast)).toEqual([]);
});
