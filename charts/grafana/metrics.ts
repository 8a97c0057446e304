/**
 * Grafana 13.2's own metric that its alerts (./alerts.ts) read. Grafana cannot run here (AGPL, not
 * built by this project): the name, type and labels come from its source at the pinned release
 * (pkg/infra/httpclient/httpclientprovider), listed in ground-truth/upstream-metrics.tsv; a test
 * holds this definition to that list.
 */
import { MetricDef } from '../lib/metric';

export const GRAFANA_METRICS = {
  datasourceRequests: {
    name: 'grafana_datasource_request_total',
    type: 'counter',
    help: 'Requests Grafana sent to a data source (love-prom, love-loki), by HTTP status code; a request that got no answer is not counted.',
    labels: ['datasource', 'datasource_type', 'code', 'method', 'secure_socks_ds_proxy_enabled'],
    source: 'grafana (pkg/infra/httpclient/httpclientprovider/datasource_metrics_middleware.go)',
  },
} as const satisfies Record<string, MetricDef>;
