/**
 * Alerts on Alertmanager itself: notifications that do not arrive, a configuration that did not
 * load, and the gossip cluster coming apart: members that do not see each other (each then
 * notifies on its own and pages arrive twice), more than half of the replicas gone, replicas
 * running different configurations. Written after the upstream alertmanager-mixin
 * (doc/alertmanager-mixin at v0.34). One Alertmanager down shows as PrometheusTargetDown; all of
 * them down, from outside, as a silent Watchdog heartbeat.
 */
import { alertGroup, alertRule, outlastsOneFailure, percent, tmpl } from '../lib/alert-rules';
import { UP, jobOf, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { ALERTMANAGER_CLUSTER_METRICS as C, ALERTMANAGER_METRICS as M } from './metrics';
import { AlertmanagerProps } from './settings';

export function alertRules(props: AlertmanagerProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.alertmanager);
  const service = props.shared.endpoints.alertmanager.name;
  const w = props.shared.rules.rateWindow;
  const a = props.settings.alerts;
  return [
    alertGroup(service, [
      // Critical and texted: if email is the broken integration, the page must take another path.
      // `for` one rate window and a minute: one failed notification (a provider's hiccup, after
      // Alertmanager's own retries) holds the ratio up for exactly the window and never pages;
      // failures that recur within a window page in 6m at 5m. The mixin's 5m `for` over a 5m
      // window pages on that one failure, which is why its floor stays below this one.
      alertRule(props.shared.rules, {
        name: 'AlertmanagerNotificationsFailing',
        remediation: 'Rotate the credential in the receivers Secret (alertmanager.secretName; the file is re-read on the next notification, no restart needed), fix the SMTP settings in config, or allow the egress port in the NetworkPolicy.',
        severity: 'critical',
        notifySms: true,
        service,
        expr:
          `${sumBy(['integration'], rate(sel(M.notificationsFailed.name, job), w))}\n  /\n` +
          `${sumBy(['integration'], rate(sel(M.notifications.name, job), w))}\n> ${props.settings.alerts.notificationFailureRatio}`,
        for: outlastsOneFailure(w),
        summary: `Alertmanager fails to deliver ${tmpl.label('integration')} notifications`,
        description: `${tmpl.percent} of ${tmpl.label('integration')} notifications failed over the last ${w} (threshold ${percent(props.settings.alerts.notificationFailureRatio)}); alerts routed there are not arriving.`,
      }),
      // The previous configuration stays in use, so nothing is lost yet: a warning. 10m lets a
      // rollout with a fixed ConfigMap land first.
      alertRule(props.shared.rules, {
        name: 'AlertmanagerConfigReloadFailed',
        remediation: 'The generated alertmanager.yml is checked by npm test (amtool), so this is a hand edit or a skipped test: re-apply the committed dist/, fix the code in charts/alertmanager/, test, and commit.',
        severity: 'warning',
        service,
        expr: `${sel(M.configLastReloadSuccessful.name, job)} == 0`,
        for: '10m',
        summary: 'Alertmanager could not load its configuration',
        description: `The last configuration reload of ${tmpl.label('instance')} failed; it still runs the previous configuration.`,
      }),
      // A member that sees fewer members than Prometheus scrapes is cut off: it and its side of
      // the split each send the notifications (pages arrive twice), and silences made on one side
      // do not hold on the other. max_over_time, so a missed scrape is no false alarm. A warning:
      // nothing is lost, pages are doubled. For: alerts.clusterFor (a rollout or a rejoin settles
      // well within it).
      alertRule(props.shared.rules, {
        name: 'AlertmanagerClusterMembersInconsistent',
        remediation: 'Restore the flow in charts/alertmanager/ (the policy admits 9094 TCP and UDP between Alertmanager pods); restart the cut-off pod (kubectl -n monitoring delete pod alertmanager-0): it rejoins and syncs silences and the log.',
        severity: 'warning',
        service,
        expr:
          `max_over_time(${sel(C.clusterMembers.name, job)}[5m])
  < on (job) group_left
` +
          `count by (job) (max_over_time(${sel(C.clusterMembers.name, job)}[5m]))`,
        for: a.clusterFor,
        summary: `Alertmanager ${tmpl.label('pod')} does not see every cluster member`,
        description: `${tmpl.label('pod')} sees ${tmpl.number} members of a cluster of more; its notifications and silences are not shared with the others, so pages may arrive twice.`,
      }),
      // More than half of the replicas gone (by the replica count the stack deploys, so pods that
      // vanished from discovery count as gone): one more failure and nothing notifies. Critical;
      // 5m rides out a rolling restart, which takes one replica at a time.
      alertRule(props.shared.rules, {
        name: 'AlertmanagerClusterDown',
        remediation: 'Pending pods: free a node or set alertmanager.antiAffinity: soft; crash-looping: the log says why (a broken configuration shows as AlertmanagerConfigReloadFailed first).',
        severity: 'critical',
        service,
        expr: `(count(avg_over_time(${sel(UP, job)}[5m]) >= 0.5) or vector(0)) < ${props.settings.replicas / 2}`,
        for: '5m',
        summary: 'More than half of the Alertmanager replicas are down',
        description: `Only ${tmpl.number} of ${props.settings.replicas} Alertmanager replicas have been up for most of the last 5m; one more failure and no notification leaves.`,
      }),
      // Replicas with different files route differently: which one notifies decides where a page
      // goes. A rollout changes them one at a time; alerts.clusterFor lets it finish.
      alertRule(props.shared.rules, {
        name: 'AlertmanagerConfigInconsistent',
        remediation: 'Finish the rollout (fix the stuck pod), or re-apply the committed dist/.',
        severity: 'warning',
        service,
        expr: `count(count_values("config_hash", ${sel(C.configHash.name, job)})) > 1`,
        for: a.clusterFor,
        summary: 'Alertmanager replicas run different configurations',
        description: `The Alertmanager replicas report ${tmpl.number} different configuration hashes; the route a page takes depends on which replica sends it.`,
      }),
    ]),
  ];
}
