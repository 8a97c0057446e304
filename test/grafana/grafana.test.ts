import * as YAML from 'yaml';
import { ALERTMANAGER_DS, DATASOURCE_NAMES, LOKI_DS, PROMETHEUS_DS } from '../../charts/lib/datasources';
import { GRAFANA_UID, HEALTH_PATH, LOCAL_PORT, GRAFANA_PATHS } from '../../charts/grafana/grafana';
import { FOLDERS } from '../../charts/lib/panels';
import { ANNOTATIONS_LIMIT_BYTES, CONFIGMAP_BUDGET_BYTES, appliedBytes, packFolders } from '../../charts/grafana/provisioning';
import { Dashboard } from '../../charts/lib/monitoring';
import { ConfigError } from '../../charts/lib/schema';
import { find, synthStack, testConfig } from '../util';

const ingressConfig = { grafana: { ingress: { host: 'grafana.love-parser.example', tlsSecret: 'grafana-tls', className: 'nginx' } } };

/** Dashboard ConfigMaps carry whole dashboards; the snapshot keeps their file names and sizes (test/dashboards checks the contents). */
function summarized(manifests: any[]): any[] {
  return manifests.map((m) =>
    m.kind === 'ConfigMap' && m.metadata.name.startsWith('grafana-dashboards-')
      ? { ...m, data: Object.fromEntries(Object.entries(m.data as Record<string, string>).map(([k, v]) => [k, `<${JSON.parse(v).title}: ${v.length} bytes>`])) }
      : m,
  );
}

describe('grafana chart', () => {
  const { charts, stack } = synthStack();
  const grafana = charts.grafana;
  const deployment = find(grafana, 'Deployment', 'grafana');
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m]));
  const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));

  test('matches the snapshot', () => {
    expect(summarized(grafana)).toMatchSnapshot();
  });

  test('runs the pinned image, one replica, replaced not surged (one SQLite on a ReadWriteOnce volume)', () => {
    expect(c.image).toBe('docker.io/grafana/grafana:13.2.0');
    expect(deployment.metadata.namespace).toBe('monitoring');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('keeps its database on its own claim, writable by uid 472 through fsGroup', () => {
    const claim = find(grafana, 'PersistentVolumeClaim', 'grafana-data');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } });
    expect(volumes.data).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } });
    expect(mounts[GRAFANA_PATHS.data]).toEqual({ name: 'data', mountPath: '/var/lib/grafana' });
    expect(env.GF_PATHS_DATA).toBe('/var/lib/grafana');
    expect(pod.securityContext).toMatchObject({ runAsUser: GRAFANA_UID, runAsGroup: GRAFANA_UID, fsGroup: GRAFANA_UID, runAsNonRoot: true });
    const custom = synthStack(testConfig({ grafana: { storage: { size: '20Gi', storageClass: 'fast-ssd' } } })).charts.grafana;
    expect(find(custom, 'PersistentVolumeClaim', 'grafana-data').spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
  });

  test('reads the admin user and password from files of the existing Secret, never from values', () => {
    expect(env.GF_SECURITY_ADMIN_USER__FILE).toBe(`${GRAFANA_PATHS.secrets}/admin-user`);
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe(`${GRAFANA_PATHS.secrets}/admin-password`);
    expect(env.GF_SECURITY_ADMIN_USER).toBeUndefined();
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
    expect(c.envFrom).toBeUndefined();
    expect(mounts[GRAFANA_PATHS.secrets]).toEqual({ name: 'admin', mountPath: GRAFANA_PATHS.secrets, readOnly: true });
    expect(volumes.admin.secret).toEqual({
      secretName: 'grafana-admin',
      defaultMode: 0o400,
      items: [
        { key: 'admin-user', path: 'admin-user' },
        { key: 'admin-password', path: 'admin-password' },
      ],
    });
    const renamed = synthStack(testConfig({ grafana: { adminSecret: { name: 'ops-grafana', userKey: 'user', passwordKey: 'pass' } } })).charts.grafana;
    const v = find(renamed, 'Deployment', 'grafana').spec.template.spec.volumes.find((x: any) => x.name === 'admin');
    expect(v.secret.secretName).toBe('ops-grafana');
    expect(v.secret.items).toEqual([
      { key: 'user', path: 'admin-user' },
      { key: 'pass', path: 'admin-password' },
    ]);
    for (const cm of grafana.filter((m) => m.kind === 'ConfigMap')) expect(JSON.stringify(cm.data)).not.toMatch(/admin-password|GF_SECURITY/);
  });

  test('anonymous access and sign-up are off; nothing reaches out to the internet', () => {
    expect(env).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_USERS_ALLOW_SIGN_UP: 'false',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_SECURITY_DISABLE_GRAVATAR: 'true',
      GF_SNAPSHOTS_EXTERNAL_ENABLED: 'false',
      GF_NEWS_NEWS_FEED_ENABLED: 'false',
      GF_PLUGINS_PLUGIN_ADMIN_ENABLED: 'false',
      GF_PLUGINS_PUBLIC_KEY_RETRIEVAL_DISABLED: 'true',
      // The preinstaller would unload the bundled Prometheus/Loki plugins on the read-only root.
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
    });
    expect(env.GF_INSTALL_PLUGINS).toBeUndefined();
  });

  test('restricted and read-only: writable only its claim and a bounded /tmp', () => {
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    const writable = c.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath);
    expect(writable.sort()).toEqual([GRAFANA_PATHS.data, GRAFANA_PATHS.tmp].sort());
    expect(volumes.tmp.emptyDir.sizeLimit).toBe('256Mi');
    for (const m of c.volumeMounts) expect(m.subPath).toBeUndefined();
  });

  test('probes /api/health, with a startup budget for migrations', () => {
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) expect(p.httpGet).toMatchObject({ path: HEALTH_PATH, port: 'http' });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
  });

  test('a grafana Service on port 3000 selects the pod; the port-forward of the seed URL is the default root URL', () => {
    const svc = find(grafana, 'Service', 'grafana');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(env.GF_SERVER_ROOT_URL).toBe(`http://localhost:${LOCAL_PORT}/`);
    expect(env.GF_SERVER_HTTP_PORT).toBe('3000');
  });

  test('its own ServiceAccount, without an API token', () => {
    expect(pod.serviceAccountName).toBe('grafana');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(grafana, 'ServiceAccount', 'grafana').automountServiceAccountToken).toBe(false);
  });

  test('the network policy admits Prometheus only, and lets Grafana reach Prometheus, Loki, Alertmanager and DNS only', () => {
    const np = find(grafana, 'NetworkPolicy', 'grafana');
    expect(np.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'prometheus' } } }],
        ports: [{ port: 3000, protocol: 'TCP' }],
      },
    ]);
    const egress = np.spec.egress.map((e: any) => ({ to: e.to.map((t: any) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? t.podSelector?.matchLabels?.['k8s-app'] ?? t.ipBlock?.cidr), ports: e.ports.map((p: any) => p.port) }));
    expect(egress).toEqual([
      // DNS: the kube-dns pods and NodeLocal DNSCache's link-local address (network.dns).
      { to: ['kube-dns', '169.254.20.10/32'], ports: [53, 53] },
      { to: ['prometheus'], ports: [9090] },
      { to: ['loki'], ports: [3100] },
      { to: ['alertmanager'], ports: [9093] },
    ]);
    // Alertmanager's own policy admits Grafana on that port: both ends of the flow agree.
    const am = find(synthStack().charts.alertmanager, 'NetworkPolicy', 'alertmanager');
    expect(am.spec.ingress.some((i: any) => i.ports.some((p: any) => p.port === 9093) && i.from.some((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'grafana'))).toBe(true);
    for (const e of np.spec.egress.slice(1)) for (const t of e.to) expect(t.ipBlock).toBeUndefined();
  });

  test('an Ingress from config: host, TLS Secret and class; the controller namespace is admitted; cookies secure', () => {
    expect(grafana.filter((m) => m.kind === 'Ingress')).toEqual([]);
    const withIngress = synthStack(testConfig(ingressConfig)).charts.grafana;
    const ing = find(withIngress, 'Ingress', 'grafana');
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['grafana.love-parser.example'], secretName: 'grafana-tls' }],
      rules: [
        {
          host: 'grafana.love-parser.example',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { name: 'http' } } } }] },
        },
      ],
    });
    const e = Object.fromEntries(find(withIngress, 'Deployment', 'grafana').spec.template.spec.containers[0].env.map((x: any) => [x.name, x.value]));
    expect(e.GF_SERVER_ROOT_URL).toBe('https://grafana.love-parser.example/');
    expect(e.GF_SECURITY_COOKIE_SECURE).toBe('true');
    const np = find(withIngress, 'NetworkPolicy', 'grafana');
    expect(np.spec.ingress[1]).toEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 3000, protocol: 'TCP' }] });
    const traefik = synthStack(testConfig({ grafana: { ingress: { ...ingressConfig.grafana.ingress, controllerNamespace: 'traefik' } } })).charts.grafana;
    expect(find(traefik, 'NetworkPolicy', 'grafana').spec.ingress[1].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'traefik' });
  });

  test('an Ingress without a TLS Secret is a configuration error', () => {
    expect(() => testConfig({ grafana: { ingress: { host: 'grafana.love-parser.example' } } })).toThrow(ConfigError);
    expect(() => testConfig({ grafana: { ingress: { host: 'grafana.love-parser.example' } } })).toThrow(/grafana\.ingress\.tlsSecret/);
  });

  test('provisions love-prom (default), love-loki and love-alertmanager with exactly those uids, not editable', () => {
    const cm = find(grafana, 'ConfigMap', 'grafana-datasources');
    const file = YAML.parse(cm.data['datasources.yaml']);
    expect(file.apiVersion).toBe(1);
    expect(file.datasources).toHaveLength(3);
    const [p, l, a] = file.datasources;
    expect(a).toMatchObject({
      uid: ALERTMANAGER_DS.uid,
      type: 'alertmanager',
      name: DATASOURCE_NAMES.alertmanager,
      url: 'http://alertmanager.monitoring.svc:9093',
      editable: false,
      access: 'proxy',
      jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
    });
    expect(p.name).toBe(DATASOURCE_NAMES.prometheus);
    expect(p).toMatchObject({ uid: PROMETHEUS_DS.uid, type: 'prometheus', url: 'http://prometheus.monitoring.svc:9090', isDefault: true, editable: false, access: 'proxy' });
    expect(p.jsonData.timeInterval).toBe('15s');
    expect(l).toMatchObject({ uid: LOKI_DS.uid, type: 'loki', url: 'http://loki.monitoring.svc:3100', isDefault: false, editable: false, access: 'proxy' });
    expect(mounts[GRAFANA_PATHS.datasources]).toEqual({ name: 'datasources', mountPath: GRAFANA_PATHS.datasources, readOnly: true });
    expect(volumes.datasources).toEqual({ name: 'datasources', configMap: { name: 'grafana-datasources' } });
  });

  test('one provider per folder, read-only in the UI, each reading a directory fed by its ConfigMaps', () => {
    const providers = YAML.parse(find(grafana, 'ConfigMap', 'grafana-dashboard-providers').data['dashboards.yaml']).providers;
    expect(providers.map((p: any) => p.folder).sort()).toEqual([FOLDERS.app, FOLDERS.custom, FOLDERS.dataStores].sort());
    for (const p of providers) {
      expect(p).toMatchObject({ type: 'file', allowUiUpdates: false, disableDeletion: false, folderUid: p.name });
      const mount = mounts[p.options.path];
      expect(mount).toMatchObject({ readOnly: true });
      const volume = volumes[mount.name];
      const names = volume.projected.sources.map((s: any) => s.configMap.name);
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) {
        const cm = find(grafana, 'ConfigMap', n);
        for (const key of Object.keys(cm.data)) {
          const d = JSON.parse(cm.data[key]);
          expect(key).toBe(`${d.uid}.json`);
          expect(stack.grafana.provisioned.find((x) => x.model.uid === d.uid)?.folder).toBe(p.folder);
        }
      }
    }
    const files = grafana.filter((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('grafana-dashboards-')).flatMap((m) => Object.keys(m.data));
    expect(files.sort()).toEqual(stack.grafana.provisioned.map((d) => `${d.model.uid}.json`).sort());
  });

  test('the home dashboard is Backend Observability, by its file path', () => {
    expect(env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe('/etc/grafana/dashboards/love-parser/love-backend.json');
  });

  test('a provisioning change rolls the pod; a dashboard change does not need to (Grafana rescans the files)', () => {
    const checksum = (m: any[]) => find(m, 'Deployment', 'grafana').spec.template.metadata.annotations['checksum/provisioning'];
    const dashboardData = (m: any[]) => JSON.stringify(m.filter((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('grafana-dashboards-')).map((x) => x.data));
    expect(checksum(grafana)).toMatch(/^[0-9a-f]{64}$/);
    const scrape = synthStack(testConfig({ prometheus: { scrapeInterval: '30s', evaluationInterval: '30s' } })).charts.grafana;
    expect(checksum(scrape)).not.toBe(checksum(grafana));
    const threshold = synthStack(testConfig({ backend: { alerts: { errorRatio: 0.1 } } })).charts.grafana;
    expect(dashboardData(threshold)).not.toBe(dashboardData(grafana));
    expect(checksum(threshold)).toBe(checksum(grafana));
  });

  test('every dashboard ConfigMap stays within the budget that `kubectl apply` can annotate', () => {
    const cms = grafana.filter((m) => m.kind === 'ConfigMap');
    for (const cm of cms) {
      expect({ cm: cm.metadata.name, within: appliedBytes(cm.data) <= CONFIGMAP_BUDGET_BYTES }).toEqual({ cm: cm.metadata.name, within: true });
      // The whole object as last-applied-configuration, metadata included, under the annotation limit.
      expect(Buffer.byteLength(JSON.stringify(cm))).toBeLessThan(ANNOTATIONS_LIMIT_BYTES);
    }
  });

  test('Prometheus scrapes Grafana through its Service', () => {
    expect(stack.grafana.scrapeJobs).toEqual([{ job_name: 'grafana', static_configs: [{ targets: ['grafana.monitoring.svc:3000'], labels: { service: 'grafana' } }] }]);
    const jobs = YAML.parse(stack.prometheus.configYaml).scrape_configs.map((j: any) => j.job_name);
    expect(jobs).toContain('grafana');
  });
});

describe('dashboard ConfigMap packing', () => {
  const big = (uid: string, folder: string, kib: number): Dashboard => ({
    folder,
    model: { uid, title: uid, tags: [], schemaVersion: 42, padding: 'x'.repeat(kib * 1024) },
  });

  test('a folder larger than one ConfigMap spills into more, each under the budget, every dashboard once', () => {
    const dashboards = Array.from({ length: 9 }, (_, i) => big(`d${i}`, 'Big', 60));
    const { folders, issues } = packFolders(dashboards, 'grafana-dashboards');
    expect(issues).toEqual([]);
    expect(folders).toHaveLength(1);
    const cms = folders[0].configMaps;
    expect(cms.map((c) => c.name)).toEqual(['grafana-dashboards-big-1', 'grafana-dashboards-big-2', 'grafana-dashboards-big-3']);
    for (const c of cms) expect(appliedBytes(c.data)).toBeLessThanOrEqual(CONFIGMAP_BUDGET_BYTES);
    expect(cms.flatMap((c) => Object.keys(c.data)).sort()).toEqual(dashboards.map((d) => `${d.model.uid}.json`).sort());
  });

  test('a single dashboard over the budget is reported with the fix', () => {
    const { issues } = packFolders([big('huge', 'Big', 300)], 'grafana-dashboards');
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toContain("'huge'");
    expect(issues[0].message).toMatch(/KiB/);
    expect(issues[0].fix).toMatch(/split/);
  });

  test('folders whose names give the same uid are reported', () => {
    const { issues } = packFolders([big('a', 'Data stores', 1), big('b', 'data-stores', 1)], 'grafana-dashboards');
    expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(/same uid 'data-stores'/)]);
  });
});

describe('alerts in Grafana', () => {
  const { stack } = synthStack();
  const panels = (uid: string) => {
    const d = stack.grafana.provisioned.find((x) => x.model.uid === uid)!;
    const walk = (ps: any[]): any[] => ps.flatMap((p) => [p, ...walk(p.panels ?? [])]);
    return walk((d.model as any).panels);
  };

  test("the backend dashboard lists the backend's firing alerts and every alert of the stack, read from love-prom's rules by its name", () => {
    const lists = panels('love-backend').filter((p) => p.type === 'alertlist');
    expect(lists.map((p) => [p.title, p.options.alertInstanceLabelFilter])).toEqual([
      ['Backend alerts', '{service="backend"}'],
      ['Every alert of the stack', ''],
    ]);
    const provisioned = YAML.parse(find(synthStack().charts.grafana, 'ConfigMap', 'grafana-datasources').data['datasources.yaml']).datasources;
    for (const l of lists) {
      expect(l.options.stateFilter).toMatchObject({ firing: true, pending: true, normal: false });
      // The panel picks its alert source by name: it must be the provisioned Prometheus.
      expect(provisioned.find((d: any) => d.name === l.options.datasource)?.uid).toBe(PROMETHEUS_DS.uid);
    }
  });

  test('the backend filter matches the service label of every backend alert', () => {
    const services = stack.backend.ruleGroups.flatMap((g) => g.rules).filter((r: any) => r.alert).map((r: any) => r.labels.service);
    expect(services.length).toBeGreaterThan(3);
    expect(new Set(services)).toEqual(new Set(['backend']));
  });
});
