/**
 * Alerts on Prometheus and on what it scrapes: every scrape target down, rules that fail to
 * evaluate, a configuration that did not load, and the always-firing Watchdog of the dead-man's
 * switch (Alertmanager sends it to the heartbeat receiver; silence from it means the alerting
 * path itself is broken).
 */
import { UP, increase, jobOf, sel, sumBy } from '../lib/promql';
import { WATCHDOG, alertGroup, alertRule, tmpl } from '../lib/alert-rules';
import { RuleGroup } from '../lib/monitoring';
import { PROMETHEUS_SELF_METRICS } from './metrics';
import { PrometheusProps } from './settings';


export function alertRules(props: PrometheusProps): RuleGroup[] {
  const M = PROMETHEUS_SELF_METRICS;
  const job = jobOf(props.shared.endpoints.prometheus);
  const service = props.shared.endpoints.prometheus.name;
  return [
    alertGroup(service, [
      // Every target of every job, present and future: its `service` is its job, so Alertmanager
      // groups the down targets of one component together. 5m: a pod being rescheduled is
      // replaced within that time; longer, and its metrics (and alerts) are blind.
      alertRule(props.shared.rules, {
        name: 'PrometheusTargetDown',
        remediation: 'Restart the component if it is wedged (kubectl -n <namespace> rollout restart deployment/<name>), fix its port or labels, or add the missing flow to its NetworkPolicy (in code: charts/<component>/).',
        severity: 'warning',
        expr: `label_replace(${UP} == 0, "service", "$1", "job", "(.*)")`,
        for: '5m',
        summary: `Prometheus cannot scrape ${tmpl.label('job')} target ${tmpl.label('instance')}`,
        description: `Scraping ${tmpl.label('instance')} of job ${tmpl.label('job')} has failed for 5m; alerts that read its metrics cannot fire.`,
      }),
      // A rule that fails evaluates to nothing: its alert can never fire. Critical because the
      // failing rule may be a paging one. 10m: one failed evaluation during a restart is noise.
      alertRule(props.shared.rules, {
        name: 'PrometheusRuleEvaluationFailures',
        remediation: 'Fix the rule in charts/<component>/alerts.ts, extend its unit test in test/alerts/cases/ with the series that broke it, run npm test, synthesize and commit; Argo CD applies it and Prometheus reloads by itself.',
        severity: 'critical',
        service,
        expr: `${sumBy(['rule_group'], increase(sel(M.ruleEvaluationFailures.name, job), props.shared.rules.rateWindow))} > 0`,
        for: '10m',
        summary: `Rules of group ${tmpl.label('rule_group')} fail to evaluate`,
        description: `${tmpl.number} evaluations of ${tmpl.label('rule_group')} failed over the last ${props.shared.rules.rateWindow}; the alerts of that group cannot fire.`,
      }),
      // The previous configuration stays in use: a warning. 10m lets a corrected rollout land.
      alertRule(props.shared.rules, {
        name: 'PrometheusConfigReloadFailed',
        remediation: 'The generated configuration is checked by npm test (promtool), so a failed reload usually means a hand edit of the ConfigMap or a skipped test: revert to the committed dist/ (kubectl apply -f dist/ or an Argo CD sync), fix the code, and test.',
        severity: 'warning',
        service,
        expr: `${sel(M.configLastReloadSuccessful.name, job)} == 0`,
        for: '10m',
        summary: 'Prometheus could not load its configuration',
        description: `The last configuration reload of ${tmpl.label('instance')} failed; it still runs the previous configuration and rules.`,
      }),
      // Always firing, from the first evaluation. Its severity is only there to keep the closed
      // set; Alertmanager's first route takes it to the heartbeat receiver before any severity route.
      alertRule(props.shared.rules, {
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
