/**
 * Every metric a rule or a dashboard reads must exist in the live scrapes. The selectors are
 * extracted with the PromQL grammar Prometheus's own UI uses (@prometheus-io/lezer-promql), from the
 * rule files Prometheus loaded and the dashboards in the synthesized ConfigMaps; each is looked up
 * in Prometheus by metric name and, where the selector names one, by job.
 */
import type * as LezerPromql from '@prometheus-io/lezer-promql' with { 'resolution-mode': 'import' };
import * as YAML from 'yaml';
import { query, queryRange } from './harness/prom';

// The package is ESM-typed but ships a CommonJS build, which is what this (CommonJS) code loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof LezerPromql;

/** Series Prometheus itself makes, not scraped from anyone. */
const SYNTHETIC = new Set(['ALERTS', 'ALERTS_FOR_STATE', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added', 'scrape_samples_post_metric_relabeling']);

export interface Selector {
  readonly metric: string;
  /** The job the selector asks for (an exact `job="..."` matcher), if any. */
  readonly job?: string;
  /** The jobs a `job=~"..."` matcher asks for (the probe jobs `blackbox-.+`), if any. */
  readonly jobRe?: string;
  /** Where it was read: `rule <group>/<alert or record>` or `dashboard <uid>/<panel>`. */
  readonly from: string;
}

export interface ExprSource {
  readonly expr: string;
  readonly from: string;
}

/** Grafana's variables are not PromQL: durations become 5m, other variables a number or a label value. */
function grafanaToPromql(expr: string): string {
  return expr
    .replace(/\[\s*\$\{?[A-Za-z_][A-Za-z0-9_]*\}?\s*\]/g, '[5m]')
    .replace(/\$\{?__[A-Za-z_]+\}?/g, '5m')
    .replace(/("[^"]*")|\$\{?[A-Za-z_][A-Za-z0-9_:]*\}?|\[\[[A-Za-z_][A-Za-z0-9_]*\]\]/g, (m, quoted: string | undefined) => (quoted ? m : '1'));
}

/** The selectors of one PromQL expression; throws with the position on a syntax error. */
export function selectorsOf(src: ExprSource): Selector[] {
  const expr = src.expr;
  const tree = parser.parse(expr);
  const out: Selector[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(n) {
      if (n.type.isError && error === undefined) error = n.from;
      if (n.name !== 'VectorSelector') return;
      let metric: string | undefined;
      let job: string | undefined;
      let jobRe: string | undefined;
      const node = n.node;
      const id = node.getChild('Identifier');
      if (id) metric = expr.slice(id.from, id.to);
      for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const name = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!name || !op || !value) continue;
        const label = expr.slice(name.from, name.to);
        const v = JSON.parse(expr.slice(value.from, value.to).replace(/^'|'$/g, '"'));
        const exact = expr.slice(op.from, op.to) === '=';
        if (label === '__name__' && exact) metric = v;
        if (label === 'job' && exact) job = v;
        if (label === 'job' && expr.slice(op.from, op.to) === '=~') jobRe = v;
      }
      if (metric) out.push({ metric, from: src.from, ...(job ? { job } : {}), ...(jobRe ? { jobRe } : {}) });
    },
  });
  if (error !== undefined) throw new Error(`${src.from}: PromQL does not parse at ${error}: ${expr}`);
  return out;
}

/** Expressions of every rule in rule files (`{ groups: [...] }` YAML). */
export function ruleExprs(files: Record<string, string>): ExprSource[] {
  const out: ExprSource[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const g of YAML.parse(text).groups ?? []) {
      for (const r of g.rules ?? []) out.push({ expr: r.expr, from: `rule ${file}: ${r.alert ?? r.record}` });
    }
  }
  return out;
}

/** Names recording rules produce: read by other rules or dashboards, made by Prometheus. */
export function recordedNames(files: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const text of Object.values(files)) for (const g of YAML.parse(text).groups ?? []) for (const r of g.rules ?? []) if (r.record) out.add(r.record);
  return out;
}

/** Every dashboard model found in ConfigMaps (any JSON value with `panels`), with its uid (or its key). */
function* dashboardModels(configMaps: { data?: Record<string, string> }[]): Generator<{ uid: string; model: any }> {
  for (const cm of configMaps) {
    for (const [key, text] of Object.entries(cm.data ?? {})) {
      if (!key.endsWith('.json')) continue;
      let model: any;
      try {
        model = JSON.parse(text);
      } catch {
        continue;
      }
      if (Array.isArray(model?.panels)) yield { uid: model.uid ?? key, model };
    }
  }
}

/** Every panel of a dashboard, rows' nested panels included. */
function* panelsOf(model: any): Generator<any> {
  const walk = function* (panel: any): Generator<any> {
    yield panel;
    for (const p of panel.panels ?? []) yield* walk(p);
  };
  for (const p of model.panels) yield* walk(p);
}

/** Expressions of the dashboards found in ConfigMaps (any JSON value with `panels`). */
export function dashboardExprs(configMaps: { metadata: { name: string }; data?: Record<string, string> }[]): ExprSource[] {
  const out: ExprSource[] = [];
  for (const { uid, model } of dashboardModels(configMaps)) {
    for (const panel of panelsOf(model)) {
      for (const t of panel.targets ?? []) {
        if (typeof t.expr === 'string' && isPrometheus(t.datasource ?? panel.datasource)) out.push({ expr: grafanaToPromql(t.expr), from: `dashboard ${uid}: ${panel.title ?? panel.id}` });
      }
    }
    for (const v of model.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : v.query?.query;
      if (v.type === 'query' && typeof q === 'string' && isPrometheus(v.datasource)) {
        // label_values(metric{...}, label) / query_result(expr): the PromQL inside.
        const inner = /^\s*(?:label_values|query_result)\((.*?)(?:,\s*[A-Za-z_][A-Za-z0-9_]*)?\)\s*$/.exec(q)?.[1];
        if (inner) out.push({ expr: grafanaToPromql(inner), from: `dashboard ${uid}: variable ${v.name}` });
      }
    }
  }
  return out;
}

function isPrometheus(ds: unknown): boolean {
  if (ds === undefined || ds === null) return true; // the dashboard default
  if (typeof ds === 'string') return !/loki/i.test(ds);
  const d = ds as { type?: string; uid?: string };
  return d.type === undefined ? !/loki/i.test(d.uid ?? '') : d.type === 'prometheus';
}

export interface CoverageResult {
  readonly checked: number;
  readonly missing: Selector[];
  /** Selectors of jobs whose component the run does not start. */
  readonly notRun: Selector[];
}

/**
 * A Prometheus server of the run and the span it watched: the run starts one stack per shard, side
 * by side, and the checks below count a series found in any of them.
 */
export interface PromSource {
  readonly url: string;
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
}

/** Whether any source returns a series for `expr`. */
async function anySeries(sources: readonly PromSource[], run: (src: PromSource) => Promise<unknown[]>): Promise<boolean> {
  for (const src of sources) if ((await run(src)).length > 0) return true;
  return false;
}

/**
 * Looks every selector up in Prometheus: the metric must have had a series (of the selector's job)
 * at some point of a source's span, in any source.
 */
export async function checkCoverage(
  sources: readonly PromSource[],
  selectors: Selector[],
  opts: { recorded: Set<string>; jobsNotRun: Set<string>; /** Every job of prometheus.yml, for `job=~` selectors. */ jobs?: Set<string> },
): Promise<CoverageResult> {
  const unique = new Map<string, Selector[]>();
  for (const s of selectors) {
    if (SYNTHETIC.has(s.metric) || opts.recorded.has(s.metric)) continue;
    const key = `${s.metric}|${s.job ?? ''}|${s.jobRe ?? ''}`;
    unique.set(key, [...(unique.get(key) ?? []), s]);
  }
  const missing: Selector[] = [];
  const notRun: Selector[] = [];
  for (const [, group] of unique) {
    const s = group[0];
    if (s.job && opts.jobsNotRun.has(s.job)) {
      notRun.push(...group);
      continue;
    }
    // A regex over jobs whose every match has no target in the run (the probe jobs without a blackbox exporter).
    const re = s.jobRe === undefined ? undefined : new RegExp(`^(?:${s.jobRe})$`);
    const matching = re ? [...(opts.jobs ?? [])].filter((j) => re.test(j)) : [];
    if (!s.job && matching.length > 0 && matching.every((j) => opts.jobsNotRun.has(j))) {
      notRun.push(...group.map((g) => ({ ...g, job: matching.join('|') })));
      continue;
    }
    const sel = `{__name__=${JSON.stringify(s.metric)}${s.job ? `,job=${JSON.stringify(s.job)}` : ''}}`;
    const found = await anySeries(sources, (src) => query(src.url, `count(last_over_time(${sel}[${Math.ceil((Date.now() - src.start) / 1000) + 60}s]))`));
    if (!found) missing.push(...group);
  }
  return { checked: unique.size, missing, notRun };
}

// ---- every panel shows data ------------------------------------------------------------------------

/**
 * Panels allowed to be empty after the run, by `<dashboard uid>: <panel title>`, each with the reason.
 * Anything else that returns no series fails the run: "No data" on a dashboard must mean a problem.
 */
export const PANELS_MAY_BE_EMPTY: Readonly<Record<string, string>> = {};

export interface PanelQuery {
  /** `<dashboard uid>: <panel title>`. */
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  readonly datasource: 'prometheus' | 'loki';
}

/** Every query of every panel of the dashboards found in ConfigMaps, with the data source it runs on. */
export function panelQueries(configMaps: { data?: Record<string, string> }[]): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const { uid, model } of dashboardModels(configMaps)) {
    for (const panel of panelsOf(model)) {
      for (const t of panel.targets ?? []) {
        if (typeof t.expr !== 'string') continue;
        out.push({ panel: `${uid}: ${panel.title ?? panel.id}`, refId: String(t.refId ?? ''), expr: t.expr, datasource: isPrometheus(t.datasource ?? panel.datasource) ? 'prometheus' : 'loki' });
      }
    }
  }
  return out;
}

/** Grafana's built-in variables as Grafana would fill them for a dashboard showing the run. */
export function withGrafanaVariables(expr: string, o: { rangeSeconds: number; intervalSeconds: number }): string {
  return expr
    .replace(/\$\{?__range\}?/g, `${o.rangeSeconds}s`)
    .replace(/\$\{?__(?:rate_interval|interval|auto)\}?/g, `${o.intervalSeconds}s`);
}

export interface PanelDataResult {
  readonly checked: number;
  /** Queries that returned no series and are not excused. */
  readonly empty: PanelQuery[];
  /** Empty, and listed in PANELS_MAY_BE_EMPTY with the reason. */
  readonly excused: { query: PanelQuery; reason: string }[];
  /** Queries on a data source the run does not start (Loki). */
  readonly notRun: PanelQuery[];
  /** Prometheus queries that read only jobs the run does not start (kube-state-metrics, the kubelets, Loki, the log shipper), with those jobs. */
  readonly jobsNotRun: { query: PanelQuery; jobs: string[] }[];
}

/**
 * The jobs a Prometheus panel query reads when every one of them is a job the run does not start
 * (each selector names its job, exactly or by a regex whose every match is not started); otherwise
 * undefined: the query is checked. A selector without a job (a recorded series of any source)
 * makes it checked too.
 */
export function jobsNotStarted(q: PanelQuery, o: { jobsNotRun: ReadonlySet<string>; jobs: ReadonlySet<string> }): string[] | undefined {
  const selectors = selectorsOf({ expr: grafanaToPromql(q.expr), from: q.panel }).filter((s) => !SYNTHETIC.has(s.metric));
  if (selectors.length === 0) return undefined;
  const jobs = new Set<string>();
  for (const s of selectors) {
    const re = s.jobRe === undefined ? undefined : new RegExp(`^(?:${s.jobRe})$`);
    const named = s.job !== undefined ? [s.job] : re ? [...o.jobs].filter((j) => re.test(j)) : [];
    if (named.length === 0 || !named.every((j) => o.jobsNotRun.has(j))) return undefined;
    for (const j of named) jobs.add(j);
  }
  return [...jobs].sort();
}

/**
 * Runs every Prometheus panel query over each source's span, as Grafana would draw it, and returns
 * those that came back without a single series from any source.
 */
export async function checkPanelData(
  sources: readonly PromSource[],
  queries: PanelQuery[],
  o: {
    intervalSeconds: number;
    mayBeEmpty?: Readonly<Record<string, string>>;
    /** Scrape jobs without a target in the run, and every job of prometheus.yml (for `job=~` selectors). */
    jobsNotRun?: ReadonlySet<string>;
    jobs?: ReadonlySet<string>;
  },
): Promise<PanelDataResult> {
  const mayBeEmpty = o.mayBeEmpty ?? PANELS_MAY_BE_EMPTY;
  const empty: PanelQuery[] = [];
  const excused: { query: PanelQuery; reason: string }[] = [];
  const notRun: PanelQuery[] = [];
  const jobsNotRun: { query: PanelQuery; jobs: string[] }[] = [];
  let checked = 0;
  for (const q of queries) {
    if (q.datasource !== 'prometheus') {
      notRun.push(q);
      continue;
    }
    const notStarted = jobsNotStarted(q, { jobsNotRun: o.jobsNotRun ?? new Set(), jobs: o.jobs ?? new Set() });
    if (notStarted) {
      jobsNotRun.push({ query: q, jobs: notStarted });
      continue;
    }
    checked++;
    const found = await anySeries(sources, (src) =>
      queryRange(src.url, withGrafanaVariables(q.expr, { rangeSeconds: Math.ceil((src.end - src.start) / 1000), intervalSeconds: o.intervalSeconds }), {
        start: src.start,
        end: src.end,
        stepSeconds: o.intervalSeconds,
      }),
    );
    if (found) continue;
    if (mayBeEmpty[q.panel] !== undefined) excused.push({ query: q, reason: mayBeEmpty[q.panel] });
    else empty.push(q);
  }
  return { checked, empty, excused, notRun, jobsNotRun };
}
