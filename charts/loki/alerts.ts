/**
 * Alerts on Loki: the log store being unreachable. (Its ingestion limits and the shipper's health
 * show in PrometheusTargetDown and on the Loki dashboard.)
 */
import { ComponentProps } from '../lib/component';
import { alertGroup, alertRule, jobDown } from '../lib/alerting';
import { RuleGroup } from '../lib/monitoring';

export function alertRules(props: ComponentProps): RuleGroup[] {
  const c = props.config;
  const service = props.endpoints.loki.name;
  return [
    alertGroup(service, [
      // Without Loki, shippers buffer and then drop logs, and nobody can read the logs of an
      // incident. Critical, but no text: the applications still run. 5m rides out a restart
      // (Loki replays its WAL on start).
      alertRule(c, {
        name: 'LokiDown',
        severity: 'critical',
        service,
        expr: jobDown(props.endpoints.loki),
        for: '5m',
        summary: 'Loki is down: logs are not stored',
        description: 'Prometheus has reached no Loki target for 5m: log shippers are buffering and will drop logs, and log queries fail.',
      }),
    ]),
  ];
}
