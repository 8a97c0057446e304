/**
 * The data source provisioning of Grafana: `love-prom` and `love-loki` (uids fixed in
 * `charts/lib/datasources.ts`) pointing at the stack's Prometheus and Loki.
 */
import { ServiceEndpoint } from '../lib/endpoints';
import { LOKI_DS, PROMETHEUS_DS } from '../lib/datasources';

/**
 * The data source provisioning file (`provisioning/datasources/*.yaml`). Grafana reads it at start
 * only, which is why the pod template carries its checksum.
 */
export function datasourcesFile(scrapeInterval: string, endpoints: { readonly prometheus: ServiceEndpoint; readonly loki: ServiceEndpoint }): Record<string, unknown> {
  return {
    apiVersion: 1,
    // Data sources provisioned earlier but gone from this file are deleted, so the file stays the truth.
    prune: true,
    datasources: [
      {
        name: 'Prometheus',
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
          prometheusType: 'Prometheus',
        },
      },
      {
        name: 'Loki',
        uid: LOKI_DS.uid,
        type: LOKI_DS.type,
        access: 'proxy',
        url: endpoints.loki.url,
        isDefault: false,
        editable: false,
        jsonData: { maxLines: 1000 },
      },
    ],
  };
}
