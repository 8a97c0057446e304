/**
 * Pure helpers of bench/thanos.ts (unit-tested in test/bench/thanos.test.ts): block ids, what a
 * bucket holds by resolution, and which resolutions the store gateway read for a query.
 */
import { randomInt } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID (the id of a TSDB block): 48 bits of milliseconds and 80 random bits, Crockford base32.
 * A copy of a block uploaded as a second replica needs an id of its own: the bucket keys blocks by
 * id, and the shipper skips a block whose id is already there.
 */
export function ulid(timeMs: number, random: () => number = () => randomInt(32)): string {
  if (!(Number.isInteger(timeMs) && timeMs >= 0 && timeMs < 2 ** 48)) throw new Error(`ulid: time ${timeMs} is not a 48-bit millisecond count`);
  let t = timeMs;
  const time: string[] = [];
  for (let i = 0; i < 10; i++) {
    time.unshift(CROCKFORD[t % 32]);
    t = Math.floor(t / 32);
  }
  let rest = '';
  for (let i = 0; i < 16; i++) rest += CROCKFORD[random() & 31];
  return time.join('') + rest;
}

/** The milliseconds of a ULID. */
export function ulidTime(id: string): number {
  let t = 0;
  for (const c of id.slice(0, 10)) {
    const v = CROCKFORD.indexOf(c);
    if (v < 0) throw new Error(`ulid: '${c}' is not a Crockford base32 digit in ${id}`);
    t = t * 32 + v;
  }
  return t;
}

/** What a bucket block's meta.json says that matters here. */
export interface BucketBlock {
  readonly minTime: number;
  readonly maxTime: number;
  /** Downsampling resolution in ms: 0 raw, 300000 (5m), 3600000 (1h). */
  readonly resolution: number;
  readonly level: number;
  readonly samples: number;
  /** Bytes of the block's files (index, chunks, meta.json). */
  readonly bytes: number;
  /** The block carries a deletion mark (the compactor replaced it; deleted after `--delete-delay`). */
  readonly markedForDeletion: boolean;
}

const RESOLUTION_NAMES: Record<number, string> = { 0: 'raw', 300000: '5m', 3600000: '1h' };
export const resolutionName = (ms: number) => RESOLUTION_NAMES[ms] ?? `${ms / 1000}s`;

function spanName(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 24 && Number.isInteger(h / 24) ? `${h / 24}d` : h >= 1 ? `${+h.toFixed(1)}h` : `${Math.round(ms / 60000)}m`;
}

/**
 * One line per resolution: how many blocks the store gateway can serve (deletion-marked ones left
 * out), their spans and size, e.g. `raw: 3 blocks (2 x 14d, 1 x 2d), 1,000 samples, 0.1 MiB`.
 */
export function bucketSummary(blocks: readonly BucketBlock[]): string[] {
  const live = blocks.filter((b) => !b.markedForDeletion);
  const marked = blocks.length - live.length;
  const out: string[] = [];
  for (const res of [...new Set(live.map((b) => b.resolution))].sort((a, b) => a - b)) {
    const of = live.filter((b) => b.resolution === res).sort((a, b) => a.minTime - b.minTime);
    // Spans by count, longest first: `2 x 14d, 10 x 2d, 716 x 2h`.
    const counts = new Map<number, number>();
    for (const b of of) counts.set(b.maxTime - b.minTime, (counts.get(b.maxTime - b.minTime) ?? 0) + 1);
    const shown = [...counts.entries()]
      .sort((x, y) => y[0] - x[0])
      .map(([span, n]) => `${n} x ${spanName(span)}`)
      .join(', ');
    const bytes = of.reduce((n, b) => n + b.bytes, 0);
    out.push(`${resolutionName(res)}: ${of.length} block${of.length === 1 ? '' : 's'} (${shown}), ${of.reduce((n, b) => n + b.samples, 0).toLocaleString('en')} samples, ${(bytes / 1024 ** 2).toFixed(1)} MiB`);
  }
  if (marked > 0) out.push(`marked for deletion (replaced by the compactor, not served): ${marked}`);
  return out;
}

export interface ResolutionSpan {
  readonly minTime: number;
  readonly maxTime: number;
  readonly resolution: number;
}

/**
 * The spans and resolutions the store gateway chose, from its debug line "Blocks source
 * resolutions" (pkg/store/bucket.go, debugFoundBlockSetOverview), one per label set of blocks
 * (here: per replica). `log` is the store gateway's logfmt output for one query.
 */
export function resolutionsRead(log: string): ResolutionSpan[][] {
  return log
    .split('\n')
    .filter((l) => l.includes('Blocks source resolutions'))
    .map((l) => [...l.matchAll(/Range: (-?\d+)-(-?\d+) Resolution: (\d+)/g)].map((m) => ({ minTime: Number(m[1]), maxTime: Number(m[2]), resolution: Number(m[3]) })));
}

/** Hours of a query's range read at each resolution, e.g. `{ '5m': 696, raw: 24 }` (first label set). */
export function hoursByResolution(spans: readonly ResolutionSpan[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of spans) out[resolutionName(s.resolution)] = +(((out[resolutionName(s.resolution)] ?? 0) + (s.maxTime - s.minTime) / 3_600_000).toFixed(1));
  return out;
}

/** One series of a Prometheus API answer: a matrix's `values` or a vector's single `value`. */
export interface ResultSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values?: readonly (readonly [number, string])[];
  readonly value?: readonly [number, string];
}

export interface Agreement {
  /** The largest |a - b| / max(|a|, |b|) over the points both answers hold (0 when equal). */
  readonly maxRelativeDifference: number;
  /** Points both answers hold, and those only one of them holds (a series or a step missing). */
  readonly common: number;
  readonly onlyOne: number;
}

/** How far two answers to the same query agree: series matched by their labels, points by their time. */
export function agreement(a: readonly ResultSeries[], b: readonly ResultSeries[]): Agreement {
  const key = (m: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(m).sort(([x], [y]) => (x < y ? -1 : 1)));
  const points = (s: ResultSeries) => new Map((s.values ?? (s.value ? [s.value] : [])).map(([t, v]) => [t, Number(v)]));
  const bByKey = new Map(b.map((s) => [key(s.metric), points(s)]));
  let max = 0;
  let common = 0;
  let onlyOne = 0;
  for (const s of a) {
    const pa = points(s);
    const pb = bByKey.get(key(s.metric)) ?? new Map<number, number>();
    bByKey.delete(key(s.metric));
    for (const [t, va] of pa) {
      const vb = pb.get(t);
      if (vb === undefined) {
        onlyOne++;
        continue;
      }
      pb.delete(t);
      common++;
      const scale = Math.max(Math.abs(va), Math.abs(vb));
      if (scale > 0) max = Math.max(max, Math.abs(va - vb) / scale);
    }
    onlyOne += pb.size;
  }
  for (const rest of bByKey.values()) onlyOne += rest.size;
  return { maxRelativeDifference: max, common, onlyOne };
}
