/**
 * The two data sources every dashboard reads, by uid. The uids are a contract: the original stack's
 * dashboards (and any dashboard exported from it) reference `love-prom` and `love-loki`, so they are
 * fixed here and provisioned with exactly these values, not editable in the UI.
 */
import { StackConfig } from '../config';
import { StackEndpoints } from '../lib/endpoints';

/** A reference to a data source as Grafana's dashboard JSON writes it. */
export interface DataSourceRef {
  readonly type: string;
  readonly uid: string;
}

export const PROMETHEUS_DS = { type: 'prometheus', uid: 'love-prom' } as const satisfies DataSourceRef;
export const LOKI_DS = { type: 'loki', uid: 'love-loki' } as const satisfies DataSourceRef;

/** The provisioned data sources, by the plugin an exported dashboard's `__inputs` names. */
export const PROVISIONED_DATASOURCES: Readonly<Record<string, DataSourceRef>> = {
  [PROMETHEUS_DS.type]: PROMETHEUS_DS,
  [LOKI_DS.type]: LOKI_DS,
};

/**
 * Data source uids Grafana itself resolves without provisioning: the built-in annotation source
 * (`-- Grafana --`, also written as `grafana`), mixed panels and the panel-reuses-panel source.
 */
export const BUILTIN_DATASOURCE_UIDS = ['-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --'] as const;

/** Every uid a dashboard may reference. */
export const KNOWN_DATASOURCE_UIDS: readonly string[] = [PROMETHEUS_DS.uid, LOKI_DS.uid, ...BUILTIN_DATASOURCE_UIDS];

/**
 * The data source provisioning file (`provisioning/datasources/*.yaml`). Grafana reads it at start
 * only, which is why the pod template carries its checksum.
 */
export function datasourcesFile(config: StackConfig, endpoints: Pick<StackEndpoints, 'prometheus' | 'loki'>): Record<string, unknown> {
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
          timeInterval: config.prometheus.scrapeInterval,
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
