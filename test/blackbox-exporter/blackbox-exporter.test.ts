/**
 * The blackbox exporter: what it probes and how (one job per URL, the backend through its Service),
 * its hardening and NetworkPolicy (out: only what it probes), and every bad probe setting reported
 * at once with field, value and fix.
 */
import * as YAML from 'yaml';
import { ConfigError, ConfigIssue } from '../../charts/lib/schema';
import { find, synthStack, testConfig } from '../util';

function issuesOf(overrides: Record<string, unknown>): ConfigIssue[] {
  try {
    testConfig(overrides);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ConfigError, got a valid config');
}

const targets = [
  { name: 'public-api', url: 'https://api.love-parser.example/health/live' },
  { name: 'telegram-webhook', url: 'https://api.love-parser.example/telegram/health' },
  { name: 'payment-callback', url: 'https://pay.love-parser.example:8443/health', service: 'payments' },
];

describe('blackbox exporter', () => {
  const config = testConfig({ blackboxExporter: { targets } });
  const { charts, stack } = synthStack(config);
  const manifests = charts['blackbox-exporter'];
  const prometheus = YAML.parse(stack.prometheus.configYaml);
  const probeJobs = prometheus.scrape_configs.filter((j: any) => j.job_name.startsWith('blackbox-'));

  test("one job per URL: the backend's readiness through its Service, then each configured URL, with its module and labels", () => {
    expect(probeJobs.map((j: any) => [j.job_name, j.params.module[0], j.params.target[0]])).toEqual([
      ['blackbox-backend-ready', 'http_2xx', 'http://backend.love-parser.svc:3000/health/ready'],
      ['blackbox-public-api', 'https_2xx', 'https://api.love-parser.example/health/live'],
      ['blackbox-telegram-webhook', 'https_2xx', 'https://api.love-parser.example/telegram/health'],
      ['blackbox-payment-callback', 'https_2xx', 'https://pay.love-parser.example:8443/health'],
    ]);
    for (const j of probeJobs) {
      expect(j.metrics_path).toBe('/probe');
      expect(j.scrape_timeout).toBe('10s');
      // Every probe's series carry `service` (the alerts rely on it: test/alerts/rules.test.ts) and `target`.
      const labels = Object.fromEntries(j.relabel_configs.filter((r: any) => r.target_label && !r.source_labels).map((r: any) => [r.target_label, r.replacement]));
      expect(Object.keys(labels).sort()).toEqual(['instance', 'service', 'target', 'url']);
      expect(labels.instance).toBe(j.params.target[0]);
    }
    expect(probeJobs.find((j: any) => j.job_name === 'blackbox-payment-callback').relabel_configs).toContainEqual({ target_label: 'service', replacement: 'payments' });
  });

  test('blackbox.yml: HTTP 2xx inside, TLS required outside, the configured timeout', () => {
    const cfg = YAML.parse(find(manifests, 'ConfigMap', 'blackbox-exporter-config').data['blackbox.yml']);
    expect(cfg.modules.http_2xx).toMatchObject({ prober: 'http', timeout: '10s' });
    expect(cfg.modules.https_2xx).toMatchObject({ prober: 'http', timeout: '10s', http: { fail_if_not_ssl: true } });
  });

  test('hardened, its configuration rolls the pod, no API token', () => {
    const d = find(manifests, 'Deployment', 'blackbox-exporter');
    const pod = d.spec.template.spec;
    expect(d.spec.replicas).toBe(1);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(pod.containers[0].image).toBe('quay.io/prometheus/blackbox-exporter:v0.27.0');
    expect(d.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('egress only to what it probes: the backend pods on 3000, the URLs\' ports, DNS; in: Prometheus on 9115', () => {
    const np = find(manifests, 'NetworkPolicy', 'blackbox-exporter');
    expect(np.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } }], ports: [{ port: 9115, protocol: 'TCP' }] },
    ]);
    const ports = np.spec.egress.map((e: any) => e.ports.map((p: any) => p.port));
    expect(ports).toEqual([[53, 53], [3000], [443, 8443]]);
    expect(np.spec.egress[1].to[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('backend');
    // Without external URLs there is no egress to the internet at all.
    const bare = find(synthStack(testConfig()).charts['blackbox-exporter'], 'NetworkPolicy', 'blackbox-exporter');
    expect(bare.spec.egress.map((e: any) => e.ports.map((p: any) => p.port))).toEqual([[53, 53], [3000]]);
  });

  test('bad probe settings: every problem at once, each with field, value and fix', () => {
    const issues = issuesOf({
      blackboxExporter: {
        targets: [
          { name: 'public-api', url: 'ftp://api.love-parser.example/' },
          { name: 'public-api', url: 'https://user:secret@api.love-parser.example/' },
          { name: 'bad-host', url: 'https://api_love parser/' },
          { name: 'dup-a', url: 'https://pay.love-parser.example/health' },
          { name: 'dup-b', url: 'https://pay.love-parser.example/health' },
          { name: 'backend-ready', url: 'https://x.love-parser.example/' },
          { name: 'other-ns', url: 'http://grafana.tools.svc:3000/api/health' },
          { name: 'Not_A_Label', url: 'not a url' },
        ],
        probeTimeout: '30s',
        alerts: { certificateWarningDays: 400, certificateCriticalDays: 0 },
      },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'blackboxExporter.alerts.certificateCriticalDays',
        'blackboxExporter.alerts.certificateWarningDays',
        'blackboxExporter.targets[2].url',
        'blackboxExporter.targets[7].name',
        'blackboxExporter.targets[7].url',
      ].sort(),
    );
    // The schema stops at invalid values; with those fixed, the slice's own checks speak.
    const checked = issuesOf({
      blackboxExporter: {
        targets: [
          { name: 'public-api', url: 'ftp://api.love-parser.example/' },
          { name: 'public-api', url: 'https://user:secret@api.love-parser.example/' },
          { name: 'bad-host', url: 'https://api_love-parser.example/' },
          { name: 'dup-a', url: 'https://pay.love-parser.example/health' },
          { name: 'dup-b', url: 'https://pay.love-parser.example/health' },
          { name: 'backend-ready', url: 'https://x.love-parser.example/' },
          { name: 'other-ns', url: 'http://grafana.tools.svc:3000/api/health' },
        ],
        probeTimeout: '30s',
        alerts: { certificateWarningDays: 7, certificateCriticalDays: 14 },
      },
    });
    const at = (p: string) => checked.filter((i) => i.path === `blackboxExporter.${p}`);
    expect(at('targets[0].url')[0]).toMatchObject({ message: expect.stringContaining("scheme 'ftp'"), fix: expect.stringContaining('https://') });
    expect(at('targets[1].name')[0].message).toContain('already the name of targets[0]');
    expect(at('targets[1].url')[0].message).toContain('credentials');
    expect(at('targets[1].url')[0].message).not.toContain('secret');
    expect(at('targets[2].url')[0].message).toContain("host 'api_love-parser.example'");
    expect(at('targets[4].url')[0]).toMatchObject({ message: expect.stringContaining('already probed by targets[3]'), fix: 'list each URL once' });
    expect(at('targets[5].name')[0].message).toContain('built-in probe');
    expect(at('targets[6].url')[0]).toMatchObject({ message: expect.stringContaining("namespace 'tools'"), fix: expect.stringContaining('public URL') });
    expect(at('probeTimeout')[0].message).toContain("not shorter than blackboxExporter.probeInterval '30s'");
    expect(at('alerts.certificateCriticalDays')[0].message).toContain('not below blackboxExporter.alerts.certificateWarningDays 7');
    expect(checked).toHaveLength(9);
    for (const i of checked) expect(i.fix.length).toBeGreaterThan(5);
  });

  test('an in-cluster URL in a stack namespace is accepted', () => {
    expect(() => testConfig({ blackboxExporter: { targets: [{ name: 'grafana', url: 'http://grafana.monitoring.svc:3000/api/health', service: 'grafana' }] } })).not.toThrow();
  });
});

describe('kube-state-metrics chart', () => {
  const { charts, all } = synthStack(testConfig());
  const manifests = charts['kube-state-metrics'];

  test('a Role in each stack namespace with list/watch of its five resources; no ClusterRole, no Secrets', () => {
    const roles = manifests.filter((m) => m.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['love-parser', 'monitoring', 'monitoring-agents']);
    for (const r of roles) {
      expect(r.rules).toEqual([
        { apiGroups: [''], resources: ['endpoints', 'pods'], verbs: ['list', 'watch'] },
        { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'statefulsets'], verbs: ['list', 'watch'] },
      ]);
    }
    const bound = all.filter((m) => m.kind === 'ClusterRoleBinding' && m.subjects.some((s: any) => s.name === 'kube-state-metrics'));
    expect(bound).toEqual([]);
  });

  test('hardened, reads the API with its own token; in: Prometheus; out: the API server (and DNS)', () => {
    const pod = find(manifests, 'Deployment', 'kube-state-metrics').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].image).toBe('registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0');
    expect(pod.containers[0].readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'telemetry' });
    const np = find(manifests, 'NetworkPolicy', 'kube-state-metrics');
    expect(np.spec.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(np.spec.egress.map((e: any) => e.ports.map((p: any) => p.port))).toEqual([[53, 53], [443, 6443]]);
  });
});
