/**
 * Alerts on Loki: the log store unreachable, its requests failing, lines it refuses (by reason),
 * and a compactor that no longer applies retention (the claim then fills up). Written after the
 * upstream loki-mixin's request-error alert, with this stack's names and thresholds
 * (`loki.alerts`); the metric names are Loki 3.7's (./metrics.ts, not scraped live here: Loki does
 * not run in this project's checks).
 * A shipper that cannot be scraped shows in PrometheusTargetDown, its drops in the log shipper's
 * alerts; the Logs pipeline dashboard (charts/log-shipper/dashboards.ts, uid love-logs) draws what
 * these alerts watch next to the ingest per stream and each node's shipper.
 */
import { alertGroup, alertRule, percent, tmpl } from '../lib/alert-rules';
import { Matchers, UP, jobDown, maxBy, rate, sel, sumBy, increase } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { durationToSeconds } from '../lib/schema';
import { LOKI_METRICS as M } from './metrics';
import { LokiProps } from './settings';

/**
 * No target of a Loki job is up, per job, for the simple-scalable mode's one job per target, so a
 * read path that is down alerts while writes still succeed.
 */
export function lokiDown(jobs: readonly string[]): string {
  const up = sel(UP, { job: { re: jobs.join('|') } });
  return `${maxBy(['job'], up)} == 0 or ${jobs.map((j) => `absent(${sel(UP, { job: j })})`).join(' or ')}`;
}

/** `jobs`: the scrape jobs of Loki's pods (`loki`, or `loki-write`, `loki-read`, `loki-backend`). */
export function alertRules(props: LokiProps, jobs: readonly string[] = [props.shared.endpoints.loki.name]): RuleGroup[] {
  const service = props.shared.endpoints.loki.name;
  const job: Matchers = jobs.length === 1 ? { job: jobs[0] } : { job: { re: jobs.join('|') } };
  const w = props.shared.rules.rateWindow;
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  const requests = `${M.requestDuration.name}_count`;
  return [
    alertGroup(service, [
      // Without Loki, shippers buffer and then drop logs, and nobody can read the logs of an
      // incident. Critical, but no text: the applications still run. 5m rides out a restart
      // (Loki replays its WAL on start).
      alertRule(ctx, {
        name: 'LokiDown',
        remediation: 'Full volume: grow loki.storage.size or shorten loki.retention; OOM: raise loki.resources; then kubectl -n monitoring rollout restart statefulset/loki.',
        severity: 'critical',
        service,
        // The single binary is one endpoint's job: the shared jobDown(), as every component writes it.
        expr: jobs.length === 1 ? jobDown(props.shared.endpoints.loki) : lokiDown(jobs),
        for: '5m',
        summary: 'Loki is down: logs are not stored',
        description: 'Prometheus has reached no Loki target for 5m: log shippers are buffering and will drop logs, and log queries fail.',
      }),
      // 5xx per route (push or query). 15m, the mixin's: a compaction or a flush can make a few
      // minutes of requests slow or failing; a quarter hour is an outage of that route.
      alertRule(ctx, {
        name: 'LokiRequestErrors',
        remediation: 'A full volume: grow loki.storage.size or shorten loki.retention; out of memory: raise loki.resources; then restart statefulset/loki.',
        severity: 'critical',
        service,
        expr:
          `${sumBy(['route'], rate(sel(requests, { ...job, status_code: { re: '5..' } }), w))}\n  /\n` +
          `${sumBy(['route'], rate(sel(requests, job), w))}\n> ${a.requestErrorRatio}`,
        for: '15m',
        summary: `Loki fails requests on ${tmpl.label('route')}`,
        description: `${tmpl.percent} of the requests to ${tmpl.label('route')} failed with 5xx over the last ${w} (threshold ${percent(a.requestErrorRatio)}).`,
      }),
      // Refused lines are lost logs; the reason says which limit (loki.*) to raise or which
      // client misbehaves. 15m: a backlog flushed after a Loki restart can hit the rate limit for
      // a moment; refusals that go on for a quarter hour are a limit that is too low.
      alertRule(ctx, {
        name: 'LokiSamplesDiscarded',
        remediation: 'Raise loki.ingestionRateMb/perStreamRateMb/maxStreams, or quiet the noisy pod; old lines after an outage cannot be recovered.',
        severity: 'warning',
        service,
        expr: `${sumBy(['reason'], increase(sel(M.discardedSamples.name, job), w))} > 0`,
        for: '15m',
        summary: `Loki refuses log lines: ${tmpl.label('reason')}`,
        description: `Loki discarded ${tmpl.number} lines for reason ${tmpl.label('reason')} over the last ${w}; those lines are lost.`,
      }),
      // A compactor that stopped applying retention lets the claim fill until Loki stops
      // accepting logs. The last success is 0 until the first run after a start, which comes
      // within minutes; 1h of `for` on top of alerts.retentionStaleAfter keeps a restart quiet.
      alertRule(ctx, {
        name: 'LokiRetentionNotApplied',
        remediation: 'A full volume blocks the compactor too: grow loki.storage.size first.',
        severity: 'warning',
        service,
        expr: `time() - max(${sel(M.retentionLastSuccess.name, job)}) > ${durationToSeconds(a.retentionStaleAfter)}`,
        for: '1h',
        summary: 'Loki\'s compactor has not applied retention recently',
        description: `The last successful retention run was ${tmpl.duration} ago (threshold ${a.retentionStaleAfter}); old logs are not deleted and the volume fills up.`,
      }),
    ]),
  ];
}
