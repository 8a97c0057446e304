/** Cases of the stack's own alerts: Prometheus, Alertmanager, Loki, the log shipper, Grafana and the Watchdog. */
import { ALERTMANAGER_CLUSTER_METRICS as AMC, ALERTMANAGER_METRICS as AM } from '../../../charts/alertmanager/metrics';
import { GRAFANA_METRICS as G } from '../../../charts/grafana/metrics';
import { SHIPPER_METRICS } from '../../../charts/log-shipper/metrics';
import { LOKI_METRICS as L } from '../../../charts/loki/metrics';
import { PROMETHEUS_SELF_METRICS as P } from '../../../charts/prometheus/metrics';
import { UP } from '../../../charts/lib/promql';
import { WATCHDOG } from '../../../charts/lib/alert-rules';
import { AlertCase, CaseContext, fires, quiet, series } from '../harness';
import { alert } from './common';

export function prometheusCases({ endpoints }: CaseContext): AlertCase[] {
  const replica = (i: number) => ({ job: endpoints.prometheus.name, instance: `${endpoints.prometheus.podHost(i)}:${endpoints.prometheus.port}`, pod: `prometheus-${i}`, service: endpoints.prometheus.name });
  const prom = replica(0);
  const peer = replica(1);
  const amUrl = (i: number) => `http://alertmanager-${i}.alertmanager-headless.monitoring.svc.cluster.local:9093/api/v2/alerts`;
  const P2 = P;
  const warn = (name: string, labels: Record<string, string>, summary: string, description: string) => alert(name, 'warning', { ...labels, service: 'prometheus' }, summary, description);
  const crit = (name: string, labels: Record<string, string>, summary: string, description: string) => alert(name, 'critical', { ...labels, service: 'prometheus' }, summary, description);
  const g = 'backend-alerts.rules.yml;backend-alerts';
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
    quiet('PrometheusTargetDown', 'a Prometheus replica down is PrometheusReplicaDown, not this', { input: [series(UP, peer, '0x10')], at: '10m' }),

    fires('PrometheusReplicaDown', 'the peer replica has not answered for 10m', {
      input: [series(UP, prom, '1x10'), series(UP, peer, '0x10')],
      at: '10m',
      expect: [warn('PrometheusReplicaDown', peer, 'Prometheus replica prometheus-1 is down', `Prometheus ${peer.instance} has not answered its peer's scrapes for 5m; alerting runs on the remaining replica alone, without a spare.`)],
    }),
    quiet('PrometheusReplicaDown', 'a replica restarting for 3m', { input: [series(UP, prom, '1x10'), series(UP, peer, '1x5 0x3 1x5')], at: '10m' }),

    fires('PrometheusRuleGroupSlow', 'a group taking 20s at a 15s interval', {
      input: [series(P2.ruleGroupLastDuration.name, { ...prom, rule_group: g }, '20x30'), series(P2.ruleGroupInterval.name, { ...prom, rule_group: g }, '15x30')],
      at: '20m',
      expect: [warn('PrometheusRuleGroupSlow', { ...prom, rule_group: g }, `Rule group ${g} takes longer than its interval`, `The last evaluation of ${g} on prometheus-0 took 20s, more than its evaluation interval; its alerts run late.`)],
    }),
    quiet('PrometheusRuleGroupSlow', 'a group taking 5s at a 15s interval', {
      input: [series(P2.ruleGroupLastDuration.name, { ...prom, rule_group: g }, '5x30'), series(P2.ruleGroupInterval.name, { ...prom, rule_group: g }, '15x30')],
      at: '20m',
    }),

    fires('PrometheusRuleEvaluationsMissed', 'a group skipping a round a minute', {
      input: [series(P2.ruleGroupIterationsMissed.name, { ...prom, rule_group: g }, '0+1x30')],
      at: '20m',
      expect: [warn('PrometheusRuleEvaluationsMissed', { pod: 'prometheus-0', rule_group: g }, `Rule group ${g} skips evaluations`, `5 evaluations of ${g} on prometheus-0 were skipped over the last 5m because the previous one was still running.`)],
    }),
    quiet('PrometheusRuleEvaluationsMissed', 'rounds skipped long ago, none since', { input: [series(P2.ruleGroupIterationsMissed.name, { ...prom, rule_group: g }, '3x30')], at: '20m' }),

    fires('PrometheusAlertmanagersNotConnected', 'no Alertmanager discovered for 15m', {
      input: [series(P2.alertmanagersDiscovered.name, prom, '0x20')],
      at: '15m',
      expect: [crit('PrometheusAlertmanagersNotConnected', prom, 'Prometheus prometheus-0 is connected to no Alertmanager', `${prom.instance} has discovered 0 Alertmanagers for 10m: the alerts it evaluates reach nobody.`)],
    }),
    quiet('PrometheusAlertmanagersNotConnected', 'none discovered for 3m during a rollout, then three', { input: [series(P2.alertmanagersDiscovered.name, prom, '3x5 0x3 3x12')], at: '15m' }),

    fires('PrometheusNotificationQueueFilling', 'the queue to one Alertmanager 90% full', {
      input: [series(P2.notificationsQueueLength.name, { ...prom, alertmanager: amUrl(0) }, '9000x30'), series(P2.notificationsQueueCapacity.name, prom, '10000x30')],
      at: '20m',
      expect: [
        warn('PrometheusNotificationQueueFilling', { ...prom, alertmanager: amUrl(0) }, `Prometheus prometheus-0's queue to ${amUrl(0)} is nearly full`, `The notification queue to ${amUrl(0)} is 90% full (threshold 80%); alerts will be dropped when it overflows.`),
      ],
    }),
    quiet('PrometheusNotificationQueueFilling', 'a hundred alerts queued of ten thousand', {
      input: [series(P2.notificationsQueueLength.name, { ...prom, alertmanager: amUrl(0) }, '100x30'), series(P2.notificationsQueueCapacity.name, prom, '10000x30')],
      at: '20m',
    }),

    fires('PrometheusAlertmanagerErrors', 'one alert in five to one Alertmanager fails', {
      input: [series(P2.notificationsErrors.name, { ...prom, alertmanager: amUrl(1) }, '0+2x30'), series(P2.notificationsSent.name, { ...prom, alertmanager: amUrl(1) }, '0+10x30')],
      at: '25m',
      expect: [
        warn('PrometheusAlertmanagerErrors', { ...prom, alertmanager: amUrl(1) }, `Prometheus prometheus-0 fails to send alerts to ${amUrl(1)}`, `20% of the alerts prometheus-0 sent to ${amUrl(1)} over the last 5m failed (threshold 1%).`),
      ],
    }),
    quiet('PrometheusAlertmanagerErrors', 'alerts sent without errors', {
      input: [series(P2.notificationsErrors.name, { ...prom, alertmanager: amUrl(1) }, '0x30'), series(P2.notificationsSent.name, { ...prom, alertmanager: amUrl(1) }, '0+10x30')],
      at: '25m',
    }),

    fires('PrometheusNotificationsDropped', 'alerts dropped at both Alertmanagers', {
      input: [series(P2.notificationsDropped.name, { ...prom, alertmanager: amUrl(0) }, '0+60x30'), series(P2.notificationsDropped.name, { ...prom, alertmanager: amUrl(1) }, '0+60x30')],
      at: '20m',
      expect: [crit('PrometheusNotificationsDropped', { pod: 'prometheus-0' }, 'Prometheus prometheus-0 drops alerts at every Alertmanager', 'prometheus-0 has dropped alerts on the way to every Alertmanager for 5m (1/s): those alerts reach nobody.')],
    }),
    quiet('PrometheusNotificationsDropped', 'dropped at one Alertmanager only: the other receives them', {
      input: [series(P2.notificationsDropped.name, { ...prom, alertmanager: amUrl(0) }, '0+60x30'), series(P2.notificationsDropped.name, { ...prom, alertmanager: amUrl(1) }, '0x30')],
      at: '20m',
    }),

    fires('PrometheusTSDBCompactionsFailing', 'a compaction failing every 10 minutes for 6h', {
      interval: '10m',
      input: [series(P2.compactionsFailed.name, prom, '0+1x40')],
      at: '6h',
      expect: [warn('PrometheusTSDBCompactionsFailing', prom, 'Prometheus prometheus-0 fails to compact its TSDB', '18 compactions failed on prometheus-0 over the last 3h; memory and disk use grow until it is fixed.')],
    }),
    quiet('PrometheusTSDBCompactionsFailing', 'two failures long ago', { interval: '10m', input: [series(P2.compactionsFailed.name, prom, '0 1 2x40')], at: '6h' }),

    fires('PrometheusTSDBHeadTruncationsFailing', 'a truncation failing every 10 minutes for 6h', {
      interval: '10m',
      input: [series(P2.headTruncationsFailed.name, prom, '0+1x40')],
      at: '6h',
      expect: [warn('PrometheusTSDBHeadTruncationsFailing', prom, 'Prometheus prometheus-0 fails to truncate its head block', '18 head truncations failed on prometheus-0 over the last 3h; the in-memory head keeps growing.')],
    }),
    quiet('PrometheusTSDBHeadTruncationsFailing', 'no failure', { interval: '10m', input: [series(P2.headTruncationsFailed.name, prom, '0x40')], at: '6h' }),

    fires('PrometheusTSDBWALCorruptions', 'a corruption found at the last start', {
      input: [series(P2.walCorruptions.name, prom, '0x10 1x10')],
      at: '12m',
      expect: [warn('PrometheusTSDBWALCorruptions', prom, 'Prometheus prometheus-0 found a corrupted write-ahead log', "prometheus-0 repaired 1 corrupted write-ahead log segments over the last 5m; samples written after the corruption point are lost (a gap in its data, not in its peer's).")],
    }),
    quiet('PrometheusTSDBWALCorruptions', 'a corruption long ago', { input: [series(P2.walCorruptions.name, prom, '1x30')], at: '20m' }),

    fires('PrometheusSamplesOutOfOrder', 'sixty out-of-order samples a minute', {
      input: [series(P2.samplesOutOfOrder.name, prom, '0+60x30')],
      at: '20m',
      expect: [warn('PrometheusSamplesOutOfOrder', prom, 'Prometheus prometheus-0 rejects out-of-order samples', 'prometheus-0 rejects 1 scraped samples/s older than their series\' last sample; those samples are lost.')],
    }),
    quiet('PrometheusSamplesOutOfOrder', 'none rejected', { input: [series(P2.samplesOutOfOrder.name, prom, '0x30')], at: '20m' }),

    fires('PrometheusSamplesDuplicateTimestamps', 'sixty duplicates a minute', {
      input: [series(P2.samplesDuplicateTimestamp.name, prom, '0+60x30')],
      at: '20m',
      expect: [warn('PrometheusSamplesDuplicateTimestamps', prom, 'Prometheus prometheus-0 rejects samples with duplicate timestamps', 'prometheus-0 rejects 1 scraped samples/s that repeat a timestamp with a different value; those samples are lost.')],
    }),
    quiet('PrometheusSamplesDuplicateTimestamps', 'none rejected', { input: [series(P2.samplesDuplicateTimestamp.name, prom, '0x30')], at: '20m' }),

    fires('PrometheusRuleEvaluationFailures', 'a group failing once a minute', {
      input: [series(P.ruleEvaluationFailures.name, { ...prom, rule_group: group }, '0+1x30')],
      at: '20m',
      expect: [
        alert('PrometheusRuleEvaluationFailures', 'critical', { service: 'prometheus', rule_group: group }, `Rules of group ${group} fail to evaluate`, `5 evaluations of ${group} failed over the last 5m; the alerts of that group cannot fire.`),
      ],
    }),
    fires('PrometheusRuleEvaluationFailures', 'a group failing once a minute pages by 8m (for: the 5m window and a minute)', {
      input: [series(P.ruleEvaluationFailures.name, { ...prom, rule_group: group }, '0+1x30')],
      at: '8m',
      expect: [
        alert('PrometheusRuleEvaluationFailures', 'critical', { service: 'prometheus', rule_group: group }, `Rules of group ${group} fail to evaluate`, `5 evaluations of ${group} failed over the last 5m; the alerts of that group cannot fire.`),
      ],
    }),
    quiet('PrometheusRuleEvaluationFailures', 'old failures, none recently', { input: [series(P.ruleEvaluationFailures.name, { ...prom, rule_group: group }, '3x30')], at: '20m' }),
    // One failure at 5m is in the window's increase from 5m to just before 9m: a `for` of 3m or
    // less would page at 8m (checked), the window and a minute never does.
    quiet('PrometheusRuleEvaluationFailures', 'one failed evaluation (a restart) never pages', { input: [series(P.ruleEvaluationFailures.name, { ...prom, rule_group: group }, '0x4 1x25')], at: '8m' }),

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
  const replicas = [0, 1, 2].map((i) => ({ ...am, instance: `10.0.3.${5 + i}:9093`, pod: `alertmanager-${i}` }));
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
    fires('AlertmanagerNotificationsFailing', 'one email in ten fails: a page by 8m (for: the 5m window and a minute)', {
      input: [attempts('email', 10), failures('email', 1)],
      at: '8m',
      expect: [
        alert('AlertmanagerNotificationsFailing', 'critical', { service: 'alertmanager', integration: 'email', notify_sms: 'true' }, 'Alertmanager fails to deliver email notifications', '10% of email notifications failed over the last 5m (threshold 1%); alerts routed there are not arriving.'),
      ],
    }),
    quiet('AlertmanagerNotificationsFailing', 'one email in two hundred fails', { input: [attempts('email', 10), failures('email', 0.05)], at: '20m' }),
    // One failed email at 5m holds the ratio up until just before 9m, then the window forgets it:
    // a `for` of 3m or less would page at 8m (checked), the window and a minute never does.
    quiet('AlertmanagerNotificationsFailing', 'one failed notification never pages', {
      input: [attempts('email', 10), series(AM.notificationsFailed.name, { ...am, integration: 'email', reason: 'other' }, '0x4 1x25')],
      at: '8m',
    }),

    fires('AlertmanagerConfigReloadFailed', 'the last reload failed 15m ago', {
      input: [series(AM.configLastReloadSuccessful.name, am, '0x20')],
      at: '15m',
      expect: [alert('AlertmanagerConfigReloadFailed', 'warning', { ...am, service: 'alertmanager' }, 'Alertmanager could not load its configuration', `The last configuration reload of ${am.instance} failed; it still runs the previous configuration.`)],
    }),
    quiet('AlertmanagerConfigReloadFailed', 'reloads succeed', { input: [series(AM.configLastReloadSuccessful.name, am, '1x20')], at: '15m' }),

    fires('AlertmanagerClusterMembersInconsistent', 'one replica sees only itself', {
      input: [series(AMC.clusterMembers.name, replicas[0], '1x30'), series(AMC.clusterMembers.name, replicas[1], '3x30'), series(AMC.clusterMembers.name, replicas[2], '3x30')],
      at: '20m',
      expect: [
        alert('AlertmanagerClusterMembersInconsistent', 'warning', replicas[0], 'Alertmanager alertmanager-0 does not see every cluster member', 'alertmanager-0 sees 1 members of a cluster of more; its notifications and silences are not shared with the others, so pages may arrive twice.'),
      ],
    }),
    quiet('AlertmanagerClusterMembersInconsistent', 'all three see three', {
      input: replicas.map((r) => series(AMC.clusterMembers.name, r, '3x30')),
      at: '20m',
    }),

    fires('AlertmanagerClusterDown', 'two of three replicas down', {
      input: [series(UP, replicas[0], '1x20'), series(UP, replicas[1], '0x20'), series(UP, replicas[2], '0x20')],
      at: '15m',
      expect: [alert('AlertmanagerClusterDown', 'critical', { service: 'alertmanager' }, 'More than half of the Alertmanager replicas are down', 'Only 1 of 3 Alertmanager replicas have been up for most of the last 5m; one more failure and no notification leaves.')],
    }),
    fires('AlertmanagerClusterDown', 'no replica discovered at all (the pods are gone)', {
      input: [],
      at: '15m',
      expect: [alert('AlertmanagerClusterDown', 'critical', { service: 'alertmanager' }, 'More than half of the Alertmanager replicas are down', 'Only 0 of 3 Alertmanager replicas have been up for most of the last 5m; one more failure and no notification leaves.')],
    }),
    quiet('AlertmanagerClusterDown', 'one of three down', { input: [series(UP, replicas[0], '1x20'), series(UP, replicas[1], '1x20'), series(UP, replicas[2], '0x20')], at: '15m' }),

    fires('AlertmanagerConfigInconsistent', 'one replica runs another file for 25m', {
      input: [series(AMC.configHash.name, replicas[0], '111x30'), series(AMC.configHash.name, replicas[1], '111x30'), series(AMC.configHash.name, replicas[2], '222x30')],
      at: '25m',
      expect: [alert('AlertmanagerConfigInconsistent', 'warning', { service: 'alertmanager' }, 'Alertmanager replicas run different configurations', 'The Alertmanager replicas report 2 different configuration hashes; the route a page takes depends on which replica sends it.')],
    }),
    quiet('AlertmanagerConfigInconsistent', 'a rollout: different for 5m, then the same', {
      input: [series(AMC.configHash.name, replicas[0], '222x30'), series(AMC.configHash.name, replicas[1], '222x30'), series(AMC.configHash.name, replicas[2], '111x5 222x25')],
      at: '25m',
    }),
  ];
}

export function lokiCases({ endpoints }: CaseContext): AlertCase[] {
  const loki = { job: endpoints.loki.name, instance: '10.0.3.6:3100', namespace: 'monitoring', pod: 'loki-0', service: endpoints.loki.name };
  const requests = `${L.requestDuration.name}_count`;
  const down = alert('LokiDown', 'critical', { service: 'loki', job: loki.job }, 'Loki is down: logs are not stored', 'Prometheus has reached no Loki target for 5m: log shippers are buffering and will drop logs, and log queries fail.');
  return [
    fires('LokiDown', 'its target is down', { input: [series(UP, loki, '0x10')], at: '10m', expect: [down] }),
    fires('LokiDown', 'it has no target at all', { input: [], at: '10m', expect: [down] }),
    quiet('LokiDown', 'its target is up', { input: [series(UP, loki, '1x10')], at: '10m' }),

    fires('LokiRequestErrors', 'one push in ten answered 500 for 25m', {
      input: [series(requests, { ...loki, route: 'loki_api_v1_push', status_code: '500' }, '0+10x30'), series(requests, { ...loki, route: 'loki_api_v1_push', status_code: '204' }, '0+90x30')],
      at: '25m',
      expect: [alert('LokiRequestErrors', 'critical', { service: 'loki', route: 'loki_api_v1_push' }, 'Loki fails requests on loki_api_v1_push', '10% of the requests to loki_api_v1_push failed with 5xx over the last 5m (threshold 5%).')],
    }),
    quiet('LokiRequestErrors', 'one push in a hundred fails', {
      input: [series(requests, { ...loki, route: 'loki_api_v1_push', status_code: '500' }, '0+1x30'), series(requests, { ...loki, route: 'loki_api_v1_push', status_code: '204' }, '0+99x30')],
      at: '25m',
    }),

    fires('LokiSamplesDiscarded', 'lines refused for the rate limit for 25m', {
      input: [series(L.discardedSamples.name, { ...loki, reason: 'rate_limited', tenant: 'fake' }, '0+10x30')],
      at: '25m',
      expect: [alert('LokiSamplesDiscarded', 'warning', { service: 'loki', reason: 'rate_limited' }, 'Loki refuses log lines: rate_limited', 'Loki discarded 50 lines for reason rate_limited over the last 5m; those lines are lost.')],
    }),
    quiet('LokiSamplesDiscarded', 'lines refused once, long ago', { input: [series(L.discardedSamples.name, { ...loki, reason: 'rate_limited', tenant: 'fake' }, '0 40x30')], at: '25m' }),

    fires('LokiRetentionNotApplied', 'no successful retention run since the start, 8h ago', {
      interval: '5m',
      input: [series(L.retentionLastSuccess.name, loki, '0x120')],
      at: '8h',
      expect: [alert('LokiRetentionNotApplied', 'warning', { service: 'loki' }, "Loki's compactor has not applied retention recently", 'The last successful retention run was 8h 0m 0s ago (threshold 6h); old logs are not deleted and the volume fills up.')],
    }),
    quiet('LokiRetentionNotApplied', 'retention applied every 10 minutes', { interval: '5m', input: [series(L.retentionLastSuccess.name, loki, '0+300x120')], at: '8h' }),
  ];
}

export function logShipperCases({ config, endpoints }: CaseContext): AlertCase[] {
  const M = SHIPPER_METRICS[config.logs.shipper];
  const node = 'node-a';
  const ls = { job: endpoints.logShipper.name, instance: node, namespace: endpoints.logShipper.namespace, node, pod: 'log-shipper-x7k2p', service: endpoints.logShipper.name, shipper: config.logs.shipper };
  const host = 'loki.monitoring.svc:3100';
  const requests = `${M.requestDuration.name}_count`;
  const file = { ...ls, path: '/var/log/pods/love-parser_backend-7d9f-a_0/backend/0.log' };
  const warn = (name: string, summary: string, description: string) => alert(name, 'warning', { service: 'log-shipper', node }, summary, description);
  return [
    fires('LogShipperEntriesDropped', 'five entries dropped a minute', {
      input: [series(M.droppedEntries.name, { ...ls, host }, '0x10 0+5x10')],
      at: '15m',
      expect: [warn('LogShipperEntriesDropped', 'The log shipper on node-a drops log entries', 'The shipper on node-a gave up on 20 entries over the last 5m after every retry; those lines never reach Loki.')],
    }),
    quiet('LogShipperEntriesDropped', 'nothing dropped', { input: [series(M.droppedEntries.name, { ...ls, host }, '0x20')], at: '15m' }),

    fires('LogShipperPushesFailing', 'one push in five gets no answer for 25m', {
      input: [series(requests, { ...ls, host, status_code: '-1' }, '0+10x30'), series(requests, { ...ls, host, status_code: '204' }, '0+40x30')],
      at: '25m',
      expect: [warn('LogShipperPushesFailing', 'The log shipper on node-a fails to push to Loki', '20% of the pushes from node-a to Loki failed over the last 5m (threshold 5%).')],
    }),
    quiet('LogShipperPushesFailing', 'every push answered 204', { input: [series(requests, { ...ls, host, status_code: '204' }, '0+40x30')], at: '25m' }),

    fires('LogShipperNodeSilent', 'a pod writes 1000 bytes a minute, nothing is sent for 20m', {
      input: [series(M.fileBytes.name, file, '0+1000x30'), series(M.sentEntries.name, { ...ls, host }, '500x30')],
      at: '20m',
      expect: [warn('LogShipperNodeSilent', 'The log shipper on node-a has sent nothing for 15m', 'Pods on node-a wrote 14.65kiB of logs over the last 15m, and its shipper delivered none of it to Loki.')],
    }),
    quiet('LogShipperNodeSilent', 'the pod writes and the shipper sends', {
      input: [series(M.fileBytes.name, file, '0+1000x30'), series(M.sentEntries.name, { ...ls, host }, '0+10x30')],
      at: '20m',
    }),
  ];
}

export function grafanaCases({ endpoints }: CaseContext): AlertCase[] {
  const graf = { job: endpoints.grafana.name, instance: endpoints.grafana.address, service: endpoints.grafana.name };
  const req = (code: string, values: string) => series(G.datasourceRequests.name, { ...graf, datasource: 'love-prom', datasource_type: 'prometheus', code, method: 'POST' }, values);
  const down = alert('GrafanaDown', 'warning', { service: 'grafana', job: graf.job }, 'Grafana is down: dashboards are unavailable', 'Prometheus has reached no Grafana target for 10m; dashboards cannot be read (alerts still reach their receivers).');
  return [
    fires('GrafanaDown', 'its target is down', { input: [series(UP, graf, '0x15')], at: '15m', expect: [down] }),
    quiet('GrafanaDown', 'its target is up', { input: [series(UP, graf, '1x15')], at: '15m' }),

    fires('GrafanaDatasourceErrors', 'one query in ten to love-prom answered 500 for 25m', {
      input: [req('500', '0+3x30'), req('200', '0+27x30')],
      at: '25m',
      expect: [alert('GrafanaDatasourceErrors', 'warning', { service: 'grafana', datasource: 'love-prom' }, "Grafana's data source love-prom fails", "10% of Grafana's requests to love-prom failed with 5xx over the last 5m (threshold 5%); panels on it show errors.")],
    }),
    quiet('GrafanaDatasourceErrors', 'many 400s (malformed queries) but no 5xx', { input: [req('400', '0+10x30'), req('200', '0+20x30')], at: '25m' }),
  ];
}
