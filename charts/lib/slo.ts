/**
 * Service level objectives as Prometheus rules: the multi-window, multi-burn-rate scheme of the
 * SRE workbook ("Alerting on SLOs", its recommended parameters), for any service. Nothing here
 * knows the stack: the caller gives the objective (target, period), how to count bad and all
 * events over a window, and where the alert goes.
 *
 * The math, once:
 * - The error budget is `1 - target` (99.5% leaves 0.5% of events that may fail).
 * - The burn rate over a window is the window's error ratio divided by the budget: at 1 the budget
 *   lasts exactly the period; at 14.4 a 30-day budget is gone in 50 hours.
 * - An alert at burn rate `f` over a long window `L` fires once `f * L / period` of the budget is
 *   spent (14.4 over 1h of 30d: 2%). It also requires the same burn rate over a short window (1/12
 *   of the long one), so it stops soon after the problem does instead of for the rest of `L`.
 * - The workbook's windows are for a 30-day period. Other periods scale every window by
 *   `period / 30d` and keep the burn factors (Pyrra's choice): each tier then still means "this
 *   share of the budget spent in this share of the period". (Sloth keeps the windows and scales
 *   the factors instead; for 28d the two differ by 7%.)
 * - A window with few events makes any ratio meaningless (two failures of three requests are 67%):
 *   each alert needs `minEvents` events in its long window.
 * - Long windows (6h, 1d, 3d of the workbook) are summed from the shortest window's recorded rates
 *   (DERIVED_WINDOW_RATIO below), not raw rates over days of every series.
 * - Budget remaining over the period is computed from the recorded short-window rates: summing a
 *   rate sampled at every evaluation weighs each moment by its traffic, so the sum of error rates
 *   over the sum of event rates is the period's error ratio, without re-reading 28 days of raw
 *   counters.
 */
import { alertRule, RuleContext, tmpl } from './alert-rules';
import { AlertRule, RecordingRule, RuleGroup, Severity } from './monitoring';
import { UNIT, RowSpec, prom, stat, timeseries } from './panels';
import { recordName } from './recording-rules';
import { durationToSeconds, singleUnit } from './schema';

/** One tier of the scheme: alert at `factor` times the sustainable burn rate over both windows. */
export interface BurnWindow {
  readonly severity: Severity;
  readonly factor: number;
  readonly long: string;
  readonly short: string;
}

/** The period the workbook's windows are written for. */
export const WORKBOOK_PERIOD = '30d';

/**
 * The workbook's recommended tiers: two pages (2% of the budget in 1h, 5% in 6h) and two tickets
 * (10% in 1d, 10% in 3d). A page is `critical` here and a ticket `warning` (Slack).
 */
export const WORKBOOK_WINDOWS: readonly BurnWindow[] = [
  { severity: 'critical', factor: 14.4, long: '1h', short: '5m' },
  { severity: 'critical', factor: 6, long: '6h', short: '30m' },
  { severity: 'warning', factor: 3, long: '1d', short: '2h' },
  { severity: 'warning', factor: 1, long: '3d', short: '6h' },
];

/** `2d19h12m`, `4m40s`, `1h`: whole seconds in Prometheus's duration syntax (largest units first). */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`${seconds}s is not a positive whole number of seconds`);
  const units: [string, number][] = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  let rest = seconds;
  let out = '';
  for (const [u, n] of units) {
    const k = Math.floor(rest / n);
    if (k > 0) out += `${k}${u}`;
    rest -= k * n;
  }
  return out;
}


/**
 * The tiers with every window scaled from `from` to `to`, rounded to whole seconds and written in
 * one unit (`56m`, `280s`: the stack's durations and rule names use one unit).
 */
export function scaleWindows(windows: readonly BurnWindow[], to: string, from: string = WORKBOOK_PERIOD): BurnWindow[] {
  const k = durationToSeconds(to) / durationToSeconds(from);
  const scale = (w: string) => singleUnit(Math.max(1, Math.round(durationToSeconds(w) * k)));
  return windows.map((w) => ({ ...w, long: scale(w.long), short: scale(w.short) }));
}

/**
 * What is wrong with an objective, in words (empty when nothing): a target outside (0, 1), a short
 * window not shorter than its long one, a window not shorter than the period, or a window too short
 * to hold `minWindowSeconds` (rate() needs several samples).
 */
export function sloProblems(o: { target: number; period: string; windows: readonly BurnWindow[]; minWindowSeconds: number }): string[] {
  const out: string[] = [];
  if (!(o.target > 0 && o.target < 1)) out.push(`target ${o.target} is not between 0 and 1 (exclusive)`);
  const period = durationToSeconds(o.period);
  for (const w of o.windows) {
    if (durationToSeconds(w.short) >= durationToSeconds(w.long)) out.push(`the short window ${w.short} is not shorter than its long window ${w.long}`);
    if (durationToSeconds(w.long) >= period) out.push(`the long window ${w.long} is not shorter than the period ${o.period}`);
    if (durationToSeconds(w.short) < o.minWindowSeconds) out.push(`the short window ${w.short} holds less than ${formatDuration(o.minWindowSeconds)}`);
    if (!(w.factor > 0)) out.push(`burn factor ${w.factor} is not positive`);
  }
  return out;
}

/** How to count events over a window: two PromQL expressions in the same unit (per second, or counts), without labels. */
export interface Indicator {
  /** Bad events over `window` (5xx responses, failed jobs, stale samples). Absent is read as 0. */
  errors(window: string): string;
  /** All events over `window`. */
  events(window: string): string;
}

export interface Objective {
  /** The `slo` label of every recorded series and alert: `api-availability`. */
  readonly name: string;
  /** For people: `API availability`. */
  readonly title: string;
  /** Share of good events, in (0, 1). */
  readonly target: number;
  readonly period: string;
  readonly indicator: Indicator;
  /** The tiers, already scaled to `period` (`scaleWindows`). */
  readonly windows: readonly BurnWindow[];
  /** Events the long window must hold before its alert may fire; 0 turns the guard off (time-based indicators). */
  readonly minEvents: number;
  /** The alert's name (`<Component><Symptom>`); one rule per severity, its tiers joined by `or`. */
  readonly alert: string;
  /** The alert's `remediation`: the first step of its RUNBOOK.md section (charts/lib/alert-rules.ts). */
  readonly remediation: string;
  readonly service: string;
  /** Text the page (critical) by SMS too. @default false */
  readonly notifySms?: boolean;
}

/** The label every SLO series carries. */
export const SLO_LABEL = 'slo';
/** The label an alert carries to say which tier fired (the long window of it). */
export const LONG_WINDOW_LABEL = 'long_window';

/** Names of the recorded series of every objective (told apart by the `slo` label). */
export const sloRecords = {
  /** Bad events over the window. */
  errors: (window: string) => recordName([SLO_LABEL], 'sli_errors', `rate${window}`),
  /** All events over the window. */
  events: (window: string) => recordName([SLO_LABEL], 'sli_events', `rate${window}`),
  /** errors / events: the error ratio over the window. */
  errorRatio: (window: string) => recordName([SLO_LABEL], 'sli_error', `ratio_rate${window}`),
  /** The target, as a series (dashboards draw against it). */
  objective: recordName([SLO_LABEL], 'objective', 'ratio'),
  /** Share of the period's error budget left: 1 untouched, 0 spent, below 0 overspent. */
  budgetRemaining: recordName([SLO_LABEL], 'error_budget_remaining', 'ratio'),
} as const;

/** Every window an objective's tiers use, shortest first. */
export function windowsOf(o: Pick<Objective, 'windows'>): string[] {
  return [...new Set(o.windows.flatMap((w) => [w.short, w.long]))].sort((a, b) => durationToSeconds(a) - durationToSeconds(b));
}

/** A number as PromQL writes it, without float noise (14.4 * 0.005 is 0.072, not 0.07200000000000001). */
function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/**
 * A window at least this many times the shortest is computed from the shortest window's recorded
 * rates instead of read raw. Why: a raw `rate(x[3d])` loads every sample of every matching series
 * in three days at each evaluation (at 15s, 17,280 samples per series, times every route, method,
 * status code and pod), so its cost, the samples a query may hold (`--query.max-samples`) and the
 * time to backfill it grow with the backend's cardinality; the recorded series is one series with
 * one sample per evaluation. The two agree but for the edges: 5m rates over 6h cover 6h05m, a
 * difference of at most 1/72 at the workbook's 6h, 1d and 3d windows. Windows under it (5m, 30m,
 * 1h, 2h: the pages' and the short windows) stay raw, exact and independent of the recorded
 * history.
 */
export const DERIVED_WINDOW_RATIO = 60;

/** Whether `window` is summed from the shortest window's recorded rates (DERIVED_WINDOW_RATIO). */
export function isDerivedWindow(o: Pick<Objective, 'windows'>, window: string): boolean {
  return durationToSeconds(window) >= DERIVED_WINDOW_RATIO * durationToSeconds(windowsOf(o)[0]);
}

/** The recording rules of one objective: per window errors, events and their ratio; the target; the budget left. */
export function sloRecordingRules(o: Objective, evaluationInterval: string): RecordingRule[] {
  // A fresh object per rule: a shared one would come out of YAML serialization as anchors and aliases.
  const labels = () => ({ [SLO_LABEL]: o.name });
  const only = `{${SLO_LABEL}="${o.name}"}`;
  const summed = (recorded: string, w: string) =>
    `sum_over_time(${recorded}${only}[${w}]) * ${durationToSeconds(evaluationInterval)} / ${durationToSeconds(w)}`;
  const shortest = windowsOf(o)[0];
  const perWindow = windowsOf(o).flatMap((w): RecordingRule[] => [
    ...(isDerivedWindow(o, w)
      ? [
          // Each recorded rate stands for one evaluation interval: their sum over w, times the
          // interval, over w's length is the rate over w. An evaluation with no record (before the
          // rule existed, Prometheus down) counts as no events, as a raw rate over w counts a
          // stretch without samples, so the traffic guard is not fooled by a young history
          // (a mean would stretch an hour of records over three days). The ratio below is a ratio
          // of sums: each moment weighs by its traffic.
          { record: sloRecords.errors(w), expr: summed(sloRecords.errors(shortest), w), labels: labels() },
          { record: sloRecords.events(w), expr: summed(sloRecords.events(shortest), w), labels: labels() },
        ]
      : [
          // A service that never failed has no bad-event series: the ratio must read 0, not nothing.
          { record: sloRecords.errors(w), expr: `(${o.indicator.errors(w)})\n  or\n(${o.indicator.events(w)}) * 0`, labels: labels() },
          { record: sloRecords.events(w), expr: o.indicator.events(w), labels: labels() },
        ]),
    { record: sloRecords.errorRatio(w), expr: `${sloRecords.errors(w)}${only}\n/\n${sloRecords.events(w)}${only}`, labels: labels() },
  ]);
  return [
    ...perWindow,
    { record: sloRecords.objective, expr: `vector(${num(o.target)})`, labels: labels() },
    {
      record: sloRecords.budgetRemaining,
      expr:
        `1 - (\n  sum_over_time(${sloRecords.errors(shortest)}${only}[${o.period}])\n  /\n  sum_over_time(${sloRecords.events(shortest)}${only}[${o.period}])\n)\n` +
        `/ ${num(1 - o.target)}`,
      labels: labels(),
    },
  ];
}

/** The condition of one tier: both windows above its burn rate, and enough events in the long one. Its value is the long window's burn rate. */
export function tierCondition(o: Objective, w: BurnWindow): string {
  const only = `{${SLO_LABEL}="${o.name}"}`;
  const budget = num(1 - o.target);
  const burn = (window: string) => `${sloRecords.errorRatio(window)}${only} / ${budget} > ${num(w.factor)}`;
  const guard = o.minEvents > 0 ? `\nand\n${sloRecords.events(w.long)}${only} * ${durationToSeconds(w.long)} >= ${num(o.minEvents)}` : '';
  // label_replace with an empty source sets the label on every series: the tier that fired.
  return `label_replace(\n  ${burn(w.long)}\n  and\n  ${burn(w.short)}${guard.replace(/\n/g, '\n  ')},\n  "${LONG_WINDOW_LABEL}", "${w.long}", "", ""\n)`;
}

/**
 * The alerts of one objective: one rule per severity, its tiers joined by `or` (a rule name and
 * severity appear once in the stack), each tier labelled with its long window.
 *
 * `for`: a fifth of the fastest tier's short window (1m for 5m): two windows already confirm the
 * burn, so `for` only rides out one odd evaluation, and a page waits at most that long for it.
 */
export function sloAlertRules(ctx: RuleContext, o: Objective): AlertRule[] {
  const out: AlertRule[] = [];
  for (const severity of ['critical', 'warning'] as const) {
    const tiers = o.windows.filter((w) => w.severity === severity);
    if (tiers.length === 0) continue;
    const fastest = tiers.reduce((a, b) => (durationToSeconds(a.short) <= durationToSeconds(b.short) ? a : b));
    const shares = tiers.map((w) => `${num(w.factor)}x over ${w.long} and ${w.short}`).join(', or ');
    const spent = tiers.map((w) => `${num(Math.round((w.factor * durationToSeconds(w.long) * 1000) / durationToSeconds(o.period)) / 10)}%`).join(' / ');
    out.push(
      alertRule(ctx, {
        name: o.alert,
        remediation: o.remediation,
        severity,
        service: o.service,
        notifySms: severity === 'critical' && o.notifySms,
        expr: tiers.map((w) => tierCondition(o, w)).join('\nor\n'),
        for: singleUnit(Math.max(1, Math.round(durationToSeconds(fastest.short) / 5))),
        summary: `${o.title} burns its error budget ${severity === 'critical' ? 'fast (page)' : 'steadily (ticket)'}: ${tmpl.label(LONG_WINDOW_LABEL)} window`,
        description:
          `${o.title} (objective ${num(o.target * 100)}% over ${o.period}) burned its error budget ${tmpl.number} times faster than sustainable over the last ${tmpl.label(LONG_WINDOW_LABEL)} ` +
          `(tiers: ${shares}; each spends ${spent} of the budget).`,
      }),
    );
  }
  return out;
}

/** Recording rules and alerts of several objectives, as two rule groups named after `component`. */
export function sloRuleGroups(ctx: RuleContext, component: string, objectives: readonly Objective[]): RuleGroup[] {
  if (objectives.length === 0) return [];
  return [
    { name: `${component}-slo-recording-rules`, rules: objectives.flatMap((o) => sloRecordingRules(o, ctx.evaluationInterval)) },
    { name: `${component}-slo-alerts`, rules: objectives.flatMap((o) => sloAlertRules(ctx, o)) },
  ];
}

/**
 * A dashboard row for one objective: the budget left over the period, the error ratio over the
 * shortest window against the target, and the burn rate of every window with the tiers' factors
 * as thresholds (a line above 14.4 on its 1h window is the fast page).
 */
export function sloRow(o: Objective): RowSpec {
  const only = `{${SLO_LABEL}="${o.name}"}`;
  const budget = num(1 - o.target);
  const factors = [...new Set(o.windows.map((w) => w.factor))].sort((a, b) => a - b);
  return {
    title: `${o.title}: ${num(o.target * 100)}% over ${o.period}`,
    panels: [
      stat({
        title: 'Error budget left',
        description: `Share of the ${o.period} error budget (${num((1 - o.target) * 100)}% of events may fail) not spent yet; below 0 the objective is missed.`,
        unit: UNIT.percent,
        queries: [prom(`${sloRecords.budgetRemaining}${only}`, { legend: 'budget left' })],
        base: 'red',
        thresholds: [
          { value: 0, color: 'orange' },
          { value: 0.25, color: 'green' },
        ],
        width: 6,
      }),
      timeseries({
        title: 'Burn rate per window',
        description: `Error ratio of each window divided by the budget (${budget}). At 1 the budget lasts exactly the period; the alert tiers fire at ${factors.join(', ')} when both of their windows are above.`,
        unit: UNIT.count,
        queries: windowsOf(o).map((w) => prom(`${sloRecords.errorRatio(w)}${only} / ${budget}`, { legend: w })),
        thresholds: factors.map((f) => ({ value: f, color: f >= 6 ? ('red' as const) : ('orange' as const) })),
        min: 0,
        width: 18,
      }),
    ],
  };
}
