/**
 * Synthetic samples shaped like a Prometheus's, written as OpenMetrics text for
 * `promtool tsdb create-blocks-from openmetrics`. Shared by bench/disk-sizing.ts (bytes per sample)
 * and bench/dashboards.ts (panel queries over days of data), so both measure the same shapes:
 * counters that grow by noisy increments, cumulative histogram buckets, gauges that wander,
 * constants (info series, limits, `up`) and timestamps.
 *
 * Deterministic: one seeded generator, series in a fixed order, so two runs write the same data.
 * The writer keeps each series' state between windows, so a long range is written window by window
 * (one file per block range) without ever holding more than one window's text.
 */
import * as fs from 'node:fs';

/** A deterministic pseudo-random generator (a linear congruential one: fast, and good enough for noise). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export type Labels = Readonly<Record<string, string>>;

export type Shape =
  /** Grows by `perStep` on average (between half and one and a half times it); `fraction` keeps 3 decimals (seconds counters). */
  | { readonly kind: 'counter'; readonly perStep: number; readonly fraction?: boolean }
  /** Wanders by up to `jitter` per step around its start, never below 0; `fraction` shows 6 decimals. */
  | { readonly kind: 'gauge'; readonly start: number; readonly jitter: number; readonly fraction?: boolean }
  | { readonly kind: 'constant'; readonly value: number }
  /** A Unix time a little behind the sample's own (a last-success timestamp). */
  | { readonly kind: 'timestamp'; readonly lagSeconds: number };

export interface SeriesSpec {
  readonly name: string;
  readonly labels: Labels;
  readonly shape: Shape;
}

/** One histogram: its `_bucket` series (cumulative, `+Inf` last), `_sum` and `_count`. */
export interface HistogramSpec {
  readonly name: string;
  readonly labels: Labels;
  /** Upper bounds without +Inf. */
  readonly buckets: readonly number[];
  /** Mean observations per step. */
  readonly perStep: number;
  /** Mean observed value, for `_sum`. */
  readonly meanValue: number;
}

export type Spec = SeriesSpec | HistogramSpec;

export const isHistogram = (s: Spec): s is HistogramSpec => 'buckets' in s;

/** Series a spec writes: 1, or the histogram's buckets + `+Inf` + `_sum` + `_count`. */
export function seriesCount(s: Spec): number {
  return isHistogram(s) ? s.buckets.length + 3 : 1;
}

function renderLabels(labels: Labels, extra = ''): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface State {
  v: number;
  totals?: number[];
  sum?: number;
}

/** Writes windows of samples every `stepSeconds` from `start` (Unix seconds) for a fixed list of specs. */
export class OpenMetricsWriter {
  private readonly rnd = random(42);
  private readonly state: State[];
  private readonly prefixes: string[][];

  constructor(
    readonly specs: readonly Spec[],
    readonly start: number,
    readonly stepSeconds: number,
  ) {
    this.state = specs.map((s) => {
      if (isHistogram(s)) return { v: 0, totals: new Array(s.buckets.length + 1).fill(0), sum: 0 };
      const sh = s.shape;
      return { v: sh.kind === 'gauge' ? sh.start : sh.kind === 'constant' ? sh.value : 0 };
    });
    this.prefixes = specs.map((s) =>
      isHistogram(s)
        ? [
            ...[...s.buckets.map(String), '+Inf'].map((le) => `${s.name}_bucket${renderLabels(s.labels, `le="${le}"`)} `),
            `${s.name}_sum${renderLabels(s.labels)} `,
            `${s.name}_count${renderLabels(s.labels)} `,
          ]
        : [`${s.name}${renderLabels(s.labels)} `],
    );
  }

  /** Series the writer writes. */
  get series(): number {
    return this.specs.reduce((n, s) => n + seriesCount(s), 0);
  }

  /**
   * Writes steps [fromStep, toStep) of every series to `file` (created, ending in `# EOF`). Each
   * series' samples are in time order; series follow one another (promtool needs no more).
   * Returns the number of samples written.
   */
  writeWindow(file: string, fromStep: number, toStep: number): number {
    const fd = fs.openSync(file, 'w');
    try {
      const samples = this.render(fromStep, toStep, true, (text) => fs.writeSync(fd, text));
      fs.writeSync(fd, '# EOF\n');
      return samples;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** One scrape: the next value of every series, in the text exposition format (no timestamps). */
  scrape(step: number): string {
    const parts: string[] = [];
    this.render(step, step + 1, false, (text) => parts.push(text));
    return parts.join('');
  }

  /** Renders steps [fromStep, toStep) series by series, handing `sink` about 16 MiB at a time. */
  private render(fromStep: number, toStep: number, timestamps: boolean, sink: (text: string) => void): number {
    let chunk = '';
    let samples = 0;
    const flush = (force = false) => {
      if (force || chunk.length > 16 * 1024 * 1024) {
        sink(chunk);
        chunk = '';
      }
    };
    const rnd = this.rnd;
    const ts: string[] = [];
    for (let t = fromStep; t < toStep; t++) ts.push(timestamps ? ' ' + String(this.start + t * this.stepSeconds) : '');
    const n = toStep - fromStep;
    this.specs.forEach((spec, i) => {
      const st = this.state[i];
      const prefixes = this.prefixes[i];
      if (isHistogram(spec)) {
        const totals = st.totals!;
        const k = totals.length;
        const rows: string[] = new Array(k + 2).fill('');
        for (let j = 0; j < n; j++) {
          const observed = Math.floor(rnd() * 2 * spec.perStep);
          for (let b = 0; b < k; b++) {
            // Cumulative: a bucket counts what every bucket below it counts, +Inf everything.
            const share = b === k - 1 ? 1 : Math.min(1, 0.2 + (b / (k - 1)) * 0.8);
            totals[b] += Math.floor(observed * share);
            rows[b] += prefixes[b] + totals[b] + ts[j] + '\n';
          }
          st.sum! += observed * spec.meanValue * (0.5 + rnd());
          rows[k] += prefixes[k] + st.sum!.toFixed(3) + ts[j] + '\n';
          rows[k + 1] += prefixes[k + 1] + totals[k - 1] + ts[j] + '\n';
        }
        for (const r of rows) {
          chunk += r;
          flush();
        }
        samples += n * (k + 2);
        return;
      }
      const sh = spec.shape;
      const prefix = prefixes[0];
      let rows = '';
      for (let j = 0; j < n; j++) {
        let shown: string;
        switch (sh.kind) {
          case 'counter':
            st.v += sh.perStep * (0.5 + rnd());
            shown = sh.fraction ? st.v.toFixed(3) : String(Math.floor(st.v));
            break;
          case 'gauge':
            st.v = Math.max(0, st.v + (rnd() - 0.5) * 2 * sh.jitter);
            shown = sh.fraction ? st.v.toFixed(6) : String(Math.round(st.v));
            break;
          case 'constant':
            shown = String(sh.value);
            break;
          case 'timestamp':
            shown = String(this.start + (fromStep + j) * this.stepSeconds - Math.floor(rnd() * sh.lagSeconds));
            break;
        }
        rows += prefix + shown + ts[j] + '\n';
      }
      chunk += rows;
      flush();
      samples += n;
    });
    flush(true);
    return samples;
  }
}
