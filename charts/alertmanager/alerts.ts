/**
 * Alerts on Alertmanager itself: notifications that do not arrive, and a configuration that did not
 * load. (Alertmanager being down shows as PrometheusTargetDown and, from outside, as a silent
 * Watchdog heartbeat.)
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { jobOf, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { ALERTMANAGER_METRICS as M } from './metrics';
import { AlertmanagerProps } from './settings';

export function alertRules(props: AlertmanagerProps): RuleGroup[] {
  const job = jobOf(props.shared.endpoints.alertmanager);
  const service = props.shared.endpoints.alertmanager.name;
  const w = props.shared.rules.rateWindow;
  return [
    alertGroup(service, [
      // Critical and texted: if email is the broken integration, the page must take another path.
      // 10m: Alertmanager retries for a while before counting a failure; ten minutes of failures is
      // an outage of that channel, not a hiccup of the provider.
      alertRule(props.shared.rules, {
        name: 'AlertmanagerNotificationsFailing',
        remediation: 'Rotate the credential in the receivers Secret (alertmanager.secretName; the file is re-read on the next notification, no restart needed), fix the SMTP settings in config, or allow the egress port in the NetworkPolicy.',
        severity: 'critical',
        notifySms: true,
        service,
        expr:
          `${sumBy(['integration'], rate(sel(M.notificationsFailed.name, job), w))}\n  /\n` +
          `${sumBy(['integration'], rate(sel(M.notifications.name, job), w))}\n> ${props.settings.alerts.notificationFailureRatio}`,
        for: '10m',
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
    ]),
  ];
}
