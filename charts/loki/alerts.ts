/**
 * Alerts on Loki: the log store being unreachable. (A shipper that cannot be scraped shows in
 * PrometheusTargetDown; ingestion limits and shipper drops have no dashboard yet: docs/logs.md,
 * "Known failures", names the counters to query in Explore.)
 */
import { alertGroup, alertRule } from '../lib/alert-rules';
import { jobDown } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { LokiProps } from './settings';

export function alertRules(props: LokiProps): RuleGroup[] {
  const service = props.shared.endpoints.loki.name;
  return [
    alertGroup(service, [
      // Without Loki, shippers buffer and then drop logs, and nobody can read the logs of an
      // incident. Critical, but no text: the applications still run. 5m rides out a restart
      // (Loki replays its WAL on start).
      alertRule(props.shared.rules, {
        name: 'LokiDown',
        remediation: 'Full volume: grow loki.storage.size or shorten loki.retention; OOM: raise loki.resources; then kubectl -n monitoring rollout restart statefulset/loki.',
        severity: 'critical',
        service,
        expr: jobDown(props.shared.endpoints.loki),
        for: '5m',
        summary: 'Loki is down: logs are not stored',
        description: 'Prometheus has reached no Loki target for 5m: log shippers are buffering and will drop logs, and log queries fail.',
      }),
    ]),
  ];
}
