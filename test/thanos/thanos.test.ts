/**
 * Thanos (`thanos.enabled`): off in production (nothing of it in dist/, love-prom on Prometheus),
 * on in staging: the sidecar in every Prometheus pod with equal 2h block durations, Query (two
 * replicas, deduplicating on `replica`, finding stores by SRV) behind love-prom with the same uid,
 * the store gateway and a single compactor with the retention per resolution; no credential in the
 * manifests; the flows of each NetworkPolicy; and the slice's checks as field, value and fix.
 */
import * as YAML from 'yaml';
import { PROMETHEUS_DS } from '../../charts/lib/datasources';
import { THANOS_PORTS } from '../../charts/contracts/long-term';
import { alertRules } from '../../charts/thanos/alerts';
import { CREDENTIAL_ENV, objstoreConfig } from '../../charts/thanos/objstore';
import { BLOCK_DURATION, REPLICA_LABEL as THANOS_REPLICA_LABEL } from '../../charts/thanos/thanos';
import { REPLICA_LABEL } from '../../charts/prometheus/config';
import { IMAGES } from '../../charts/versions';
import { find, issuesOf, propsOf, synthStack, testConfig } from '../util';

const production = synthStack();
const stagingConfig = testConfig({}, 'staging');
const staging = synthStack(stagingConfig);
const pairConfig = testConfig({ prometheus: { replicas: 2 } }, 'staging');
const pair = synthStack(pairConfig);

const datasource = (s: typeof production) => YAML.parse(find(s.charts.grafana, 'ConfigMap', 'grafana-datasources').data['datasources.yaml']).datasources.find((d: any) => d.uid === PROMETHEUS_DS.uid);
const container = (workload: any, name: string) => workload.spec.template.spec.containers.find((c: any) => c.name === name);
const argsOf = (workload: any, name: string): string[] => container(workload, name).args;

describe('thanos off (production)', () => {
  test('no Thanos object, no sidecar, love-prom reads Prometheus', () => {
    expect(production.charts.thanos).toBeUndefined();
    expect(production.all.filter((m) => JSON.stringify(m).includes('thanos'))).toEqual([]);
    const sts = find(production.charts.prometheus, 'StatefulSet', 'prometheus');
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['prometheus']);
    expect(argsOf(sts, 'prometheus').filter((a) => a.includes('block-duration'))).toEqual([]);
    expect(datasource(production).url).toBe('http://prometheus.monitoring.svc:9090');
  });

  test('no alert rules', () => {
    expect(alertRules({ ...propsOf(testConfig(), 'thanos'), prometheusReplicas: 2 })).toEqual([]);
  });
});

describe('thanos on (staging)', () => {
  const prom = find(pair.charts.prometheus, 'StatefulSet', 'prometheus');
  const sidecar = container(prom, 'thanos-sidecar');

  test('a sidecar in every Prometheus pod, on its data volume, reaching Prometheus over loopback', () => {
    expect(sidecar.image).toBe(`quay.io/thanos/thanos:${IMAGES.thanos.tag}`);
    expect(sidecar.args).toEqual([
      'sidecar',
      '--tsdb.path=/prometheus',
      '--prometheus.url=http://localhost:9090',
      `--grpc-address=:${THANOS_PORTS.grpc}`,
      `--http-address=:${THANOS_PORTS.http}`,
      '--objstore.config-file=/etc/thanos/config/objstore.yml',
    ]);
    expect(sidecar.volumeMounts).toContainEqual({ name: 'prometheus-data', mountPath: '/prometheus' });
    expect(sidecar.ports.map((p: any) => p.name)).toEqual(['sidecar-http', 'sidecar-grpc']);
  });

  test('Prometheus cuts 2h blocks and never compacts them itself (the sidecar requires equal durations)', () => {
    expect(BLOCK_DURATION).toBe('2h');
    const args = argsOf(prom, 'prometheus');
    expect(args).toContain('--storage.tsdb.min-block-duration=2h');
    expect(args).toContain('--storage.tsdb.max-block-duration=2h');
  });

  test('the replica label Query deduplicates on is the one Prometheus writes', () => {
    expect(THANOS_REPLICA_LABEL).toBe(REPLICA_LABEL);
    const promYaml = YAML.parse(find(pair.charts.prometheus, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(Object.keys(promYaml.global.external_labels)).toContain(REPLICA_LABEL);
    const query = find(pair.charts.thanos, 'Deployment', 'thanos-query');
    expect(argsOf(query, 'thanos-query')).toContain(`--query.replica-label=${REPLICA_LABEL}`);
  });

  test('Query: at least two replicas, a PodDisruptionBudget, and every sidecar and the store gateway by SRV', () => {
    const query = find(pair.charts.thanos, 'Deployment', 'thanos-query');
    expect(query.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(find(pair.charts.thanos, 'PodDisruptionBudget', 'thanos-query').spec.maxUnavailable).toBe(1);
    const endpoints = YAML.parse(find(pair.charts.thanos, 'ConfigMap', 'thanos-config').data['query-endpoints.yml']);
    expect(endpoints.endpoints.map((e: any) => e.address)).toEqual([
      'dnssrv+_sidecar-grpc._tcp.prometheus-headless.monitoring.svc',
      'dnssrv+_grpc._tcp.thanos-store-headless.monitoring.svc',
    ]);
    // The SRV names exist: the headless Services carry ports of those names.
    const promHeadless = find(pair.charts.prometheus, 'Service', 'prometheus-headless');
    expect(promHeadless.spec.ports.map((p: any) => p.name)).toContain('sidecar-grpc');
    expect(find(pair.charts.thanos, 'Service', 'thanos-store-headless').spec.ports.map((p: any) => p.name)).toContain('grpc');
  });

  test("Grafana's love-prom reads Query, under the same uid", () => {
    const ds = datasource(staging);
    expect(ds.uid).toBe(PROMETHEUS_DS.uid);
    expect(ds.url).toBe(`http://thanos-query.monitoring.svc:${THANOS_PORTS.http}`);
    expect(ds.jsonData.prometheusType).toBe('Thanos');
  });

  test('store gateway with a cache claim; exactly one compactor with the retention per resolution', () => {
    const store = find(staging.charts.thanos, 'StatefulSet', 'thanos-store');
    expect(store.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['thanos-store-data']);
    const compactor = find(staging.charts.thanos, 'StatefulSet', 'thanos-compactor');
    expect(compactor.spec.replicas).toBe(1);
    expect(argsOf(compactor, 'thanos-compactor')).toEqual(
      expect.arrayContaining(['--wait', '--retention.resolution-raw=30d', '--retention.resolution-5m=180d', '--retention.resolution-1h=2y']),
    );
    const noDownsampling = synthStack(testConfig({ thanos: { compactor: { downsampling: false } } }, 'staging'));
    expect(argsOf(find(noDownsampling.charts.thanos, 'StatefulSet', 'thanos-compactor'), 'thanos-compactor')).toContain('--downsampling.disable');
  });

  test('no credential in the manifests: the objstore file refers to variables the Secret sets', () => {
    const objstore = YAML.parse(find(staging.charts.thanos, 'ConfigMap', 'thanos-config').data['objstore.yml']);
    expect(objstore).toEqual({
      type: 'S3',
      config: {
        bucket: 'love-parser-metrics-staging',
        endpoint: 's3.eu-west-1.amazonaws.com',
        region: 'eu-west-1',
        insecure: false,
        access_key: `$(${CREDENTIAL_ENV.s3AccessKey})`,
        secret_key: `$(${CREDENTIAL_ENV.s3SecretKey})`,
      },
    });
    for (const w of [find(staging.charts.thanos, 'StatefulSet', 'thanos-store'), find(staging.charts.thanos, 'StatefulSet', 'thanos-compactor')]) {
      const env = w.spec.template.spec.containers[0].env;
      expect(env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef?.name])).toEqual([
        [CREDENTIAL_ENV.s3AccessKey, 'thanos-objstore'],
        [CREDENTIAL_ENV.s3SecretKey, 'thanos-objstore'],
      ]);
    }
    expect(staging.all.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  test('GCS and Azure: the documented options render their own file and credentials', () => {
    const gcs = testConfig({ thanos: { objectStorage: { type: 'gcs' } } }, 'staging');
    expect(objstoreConfig(gcs.thanos)).toEqual({ type: 'GCS', config: { bucket: 'love-parser-metrics-staging' } });
    const gcsStore = find(synthStack(gcs).charts.thanos, 'StatefulSet', 'thanos-store');
    expect(gcsStore.spec.template.spec.volumes).toContainEqual({ name: 'thanos-gcs-key', secret: { secretName: 'thanos-objstore', defaultMode: 0o400, items: [{ key: 'service-account.json', path: 'service-account.json' }] } });
    const azure = testConfig({ thanos: { objectStorage: { type: 'azure', azure: { storageAccount: 'loveparser' } } } }, 'staging');
    expect(objstoreConfig(azure.thanos)).toEqual({
      type: 'AZURE',
      config: { storage_account: 'loveparser', storage_account_key: `$(${CREDENTIAL_ENV.azureAccountKey})`, container: 'love-parser-metrics-staging', endpoint: 'blob.core.windows.net' },
    });
  });

  test('NetworkPolicies: exactly the flows', () => {
    const policy = (chart: any[], name: string) => find(chart, 'NetworkPolicy', name).spec;
    const ports = (rules: any[]) => rules.map((r) => r.ports.map((p: any) => p.port));
    // Query: from Grafana and Prometheus on HTTP; to the Prometheus pods and the store gateway on gRPC (and DNS).
    const q = policy(staging.charts.thanos, 'thanos-query');
    expect(ports(q.ingress)).toEqual([[THANOS_PORTS.http]]);
    expect(ports(q.egress).slice(1)).toEqual([[THANOS_PORTS.grpc], [THANOS_PORTS.grpc]]);
    // Store gateway and compactor: out to the object store only.
    for (const name of ['thanos-store', 'thanos-compactor']) {
      expect(policy(staging.charts.thanos, name).egress.slice(1)).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    }
    // Prometheus's pods admit Query on the sidecar's gRPC port and reach the object store.
    const p = policy(staging.charts.prometheus, 'prometheus');
    expect(p.ingress.some((r: any) => r.ports[0].port === THANOS_PORTS.grpc && r.from[0].podSelector.matchLabels['app.kubernetes.io/name'] === 'thanos-query')).toBe(true);
    expect(p.egress.some((r: any) => r.ports[0].port === 443 && r.to?.[0]?.ipBlock?.cidr === '0.0.0.0/0')).toBe(true);
  });

  test('a scrape job for every Thanos component', () => {
    const jobs = YAML.parse(find(pair.charts.prometheus, 'ConfigMap', 'prometheus-config').data['prometheus.yml']).scrape_configs.map((j: any) => j.job_name);
    expect(jobs).toEqual(expect.arrayContaining(['thanos-sidecar', 'thanos-query', 'thanos-store', 'thanos-compactor']));
    const sidecarJob = pair.stack.thanos!.scrapeJobs.find((j) => j.job_name === 'thanos-sidecar')!;
    expect((sidecarJob.static_configs as any[]).map((s) => s.targets[0])).toEqual([
      `prometheus-0.prometheus-headless.monitoring.svc:${THANOS_PORTS.http}`,
      `prometheus-1.prometheus-headless.monitoring.svc:${THANOS_PORTS.http}`,
    ]);
  });
});

describe('bad input: field, value and fix', () => {
  // Narrowed egress, so that each test sees only the problem it is about (production refuses any address).
  const on = (objectStorage: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({
    thanos: { enabled: true, objectStorage: { bucket: 'metrics', secretName: 'thanos-objstore', cidrs: ['10.20.0.0/16'], ...objectStorage }, ...rest },
  });

  test('a missing bucket or Secret reference when enabled', () => {
    const issues = issuesOf({ thanos: { enabled: true, objectStorage: { cidrs: ['10.20.0.0/16'] } } });
    expect(issues.map((i) => i.path)).toEqual(['thanos.objectStorage.bucket', 'thanos.objectStorage.secretName']);
    expect(issues[1].message).toMatch(/credentials come only from a Secret/);
    expect(issues[1].fix).toMatch(/docs\/thanos.md/);
  });

  test.each([
    ['Metrics', /not a valid bucket name/],
    ['ab', /not a valid bucket name/],
    ['my..bucket', /a dot must sit between letters or digits/],
    ['192.168.1.10', /formatted as an IP address/],
  ])('bucket %s', (bucket, message) => {
    const issues = issuesOf(on({ bucket }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('thanos.objectStorage.bucket');
    expect(issues[0].message).toMatch(message);
    expect(issues[0].fix).toMatch(/3-63 lowercase/);
  });

  test('an endpoint written as a URL names the bare host as the fix', () => {
    const [issue] = issuesOf(on({ s3: { endpoint: 'https://minio.storage.svc:9000/' } }));
    expect(issue).toEqual({
      path: 'thanos.objectStorage.s3.endpoint',
      message: "is 'https://minio.storage.svc:9000/', a URL; Thanos takes the endpoint without a scheme",
      fix: "write it as 'minio.storage.svc:9000' (and set insecure: true for plain http)",
    });
    expect(issuesOf(on({ s3: { endpoint: 'minio:99999' } }))[0].message).toMatch(/outside 1-65535/);
  });

  test('a coarser resolution kept shorter than a finer one', () => {
    const issues = issuesOf(on({}, { compactor: { retention: { raw: '90d', fiveMinutes: '60d', oneHour: '30d' } } }));
    expect(issues.map((i) => i.path)).toEqual(['thanos.compactor.retention.fiveMinutes', 'thanos.compactor.retention.oneHour']);
    expect(issues[0].message).toMatch(/shorter than thanos.compactor.retention.raw '90d'/);
  });

  test('raw data dropped before it is downsampled is a danger an override can accept', () => {
    const issues = issuesOf(on({}, { compactor: { retention: { raw: '1d' } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'thanos.compactor.retention.raw', overridable: true });
    // Staging: production's own overrides would be replaced by this list.
    const accepted = { ...on({}, { compactor: { retention: { raw: '1d' } } }), overrides: [{ path: 'thanos.compactor.retention.raw', reason: 'raw samples are not needed after a day here' }] };
    expect(testConfig(accepted, 'staging').thanos.compactor.retention.raw).toBe('1d');
  });

  test('Azure without a storage account; http with a certificate to skip', () => {
    expect(issuesOf(on({ type: 'azure' })).map((i) => i.path)).toEqual(['thanos.objectStorage.azure.storageAccount']);
    expect(issuesOf(on({ s3: { insecure: true, insecureSkipVerify: true } })).map((i) => i.path)).toEqual(['thanos.objectStorage.s3.insecureSkipVerify']);
  });

  test("in production, the object store's egress to any address is a decision said on purpose", () => {
    const issues = issuesOf(on({ cidrs: ['0.0.0.0/0'] }));
    expect(issues).toEqual([expect.objectContaining({ path: 'thanos.objectStorage.cidrs', overridable: true })]);
    expect(issues[0].message).toMatch(/hold an API token/);
    // A narrowed range is the fix; staging is not production.
    expect(() => testConfig(on())).not.toThrow();
    expect(() => testConfig(on({ cidrs: ['0.0.0.0/0'] }), 'staging')).not.toThrow();
  });

  test('one Query replica is refused (a drain would take the data source away)', () => {
    const [issue] = issuesOf(on({}, { query: { replicas: 1 } }));
    expect(issue.path).toBe('thanos.query.replicas');
  });
});
