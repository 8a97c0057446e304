/**
 * The data sources every dashboard reads, by uid (and Alertmanager, for Grafana's alerting views). The uids are a contract: the original stack's
 * dashboards (and any dashboard exported from it) reference `love-prom` and `love-loki`, so they are
 * fixed here, and Grafana provisions them with exactly these values, not editable in the UI.
 */

/** A reference to a data source as Grafana's dashboard JSON writes it. */
export interface DataSourceRef {
  readonly type: string;
  readonly uid: string;
}

export const PROMETHEUS_DS = { type: 'prometheus', uid: 'love-prom' } as const satisfies DataSourceRef;
export const LOKI_DS = { type: 'loki', uid: 'love-loki' } as const satisfies DataSourceRef;
/** The stack's Alertmanager: Grafana's Alerting pages show its alerts and silences (Alerting > Alertmanager picker). */
export const ALERTMANAGER_DS = { type: 'alertmanager', uid: 'love-alertmanager' } as const satisfies DataSourceRef;

/**
 * Display names of the provisioned data sources. The alert list panel selects its alert source by
 * name, not uid (Grafana stores the picker's `ds.name`), so the names are a contract too.
 */
export const DATASOURCE_NAMES = { prometheus: 'Prometheus', loki: 'Loki', alertmanager: 'Alertmanager' } as const;

/** The provisioned data sources, by the plugin an exported dashboard's `__inputs` names. */
export const PROVISIONED_DATASOURCES: Readonly<Record<string, DataSourceRef>> = {
  [PROMETHEUS_DS.type]: PROMETHEUS_DS,
  [LOKI_DS.type]: LOKI_DS,
  [ALERTMANAGER_DS.type]: ALERTMANAGER_DS,
};

/**
 * Data source uids Grafana itself resolves without provisioning: the built-in annotation source
 * (`-- Grafana --`, also written as `grafana`), mixed panels and the panel-reuses-panel source.
 */
export const BUILTIN_DATASOURCE_UIDS = ['-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --'] as const;

/** Every uid a dashboard may reference. */
export const KNOWN_DATASOURCE_UIDS: readonly string[] = [PROMETHEUS_DS.uid, LOKI_DS.uid, ALERTMANAGER_DS.uid, ...BUILTIN_DATASOURCE_UIDS];
