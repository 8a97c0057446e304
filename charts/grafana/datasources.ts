/**
 * The data source provisioning of Grafana: `love-prom`, `love-loki` and `love-alertmanager` (uids
 * fixed in `charts/lib/datasources.ts`) pointing at the stack's Prometheus, Loki and Alertmanager.
 */
import { ServiceEndpoint } from '../lib/endpoints';
import { ALERTMANAGER_DS, DATASOURCE_NAMES, LOKI_DS, PROMETHEUS_DS } from '../lib/datasources';

/**
 * The data source provisioning file (`provisioning/datasources/*.yaml`). Grafana reads it at start
 * only, which is why the pod template carries its checksum.
 */
export function datasourcesFile(
  scrapeInterval: string,
  endpoints: { readonly prometheus: ServiceEndpoint; readonly loki: ServiceEndpoint; readonly alertmanager: ServiceEndpoint },
  /** `Thanos` when `endpoints.prometheus` is Thanos Query (Grafana then offers its dedup and downsampling options). */
  prometheusType: 'Prometheus' | 'Thanos' = 'Prometheus',
): Record<string, unknown> {
  return {
    apiVersion: 1,
    // Data sources provisioned earlier but gone from this file are deleted, so the file stays the truth.
    prune: true,
    datasources: [
      {
        name: DATASOURCE_NAMES.prometheus,
        uid: PROMETHEUS_DS.uid,
        type: PROMETHEUS_DS.type,
        access: 'proxy',
        url: endpoints.prometheus.url,
        isDefault: true,
        editable: false,
        jsonData: {
          // $__rate_interval is computed from this: at least four scrapes per rate window.
          timeInterval: scrapeInterval,
          httpMethod: 'POST',
          prometheusType,
        },
      },
      {
        name: DATASOURCE_NAMES.loki,
        uid: LOKI_DS.uid,
        type: LOKI_DS.type,
        access: 'proxy',
        url: endpoints.loki.url,
        isDefault: false,
        editable: false,
        jsonData: { maxLines: 1000 },
      },
      {
        name: DATASOURCE_NAMES.alertmanager,
        uid: ALERTMANAGER_DS.uid,
        type: ALERTMANAGER_DS.type,
        access: 'proxy',
        url: endpoints.alertmanager.url,
        isDefault: false,
        editable: false,
        jsonData: {
          // Prometheus's Alertmanager (not Mimir's or Cortex's): Grafana speaks its v2 API.
          implementation: 'prometheus',
          // Grafana's own alert rules stay with Grafana's Alertmanager: the stack's alerts are Prometheus rules.
          handleGrafanaManagedAlerts: false,
        },
      },
    ],
  };
}
