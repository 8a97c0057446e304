/**
 * How Grafana turns a panel query into the request it sends to Prometheus: the interval it picks
 * for a time range and a panel width, `$__rate_interval`, `$__range`, and the dashboard's own
 * variables at their default values. Pure functions, so a unit test holds them
 * (test/bench/grafana.test.ts); bench/dashboards.ts sends what they compute.
 *
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
 */

/**
 * Grafana's `roundInterval` (packages/grafana-data, rangeutil.ts): a raw interval in milliseconds
 * rounded to the nearest "nice" one, by the same brackets.
 */
export function roundInterval(ms: number): number {
  const brackets: [number, number][] = [
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1500, 1000],
    [3500, 2000],
    [7500, 5000],
    [12500, 10000],
    [17500, 15000],
    [25000, 20000],
    [45000, 30000],
    [90000, 60000],
    [210000, 120000],
    [450000, 300000],
    [750000, 600000],
    [1050000, 900000],
    [1500000, 1200000],
    [2700000, 1800000],
    [5400000, 3600000],
    [9000000, 7200000],
    [16200000, 10800000],
    [32400000, 21600000],
    [86400000, 43200000],
    [604800000, 86400000],
    [1814400000, 604800000],
    [3628800000, 2592000000],
  ];
  for (const [below, nice] of brackets) if (ms < below) return nice;
  return 31536000000;
}

export interface PanelTiming {
  /** `$__interval` and the query's step, in seconds. */
  readonly stepSeconds: number;
  /** `$__rate_interval`, in seconds. */
  readonly rateIntervalSeconds: number;
  /** `$__range`, in seconds. */
  readonly rangeSeconds: number;
}

export interface TimingOptions {
  /** Data points Grafana asks for: the panel's width in pixels. @default 1000 */
  readonly maxDataPoints?: number;
  /** The data source's scrape interval (`timeInterval`), the lower bound of the interval. @default 15 */
  readonly scrapeIntervalSeconds?: number;
}

/**
 * The interval and step Grafana uses for a range of `rangeSeconds` on a panel `maxDataPoints` wide:
 * range / width rounded to a nice interval, never below the scrape interval, and never more than
 * 11,000 points (Prometheus's limit). `$__rate_interval` is the larger of interval + scrape interval
 * and four scrape intervals.
 */
export function panelTiming(rangeSeconds: number, o: TimingOptions = {}): PanelTiming {
  const width = o.maxDataPoints ?? 1000;
  const scrape = o.scrapeIntervalSeconds ?? 15;
  let step = Math.max(roundInterval((rangeSeconds * 1000) / width) / 1000, scrape);
  step = Math.max(step, Math.ceil(rangeSeconds / 11000));
  return { stepSeconds: step, rateIntervalSeconds: Math.max(step + scrape, 4 * scrape), rangeSeconds };
}

/** A relative Grafana time such as `now-6h` or `now-7d`, as seconds before now. */
export function relativeSeconds(from: string): number {
  const m = /^now-(\d+)([smhdw])$/.exec(from.trim());
  if (!m) throw new Error(`unsupported dashboard time '${from}': expected now-<n><s|m|h|d|w>`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
}

/** Seconds as the shortest Prometheus duration that says them exactly (`1815s` -> `30m15s`). */
export function promDuration(seconds: number): string {
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = Math.round(seconds);
  let out = '';
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out || '0s';
}

/**
 * A query with Grafana's variables replaced as Grafana sends it: `$__rate_interval`, `$__interval`
 * and `$__range` (and their `_ms`/`_s` forms), and every dashboard variable at its default value
 * (`variables`, from the dashboard's templating). Throws on a variable it has no value for, so the
 * benchmark never times a query Grafana would not send.
 */
export function substituteVariables(expr: string, t: PanelTiming, variables: Readonly<Record<string, string>> = {}): string {
  const builtin: Record<string, string> = {
    __rate_interval: promDuration(t.rateIntervalSeconds),
    __rate_interval_ms: String(t.rateIntervalSeconds * 1000),
    __interval: promDuration(t.stepSeconds),
    __interval_ms: String(t.stepSeconds * 1000),
    __range: promDuration(t.rangeSeconds),
    __range_s: String(t.rangeSeconds),
    __range_ms: String(t.rangeSeconds * 1000),
    __auto: promDuration(t.stepSeconds),
  };
  return expr.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    const value = builtin[name] ?? variables[name];
    if (value === undefined) throw new Error(`no value for the Grafana variable '${whole}' in: ${expr}`);
    return value;
  });
}

/** Default values of a dashboard's variables (templating.list[].current), as Grafana starts with them. */
export function defaultVariables(model: { templating?: { list?: unknown[] } }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of model.templating?.list ?? []) {
    const x = v as { name?: string; current?: { value?: unknown }; query?: unknown; type?: string };
    if (!x.name || x.type === 'datasource') continue;
    const value = x.current?.value ?? (x.type === 'constant' || x.type === 'custom' || x.type === 'textbox' ? x.query : undefined);
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    // Grafana's "All" or a multi-value selection becomes a regex alternation inside =~ matchers.
    out[x.name] = values.includes('$__all') ? '.*' : values.length === 1 ? values[0] : `(${values.join('|')})`;
  }
  return out;
}
