/**
 * Builds the whole stack from a validated config: config -> components -> collectors.
 *
 * Components are created first; the collectors (Prometheus gathers scrape jobs and rule groups,
 * Grafana gathers dashboards) are created last and read what the components contribute.
 */
import { App } from 'cdk8s';
import { AlertmanagerChart } from './alertmanager/alertmanager';
import { ArgoApplicationChart } from './argocd/application';
import { BackendChart } from './backend/backend';
import { ClusterChart } from './cluster/cluster';
import { StackConfig } from './config';
import { BACKEND_DASHBOARD_UIDS } from './backend/dashboards';
import { loadCustomDashboards } from './grafana/custom';
import { GrafanaChart } from './grafana/grafana';
import { stackEndpoints } from './lib/endpoints';
import { LogShipperChart } from './log-shipper/log-shipper';
import { LogShipperRbacChart } from './log-shipper/rbac';
import { LokiChart } from './loki/loki';
import { NodeExporterChart } from './node-exporter/node-exporter';
import { PostgresExporterChart } from './postgres-exporter/postgres-exporter';
import { PrometheusChart } from './prometheus/prometheus';
import { RedisExporterChart } from './redis-exporter/redis-exporter';

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
  readonly grafana: GrafanaChart;
  readonly prometheus: PrometheusChart;
}

/** Adds every chart of the stack to `app` (which synthesizes dist/). */
export function buildStack(app: App, config: StackConfig): Stack {
  const endpoints = stackEndpoints(config);
  const common = { config, endpoints };
  const cluster = new ClusterChart(app, 'cluster', { config });
  const backend = new BackendChart(app, 'backend', { ...common, dependsOn: [cluster] });
  const alertmanager = new AlertmanagerChart(app, 'alertmanager', { ...common, dependsOn: [cluster] });
  const postgresExporter = new PostgresExporterChart(app, 'postgres-exporter', { ...common, dependsOn: [cluster] });
  const redisExporter = new RedisExporterChart(app, 'redis-exporter', { ...common, dependsOn: [cluster] });
  const nodeExporter = new NodeExporterChart(app, 'node-exporter', { ...common, dependsOn: [cluster] });
  const loki = new LokiChart(app, 'loki', { ...common, dependsOn: [cluster] });
  const logShipperRbac = new LogShipperRbacChart(app, 'log-shipper-rbac', { ...common, dependsOn: [cluster] });
  const logShipper = new LogShipperChart(app, 'log-shipper', { ...common, dependsOn: [cluster, logShipperRbac] });
  // A collector of dashboards: after the components that contribute them, before Prometheus (which scrapes it).
  const grafana = new GrafanaChart(app, 'grafana', {
    ...common,
    dependsOn: [cluster],
    sources: [backend, alertmanager, postgresExporter, redisExporter, nodeExporter, loki, logShipper],
    customDashboards: loadCustomDashboards(),
    homeDashboard: BACKEND_DASHBOARD_UIDS.observability,
  });
  // A collector: created after every component it scrapes, and reading what they contribute.
  const prometheus = new PrometheusChart(app, 'prometheus', {
    ...common,
    dependsOn: [cluster],
    sources: [backend, alertmanager, postgresExporter, redisExporter, nodeExporter, loki, logShipper, grafana],
  });
  return { cluster, backend, alertmanager, postgresExporter, redisExporter, nodeExporter, loki, logShipperRbac, logShipper, grafana, prometheus };
}

/** Adds the Argo CD Application to `app` (which synthesizes argocd/, outside the synced path). */
export function buildGitOps(app: App, config: StackConfig, id: string): ArgoApplicationChart {
  return new ArgoApplicationChart(app, id, { config });
}
