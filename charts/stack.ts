/**
 * Builds the whole stack from a validated config: config -> components -> collectors.
 *
 * Each component gets its own slice of the config and the shared pieces (`Shared`: names,
 * namespaces, endpoints, rule context). Components are created first; the collectors (Grafana
 * gathers dashboards, Prometheus gathers scrape jobs and rule groups) are created last and read
 * what the components contribute through `MonitoringSource`.
 */
import { App, Chart } from 'cdk8s';
import { AlertmanagerChart } from './alertmanager/alertmanager';
import { ArgoApplicationChart, ManifestRef } from './argocd/application';
import { BackendChart } from './backend/backend';
import { BlackboxExporterChart } from './blackbox-exporter/blackbox-exporter';
import { BACKEND_DASHBOARD_UIDS } from './backend/dashboards';
import { ClusterChart } from './cluster/cluster';
import { StackConfig, runbookDocUrl } from './config';
import { stackEndpoints } from './contracts/endpoints';
import { Shared } from './contracts/shared';
import { DNS_CONTEXT } from './lib/network';
import { RuleGroup } from './lib/monitoring';
import { ConfigError, ConfigIssue, show } from './lib/schema';
import { CustomDashboard } from './grafana/custom';
import { GrafanaChart } from './grafana/grafana';
import { KubeStateMetricsChart } from './kube-state-metrics/kube-state-metrics';
import { KubeletChart } from './kubelet/kubelet';
import { LogShipperChart } from './log-shipper/log-shipper';
import { LogShipperRbacChart } from './log-shipper/rbac';
import { LokiChart } from './loki/loki';
import { NodeExporterChart } from './node-exporter/node-exporter';
import { PostgresExporterChart } from './postgres-exporter/postgres-exporter';
import { PrometheusChart } from './prometheus/prometheus';
import { RedisExporterChart } from './redis-exporter/redis-exporter';
import { ThanosChart } from './thanos/thanos';

export interface Stack {
  readonly cluster: ClusterChart;
  readonly backend: BackendChart;
  readonly alertmanager: AlertmanagerChart;
  readonly postgresExporter: PostgresExporterChart;
  readonly redisExporter: RedisExporterChart;
  readonly nodeExporter: NodeExporterChart;
  readonly loki: LokiChart;
  readonly logShipperRbac: LogShipperRbacChart;
  readonly logShipper: LogShipperChart;
  readonly kubeStateMetrics: KubeStateMetricsChart;
  readonly kubelet: KubeletChart;
  readonly blackboxExporter: BlackboxExporterChart;
  /** Only when `thanos.enabled`: an environment without it keeps its files (and their numbering) in dist/. */
  readonly thanos?: ThanosChart;
  readonly grafana: GrafanaChart;
  readonly prometheus: PrometheusChart;
}

/**
 * `rules.alertFor` names alerts that exist, each once. Checked against the built rules (the names
 * exist only once every component has made its alerts); reported with the config's problems.
 */
export function alertForChecks(config: StackConfig, groups: readonly RuleGroup[]): ConfigIssue[] {
  const names = new Set(groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r.alert] : []))));
  const seen = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  config.rules.alertFor.forEach((a, i) => {
    const at = `rules.alertFor[${i}].alert`;
    if (!names.has(a.alert)) {
      const near = [...names].filter((n) => n.toLowerCase().includes(a.alert.toLowerCase().slice(0, 6))).sort().slice(0, 5);
      issues.push({ path: at, message: `is ${show(a.alert)}, an alert this stack does not have`, fix: `use a name of RUNBOOK.md's alerts${near.length ? `, such as ${near.join(', ')}` : ''}` });
    } else if (seen.has(a.alert)) {
      issues.push({ path: at, message: `is ${show(a.alert)}, already set by rules.alertFor[${seen.get(a.alert)}]`, fix: 'list each alert once' });
    } else {
      seen.set(a.alert, i);
    }
  });
  return issues;
}

/** What every component receives besides its own settings, computed once from the config. */
export function sharedOf(config: StackConfig): Shared {
  const runbook = runbookDocUrl(config);
  // crossChecks refuses a config without a derivable runbook URL, so this cannot happen after parseConfig.
  if (runbook === undefined) throw new Error('no runbook URL: the configuration was not validated by parseConfig');
  return {
    environment: config.environment,
    cluster: config.cluster,
    namespaces: config.namespaces,
    network: config.network,
    priorityClasses: config.priorityClasses,
    endpoints: stackEndpoints(config.namespaces),
    rules: {
      rateWindow: config.rules.rateWindow,
      runbookDocUrl: runbook,
      alertFor: new Map(config.rules.alertFor.map((a) => [a.alert, a.for])),
      evaluationInterval: config.prometheus.evaluationInterval,
    },
    scrapeInterval: config.prometheus.scrapeInterval,
  };
}

/**
 * Adds every chart of the stack to `app` (which synthesizes dist/). `customDashboards` are the
 * already validated files of dashboards/custom/ (read by charts/synth.ts, never here).
 */
export function buildStack(app: App, config: StackConfig, customDashboards: readonly CustomDashboard[] = []): Stack {
  const shared = sharedOf(config);
  // One DNS egress for every NetworkPolicy of the stack (charts/lib/network.ts, allowOnly).
  app.node.setContext(DNS_CONTEXT, config.network.dns);
  const cluster = new ClusterChart(app, 'cluster', { namespaces: config.namespaces, priorityClasses: config.priorityClasses });
  const dependsOn = [cluster];
  const backend = new BackendChart(app, 'backend', {
    settings: config.backend,
    shared,
    dependsOn,
    nodeMemoryAvailableRatio: config.nodeExporter.alerts.memoryAvailableRatio,
  });
  const alertmanager = new AlertmanagerChart(app, 'alertmanager', { settings: config.alertmanager, shared, dependsOn });
  const postgresExporter = new PostgresExporterChart(app, 'postgres-exporter', {
    settings: config.postgresExporter,
    shared,
    dependsOn,
    backendDbPoolRatio: config.backend.alerts.dbPoolRatio,
  });
  const redisExporter = new RedisExporterChart(app, 'redis-exporter', { settings: config.redisExporter, shared, dependsOn });
  const nodeExporter = new NodeExporterChart(app, 'node-exporter', { settings: config.nodeExporter, shared, dependsOn });
  const loki = new LokiChart(app, 'loki', { settings: config.loki, shared, dependsOn });
  const logShipperRbac = new LogShipperRbacChart(app, 'log-shipper-rbac', { settings: undefined, shared, dependsOn });
  const logShipper = new LogShipperChart(app, 'log-shipper', {
    settings: config.logs,
    shared,
    dependsOn: [cluster, logShipperRbac],
    backendLogFiles: config.backend.logFiles.enabled,
    lokiRequestErrorRatio: config.loki.alerts.requestErrorRatio,
    loki: loki.api,
  });
  const kubeStateMetrics = new KubeStateMetricsChart(app, 'kube-state-metrics', {
    settings: config.kubeStateMetrics,
    shared,
    dependsOn,
    memoryLimitRatio: config.kubelet.alerts.memoryLimitRatio,
    cpuThrottlingRatio: config.kubelet.alerts.cpuThrottlingRatio,
    certificateWarningDays: config.blackboxExporter.alerts.certificateWarningDays,
  });
  // Cluster-scoped (its ClusterRole): a chart without a namespace, synced early like the cluster chart.
  const kubelet = new KubeletChart(app, 'kubelet', { settings: config.kubelet, shared, dependsOn });
  const blackboxExporter = new BlackboxExporterChart(app, 'blackbox-exporter', { settings: config.blackboxExporter, shared, dependsOn });
  // Long-term metrics, only when on: its sidecar goes into Prometheus's pods, and Grafana's
  // love-prom reads its Query.
  const thanos = config.thanos.enabled
    ? new ThanosChart(app, 'thanos', { settings: config.thanos, shared, dependsOn, prometheusReplicas: config.prometheus.replicas })
    : undefined;
  const components = [backend, alertmanager, postgresExporter, redisExporter, nodeExporter, loki, logShipper, kubeStateMetrics, kubelet, blackboxExporter, ...(thanos ? [thanos] : [])];
  // A collector of dashboards: after the components that contribute them, before Prometheus (which scrapes it).
  const grafana = new GrafanaChart(app, 'grafana', {
    settings: config.grafana,
    shared,
    dependsOn,
    sources: components,
    customDashboards,
    homeDashboard: BACKEND_DASHBOARD_UIDS.observability,
    ...(thanos?.queryEndpoint ? { metrics: { endpoint: thanos.queryEndpoint, type: 'Thanos' as const } } : {}),
    logs: loki.api.query,
  });
  // A collector: created after every component it scrapes, and reading what they contribute.
  const prometheus = new PrometheusChart(app, 'prometheus', {
    settings: config.prometheus,
    shared,
    dependsOn,
    sources: [...components, grafana],
    ...(thanos?.sidecar ? { sidecar: thanos.sidecar } : {}),
  });
  const alertForIssues = alertForChecks(config, prometheus.evaluatedRuleGroups);
  if (alertForIssues.length > 0) throw new ConfigError(alertForIssues);
  return {
    cluster,
    backend,
    alertmanager,
    postgresExporter,
    redisExporter,
    nodeExporter,
    loki,
    logShipperRbac,
    logShipper,
    kubeStateMetrics,
    kubelet,
    blackboxExporter,
    // Left out when off, not `undefined`: readers iterate the charts of the stack.
    ...(thanos ? { thanos } : {}),
    grafana,
    prometheus,
  };
}

/**
 * Adds the Argo CD Application and its AppProject to `app` (which synthesizes argocd/, outside the
 * synced path). `manifests`: every object of the environment, which the project allows and no more.
 */
export function buildGitOps(app: App, config: StackConfig, id: string, manifests: readonly ManifestRef[]): ArgoApplicationChart {
  return new ArgoApplicationChart(app, id, { settings: config.argocd, environment: config.environment, manifests });
}

/** Every object of the charts of `app`. */
export function manifestsOf(app: App): ManifestRef[] {
  return app.node.children.filter((c): c is Chart => c instanceof Chart).flatMap((c) => c.toJson());
}
