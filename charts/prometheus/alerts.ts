/**
 * Alerts on Prometheus and on what it scrapes: every scrape target down, one replica of the pair
 * down, rules that fail, run late or skip evaluations, a configuration that did not load, alerts
 * that do not reach Alertmanager (none discovered, a queue filling, errors, drops), a TSDB that
 * cannot compact, truncate its head or read its WAL, scraped samples rejected, and the
 * always-firing Watchdog of the dead-man's switch (Alertmanager sends it to the heartbeat
 * receiver; silence from it means the alerting path itself is broken).
 *
 * Written after the upstream prometheus-mixin (documentation/prometheus-mixin at v3.14), with this
 * stack's names, thresholds from `prometheus.alerts`, and `for`s argued here. Every replica scrapes
 * every replica, so both evaluate the same series and send the same alerts; Alertmanager keeps one.
 */
import { UP, increase, jobOf, rate, sel, sumBy } from '../lib/promql';
import { WATCHDOG, alertGroup, alertRule, outlastsOneFailure, percent, tmpl } from '../lib/alert-rules';
import { RuleGroup } from '../lib/monitoring';
import { PROMETHEUS_SELF_METRICS } from './metrics';
import { PrometheusProps } from './settings';

export function alertRules(props: PrometheusProps): RuleGroup[] {
  const M = PROMETHEUS_SELF_METRICS;
  const job = jobOf(props.shared.endpoints.prometheus);
  const service = props.shared.endpoints.prometheus.name;
  const w = props.shared.rules.rateWindow;
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  return [
    alertGroup(service, [
      // Every target of every job, present and future, but Prometheus's own (PrometheusReplicaDown
      // says that better): its `service` is its job, so Alertmanager groups the down targets of
      // one component together. 5m: a pod being rescheduled is replaced within that time; longer,
      // and its metrics (and alerts) are blind.
      alertRule(ctx, {
        name: 'PrometheusTargetDown',
        remediation: 'Restart the component if it is wedged (kubectl -n <namespace> rollout restart deployment/<name>), fix its port or labels, or add the missing flow to its NetworkPolicy (in code: charts/<component>/).',
        severity: 'warning',
        expr: `label_replace(${sel(UP, { job: { not: service } })} == 0, "service", "$1", "job", "(.*)")`,
        for: '5m',
        summary: `Prometheus cannot scrape ${tmpl.label('job')} target ${tmpl.label('instance')}`,
        description: `Scraping ${tmpl.label('instance')} of job ${tmpl.label('job')} has failed for 5m; alerts that read its metrics cannot fire.`,
      }),
      // The other replica scrapes it by its pod name: a replica down for 5m is more than a
      // restart or a short WAL replay. A warning: the surviving replica still evaluates every rule
      // and sends every alert; when both are down, nobody evaluates this and the heartbeat stops.
      alertRule(ctx, {
        name: 'PrometheusReplicaDown',
        remediation: 'Pending on anti-affinity: add a node, or set prometheus.antiAffinity: soft.',
        severity: 'warning',
        service,
        expr: `${sel(UP, job)} == 0`,
        for: '5m',
        summary: `Prometheus replica ${tmpl.label('pod')} is down`,
        description: `Prometheus ${tmpl.label('instance')} has not answered its peer's scrapes for 5m; alerting runs on the remaining replica alone, without a spare.`,
      }),
      // A rule that fails evaluates to nothing: its alert can never fire. Critical because the
      // failing rule may be a paging one. `for` one rate window and a minute: one failed
      // evaluation (a restart) stays in the window's increase for exactly the window, so it never
      // pages, while failures that recur within a window do, in 6m at 5m (the mixin's 15m).
      // A `for` of the window or less would page on that one failure.
      alertRule(ctx, {
        name: 'PrometheusRuleEvaluationFailures',
        remediation: 'Fix the rule in charts/<component>/alerts.ts, extend its unit test in test/alerts/cases/ with the series that broke it, run npm test, synthesize and commit; Argo CD applies it and Prometheus reloads by itself.',
        severity: 'critical',
        service,
        expr: `${sumBy(['rule_group'], increase(sel(M.ruleEvaluationFailures.name, job), w))} > 0`,
        for: outlastsOneFailure(w),
        summary: `Rules of group ${tmpl.label('rule_group')} fail to evaluate`,
        description: `${tmpl.number} evaluations of ${tmpl.label('rule_group')} failed over the last ${w}; the alerts of that group cannot fire.`,
      }),
      // A group whose evaluation takes longer than its interval runs late, then skips rounds
      // (next alert): its alerts fire late or flap. 15m: one slow round after a restart (cold
      // caches, a WAL replay) is not a trend.
      alertRule(ctx, {
        name: 'PrometheusRuleGroupSlow',
        remediation: 'Record the expensive part as a recording rule, narrow its selectors, or give Prometheus more CPU (prometheus.resources).',
        severity: 'warning',
        service,
        expr: `${sel(M.ruleGroupLastDuration.name, job)}\n  > ${sel(M.ruleGroupInterval.name, job)}`,
        for: '15m',
        summary: `Rule group ${tmpl.label('rule_group')} takes longer than its interval`,
        description: `The last evaluation of ${tmpl.label('rule_group')} on ${tmpl.label('pod')} took ${tmpl.duration}, more than its evaluation interval; its alerts run late.`,
      }),
      // Skipped rounds: `for` clocks and rates of the recorded series have holes. 15m as above.
      alertRule(ctx, {
        name: 'PrometheusRuleEvaluationsMissed',
        remediation: 'As for PrometheusRuleGroupSlow: make the group cheaper or give Prometheus more CPU.',
        severity: 'warning',
        service,
        expr: `${sumBy(['pod', 'rule_group'], increase(sel(M.ruleGroupIterationsMissed.name, job), w))} > 0`,
        for: '15m',
        summary: `Rule group ${tmpl.label('rule_group')} skips evaluations`,
        description: `${tmpl.number} evaluations of ${tmpl.label('rule_group')} on ${tmpl.label('pod')} were skipped over the last ${w} because the previous one was still running.`,
      }),
      // The previous configuration stays in use: a warning. 10m lets a corrected rollout land.
      alertRule(ctx, {
        name: 'PrometheusConfigReloadFailed',
        remediation: 'The generated configuration is checked by npm test (promtool), so a failed reload usually means a hand edit of the ConfigMap or a skipped test: revert to the committed dist/ (kubectl apply -f dist/ or an Argo CD sync), fix the code, and test.',
        severity: 'warning',
        service,
        expr: `${sel(M.configLastReloadSuccessful.name, job)} == 0`,
        for: '10m',
        summary: 'Prometheus could not load its configuration',
        description: `The last configuration reload of ${tmpl.label('instance')} failed; it still runs the previous configuration and rules.`,
      }),
      // No Alertmanager to send to: every alert of this replica goes nowhere. max_over_time so a
      // missed scrape does not hide it (the mixin's advice). Critical: with the pair, the other
      // replica still delivers this page; alone, only the heartbeat tells. 10m: DNS discovery
      // refreshes every 30s, and a whole Alertmanager rollout finds at least one pod long before.
      alertRule(ctx, {
        name: 'PrometheusAlertmanagersNotConnected',
        remediation: 'Bring an Alertmanager back, or restore DNS egress for Prometheus (charts/prometheus/; cluster DNS in charts/lib/network.ts).',
        severity: 'critical',
        service,
        expr: `max_over_time(${sel(M.alertmanagersDiscovered.name, job)}[5m]) < 1`,
        for: '10m',
        summary: `Prometheus ${tmpl.label('pod')} is connected to no Alertmanager`,
        description: `${tmpl.label('instance')} has discovered ${tmpl.number} Alertmanagers for 10m: the alerts it evaluates reach nobody.`,
      }),
      // A queue that stays this full drops alerts at the next burst. 10m: a burst of new alerts
      // (a node going down) fills it briefly; staying full means Alertmanager does not keep up.
      alertRule(ctx, {
        name: 'PrometheusNotificationQueueFilling',
        remediation: 'Give Alertmanager more CPU (alertmanager.resources); silence or fix the storm.',
        severity: 'warning',
        service,
        expr:
          `max_over_time(${sel(M.notificationsQueueLength.name, job)}[5m])\n  / ignoring (alertmanager) group_left\n` +
          `min_over_time(${sel(M.notificationsQueueCapacity.name, job)}[5m])\n> ${a.notificationQueueRatio}`,
        for: '10m',
        summary: `Prometheus ${tmpl.label('pod')}'s queue to ${tmpl.label('alertmanager')} is nearly full`,
        description: `The notification queue to ${tmpl.label('alertmanager')} is ${tmpl.percent} full (threshold ${percent(a.notificationQueueRatio)}); alerts will be dropped when it overflows.`,
      }),
      // Errors sending to one Alertmanager: the others still receive every alert, so a warning.
      // 15m: a rolling restart makes each Alertmanager refuse for a few seconds.
      alertRule(ctx, {
        name: 'PrometheusAlertmanagerErrors',
        remediation: 'Restart that Alertmanager pod if it is wedged; check the NetworkPolicy of both.',
        severity: 'warning',
        service,
        expr: `${rate(sel(M.notificationsErrors.name, job), w)}\n  /\n${rate(sel(M.notificationsSent.name, job), w)}\n> ${a.alertmanagerErrorRatio}`,
        for: '15m',
        summary: `Prometheus ${tmpl.label('pod')} fails to send alerts to ${tmpl.label('alertmanager')}`,
        description: `${tmpl.percent} of the alerts ${tmpl.label('pod')} sent to ${tmpl.label('alertmanager')} over the last ${w} failed (threshold ${percent(a.alertmanagerErrorRatio)}).`,
      }),
      // Dropped at every Alertmanager at once: those alerts reached nobody. `min` over the
      // Alertmanagers keeps a single failing one (above) out of this page. 5m: Prometheus re-sends
      // firing alerts every minute, so a short blip loses nothing for good.
      alertRule(ctx, {
        name: 'PrometheusNotificationsDropped',
        remediation: 'Restore the Alertmanagers (see AlertmanagerClusterDown) or the network path between them and Prometheus.',
        severity: 'critical',
        service,
        expr: `min by (pod) (${rate(sel(M.notificationsDropped.name, job), w)}) > 0`,
        for: '5m',
        summary: `Prometheus ${tmpl.label('pod')} drops alerts at every Alertmanager`,
        description: `${tmpl.label('pod')} has dropped alerts on the way to every Alertmanager for 5m (${tmpl.number}/s): those alerts reach nobody.`,
      }),
      // Compactions that keep failing leave the head growing (memory) and old data undeleted
      // (disk). The mixin's 3h window and 4h `for`: compaction runs every two hours, so only
      // failures across several runs are a trend; the harm builds over hours, too.
      alertRule(ctx, {
        name: 'PrometheusTSDBCompactionsFailing',
        remediation: 'Grow prometheus.storage.size; a corrupted block: move it out of /prometheus and restart that replica (its peer keeps the data).',
        severity: 'warning',
        service,
        expr: `${increase(sel(M.compactionsFailed.name, job), '3h')} > 0`,
        for: '4h',
        summary: `Prometheus ${tmpl.label('pod')} fails to compact its TSDB`,
        description: `${tmpl.number} compactions failed on ${tmpl.label('pod')} over the last 3h; memory and disk use grow until it is fixed.`,
      }),
      // Head truncation follows each compaction: same clocks and same reasoning.
      alertRule(ctx, {
        name: 'PrometheusTSDBHeadTruncationsFailing',
        remediation: 'As for PrometheusTSDBCompactionsFailing.',
        severity: 'warning',
        service,
        expr: `${increase(sel(M.headTruncationsFailed.name, job), '3h')} > 0`,
        for: '4h',
        summary: `Prometheus ${tmpl.label('pod')} fails to truncate its head block`,
        description: `${tmpl.number} head truncations failed on ${tmpl.label('pod')} over the last 3h; the in-memory head keeps growing.`,
      }),
      // A WAL corruption is an event, not a state: data after the corruption point was lost at
      // the last start. No `for`: it will not happen twice, and waiting would only hide it.
      alertRule(ctx, {
        name: 'PrometheusTSDBWALCorruptions',
        remediation: 'Find why it stopped uncleanly (OOM: raise prometheus.resources; a full disk: grow the claim).',
        severity: 'warning',
        service,
        expr: `${increase(sel(M.walCorruptions.name, job), w)} > 0`,
        for: '0m',
        summary: `Prometheus ${tmpl.label('pod')} found a corrupted write-ahead log`,
        description: `${tmpl.label('pod')} repaired ${tmpl.number} corrupted write-ahead log segments over the last ${w}; samples written after the corruption point are lost (a gap in its data, not in its peer's).`,
      }),
      // Rejected samples are data lost at ingestion: an exporter with a broken clock, or two
      // targets writing one series. 10m (the mixin's): a target restarting mid-scrape is a blip.
      alertRule(ctx, {
        name: 'PrometheusSamplesOutOfOrder',
        remediation: "Fix the exporter's clock or timestamps, or the relabeling in the job's component.",
        severity: 'warning',
        service,
        expr: `${rate(sel(M.samplesOutOfOrder.name, job), w)} > 0`,
        for: '10m',
        summary: `Prometheus ${tmpl.label('pod')} rejects out-of-order samples`,
        description: `${tmpl.label('pod')} rejects ${tmpl.number} scraped samples/s older than their series' last sample; those samples are lost.`,
      }),
      alertRule(ctx, {
        name: 'PrometheusSamplesDuplicateTimestamps',
        remediation: 'Fix the exporter or the relabeling of its job.',
        severity: 'warning',
        service,
        expr: `${rate(sel(M.samplesDuplicateTimestamp.name, job), w)} > 0`,
        for: '10m',
        summary: `Prometheus ${tmpl.label('pod')} rejects samples with duplicate timestamps`,
        description: `${tmpl.label('pod')} rejects ${tmpl.number} scraped samples/s that repeat a timestamp with a different value; those samples are lost.`,
      }),
      // Always firing, from the first evaluation. Its severity is only there to keep the closed
      // set; Alertmanager's first route takes it to the heartbeat receiver before any severity route.
      alertRule(ctx, {
        name: WATCHDOG,
        remediation: 'Restore whichever link is broken; until then, watch the dashboards by hand.',
        severity: 'warning',
        service,
        expr: 'vector(1)',
        for: '0m',
        summary: 'The alerting pipeline is alive (this alert always fires)',
        description: 'Prometheus evaluates rules and Alertmanager receives them. If the heartbeat service stops receiving this alert, the alerting path is broken.',
      }),
    ]),
  ];
}
