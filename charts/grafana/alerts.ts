/**
 * Alerts on Grafana: down, and its data sources failing (every panel on them shows an error).
 * Nobody is paged for Grafana: alerting does not run through it, so both are warnings.
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { jobDown, jobOf, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { GRAFANA_METRICS as M } from './metrics';
import { GrafanaProps } from './settings';

export function alertRules(props: GrafanaProps): RuleGroup[] {
  const endpoint = props.shared.endpoints.grafana;
  const service = endpoint.name;
  const job = jobOf(endpoint);
  const w = props.shared.rules.rateWindow;
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  return [
    alertGroup(service, [
      // Dashboards are gone, alerting is not. 10m: a rollout with a plugin install or a migration
      // of its database takes a few minutes.
      alertRule(ctx, {
        name: 'GrafanaDown',
        remediation: 'Fix what the log says (its volume, the admin Secret); kubectl -n monitoring rollout restart deployment/grafana.',
        severity: 'warning',
        service,
        expr: jobDown(endpoint),
        for: '10m',
        summary: 'Grafana is down: dashboards are unavailable',
        description: 'Prometheus has reached no Grafana target for 10m; dashboards cannot be read (alerts still reach their receivers).',
      }),
      // 15m: a Prometheus or Loki restart fails queries for a minute or two.
      alertRule(ctx, {
        name: 'GrafanaDatasourceErrors',
        remediation: 'Restore the data source; for heavy panels, a recording rule.',
        severity: 'warning',
        service,
        expr:
          `${sumBy(['datasource'], rate(sel(M.datasourceRequests.name, { ...job, code: { re: '5..' } }), w))}\n  /\n` +
          `${sumBy(['datasource'], rate(sel(M.datasourceRequests.name, job), w))}\n> ${a.datasourceErrorRatio}`,
        for: '15m',
        summary: `Grafana's data source ${tmpl.label('datasource')} fails`,
        description: `${tmpl.percent} of Grafana's requests to ${tmpl.label('datasource')} failed with 5xx over the last ${w} (threshold ${percent(a.datasourceErrorRatio)}); panels on it show errors.`,
      }),
    ]),
  ];
}
