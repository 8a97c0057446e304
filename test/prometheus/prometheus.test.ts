import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { ClusterChart } from '../../charts/cluster/cluster';
import { stackEndpoints } from '../../charts/contracts/endpoints';
import { MonitoringSource, RuleGroup } from '../../charts/lib/monitoring';
import { PROMETHEUS_CONFIG_DIR, CONFIG_FILE, RULE_FILE_SUFFIX, retentionSize, ruleFileName } from '../../charts/prometheus/config';
import { DATA_VOLUME, PrometheusChart } from '../../charts/prometheus/prometheus';
import { ScrapeReachError, reachOf } from '../../charts/prometheus/reach';
import { podScrapeJob } from '../../charts/lib/scrape';
import { find, propsOf, synthStack, testConfig } from '../util';

const production = synthStack();
const prom = production.charts.prometheus;
const config = YAML.parse(find(prom, 'ConfigMap', 'prometheus-config').data[CONFIG_FILE]);
const sts = find(prom, 'StatefulSet', 'prometheus');
const pod = sts.spec.template.spec;
const main = pod.containers[0];
const jobs: Record<string, any> = Object.fromEntries(config.scrape_configs.map((j: any) => [j.job_name, j]));

/** A Prometheus chart alone, with the given extra sources (for what-if tests). */
function prometheusWith(extra: MonitoringSource[], overrides: Record<string, unknown> = {}): { manifests: any[]; chart: PrometheusChart } {
  const cfg = testConfig(overrides);
  const app = new App();
  const cluster = new ClusterChart(app, 'cluster', { namespaces: cfg.namespaces, priorityClasses: cfg.priorityClasses });
  const chart = new PrometheusChart(app, 'prometheus', { ...propsOf(cfg, 'prometheus'), dependsOn: [cluster], sources: extra });
  return { manifests: (chart as Chart).toJson(), chart };
}

describe('prometheus chart', () => {
  test('matches the snapshot (rule file contents belong to their owners\' tests; their names are kept)', () => {
    const redacted = prom.map((m) =>
      m.kind === 'ConfigMap'
        ? { ...m, data: Object.fromEntries(Object.entries<string>(m.data).map(([k, v]) => [k, k.endsWith(RULE_FILE_SUFFIX) ? '<rules>' : v])) }
        : m,
    );
    expect(redacted).toMatchSnapshot();
  });

  test('a pair (production; staging one) of the pinned image, governed by a headless Service that publishes not-ready pods', () => {
    expect(sts.metadata.namespace).toBe('monitoring');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(find(synthStack(testConfig({}, 'staging')).charts.prometheus, 'StatefulSet', 'prometheus').spec.replicas).toBe(1);
    expect(main.image).toBe('quay.io/prometheus/prometheus:v3.14.0');
    const headless = find(prom, 'Service', sts.spec.serviceName);
    expect(headless.metadata.name).toBe('prometheus-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.selector).toEqual(sts.spec.selector.matchLabels);
    const svc = find(prom, 'Service', 'prometheus');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 9090, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
    // Grafana reads through it and stays on one replica (docs/prometheus.md).
    expect(svc.spec.sessionAffinity).toBe('ClientIP');
  });

  describe('the pair', () => {
    test('hard anti-affinity across nodes by default; soft by config', () => {
      expect(pod.affinity).toEqual({
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: sts.spec.selector.matchLabels } }] },
      });
      const soft = find(prometheusWith([], { prometheus: { antiAffinity: 'soft' } }).manifests, 'StatefulSet', 'prometheus').spec.template.spec.affinity;
      expect(soft.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: sts.spec.selector.matchLabels } },
      });
      expect(() => testConfig({ prometheus: { antiAffinity: 'sometimes' } })).toThrow(/prometheus.antiAffinity/);
    });

    test('a PodDisruptionBudget lets a drain take one replica at a time', () => {
      const pdb = find(prom, 'PodDisruptionBudget', 'prometheus');
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: sts.spec.selector.matchLabels } });
    });

    test('the alerting PriorityClass', () => {
      expect(pod.priorityClassName).toBe('love-parser-alerting');
    });

    test('a replica external label from the pod name (downward API), dropped from alerts so Alertmanager deduplicates the pair', () => {
      expect(config.global.external_labels.replica).toBe('${POD_NAME}');
      expect(main.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }]);
      expect(config.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
    });

    test('each replica scrapes every replica by its stable pod DNS name, labelled with its pod', () => {
      expect(jobs.prometheus.static_configs).toEqual([
        { targets: ['prometheus-0.prometheus-headless.monitoring.svc:9090'], labels: { service: 'prometheus', pod: 'prometheus-0' } },
        { targets: ['prometheus-1.prometheus-headless.monitoring.svc:9090'], labels: { service: 'prometheus', pod: 'prometheus-1' } },
      ]);
    });
  });

  test('keeps its data on the prometheus-data claim template, sized and classed from config', () => {
    const [claim] = sts.spec.volumeClaimTemplates;
    expect(claim.metadata.name).toBe(DATA_VOLUME);
    expect(claim.metadata.name).toBe('prometheus-data');
    // The default follows from measured bytes per sample (test/prometheus/sizing.test.ts).
    expect(claim.spec.resources.requests.storage).toBe('15Gi');
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim.spec.storageClassName).toBeUndefined();
    expect(main.volumeMounts).toContainEqual({ name: 'prometheus-data', mountPath: '/prometheus' });
    expect(main.args).toContain('--storage.tsdb.path=/prometheus');
    const classed = prometheusWith([], { prometheus: { storage: { size: '200Gi', storageClass: 'fast-ssd' } } }).manifests;
    const c2 = find(classed, 'StatefulSet', 'prometheus').spec.volumeClaimTemplates[0];
    expect(c2.spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '200Gi' } } });
  });

  test('runs as non-root uid 65534 and can write its volume (fsGroup)', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534 });
    expect(main.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  describe('retention', () => {
    test('time from config, size 80% of the claim: 15Gi -> 12GB (Prometheus GB are GiB)', () => {
      expect(config.storage.tsdb.retention).toEqual({ time: '30d', size: '12GB' });
    });

    test('staging: 10Gi claim -> 8GB, 7d', () => {
      const staging = synthStack(testConfig({}, 'staging')).charts.prometheus;
      const c = YAML.parse(find(staging, 'ConfigMap', 'prometheus-config').data[CONFIG_FILE]);
      expect(c.storage.tsdb.retention).toEqual({ time: '7d', size: '8GB' });
      expect(find(staging, 'StatefulSet', 'prometheus').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    });

    test('size is derived from the claim and the ratio, rounded down to whole MB', () => {
      expect(retentionSize('50Gi', 0.8)).toBe('40GB');
      expect(retentionSize('10Gi', 0.8)).toBe('8GB');
      expect(retentionSize('50Gi', 0.85)).toBe('43520MB');
      expect(retentionSize('1Gi', 0.8)).toBe('819MB');
      expect(retentionSize('2Ti', 0.5)).toBe('1024GB');
      const custom = prometheusWith([], { prometheus: { retentionSizeRatio: 0.85, retention: '90d', storage: { size: '50Gi' } } }).chart;
      expect(YAML.parse(custom.configYaml).storage.tsdb.retention).toEqual({ time: '90d', size: '43520MB' });
    });

    test('uses the config file, not the deprecated retention flags', () => {
      expect(main.args.filter((a: string) => a.startsWith('--storage.tsdb.retention'))).toEqual([]);
    });
  });

  test('probes: a startup budget for the WAL replay on /-/ready, readiness /-/ready, liveness /-/healthy', () => {
    expect(main.startupProbe.httpGet).toMatchObject({ path: '/-/ready', port: 'http' });
    expect(main.startupProbe.periodSeconds * main.startupProbe.failureThreshold).toBeGreaterThanOrEqual(900);
    expect(main.readinessProbe.httpGet).toMatchObject({ path: '/-/ready', port: 'http' });
    expect(main.livenessProbe.httpGet).toMatchObject({ path: '/-/healthy', port: 'http' });
    const short = find(prometheusWith([], { prometheus: { startupSeconds: 120 } }).manifests, 'StatefulSet', 'prometheus');
    const sp = short.spec.template.spec.containers[0].startupProbe;
    expect(sp.periodSeconds * sp.failureThreshold).toBe(120);
  });

  test('global: 15s scrape and evaluation, cluster, environment and replica external labels', () => {
    expect(config.global).toEqual({
      scrape_interval: '15s',
      evaluation_interval: '15s',
      external_labels: { cluster: 'love-parser-production', environment: 'production', replica: '${POD_NAME}' },
    });
    const staging = YAML.parse(find(synthStack(testConfig({}, 'staging')).charts.prometheus, 'ConfigMap', 'prometheus-config').data[CONFIG_FILE]);
    expect(staging.global.external_labels).toEqual({ cluster: 'love-parser-staging', environment: 'staging', replica: '${POD_NAME}' });
  });

  describe('reload without a restart', () => {
    test('the server reloads by itself: --config.auto-reload, at the configured interval', () => {
      expect(main.args).toEqual(expect.arrayContaining(['--config.auto-reload', '--config.auto-reload-interval=30s', `--config.file=${PROMETHEUS_CONFIG_DIR}/${CONFIG_FILE}`]));
      expect(main.args).not.toContain('--web.enable-lifecycle'); // nobody needs to POST /-/reload
    });

    test('config and rule files come from one ConfigMap mounted as a directory, never with subPath', () => {
      const mount = main.volumeMounts.find((m: any) => m.mountPath === PROMETHEUS_CONFIG_DIR);
      expect(mount).toEqual({ name: 'config', mountPath: PROMETHEUS_CONFIG_DIR, readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'prometheus-config' } });
      const keys = Object.keys(find(prom, 'ConfigMap', 'prometheus-config').data);
      expect(config.rule_files).toEqual([`*${RULE_FILE_SUFFIX}`]);
      // every key but prometheus.yml is a rule file the glob loads
      expect(keys.filter((k) => k !== CONFIG_FILE).every((k) => k.endsWith(RULE_FILE_SUFFIX))).toBe(true);
    });

    test('a rule change reaches the mounted files and leaves the pod alone (no roll, no WAL replay)', () => {
      const group: RuleGroup = { name: 'what-if', rules: [{ record: 'what_if:up', expr: 'vector(1)' }] };
      const before = prometheusWith([]);
      const after = prometheusWith([{ ruleGroups: [group] }]);
      const cmBefore = find(before.manifests, 'ConfigMap', 'prometheus-config').data;
      const cmAfter = find(after.manifests, 'ConfigMap', 'prometheus-config').data;
      expect(cmBefore[ruleFileName('what-if')]).toBeUndefined();
      expect(YAML.parse(cmAfter[ruleFileName('what-if')])).toEqual({ groups: [group] });
      expect(find(after.manifests, 'StatefulSet', 'prometheus').spec.template).toEqual(find(before.manifests, 'StatefulSet', 'prometheus').spec.template);
    });

    test('two rule groups with one name are refused at synthesis', () => {
      const g: RuleGroup = { name: 'dup', rules: [{ record: 'a:b', expr: '1' }] };
      expect(() => prometheusWith([{ ruleGroups: [g] }, { ruleGroups: [g] }])).toThrow(/share the rule file dup\.rules\.yml/);
    });
  });

  describe('discovery', () => {
    test('one job per component, each named once', () => {
      expect(Object.keys(jobs).sort()).toEqual(
        [
          'alertmanager', 'backend', 'blackbox-backend-ready', 'grafana', 'kube-state-metrics', 'kubelet', 'kubelet-cadvisor', 'log-shipper', 'loki',
          'node-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter',
        ].sort(),
      );
      expect(() => prometheusWith([{ scrapeJobs: [jobs.backend] }, { scrapeJobs: [jobs.backend] }])).toThrow(/two scrape jobs are named 'backend'/);
    });

    test('backend: every pod in its namespace, port http, with namespace and pod labels', () => {
      const sd = jobs.backend.kubernetes_sd_configs[0];
      expect(sd).toMatchObject({ role: 'pod', namespaces: { names: ['love-parser'] } });
      expect(sd.selectors[0].label).toBe('app.kubernetes.io/name=backend,app.kubernetes.io/instance=backend');
      expect(jobs.backend.relabel_configs).toEqual(
        expect.arrayContaining([
          { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'http', action: 'keep' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ]),
      );
    });

    test('the exporters: postgres :9187 and redis :9121 in monitoring, node :9100 on every node in the agents namespace', () => {
      for (const [job, ns, port] of [
        ['postgres-exporter', 'monitoring', 9187],
        ['redis-exporter', 'monitoring', 9121],
        ['node-exporter', 'monitoring-agents', 9100],
      ] as const) {
        expect(jobs[job].kubernetes_sd_configs[0].namespaces.names).toEqual([ns]);
        const workload = production.all.find((m) => ['Deployment', 'DaemonSet'].includes(m.kind) && m.metadata.name === job);
        const portName = jobs[job].relabel_configs[0].regex;
        expect(workload.spec.template.spec.containers[0].ports).toContainEqual({ name: portName, containerPort: port, protocol: 'TCP' });
        const selector = jobs[job].kubernetes_sd_configs[0].selectors[0].label as string;
        for (const pair of selector.split(',')) {
          const [k, v] = pair.split('=');
          expect(workload.spec.template.metadata.labels[k]).toBe(v);
        }
      }
      // a node agent's series are labelled by node, and its instance is the node name
      expect(jobs['node-exporter'].relabel_configs).toEqual(
        expect.arrayContaining([
          { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
          { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
        ]),
      );
    });

    test('Alertmanager as a scrape target, and every Alertmanager pod as an alerting endpoint, found by DNS (no Kubernetes API)', () => {
      expect(jobs.alertmanager).toBeDefined();
      expect(config.alerting.alertmanagers).toEqual([{ api_version: 'v2', dns_sd_configs: [{ names: ['_http._tcp.alertmanager-headless.monitoring.svc'], type: 'SRV' }] }]);
      // The headless Service the SRV name asks for exists, with a port named http.
      const headless = find(production.charts.alertmanager, 'Service', 'alertmanager-headless');
      expect(headless.spec.ports.find((p: any) => p.name === 'http')).toMatchObject({ port: 9093, protocol: 'TCP' });
    });

    test('DNS discovery is traced to the endpoint whose headless Service it names (SRV by port name, or A records on its port)', () => {
      const eps = Object.values(stackEndpoints(testConfig().namespaces));
      const am = stackEndpoints(testConfig().namespaces).alertmanager;
      expect(reachOf('a', { dns_sd_configs: [{ names: ['_http._tcp.alertmanager-headless.monitoring.svc'], type: 'SRV' }] }, eps).endpoints).toEqual([am]);
      expect(reachOf('a', { dns_sd_configs: [{ names: ['alertmanager-headless.monitoring.svc'], type: 'A', port: 9093 }] }, eps).endpoints).toEqual([am]);
      expect(reachOf('a', { static_configs: [{ targets: ['alertmanager-2.alertmanager-headless.monitoring.svc:9093'] }] }, eps).endpoints).toEqual([am]);
      expect(() => reachOf('a', { dns_sd_configs: [{ names: ['alertmanager-headless.monitoring.svc'], type: 'A', port: 9094 }] }, eps)).toThrow(/does not name the headless Service/);
      expect(() => reachOf('a', { dns_sd_configs: [{ names: ['_http._tcp.example.org'], type: 'SRV' }] }, eps)).toThrow(/scrape job 'a': its DNS discovery of '_http._tcp.example.org'/);
      expect(() => reachOf('a', { static_configs: [{ targets: ['alertmanager-0.other-headless.monitoring.svc:9093'] }] }, eps)).toThrow(ScrapeReachError);
    });

    test('DNS discovery needs no Role: removing the Alertmanager set removes no namespace from RBAC', () => {
      expect(config.alerting.alertmanagers.flatMap((a: any) => a.kubernetes_sd_configs ?? [])).toEqual([]);
    });

    test('every Kubernetes discovery names its namespaces, except the kubelet jobs, which discover nodes', () => {
      const jobsOf = [...config.scrape_configs, ...config.alerting.alertmanagers];
      const sds = jobsOf.flatMap((j: any) => (j.kubernetes_sd_configs ?? []).map((sd: any) => ({ job: j.job_name, sd })));
      expect(sds.length).toBeGreaterThan(0);
      for (const { job, sd } of sds) {
        if (sd.role === 'node') {
          expect(['kubelet', 'kubelet-cadvisor']).toContain(job);
          continue;
        }
        expect(sd.role).toBe('pod');
        expect(sd.namespaces.names.length).toBeGreaterThan(0);
      }
    });

    test('the kubelet jobs: HTTPS on every node at the kubelet port, the ServiceAccount token, the cluster CA verified', () => {
      for (const name of ['kubelet', 'kubelet-cadvisor']) {
        const j = jobs[name];
        expect(j.scheme).toBe('https');
        expect(j.authorization).toEqual({ type: 'Bearer', credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
        expect(j.tls_config).toEqual({ ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
        expect(j.relabel_configs[0]).toMatchObject({ target_label: '__address__', replacement: '$1:10250' });
        // Only the stack's namespaces are stored.
        expect(j.metric_relabel_configs).toContainEqual({ source_labels: ['namespace'], regex: 'love-parser|monitoring|monitoring-agents', action: 'keep' });
      }
      expect(jobs['kubelet-cadvisor'].metrics_path).toBe('/metrics/cadvisor');
      expect(jobs.kubelet.metrics_path).toBe('/metrics');
    });

    test('a job that cannot be traced to a stack endpoint is refused, naming the job and the fix', () => {
      const eps = Object.values(stackEndpoints(testConfig().namespaces));
      expect(() => reachOf('x', { job_name: 'x', kubernetes_sd_configs: [{ role: 'pod' }] }, eps)).toThrow(ScrapeReachError);
      expect(() => reachOf('x', { job_name: 'x', kubernetes_sd_configs: [{ role: 'ingress' }] }, eps)).toThrow(/ClusterRole/);
      expect(() => reachOf('x', { job_name: 'x', kubernetes_sd_configs: [{ role: 'node' }] }, eps)).toThrow(/node discovery without an explicit port/);
      expect(() => reachOf('x', { job_name: 'x', static_configs: [{ targets: ['example.org:80'] }] }, eps)).toThrow(/scrape job 'x': static target 'example.org:80'/);
      expect(() => reachOf('x', { job_name: 'x', kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['love-parser'] } }] }, eps)).toThrow(/does not select the pods/);
    });
  });

  describe('RBAC', () => {
    const roles = prom.filter((m) => m.kind === 'Role');
    const bindings = prom.filter((m) => m.kind === 'RoleBinding');

    test('a Role exactly in each namespace it discovers in; cluster-wide only the kubelet ClusterRole (nodes, nodes/metrics)', () => {
      expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['love-parser', 'monitoring', 'monitoring-agents']);
      expect(prom.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')).toEqual([]);
      const clusterBound = production.all
        .filter((m) => m.kind === 'ClusterRoleBinding' || (m.kind === 'RoleBinding' && m.roleRef.kind === 'ClusterRole'))
        .filter((b) => (b.subjects ?? []).some((s: any) => s.name === 'prometheus' && s.namespace === 'monitoring'));
      expect(clusterBound.map((b) => b.roleRef.name)).toEqual(['monitoring-prometheus-kubelet']);
      const role = find(production.all, 'ClusterRole', 'monitoring-prometheus-kubelet');
      // nodes/metrics, never nodes/proxy (which reaches exec and attach on every kubelet).
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      ]);
    });

    test('egress to the kubelet port on the node addresses, and nowhere else new', () => {
      const np = find(prom, 'NetworkPolicy', 'prometheus');
      expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 10250, protocol: 'TCP' }] });
    });

    test('each Role lists and watches pods, nothing else', () => {
      for (const r of roles) expect(r.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
    });

    test('each binding gives its Role to Prometheus\'s own ServiceAccount, whose token only the Prometheus pod mounts', () => {
      for (const b of bindings) {
        expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus-discovery' });
        expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]);
        expect(roles.some((r) => r.metadata.namespace === b.metadata.namespace && r.metadata.name === b.roleRef.name)).toBe(true);
      }
      expect(find(prom, 'ServiceAccount', 'prometheus').automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe('prometheus');
      expect(pod.automountServiceAccountToken).toBe(true);
    });

    test('endpoint discovery would add endpoints and services to that namespace only', () => {
      const e = stackEndpoints(testConfig().namespaces).backend;
      const job = { ...podScrapeJob({ job: 'backend-endpoints', endpoint: e }) };
      (job as any).kubernetes_sd_configs = [{ ...(job as any).kubernetes_sd_configs[0], role: 'endpoints' }];
      const { manifests } = prometheusWith([{ scrapeJobs: [job] }]);
      const role = manifests.find((m) => m.kind === 'Role' && m.metadata.namespace === 'love-parser');
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints', 'pods', 'services'], verbs: ['list', 'watch'] }]);
    });
  });

  describe('network policy', () => {
    const np = find(prom, 'NetworkPolicy', 'prometheus');
    const egressTo = (port: number) => np.spec.egress.filter((e: any) => e.ports.some((p: any) => p.port === port));

    test('selects the Prometheus pod and denies by default', () => {
      expect(np.spec.podSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
      expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    });

    test('ingress only from Grafana and the other replicas, on 9090', () => {
      const from = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name } } });
      expect(np.spec.ingress).toEqual([{ from: [from('grafana'), from('prometheus')], ports: [{ port: 9090, protocol: 'TCP' }] }]);
    });

    test('egress to the pods it scrapes, each on its own port', () => {
      for (const [name, ns, port] of [
        ['backend', 'love-parser', 3000],
        ['postgres-exporter', 'monitoring', 9187],
        ['redis-exporter', 'monitoring', 9121],
        ['alertmanager', 'monitoring', 9093],
        ['grafana', 'monitoring', 3000],
        ['loki', 'monitoring', 3100],
        ['log-shipper', 'monitoring-agents', 9080],
        ['prometheus', 'monitoring', 9090],
      ] as const) {
        const rules = egressTo(port).filter((e: any) => e.to?.some((t: any) => t.podSelector?.matchLabels['app.kubernetes.io/name'] === name));
        expect({ name, rules: rules.length }).toEqual({ name, rules: 1 });
        expect(rules[0].to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe(ns);
      }
    });

    test('the host-network node exporter by node address on 9100 only; the API server; DNS; nothing open-ended', () => {
      expect(egressTo(9100)).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 9100, protocol: 'TCP' }] }]);
      const narrowed = find(synthStack(testConfig({ network: { nodeCidrs: ['10.0.0.0/16'] } })).charts.prometheus, 'NetworkPolicy', 'prometheus');
      expect(narrowed.spec.egress.filter((e: any) => e.ports.some((p: any) => p.port === 9100))[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.0/16' } }]);
      expect(egressTo(6443)[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
      expect(egressTo(53).length).toBe(1);
      for (const e of np.spec.egress) expect(e.to).toBeDefined(); // no rule without peers ("anywhere")
    });
  });
});
