/**
 * Loki's simple scalable deployment (`loki.mode: simple-scalable`): off in production (the single
 * binary, unchanged), on in staging: the write, read and backend targets of Loki 3.7.6 on S3, their
 * one loki.yaml checked against the transcribed reference (every target reads the same file), the
 * credentials only as Secret references, the memberlist Service, the Services the shipper and
 * Grafana use, the flows of each NetworkPolicy, the scrape jobs and LokiDown per target, and the
 * slice's checks as field, value and fix.
 */
import * as YAML from 'yaml';
import { LOKI_DS } from '../../charts/lib/datasources';
import { LOKI_PORTS } from '../../charts/contracts/logs';
import { S3_CREDENTIAL_ENV } from '../../charts/loki/config';
import { alertRules, lokiDown } from '../../charts/loki/alerts';
import { MEMBERLIST_LABEL, MEMBERLIST_SERVICE } from '../../charts/loki/scalable';
import { LOKI_TARGETS } from '../../charts/loki/settings';
import { IMAGES } from '../../charts/versions';
import { find, issuesOf, propsOf, synthStack, testConfig } from '../util';
import { LOKI_TARGETS_3_7, validateLokiConfig } from './loki-schema';

const production = synthStack();
const stagingConfig = testConfig({}, 'staging');
const staging = synthStack(stagingConfig);
const loki = staging.charts.loki;
const configYaml: string = find(loki, 'ConfigMap', 'loki-config').data['loki.yaml'];
const written = YAML.parse(configYaml);
const workload = (name: string) => loki.find((m: any) => ['StatefulSet', 'Deployment'].includes(m.kind) && m.metadata.name === name);
const main = (name: string) => workload(name).spec.template.spec.containers[0];
const policy = (name: string) => find(loki, 'NetworkPolicy', name);

/** Deep copy with one path replaced. */
function withField(config: unknown, path: string, value: unknown): any {
  const copy = structuredClone(config) as any;
  const keys = path.split('.');
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k];
  at[keys[keys.length - 1]] = value;
  return copy;
}

describe('single binary (production): unchanged', () => {
  test('one StatefulSet loki, no target workloads, the shipper and love-loki on the loki Service', () => {
    const p = production.charts.loki;
    expect(p.filter((m: any) => ['StatefulSet', 'Deployment'].includes(m.kind)).map((m: any) => m.metadata.name)).toEqual(['loki']);
    expect(JSON.stringify(production.all)).not.toContain('loki-write');
    expect(JSON.stringify(production.all)).not.toContain(MEMBERLIST_SERVICE);
    expect(production.stack.loki.api.push.name).toBe('loki');
    expect(production.stack.loki.api.jobs).toEqual({ job: 'loki' });
  });
});

describe('simple scalable on S3 (staging)', () => {
  test('three targets of the pinned image, each with -target, -config.expand-env and the one ConfigMap', () => {
    for (const t of LOKI_TARGETS) {
      const c = main(`loki-${t}`);
      expect(c.image).toBe(`docker.io/grafana/loki:${IMAGES.loki.tag}`);
      expect(c.args).toEqual(['-config.file=/etc/loki/loki.yaml', `-target=${t}`, '-config.expand-env=true']);
      // `backend` is missing from the reference's comment but is a target of Loki 3.7.6 (pkg/loki/modules.go).
      expect(LOKI_TARGETS_3_7).toContain(t);
      expect(workload(`loki-${t}`).spec.template.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'loki-config' } });
    }
    expect(workload('loki-write').kind).toBe('StatefulSet');
    expect(workload('loki-read').kind).toBe('Deployment');
    expect(workload('loki-backend').kind).toBe('StatefulSet');
    expect(loki.filter((m: any) => m.kind === 'StatefulSet' && m.metadata.name === 'loki')).toEqual([]);
  });

  test('replicas: write 3, read 2, backend 2 by default; each with a PodDisruptionBudget and anti-affinity', () => {
    expect([workload('loki-write'), workload('loki-read'), workload('loki-backend')].map((w) => w.spec.replicas)).toEqual([3, 2, 2]);
    for (const t of LOKI_TARGETS) {
      const name = `loki-${t}`;
      expect(find(loki, 'PodDisruptionBudget', name).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: workload(name).spec.selector.matchLabels } });
      expect(workload(name).spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    }
    expect(written.common.replication_factor).toBe(3);
    const two = YAML.parse(find(synthStack(testConfig({ loki: { write: { replicas: 2 } }, overrides: [{ path: 'loki.write.replicas', reason: 'a two-node staging cluster accepts refused pushes during a rollout' }] }, 'staging')).charts.loki, 'ConfigMap', 'loki-config').data['loki.yaml']);
    expect(two.common.replication_factor).toBe(2);
  });

  test('hardened pods: uid 10001, restricted, read-only root, own ServiceAccount without a token, probes on /ready, resources', () => {
    for (const t of LOKI_TARGETS) {
      const name = `loki-${t}`;
      const pod = workload(name).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsNonRoot: true, fsGroup: 10001 });
      expect(pod.serviceAccountName).toBe(name);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(find(loki, 'ServiceAccount', name).automountServiceAccountToken).toBe(false);
      expect(main(name).securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(main(name).readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 'http' });
      expect(main(name).resources.limits).toBeDefined();
      expect(workload(name).spec.template.metadata.labels).toMatchObject(MEMBERLIST_LABEL);
    }
  });

  test('claims: the WAL on each write pod, the compactor working directory on each backend pod; read has none', () => {
    expect(workload('loki-write').spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['loki-wal', '10Gi']]);
    expect(workload('loki-backend').spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['loki-backend-data', '10Gi']]);
    expect(main('loki-write').volumeMounts).toContainEqual({ name: 'loki-wal', mountPath: '/loki' });
    expect(main('loki-backend').volumeMounts).toContainEqual({ name: 'loki-backend-data', mountPath: '/loki' });
    expect(written.ingester.wal.dir.startsWith('/loki/')).toBe(true);
    expect(written.compactor.working_directory.startsWith('/loki/')).toBe(true);
  });

  test('credentials only from the Secret, by name and key; no value in the manifests', () => {
    for (const t of LOKI_TARGETS) {
      expect(main(`loki-${t}`).env).toEqual([
        { name: S3_CREDENTIAL_ENV.accessKeyId, valueFrom: { secretKeyRef: { name: 'loki-objstore', key: 'access-key-id' } } },
        { name: S3_CREDENTIAL_ENV.secretAccessKey, valueFrom: { secretKeyRef: { name: 'loki-objstore', key: 'secret-access-key' } } },
      ]);
    }
    expect(written.common.storage.s3).toMatchObject({ access_key_id: '${LOKI_S3_ACCESS_KEY_ID}', secret_access_key: '${LOKI_S3_SECRET_ACCESS_KEY}' });
    // -config.expand-env expands every `$` of the file: only the two references may carry one.
    expect(configYaml.match(/\$[^\n]*/g)).toEqual(['${LOKI_S3_ACCESS_KEY_ID}', '${LOKI_S3_SECRET_ACCESS_KEY}']);
    expect(staging.all.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  test('loki.yaml: S3 from config, TSDB v13 with a 24h index, compactor retention with delete requests on s3, memberlist', () => {
    expect(written.common.storage.s3).toMatchObject({ endpoint: 's3.eu-west-1.amazonaws.com', region: 'eu-west-1', bucketnames: 'love-parser-logs-staging', s3forcepathstyle: false, insecure: false });
    expect(written.schema_config.configs).toEqual([{ from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }]);
    expect(written.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3' });
    expect(written.limits_config.retention_period).toBe('168h');
    expect(written.common.ring.kvstore.store).toBe('memberlist');
    expect(written.memberlist.join_members).toEqual([`dns+${MEMBERLIST_SERVICE}.monitoring.svc:7946`]);
    expect(written.common.compactor_grpc_address).toBe('loki-backend.monitoring.svc:9095');
    expect(written.storage_config.tsdb_shipper.index_gateway_client.server_address).toBe('dns+loki-backend-headless.monitoring.svc:9095');
    const custom = YAML.parse(
      find(synthStack(testConfig({ loki: { objectStorage: { endpoint: 'minio.storage.svc:9000', pathStyle: true, insecureSkipVerify: true } } }, 'staging')).charts.loki, 'ConfigMap', 'loki-config').data['loki.yaml'],
    );
    expect(custom.common.storage.s3).toMatchObject({ endpoint: 'minio.storage.svc:9000', s3forcepathstyle: true, http_config: { insecure_skip_verify: true } });
    expect(validateLokiConfig(custom)).toEqual([]);
  });

  test('passes the Loki 3.7.6 reference field by field, and its cross-field rules', () => {
    expect(validateLokiConfig(written)).toEqual([]);
  });

  test.each([
    ['a misspelt S3 field', 'common.storage.s3.bucket_names', 'love-logs', /common.storage.s3.bucket_names: unknown field/],
    ['a misspelt memberlist field', 'memberlist.join_member', ['x'], /memberlist.join_member: unknown field/],
    ['an unknown index gateway mode', 'index_gateway.mode', 'sharded', /index_gateway.mode: expected one of simple, ring/],
    ['a string for s3forcepathstyle', 'common.storage.s3.s3forcepathstyle', 'true', /s3forcepathstyle: expected true or false/],
    ['an endpoint with a scheme', 'common.storage.s3.endpoint', 'https://s3.amazonaws.com', /endpoint: a host, without a scheme/],
    ['delete requests on a store that is not configured', 'compactor.delete_request_store', 'gcs', /delete_request_store: gcs is not a configured object store/],
    ['a period on a store that is not configured', 'schema_config.configs.0.object_store', 'azure', /object_store azure is not configured/],
    ['a memberlist ring nobody joins', 'memberlist.join_members', [], /a memberlist ring needs at least one member/],
  ])('the schema refuses %s', (_what, path, value, message) => {
    expect(validateLokiConfig(withField(written, path, value)).join('\n')).toMatch(message);
  });

  test('Services: write, read, backend (with gRPC) and the headless memberlist Service over every Loki pod', () => {
    for (const t of LOKI_TARGETS) {
      const svc = find(loki, 'Service', `loki-${t}`);
      expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['http', 3100], ['grpc', 9095]]);
      expect(svc.spec.selector).toEqual(workload(`loki-${t}`).spec.selector.matchLabels);
    }
    const gossip = find(loki, 'Service', MEMBERLIST_SERVICE);
    expect(gossip.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: MEMBERLIST_LABEL });
    expect(gossip.spec.ports).toEqual([{ name: 'memberlist', port: LOKI_PORTS.memberlist, targetPort: 'memberlist', protocol: 'TCP' }]);
    expect(find(loki, 'Service', 'loki-backend-headless').spec.clusterIP).toBe('None');
  });

  test('the shipper pushes to loki-write; love-loki (same uid) reads loki-read; their policies follow', () => {
    const shipperConfig = staging.charts['log-shipper'].find((m: any) => m.kind === 'ConfigMap');
    expect(JSON.stringify(shipperConfig.data)).toContain('http://loki-write.monitoring.svc:3100/loki/api/v1/push');
    expect(JSON.stringify(shipperConfig.data)).not.toContain('http://loki.monitoring.svc');
    const ds = YAML.parse(find(staging.charts.grafana, 'ConfigMap', 'grafana-datasources').data['datasources.yaml']).datasources.find((d: any) => d.uid === LOKI_DS.uid);
    expect(ds.url).toBe('http://loki-read.monitoring.svc:3100');
    const shipperEgress = JSON.stringify(find(staging.charts['log-shipper'], 'NetworkPolicy', 'log-shipper').spec.egress);
    expect(shipperEgress).toContain('loki-write');
    expect(JSON.stringify(find(staging.charts.grafana, 'NetworkPolicy', 'grafana').spec.egress)).toContain('loki-read');
  });

  test('NetworkPolicies: shipper -> write, Grafana -> read, gRPC between the targets, gossip among Loki pods, the object store', () => {
    const from = (p: any, port: number) => p.spec.ingress.filter((r: any) => r.ports.some((x: any) => x.port === port)).flatMap((r: any) => r.from.map((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? f.podSelector?.matchLabels));
    expect(from(policy('loki-write'), 3100)).toEqual(['log-shipper', 'prometheus']);
    expect(from(policy('loki-read'), 3100)).toEqual(['grafana', 'prometheus']);
    expect(from(policy('loki-backend'), 3100)).toEqual(['prometheus']);
    expect(from(policy('loki-write'), 9095)).toEqual(['loki-write', 'loki-read', 'loki-backend']);
    expect(from(policy('loki-backend'), 9095)).toEqual(['loki-read', 'loki-backend']);
    for (const t of LOKI_TARGETS) {
      const p = policy(`loki-${t}`);
      const gossipIn = p.spec.ingress.find((r: any) => r.ports.some((x: any) => x.port === 7946));
      expect(gossipIn.ports).toEqual([{ port: 7946, protocol: 'TCP' }, { port: 7946, protocol: 'UDP' }]);
      expect(gossipIn.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: MEMBERLIST_LABEL } }]);
      expect(p.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    }
    const narrowed = synthStack(testConfig({ loki: { objectStorage: { cidrs: ['10.20.0.0/16'], ports: [9000] } } }, 'staging')).charts.loki;
    expect(find(narrowed, 'NetworkPolicy', 'loki-read').spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 9000, protocol: 'TCP' }] });
  });

  test('a scrape job per target; every Prometheus selector of the Loki alerts and the Logs dashboard covers all three', () => {
    expect(staging.stack.loki.scrapeJobs.map((j) => j.job_name)).toEqual(['loki-write', 'loki-read', 'loki-backend']);
    const rules = staging.stack.loki.ruleGroups.flatMap((g) => g.rules) as any[];
    const down = rules.find((r) => r.alert === 'LokiDown');
    expect(down.expr).toBe(lokiDown(['loki-write', 'loki-read', 'loki-backend']));
    expect(down.expr).toBe('max by (job) (up{job=~"loki-write|loki-read|loki-backend"}) == 0 or absent(up{job="loki-write"}) or absent(up{job="loki-read"}) or absent(up{job="loki-backend"})');
    for (const r of rules) expect(r.expr).not.toContain('job="loki"');
    const dashboards = JSON.stringify(staging.charts.grafana.filter((m: any) => m.kind === 'ConfigMap').map((m: any) => m.data));
    expect(dashboards).not.toContain('job=\\\\\\"loki\\\\\\"');
    // The single binary's rules are what they were.
    expect(alertRules(propsOf(testConfig(), 'loki')).flatMap((g) => g.rules).find((r: any) => r.alert === 'LokiDown')).toMatchObject({ expr: 'max by (job) (up{job="loki"}) == 0 or absent(up{job="loki"})' });
  });
});

describe('the slice refuses what would not work, and names what is dangerous', () => {
  const ssd = { mode: 'simple-scalable', objectStorage: { buckets: { chunks: 'love-parser-logs' }, secretName: 'loki-objstore' } };
  test('every problem at once', () => {
    const issues = issuesOf({ loki: { mode: 'simple-scalable', read: { replicas: 0 }, objectStorage: { endpoint: 'http://minio:9000' } } });
    expect(issues.map((i) => i.path).sort()).toEqual(['loki.objectStorage.endpoint']);
    const semantic = issuesOf({ loki: { mode: 'simple-scalable', read: { replicas: 0 }, backend: { replicas: 0 } } });
    expect(semantic.map((i) => i.path).sort()).toEqual(['loki.backend.replicas', 'loki.objectStorage.buckets.chunks', 'loki.objectStorage.secretName', 'loki.read.replicas']);
  });

  test('plain http in production, one key for both credentials, two write pods: refused unless overridden', () => {
    const dangers = issuesOf({ loki: { ...ssd, objectStorage: { ...ssd.objectStorage, insecure: true, secretAccessKeyKey: 'access-key-id' }, write: { replicas: 2 } } });
    expect(dangers.map((i) => [i.path, i.overridable])).toEqual(
      expect.arrayContaining([
        ['loki.objectStorage.insecure', true],
        ['loki.objectStorage.secretAccessKeyKey', true],
        ['loki.write.replicas', true],
      ]),
    );
    expect(dangers.find((i) => i.path === 'loki.objectStorage.insecure')!.message).toMatch(/unencrypted/);
    // In staging, plain http to an in-cluster store is the operator's call.
    expect(testConfig({ loki: { objectStorage: { insecure: true } } }, 'staging').loki.objectStorage.insecure).toBe(true);
  });

  test('the single binary ignores the object-storage settings', () => {
    expect(testConfig({ loki: { read: { replicas: 0 } } }).loki.mode).toBe('single-binary');
  });
});
