/**
 * Grafana: one replica on its own volume, provisioned data sources (love-prom, love-loki,
 * love-alertmanager) and every
 * dashboard the components contribute plus the custom ones, a `grafana` Service, an optional
 * Ingress, and a network policy that lets it talk to Prometheus, Loki, Alertmanager and DNS only.
 *
 * Why one replica with `Recreate`: Grafana keeps users, preferences and annotations in SQLite on a
 * ReadWriteOnce volume; two pods would fight over one file. A Deployment rather than a StatefulSet:
 * a StatefulSet whose new pod never becomes ready stays stuck on it until someone deletes the pod,
 * while a Deployment rolls forward to a fixed revision on its own.
 *
 * Why no internet: dashboards and data sources are code, so nothing is installed at run time.
 * Update checks, usage reporting, gravatar, the news feed, external snapshots and the plugin catalog
 * are off. Plugin preinstalling is off too: since 13.x the Prometheus and Loki data sources are
 * bundled plugins under the read-only image directory, and the background preinstaller that
 * "updates" them unloads the running plugin before failing on the read-only filesystem, which
 * leaves the data source unregistered (grafana/grafana#132528). Without it the image's versions load.
 *
 * Reloading: data sources are read at start only, so the pod template carries a checksum of the
 * provisioning files and a change rolls the pod. Dashboards are rescanned every 30s from their
 * directory mounts, so a dashboard change reaches Grafana without a restart.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ComponentChart, KEEP_ON_DELETE } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { Flow, allowOnly } from '../lib/network';
import { configMapVolume, container, httpProbe, podSpec, restrictedPod, scratchVolume, secretVolume, startupProbe } from '../lib/pod';
import { ConfigError, ConfigIssue } from '../lib/schema';
import { claimSpec } from '../lib/storage';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { IMAGES, imageOf } from '../versions';
import { CustomDashboard } from './custom';
import { datasourcesFile } from './datasources';
import { FolderFiles, dashboardFile, packFolders, providersFile } from './provisioning';
import { validateDashboardModel, validateDashboardSet } from './validate';
import { GrafanaProps } from './settings';
import { alertRules } from './alerts';

/** uid and gid of `grafana` in the official image; its volume must be group-writable for it (fsGroup). */
export const GRAFANA_UID = 472;

/** Where the pod finds its files. */
export const GRAFANA_PATHS = {
  data: '/var/lib/grafana',
  provisioning: '/etc/grafana/provisioning',
  datasources: '/etc/grafana/provisioning/datasources',
  dashboardProviders: '/etc/grafana/provisioning/dashboards',
  secrets: '/etc/grafana/secrets',
  tmp: '/tmp',
} as const;

/** File names of the admin credentials in the secrets mount. */
const ADMIN_FILES = { user: 'admin-user', password: 'admin-password' } as const;

/** Grafana's health endpoint: 200 once the HTTP server runs and the database answers. */
export const HEALTH_PATH = '/api/health';

/** Local port of the documented `kubectl port-forward` (the original stack's http://localhost:3001). */
export const LOCAL_PORT = 3001;

export interface GrafanaChartProps extends GrafanaProps {
  /** Components whose dashboards are provisioned. */
  readonly sources: readonly MonitoringSource[];
  /** Dashboards exported from the UI, already resolved (charts/grafana/custom.ts). @default [] */
  readonly customDashboards?: readonly CustomDashboard[];
  /** uid of the dashboard shown after login. @default Grafana's home page */
  readonly homeDashboard?: string;
  /**
   * What `love-prom` reads: Thanos Query when long-term storage is on (same uid, so no dashboard
   * changes), with its flavour for Grafana's query editor. @default the stack's Prometheus
   */
  readonly metrics?: { readonly endpoint: ServiceEndpoint; readonly type: 'Prometheus' | 'Thanos' };
  /** What `love-loki` reads: Loki's read Service in simple-scalable mode. @default the `loki` Service */
  readonly logs?: ServiceEndpoint;
}

export class GrafanaChart extends ComponentChart implements MonitoringSource {
  readonly endpoint: ServiceEndpoint;
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  /** Grafana gathers dashboards; it contributes none of its own. */
  readonly dashboards: readonly Dashboard[] = [];
  /** Every dashboard provisioned, generated and custom. */
  readonly provisioned: readonly Dashboard[];
  /** The folders, their directories and ConfigMaps. */
  readonly folders: readonly FolderFiles[];
  /** The data source provisioning file as written into its ConfigMap. */
  readonly datasourcesYaml: string;
  /** The dashboard provider file as written into its ConfigMap. */
  readonly providersYaml: string;

  constructor(scope: Construct, id: string, props: GrafanaChartProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.grafana;
    super(scope, id, endpoint.namespace, props.dependsOn);
    this.endpoint = endpoint;

    const generated = props.sources.flatMap((s) => s.dashboards ?? []);
    const custom = props.customDashboards ?? [];
    this.provisioned = [...generated, ...custom];
    const packed = packFolders(this.provisioned, `${endpoint.name}-dashboards`);
    const issues: ConfigIssue[] = [
      ...generated.flatMap((d) => validateDashboardModel(d.model, `dashboard '${d.model.uid}' (generated)`)),
      ...validateDashboardSet([
        ...generated.map((d) => ({ dashboard: d, where: `dashboard '${d.model.uid}' (generated)` })),
        ...custom.map((d) => ({ dashboard: d, where: d.source })),
      ]),
      ...packed.issues,
    ];
    const home = props.homeDashboard !== undefined ? this.provisioned.find((d) => d.model.uid === props.homeDashboard) : undefined;
    if (props.homeDashboard !== undefined && home === undefined) {
      issues.push({ path: 'grafana home dashboard', message: `uid '${props.homeDashboard}' is no provisioned dashboard`, fix: 'pass the uid of a dashboard a component contributes' });
    }
    if (issues.length > 0) throw new ConfigError(issues);
    this.folders = packed.folders;

    const labels = componentLabels({ name: endpoint.name, component: 'dashboards', version: IMAGES.grafana.tag });
    const selector = endpoint.podLabels;
    const datasourcesName = `${endpoint.name}-datasources`;
    const providersName = `${endpoint.name}-dashboard-providers`;
    const claimName = `${endpoint.name}-data`;
    const metrics = props.metrics ?? { endpoint: props.shared.endpoints.prometheus, type: 'Prometheus' as const };
    const logs = props.logs ?? props.shared.endpoints.loki;
    this.datasourcesYaml = YAML.stringify(datasourcesFile(props.shared.scrapeInterval, { ...props.shared.endpoints, prometheus: metrics.endpoint, loki: logs }, metrics.type), { lineWidth: 0 });
    this.providersYaml = YAML.stringify(providersFile(this.folders), { lineWidth: 0 });

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeConfigMap(this, 'datasources', { metadata: { name: datasourcesName, labels }, data: { 'datasources.yaml': this.datasourcesYaml } });
    new k8s.KubeConfigMap(this, 'dashboard-providers', { metadata: { name: providersName, labels }, data: { 'dashboards.yaml': this.providersYaml } });
    for (const f of this.folders) {
      for (const cm of f.configMaps) {
        new k8s.KubeConfigMap(this, cm.name, {
          metadata: { name: cm.name, labels, annotations: { 'grafana.love-parser.io/folder': f.folder } },
          data: cm.data,
        });
      }
    }

    new k8s.KubePersistentVolumeClaim(this, 'data', {
      // Grafana's users, preferences and annotations: never pruned nor deleted by Argo CD.
      metadata: { name: claimName, labels, annotations: { ...KEEP_ON_DELETE } },
      spec: claimSpec(c.storage),
    });

    const checksum = configChecksum(this.datasourcesYaml, this.providersYaml);
    const rootUrl = c.ingress ? `https://${c.ingress.host}/` : `http://localhost:${LOCAL_PORT}/`;
    const env: Record<string, string> = {
      // Credentials from files of the admin Secret: no value in the pod spec or a ConfigMap.
      GF_SECURITY_ADMIN_USER__FILE: `${GRAFANA_PATHS.secrets}/${ADMIN_FILES.user}`,
      GF_SECURITY_ADMIN_PASSWORD__FILE: `${GRAFANA_PATHS.secrets}/${ADMIN_FILES.password}`,
      GF_SERVER_HTTP_PORT: String(endpoint.port),
      // Links and redirects point where users reach Grafana: the Ingress host, or the port-forward.
      GF_SERVER_ROOT_URL: rootUrl,
      GF_PATHS_DATA: GRAFANA_PATHS.data,
      GF_PATHS_PROVISIONING: GRAFANA_PATHS.provisioning,
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_USERS_ALLOW_SIGN_UP: 'false',
      GF_LOG_MODE: 'console',
      GF_LOG_CONSOLE_FORMAT: 'json',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_ANALYTICS_FEEDBACK_LINKS_ENABLED: 'false',
      GF_SECURITY_DISABLE_GRAVATAR: 'true',
      GF_SNAPSHOTS_EXTERNAL_ENABLED: 'false',
      GF_NEWS_NEWS_FEED_ENABLED: 'false',
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
      GF_PLUGINS_PLUGIN_ADMIN_ENABLED: 'false',
      GF_PLUGINS_PUBLIC_KEY_RETRIEVAL_DISABLED: 'true',
      // Served over TLS by the Ingress: the session cookie never travels in clear.
      ...(c.ingress ? { GF_SECURITY_COOKIE_SECURE: 'true' } : {}),
      ...(home ? { GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${this.folders.find((f) => f.folder === home.folder)?.path}/${dashboardFile(home)}` } : {}),
    };

    const dashboardVolumes: k8s.Volume[] = this.folders.map((f) => ({
      name: `dashboards-${f.slug}`,
      // One directory per folder, fed by every ConfigMap of the folder; no subPath, so updates arrive.
      projected: { sources: f.configMaps.map((cm) => ({ configMap: { name: cm.name } })) },
    }));

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: endpoint.name, labels },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        // One SQLite database on a ReadWriteOnce volume: the old pod goes before the new one starts.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels, annotations: { 'checksum/provisioning': checksum } },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            // fsGroup makes the volume writable and the 0400 Secret files readable by grafana (uid 472):
            // without it Grafana crash-loops with "GF_PATHS_DATA is not writable".
            securityContext: restrictedPod(GRAFANA_UID, { fsGroup: GRAFANA_UID }),
            containers: [
              container({
                name: 'grafana',
                image: imageOf('grafana'),
                ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                // A slow SQLite on a busy disk may miss one check; six in a row (a minute) is a hung server.
                livenessProbe: httpProbe(HEALTH_PATH, endpoint.portName, { periodSeconds: 10, failureThreshold: 6 }),
                readinessProbe: httpProbe(HEALTH_PATH, endpoint.portName, { periodSeconds: 10, failureThreshold: 3 }),
                startupProbe: startupProbe(HEALTH_PATH, endpoint.portName, c.startupSeconds),
                resources: c.resources,
                volumeMounts: [
                  { name: 'data', mountPath: GRAFANA_PATHS.data },
                  { name: 'datasources', mountPath: GRAFANA_PATHS.datasources, readOnly: true },
                  { name: 'dashboard-providers', mountPath: GRAFANA_PATHS.dashboardProviders, readOnly: true },
                  ...this.folders.map((f) => ({ name: `dashboards-${f.slug}`, mountPath: f.path, readOnly: true })),
                  { name: 'admin', mountPath: GRAFANA_PATHS.secrets, readOnly: true },
                  { name: 'tmp', mountPath: GRAFANA_PATHS.tmp },
                ],
              }),
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName } },
              configMapVolume('datasources', datasourcesName),
              configMapVolume('dashboard-providers', providersName),
              ...dashboardVolumes,
              secretVolume('admin', c.adminSecret.name, [
                { key: c.adminSecret.userKey, path: ADMIN_FILES.user },
                { key: c.adminSecret.passwordKey, path: ADMIN_FILES.password },
              ]),
              // Rendering and CSV exports write temporary files; the root filesystem is read-only.
              scratchVolume('tmp', '256Mi'),
            ],
          }),
        },
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    if (c.ingress) {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: { name: endpoint.name, labels },
        spec: {
          ...(c.ingress.className ? { ingressClassName: c.ingress.className } : {}),
          tls: [{ hosts: [c.ingress.host], secretName: c.ingress.tlsSecret }],
          rules: [
            {
              host: c.ingress.host,
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: endpoint.name, port: { name: endpoint.portName } } } }] },
            },
          ],
        },
      });
    }

    // Who reaches Grafana: Prometheus (it scrapes /metrics) and, with an Ingress, the controller's
    // pods. `kubectl port-forward` needs no rule: it connects inside the pod's network namespace,
    // which no NetworkPolicy filters.
    const ingress: Flow[] = [
      { peers: [{ endpoint: props.shared.endpoints.prometheus }], ports: [{ port: endpoint.port }] },
      ...(c.ingress ? [{ peers: [{ namespace: c.ingress.controllerNamespace }], ports: [{ port: endpoint.port }] }] : []),
    ];
    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      ingress,
      // Its three data sources (love-prom: Prometheus, or Thanos Query) and DNS; nothing on the internet. Alertmanager's policy admits Grafana.
      egress: [
        { peers: [{ endpoint: metrics.endpoint }], ports: [{ port: metrics.endpoint.port }] },
        { peers: [{ endpoint: logs }], ports: [{ port: logs.port }] },
        { peers: [{ endpoint: props.shared.endpoints.alertmanager }], ports: [{ port: props.shared.endpoints.alertmanager.port }] },
      ],
    });

    this.scrapeJobs = [
      {
        job_name: endpoint.name,
        static_configs: [{ targets: [endpoint.address], labels: { service: endpoint.name } }],
      },
    ];
    this.ruleGroups = alertRules(props);
  }
}
