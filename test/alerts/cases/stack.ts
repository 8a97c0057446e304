/** Cases of the stack's own alerts: Prometheus, Alertmanager, Loki and the Watchdog. */
import { ALERTMANAGER_METRICS as AM } from '../../../charts/alertmanager/metrics';
import { PROMETHEUS_SELF_METRICS as P } from '../../../charts/prometheus/metrics';
import { UP } from '../../../charts/lib/promql';
import { WATCHDOG } from '../../../charts/lib/alert-rules';
import { AlertCase, CaseContext, fires, quiet, series } from '../harness';
import { alert } from './common';

export function prometheusCases({ endpoints }: CaseContext): AlertCase[] {
  const prom = { job: endpoints.prometheus.name, instance: 'localhost:9090', service: endpoints.prometheus.name };
  const redis = { job: endpoints.redisExporter.name, instance: '10.0.3.8:9121', namespace: 'monitoring', pod: 'redis-exporter-6c9b4-k7m', service: endpoints.redisExporter.name };
  const backend = { job: endpoints.backend.name, instance: '10.0.1.10:3000', namespace: 'love-parser', pod: 'backend-7d9f-a', service: endpoints.backend.name };
  const group = '/etc/prometheus/rules/backend.yml;backend-alerts';
  const reload = alert('PrometheusConfigReloadFailed', 'warning', { ...prom, service: 'prometheus' }, 'Prometheus could not load its configuration', `The last configuration reload of ${prom.instance} failed; it still runs the previous configuration and rules.`);
  return [
    fires('PrometheusTargetDown', 'one target of another job down for 10m; its job becomes the service', {
      input: [series(UP, redis, '0x10'), series(UP, backend, '1x10')],
      at: '10m',
      expect: [
        alert('PrometheusTargetDown', 'warning', { ...redis, service: redis.job }, `Prometheus cannot scrape ${redis.job} target ${redis.instance}`, `Scraping ${redis.instance} of job ${redis.job} has failed for 5m; alerts that read its metrics cannot fire.`),
      ],
    }),
    quiet('PrometheusTargetDown', 'a target down for 3m, then back', { input: [series(UP, redis, '1x5 0x3 1x5')], at: '10m' }),

    fires('PrometheusRuleEvaluationFailures', 'a group failing once a minute', {
      input: [series(P.ruleEvaluationFailures.name, { ...prom, rule_group: group }, '0+1x30')],
      at: '20m',
      expect: [
        alert('PrometheusRuleEvaluationFailures', 'critical', { service: 'prometheus', rule_group: group }, `Rules of group ${group} fail to evaluate`, `5 evaluations of ${group} failed over the last 5m; the alerts of that group cannot fire.`),
      ],
    }),
    quiet('PrometheusRuleEvaluationFailures', 'old failures, none recently', { input: [series(P.ruleEvaluationFailures.name, { ...prom, rule_group: group }, '3x30')], at: '20m' }),

    fires('PrometheusConfigReloadFailed', 'the last reload failed 15m ago', { input: [series(P.configLastReloadSuccessful.name, prom, '0x20')], at: '15m', expect: [reload] }),
    quiet('PrometheusConfigReloadFailed', 'a failed reload fixed within 5m', { input: [series(P.configLastReloadSuccessful.name, prom, '1x5 0x5 1x10')], at: '15m' }),

    // The Watchdog has no quiet case: it exists to fire always. Its second case shows it needs no data.
    fires(WATCHDOG, 'fires from the first evaluation', {
      input: [series(UP, prom, '1x5')],
      at: '0m',
      expect: [alert(WATCHDOG, 'warning', { service: 'prometheus' }, 'The alerting pipeline is alive (this alert always fires)', 'Prometheus evaluates rules and Alertmanager receives them. If the heartbeat service stops receiving this alert, the alerting path is broken.')],
    }),
    fires(WATCHDOG, 'fires without any series at all', {
      input: [],
      at: '1h',
      expect: [alert(WATCHDOG, 'warning', { service: 'prometheus' }, 'The alerting pipeline is alive (this alert always fires)', 'Prometheus evaluates rules and Alertmanager receives them. If the heartbeat service stops receiving this alert, the alerting path is broken.')],
    }),
  ];
}

export function alertmanagerCases({ endpoints }: CaseContext): AlertCase[] {
  const am = { job: endpoints.alertmanager.name, instance: '10.0.3.5:9093', namespace: 'monitoring', pod: 'alertmanager-0', service: endpoints.alertmanager.name };
  const attempts = (integration: string, perMinute: number) => series(AM.notifications.name, { ...am, integration }, `0+${perMinute}x30`);
  const failures = (integration: string, perMinute: number) => series(AM.notificationsFailed.name, { ...am, integration, reason: 'other' }, `0+${perMinute}x30`);
  return [
    fires('AlertmanagerNotificationsFailing', 'one email in ten fails; slack is fine', {
      input: [attempts('email', 10), failures('email', 1), attempts('slack', 10), failures('slack', 0)],
      at: '20m',
      expect: [
        alert('AlertmanagerNotificationsFailing', 'critical', { service: 'alertmanager', integration: 'email', notify_sms: 'true' }, 'Alertmanager fails to deliver email notifications', '10% of email notifications failed over the last 5m (threshold 1%); alerts routed there are not arriving.'),
      ],
    }),
    quiet('AlertmanagerNotificationsFailing', 'one email in two hundred fails', { input: [attempts('email', 10), failures('email', 0.05)], at: '20m' }),

    fires('AlertmanagerConfigReloadFailed', 'the last reload failed 15m ago', {
      input: [series(AM.configLastReloadSuccessful.name, am, '0x20')],
      at: '15m',
      expect: [alert('AlertmanagerConfigReloadFailed', 'warning', { ...am, service: 'alertmanager' }, 'Alertmanager could not load its configuration', `The last configuration reload of ${am.instance} failed; it still runs the previous configuration.`)],
    }),
    quiet('AlertmanagerConfigReloadFailed', 'reloads succeed', { input: [series(AM.configLastReloadSuccessful.name, am, '1x20')], at: '15m' }),
  ];
}

export function lokiCases({ endpoints }: CaseContext): AlertCase[] {
  const loki = { job: endpoints.loki.name, instance: '10.0.3.6:3100', namespace: 'monitoring', pod: 'loki-0', service: endpoints.loki.name };
  const down = alert('LokiDown', 'critical', { service: 'loki', job: loki.job }, 'Loki is down: logs are not stored', 'Prometheus has reached no Loki target for 5m: log shippers are buffering and will drop logs, and log queries fail.');
  return [
    fires('LokiDown', 'its target is down', { input: [series(UP, loki, '0x10')], at: '10m', expect: [down] }),
    fires('LokiDown', 'it has no target at all', { input: [], at: '10m', expect: [down] }),
    quiet('LokiDown', 'its target is up', { input: [series(UP, loki, '1x10')], at: '10m' }),
  ];
}
