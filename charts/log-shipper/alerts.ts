/**
 * Alerts on the log shipper (Promtail or Alloy, whichever `logs.shipper` runs; ./metrics.ts names
 * the same facts for both): entries dropped after every retry, pushes to Loki failing, and a node
 * whose shipper has sent nothing while the files it tails keep growing. Every expression groups by
 * `node`, the label the scrape job puts on each shipper's series. Neither shipper runs in this
 * project's checks: the names come from their pinned releases (ground-truth/upstream-metrics.tsv).
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { increase, jobOf, rate, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { SHIPPER_METRICS } from './metrics';
import { LogsProps } from './settings';

export function alertRules(props: LogsProps): RuleGroup[] {
  const endpoint = props.shared.endpoints.logShipper;
  const service = endpoint.name;
  const job = jobOf(endpoint);
  const w = props.shared.rules.rateWindow;
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  const M = SHIPPER_METRICS[props.settings.shipper];
  const requests = `${M.requestDuration.name}_count`;
  return [
    alertGroup(service, [
      // A dropped entry is a log line lost for good: the shipper has already retried for
      // minutes. No `for`: each drop is final, and waiting would only report it later.
      alertRule(ctx, {
        name: 'LogShipperEntriesDropped',
        remediation: 'Restore Loki or raise its limits; the dropped lines are gone.',
        severity: 'warning',
        service,
        expr: `${sumBy(['node'], increase(sel(M.droppedEntries.name, job), w))} > 0`,
        for: '0m',
        summary: `The log shipper on ${tmpl.label('node')} drops log entries`,
        description: `The shipper on ${tmpl.label('node')} gave up on ${tmpl.number} entries over the last ${w} after every retry; those lines never reach Loki.`,
      }),
      // Failing pushes are retried, so nothing is lost yet; a quarter hour of them is a backlog
      // that ends in drops. Anything but 2xx counts: 429 (Loki's limits), 5xx, and no answer.
      alertRule(ctx, {
        name: 'LogShipperPushesFailing',
        remediation: "As the status says: raise Loki's limits, fix Loki, or restore the flow from monitoring-agents to Loki on 3100.",
        severity: 'warning',
        service,
        expr:
          `${sumBy(['node'], rate(sel(requests, { ...job, status_code: { notRe: '2..' } }), w))}\n  /\n` +
          `${sumBy(['node'], rate(sel(requests, job), w))}\n> ${a.pushFailureRatio}`,
        for: '15m',
        summary: `The log shipper on ${tmpl.label('node')} fails to push to Loki`,
        description: `${tmpl.percent} of the pushes from ${tmpl.label('node')} to Loki failed over the last ${w} (threshold ${percent(a.pushFailureRatio)}).`,
      }),
      // The files the shipper tails on a node grew (its pods write logs) but it delivered nothing
      // over the same time: stuck, or cut off from Loki. Growth per file, so a rotated file
      // (its size drops) does not cancel another's growth. The window is the alert's whole wait.
      alertRule(ctx, {
        name: 'LogShipperNodeSilent',
        remediation: "kubectl -n monitoring-agents delete pod <the node's shipper>; raise fs.inotify.max_user_instances on the node if the log says so.",
        severity: 'warning',
        service,
        expr:
          `${sumBy(['node'], `clamp_min(delta(${sel(M.fileBytes.name, job)}[${a.silentFor}]), 0)`)} > 0\n` +
          `and on (node)\n${sumBy(['node'], increase(sel(M.sentEntries.name, job), a.silentFor))} == 0`,
        for: '0m',
        summary: `The log shipper on ${tmpl.label('node')} has sent nothing for ${a.silentFor}`,
        description: `Pods on ${tmpl.label('node')} wrote ${tmpl.bytes} of logs over the last ${a.silentFor}, and its shipper delivered none of it to Loki.`,
      }),
    ]),
  ];
}
