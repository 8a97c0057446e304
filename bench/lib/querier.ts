/**
 * Timing panel queries over the HTTP API of Prometheus or of anything that speaks it (Thanos
 * Query): the panel queries of the dashboards as Grafana sends them, one warm-up and timed runs,
 * p50 and p95 by nearest rank, the series a query's selectors match and the series it returns.
 * Shared by bench/dashboards.ts and bench/thanos.ts.
 */
import { targetsOf } from '../../charts/grafana/validate';
import { PROMETHEUS_DS } from '../../charts/lib/datasources';
import { defaultVariables, promDuration, relativeSeconds } from './grafana';
import { selectorsOf } from './promql-expand';

/** Prometheus's default: a query that runs longer is cancelled and Grafana shows the error. */
export const QUERY_TIMEOUT = '2m';

export interface Timed {
  readonly p50: number;
  readonly p95: number;
  readonly samples?: number;
  readonly series: number;
  readonly resultSeries?: number;
  readonly error?: string;
}

/** Nearest rank: with 7 runs the p95 is the slowest run. `sorted` ascending. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export const fmtMs = (t: Timed, k: 'p50' | 'p95') => (t.error ? t.error : t[k] < 10 ? t[k].toFixed(1) : t[k].toFixed(0));
export const fmtN = (n: number | undefined) => (n === undefined ? '' : n.toLocaleString('en'));
export const rangeName = (s: number) => (s % 86400 === 0 ? `${s / 86400}d` : promDuration(s));

export class Querier {
  private readonly cache = new Map<string, Timed>();
  private readonly seriesCache = new Map<string, number>();
  /**
   * @param url the HTTP API's base URL
   * @param runs timed runs per query (fewer for queries over 2 s)
   * @param extraParams sent with every request (Thanos Query: `dedup`, `max_source_resolution`)
   */
  constructor(
    readonly url: string,
    readonly runs: number,
    readonly extraParams: Readonly<Record<string, string>> = {},
  ) {}

  private async call(pathAndQuery: string, body: URLSearchParams): Promise<any> {
    for (const [k, v] of Object.entries(this.extraParams)) body.set(k, v);
    const r = await fetch(`${this.url}${pathAndQuery}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const j = (await r.json()) as any;
    if (j.status !== 'success') throw new Error(`${j.errorType ?? r.status}: ${j.error ?? 'no error text'}`);
    return j.data;
  }

  private async seriesTouched(expr: string, start: number, end: number): Promise<number> {
    let total = 0;
    for (const sel of selectorsOf(expr)) {
      const key = `${sel}|${start}|${end}`;
      if (!this.seriesCache.has(key)) {
        const data = await this.call('/api/v1/series', new URLSearchParams({ 'match[]': sel, start: String(start), end: String(end) }));
        this.seriesCache.set(key, (data as unknown[]).length);
      }
      total += this.seriesCache.get(key)!;
    }
    return total;
  }

  /** The answer (`data.result`) to `expr` sent as `time` sends it, untimed. */
  async answer(expr: string, end: number, rangeSeconds: number, stepSeconds: number, instant: boolean): Promise<unknown[]> {
    const { endpoint, params } = request(expr, end, rangeSeconds, stepSeconds, instant);
    return (await this.call(endpoint, new URLSearchParams(params))).result as unknown[];
  }

  /** Times `expr` as Grafana sends it: a range query aligned to the step, or an instant query at the end. */
  async time(expr: string, end: number, rangeSeconds: number, stepSeconds: number, instant: boolean, timeoutSeconds?: number): Promise<Timed> {
    const key = `${instant}|${rangeSeconds}|${stepSeconds}|${timeoutSeconds}|${expr}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const { endpoint, params } = request(expr, end, rangeSeconds, stepSeconds, instant, timeoutSeconds);
    const series = await this.seriesTouched(expr, end - rangeSeconds, end);
    let result: Timed;
    try {
      const warm = Date.now();
      const data = await this.call(`${endpoint}?stats=all`, new URLSearchParams(params));
      const warmMs = Date.now() - warm;
      // A query that takes seconds is timed fewer times: the point is the order of magnitude.
      const runs = warmMs > 10_000 ? 2 : warmMs > 2_000 ? 3 : this.runs;
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = process.hrtime.bigint();
        await this.call(endpoint, new URLSearchParams(params));
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      ms.sort((a, b) => a - b);
      result = { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), samples: data.stats?.samples?.totalQueryableSamples, series, resultSeries: (data.result as unknown[]).length };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      result = { p50: NaN, p95: NaN, series, error: /timeout|timed out|canceled/i.test(message) ? `over ${timeoutSeconds !== undefined ? `${timeoutSeconds}s` : QUERY_TIMEOUT}` : message.slice(0, 80) };
    }
    this.cache.set(key, result);
    return result;
  }
}

/** The request Grafana sends: a range query aligned to the step, or an instant query at the end. */
function request(expr: string, end: number, rangeSeconds: number, stepSeconds: number, instant: boolean, timeoutSeconds?: number): { endpoint: string; params: Record<string, string> } {
  const alignedEnd = Math.floor(end / stepSeconds) * stepSeconds;
  const alignedStart = Math.floor((end - rangeSeconds) / stepSeconds) * stepSeconds;
  const params: Record<string, string> = instant ? { query: expr, time: String(end) } : { query: expr, start: String(alignedStart), end: String(alignedEnd), step: String(stepSeconds) };
  if (timeoutSeconds !== undefined) params.timeout = `${timeoutSeconds}s`;
  return { endpoint: instant ? '/api/v1/query' : '/api/v1/query_range', params };
}

/** One Prometheus query of a dashboard panel, before Grafana's variables are substituted. */
export interface PanelTarget {
  readonly dashboard: string;
  readonly panel: string;
  readonly instant: boolean;
  /** The query as the dashboard holds it (`$__rate_interval`, variables). */
  readonly template: string;
  /** The dashboard's variables at their defaults. */
  readonly variables: Readonly<Record<string, string>>;
  /** The dashboard's default time range, in seconds. */
  readonly defaultRange: number;
}

/** Every Prometheus query of every panel (Loki's LogQL left out), in dashboard and panel order. */
export function promPanelTargets(dashboards: readonly { uid: string; model: Record<string, any> }[]): PanelTarget[] {
  const out: PanelTarget[] = [];
  for (const d of dashboards) {
    const variables = defaultVariables(d.model);
    const defaultRange = relativeSeconds(String(d.model.time?.from ?? 'now-6h'));
    for (const t of targetsOf(d.model)) {
      const ds = t.datasource as { uid?: string } | undefined;
      if (ds?.uid !== undefined && ds.uid !== PROMETHEUS_DS.uid) continue; // Loki's LogQL is not Prometheus's to time
      const template = String(t.target.expr ?? '');
      if (!template.trim()) continue;
      out.push({ dashboard: d.uid, panel: t.panelTitle, instant: t.target.instant === true && t.target.range !== true, template, variables, defaultRange });
    }
  }
  return out;
}
