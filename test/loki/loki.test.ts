import { createHash } from 'node:crypto';
import * as YAML from 'yaml';
import { LokiConfig, SCHEMA_FROM } from '../../charts/loki/config';
import { DATA_VOLUME } from '../../charts/loki/loki';
import { LOKI_UID } from '../../charts/loki/container';
import { LOKI_HTTP } from '../../charts/contracts/logs';
import { IMAGES } from '../../charts/versions';
import { find, synthStack, testConfig } from '../util';
import { validateLokiConfig } from './loki-schema';

const production = synthStack();
const loki = production.charts.loki;
const statefulSet = find(loki, 'StatefulSet', 'loki');
const pod = statefulSet.spec.template.spec;
const main = pod.containers[0];
const configMap = find(loki, 'ConfigMap', 'loki-config');
const written: LokiConfig = YAML.parse(configMap.data['loki.yaml']);

/** Deep copy with one path replaced (or removed with `undefined`). */
function withField(config: unknown, path: string, value: unknown): any {
  const copy = structuredClone(config) as any;
  const keys = path.split('.');
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k];
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return copy;
}

describe('loki chart', () => {
  test('matches the snapshot', () => {
    expect(loki).toMatchSnapshot();
  });

  test('one replica of the pinned single binary, in the monitoring namespace', () => {
    expect(statefulSet.metadata.namespace).toBe('monitoring');
    expect(statefulSet.spec.replicas).toBe(1);
    expect(main.image).toBe(`docker.io/grafana/loki:${IMAGES.loki.tag}`);
    expect(IMAGES.loki.tag).toBe('3.7.6');
    expect(main.args).toEqual(['-config.file=/etc/loki/loki.yaml', '-target=all']);
  });

  test('keeps everything on a loki-data claim sized and classed from config', () => {
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: DATA_VOLUME, labels: statefulSet.spec.selector.matchLabels },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      },
    ]);
    expect(main.volumeMounts).toContainEqual({ name: 'loki-data', mountPath: '/loki' });
    for (const dir of [written.common.path_prefix, written.ingester.wal.dir, written.compactor.working_directory, written.storage_config.filesystem.directory, written.storage_config.tsdb_shipper.active_index_directory]) {
      expect(dir.startsWith('/loki')).toBe(true);
    }
    const custom = synthStack(testConfig({ loki: { storage: { size: '200Gi', storageClass: 'fast-ssd' } } })).charts.loki;
    expect(find(custom, 'StatefulSet', 'loki').spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '200Gi' } },
      volumeMode: 'Filesystem',
    });
  });

  test('runs as uid 10001 with fsGroup, restricted, on a read-only root', () => {
    expect(pod.securityContext).toMatchObject({ runAsUser: LOKI_UID, runAsGroup: LOKI_UID, fsGroup: LOKI_UID, runAsNonRoot: true });
    expect(main.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.serviceAccountName).toBe('loki');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(loki, 'ServiceAccount', 'loki').automountServiceAccountToken).toBe(false);
  });

  test('readiness on /ready; liveness on an endpoint that answers during WAL replay', () => {
    expect(main.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 'http' });
    expect(main.livenessProbe.httpGet).toMatchObject({ path: LOKI_HTTP.live, port: 'http' });
    expect(main.livenessProbe.httpGet.path).not.toBe('/ready');
    expect(main.resources).toEqual({ requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } });
  });

  test('its configuration is a directory mount of the ConfigMap, and a checksum of it rolls the pod', () => {
    expect(main.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/loki', readOnly: true });
    expect(main.volumeMounts.find((m: any) => m.name === 'config').subPath).toBeUndefined();
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'loki-config' } });
    const checksum = statefulSet.spec.template.metadata.annotations['checksum/config'];
    expect(checksum).toBe(createHash('sha256').update(configMap.data['loki.yaml']).digest('hex'));
    const other = find(synthStack(testConfig({ loki: { retention: '14d' } })).charts.loki, 'StatefulSet', 'loki');
    expect(other.spec.template.metadata.annotations['checksum/config']).not.toBe(checksum);
  });

  test('is reachable only by the log shipper, Grafana and Prometheus, on 3100, and calls nothing', () => {
    const policy = find(loki, 'NetworkPolicy', 'loki');
    expect(policy.spec.podSelector.matchLabels).toEqual(statefulSet.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring-agents' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'log-shipper', 'app.kubernetes.io/instance': 'log-shipper' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } },
        ],
        ports: [{ port: 3100, protocol: 'TCP' }],
      },
    ]);
    // Both policy types and no egress rule: nothing goes out (an empty list is not written).
    expect(policy.spec.egress).toBeUndefined();
  });

  test('the loki Service on 3100 selects the StatefulSet pods and governs it', () => {
    const svc = find(loki, 'Service', 'loki');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 3100, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(statefulSet.spec.serviceName).toBe('loki');
  });

  test('contributes its own /metrics as a scrape job named after its endpoint, and the alerting rules', () => {
    const chart = production.stack.loki;
    expect(chart.scrapeJobs).toEqual([
      { job_name: 'loki', metrics_path: '/metrics', static_configs: [{ targets: ['loki.monitoring.svc:3100'], labels: { service: 'loki' } }] },
    ]);
    expect(chart.ruleGroups.flatMap((g) => g.rules).map((r) => ('alert' in r ? r.alert : r.record))).toContain('LokiDown');
  });
});

describe('loki.yaml', () => {
  test('passes the Loki 3.7 reference field by field, and its cross-field rules', () => {
    expect(validateLokiConfig(written)).toEqual([]);
    for (const env of ['staging']) {
      const other = YAML.parse(find(synthStack(testConfig({}, env)).charts.loki, 'ConfigMap', 'loki-config').data['loki.yaml']);
      expect(validateLokiConfig(other)).toEqual([]);
    }
  });

  test('single binary: no auth, replication factor 1, in-memory ring on loopback', () => {
    expect(written.auth_enabled).toBe(false);
    expect(written.common).toMatchObject({ replication_factor: 1, instance_addr: '127.0.0.1', ring: { kvstore: { store: 'inmemory' } } });
  });

  test('schema v13 on the TSDB index with filesystem storage and a 24h index period, from a fixed day', () => {
    expect(written.schema_config.configs).toEqual([
      { from: SCHEMA_FROM, store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
    ]);
  });

  test('retention through the compactor, 30 days by default, from config', () => {
    expect(written.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(written.limits_config.retention_period).toBe('720h');
    const staging = YAML.parse(find(synthStack(testConfig({}, 'staging')).charts.loki, 'ConfigMap', 'loki-config').data['loki.yaml']);
    expect(staging.limits_config.retention_period).toBe('168h');
    expect(staging.limits_config.max_query_lookback).toBe('168h');
  });

  test('ingestion limits come from config, above the defaults that answer 429', () => {
    expect(written.limits_config).toMatchObject({
      ingestion_rate_strategy: 'local',
      ingestion_rate_mb: 8,
      ingestion_burst_size_mb: 16,
      per_stream_rate_limit: '3MB',
      per_stream_rate_limit_burst: '15MB',
      max_global_streams_per_user: 10000,
      reject_old_samples_max_age: '168h',
      allow_structured_metadata: true,
    });
    // Loki 3.7's defaults: 4 MB/s and a 6 MB burst.
    expect(written.limits_config.ingestion_rate_mb).toBeGreaterThan(4);
    expect(written.limits_config.ingestion_burst_size_mb).toBeGreaterThan(6);
    const tuned = YAML.parse(
      find(synthStack(testConfig({ loki: { ingestionRateMb: 20, ingestionBurstMb: 40, perStreamRateMb: 5, perStreamBurstMb: 20, maxStreams: 50000 } })).charts.loki, 'ConfigMap', 'loki-config').data['loki.yaml'],
    );
    expect(tuned.limits_config).toMatchObject({ ingestion_rate_mb: 20, ingestion_burst_size_mb: 40, per_stream_rate_limit: '5MB', per_stream_rate_limit_burst: '20MB', max_global_streams_per_user: 50000 });
  });

  test('config refuses a retention Loki cannot apply, and limits that contradict each other', () => {
    expect(() => testConfig({ loki: { retention: '36h' } })).toThrow(/loki.retention: .*whole days/);
    expect(() => testConfig({ loki: { retention: '7d', rejectOlderThan: '14d' } })).toThrow(/loki.rejectOlderThan/);
    expect(() => testConfig({ loki: { perStreamRateMb: 10, perStreamBurstMb: 5 } })).toThrow(/loki.perStreamBurstMb/);
    expect(() => testConfig({ loki: { ingestionRateMb: 2, ingestionBurstMb: 4, perStreamRateMb: 3 } })).toThrow(/loki.perStreamRateMb/);
  });
});

describe('the Loki 3.7 schema catches what Loki would refuse', () => {
  test.each([
    ['an unknown top-level block', 'table_manager', { retention_deletes_enabled: true }, /table_manager: unknown field/],
    ['a misspelt field', 'compactor.retention_enable', true, /compactor.retention_enable: unknown field/],
    ['a string for a boolean', 'auth_enabled', 'false', /auth_enabled: expected true or false/],
    ['days in a Go duration', 'compactor.compaction_interval', '1d', /compaction_interval: expected a Go duration/],
    ['an unknown ring store', 'common.ring.kvstore.store', 'redis', /store: expected one of/],
    ['an unknown schema', 'schema_config.configs.0.schema', 'v14', /schema: expected one of/],
    ['a bad day', 'schema_config.configs.0.from', '2024-13-01', /from: expected a day/],
    ['a bad size', 'limits_config.per_stream_rate_limit', '3 megabytes', /per_stream_rate_limit: expected a size/],
    ['a string for a number', 'limits_config.ingestion_rate_mb', '8', /ingestion_rate_mb: expected a number/],
  ])('%s', (_what, path, value, message) => {
    const bad = withField(written, path, value);
    expect(validateLokiConfig(bad).join('\n')).toMatch(message);
  });

  test.each([
    ['retention without a delete request store', 'compactor.delete_request_store', undefined, /delete_request_store: required/],
    ['retention on a 7-day index period', 'schema_config.configs.0.index.period', '168h', /index.period 24h/],
    ['structured metadata on an older schema', 'schema_config.configs.0.schema', 'v12', /needs every period on schema v13/],
    ['a replication factor an in-memory ring cannot meet', 'common.replication_factor', 3, /factor must be 1/],
    ['a burst below the rate', 'limits_config.ingestion_burst_size_mb', 2, /ingestion_burst_size_mb: below/],
    ['a stream burst below the stream rate', 'limits_config.per_stream_rate_limit_burst', '1MB', /per_stream_rate_limit_burst: below/],
  ])('%s', (_what, path, value, message) => {
    expect(validateLokiConfig(withField(written, path, value)).join('\n')).toMatch(message);
  });
});
