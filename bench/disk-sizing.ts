/**
 * Disk sizing from measured bytes: how many bytes a sample takes on disk once Prometheus has
 * compacted it, and what that means for the `prometheus-data` claim at the stack's expected
 * cardinality. A measurement that prints tables; it never fails on a number.
 *
 *   npx ts-node bench/disk-sizing.ts [--series 2000] [--hours 12]
 *
 * 1. Writes `--hours` of samples every 15s for `--series` synthetic series shaped like the stack's
 *    (counters that grow by noisy increments, cumulative histogram buckets, gauges that wander) as
 *    OpenMetrics text.
 * 2. Turns it into TSDB blocks with the pinned promtool (`tsdb create-blocks-from openmetrics`).
 * 3. Starts the pinned Prometheus on those blocks (127.0.0.1, no scrape jobs) and waits until its
 *    compactor has merged the 2h blocks, as it does in production; then stops it.
 * 4. Bytes per sample = the blocks' size (chunks, index, metadata) / the samples written.
 * 5. The claim a 30-day retention needs at the documented cardinality (EXPECTED below), with an
 *    estimate of the WAL and head (not measured: that needs hours of live scraping) and the headroom
 *    Prometheus's docs ask for.
 *
 * Needs the pinned Prometheus and promtool (`bash scripts/setup-tools.sh prometheus`).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const PROMETHEUS = path.join(ROOT, '.tools', 'prometheus', 'bin');
const STEP_SECONDS = 15;

/**
 * The series a production Prometheus of this stack holds, by source (docs/performance.md explains
 * each number). Backend requests: 25 route templates x 2 methods x 4 status codes x 2 pods, each a
 * histogram of 11 buckets + +Inf, _sum and _count (14 series).
 */
const EXPECTED: readonly { source: string; series: number; how: string }[] = [
  { source: 'backend request histogram', series: 25 * 2 * 4 * 2 * 14, how: '25 routes x 2 methods x 4 status codes x 2 pods x 14' },
  { source: 'backend queues, pool, payments, broadcasts', series: 200, how: '2 queues x 6 states x 2 pods, job durations, counters' },
  { source: 'backend process (prom-client defaults)', series: 2 * 40, how: '2 pods x about 40' },
  { source: 'postgres exporter', series: 400, how: '100 statements x 3, database and table series' },
  { source: 'redis exporter', series: 250, how: 'INFO sections, commandstats, latency histograms' },
  { source: 'node exporter', series: 3 * 700, how: '3 nodes x about 700' },
  { source: "the stack's own servers", series: 2500, how: 'Prometheus, Alertmanager, Grafana, Loki, log shipper' },
  { source: 'recording rules', series: 1500, how: 'quantiles and ratios per route, queue, node' },
  { source: 'target health (up, scrape_*)', series: 15 * 5, how: '15 targets x 5' },
];

interface Args {
  readonly series: number;
  readonly hours: number;
}

function parseArgs(argv: string[]): Args {
  let series = 2000;
  let hours = 12;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--series' && argv[i + 1]) series = Number(argv[++i]);
    else if (argv[i] === '--hours' && argv[i + 1]) hours = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; usage: disk-sizing.ts [--series N] [--hours H]`);
  }
  if (!(series >= 10 && hours >= 12 && hours % 6 === 0)) throw new Error('--series must be at least 10 and --hours a multiple of 6, at least 12 (the compactor leaves the newest block alone)');
  return { series, hours };
}

/** A deterministic pseudo-random generator, so two runs write the same data. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Writes the OpenMetrics file: families grouped, each series' samples in time order. About 55% of
 * the series are counters (a third of those histogram buckets), the rest gauges, as in the stack.
 */
function writeOpenMetrics(file: string, a: Args, start: number): number {
  const out = fs.openSync(file, 'w');
  const rnd = random(42);
  const steps = Math.floor((a.hours * 3600) / STEP_SECONDS);
  let samples = 0;
  let buffer: string[] = [];
  const flush = () => {
    fs.writeSync(out, buffer.join(''));
    buffer = [];
  };
  const buckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  const histograms = Math.max(1, Math.round((a.series * 0.2) / buckets.length));
  const counters = Math.round(a.series * 0.35);
  const gauges = a.series - histograms * buckets.length - counters;

  buffer.push('# TYPE bench_request_duration_seconds histogram\n');
  for (let h = 0; h < histograms; h++) {
    // Cumulative buckets: each bucket counts at least what the one below it counts.
    const share = buckets.map((_, i) => Math.min(1, 0.2 + (i / (buckets.length - 1)) * 0.8));
    const totals = new Array(buckets.length).fill(0);
    const rows: string[][] = buckets.map(() => []);
    for (let t = 0; t < steps; t++) {
      const requests = Math.floor(rnd() * 40);
      for (let i = 0; i < buckets.length; i++) {
        totals[i] += Math.floor(requests * share[i]);
        rows[i].push(`bench_request_duration_seconds_bucket{route="/r${h}",le="${buckets[i]}"} ${totals[i]} ${start + t * STEP_SECONDS}\n`);
      }
    }
    for (const r of rows) buffer.push(...r);
    samples += buckets.length * steps;
    if (buffer.length > 200000) flush();
  }
  buffer.push('# TYPE bench_events counter\n');
  for (let c = 0; c < counters; c++) {
    let v = 0;
    const rate = 1 + rnd() * 50;
    for (let t = 0; t < steps; t++) {
      v += Math.floor(rate * (0.5 + rnd()));
      buffer.push(`bench_events_total{id="${c}"} ${v} ${start + t * STEP_SECONDS}\n`);
    }
    samples += steps;
    if (buffer.length > 200000) flush();
  }
  buffer.push('# TYPE bench_level gauge\n');
  for (let g = 0; g < gauges; g++) {
    // Most gauges are integers that move a little (connections, queue depth), some are fractions.
    const fractional = g % 4 === 0;
    let v = Math.floor(rnd() * 100);
    for (let t = 0; t < steps; t++) {
      v = Math.max(0, v + Math.floor((rnd() - 0.5) * 4));
      const shown = fractional ? (v / 7).toFixed(6) : String(v);
      buffer.push(`bench_level{id="${g}"} ${shown} ${start + t * STEP_SECONDS}\n`);
    }
    samples += steps;
    if (buffer.length > 200000) flush();
  }
  buffer.push('# EOF\n');
  flush();
  fs.closeSync(out);
  return samples;
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

/** Block directories (ULIDs) of a TSDB directory with their time span in hours. */
function blocks(dir: string): { id: string; hours: number; bytes: number }[] {
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, 'meta.json')))
    .map((d) => {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, d, 'meta.json'), 'utf8'));
      return { id: d, hours: (meta.maxTime - meta.minTime) / 3_600_000, bytes: dirSize(path.join(dir, d)) };
    });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the pinned Prometheus on `dir` until no 2h block is left to compact (at most `limitMs`). */
async function compact(dir: string, work: string, limitMs: number): Promise<number> {
  const config = path.join(work, 'prometheus.yml');
  fs.writeFileSync(config, 'global:\n  scrape_interval: 15s\nstorage:\n  tsdb:\n    retention:\n      time: 400d\n');
  const port = await freePort();
  const proc: ChildProcess = spawn(
    path.join(PROMETHEUS, 'prometheus'),
    [`--config.file=${config}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', fs.openSync(path.join(work, 'prometheus.log'), 'w')] },
  );
  const started = Date.now();
  try {
    let previous = -1;
    let stable = 0;
    while (Date.now() - started < limitMs) {
      await sleep(5000);
      const n = blocks(dir).length;
      // Done once the block count has not changed for 30s: the compactor runs every minute, and
      // never takes the newest block (it could still be written to), so some 2h blocks stay.
      stable = n === previous ? stable + 1 : 0;
      previous = n;
      if (stable >= 12) break;
    }
    return Date.now() - started;
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(PROMETHEUS, 'promtool'))) throw new Error('no pinned promtool: run bash scripts/setup-tools.sh prometheus');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-sizing-'));
  try {
    const file = path.join(work, 'samples.om');
    const tsdb = path.join(work, 'data');
    // Aligned to 6h (the first compaction level), ending a day ago: promtool cuts 2h blocks on
    // that grid, and the compactor merges three of them when they fill a 6h range.
    const end = Math.floor(Date.now() / 1000 / 21600) * 21600 - 86400;
    const start = end - a.hours * 3600;
    const t0 = Date.now();
    const samples = writeOpenMetrics(file, a, start);
    const textBytes = fs.statSync(file).size;
    const t1 = Date.now();
    execFileSync(path.join(PROMETHEUS, 'promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb], { stdio: 'inherit' });
    fs.rmSync(file);
    const t2 = Date.now();
    const before = blocks(tsdb);
    const compactMs = await compact(tsdb, work, 10 * 60_000);
    const after = blocks(tsdb);
    const bytes = after.reduce((s, b) => s + b.bytes, 0);
    const perSample = bytes / samples;

    console.log(`Measured: ${a.series} series, ${a.hours}h every ${STEP_SECONDS}s: ${samples.toLocaleString('en')} samples (${(textBytes / 1024 ** 2).toFixed(0)} MiB of OpenMetrics)`);
    console.log(`  generate ${((t1 - t0) / 1000).toFixed(1)}s, promtool ${((t2 - t1) / 1000).toFixed(1)}s, compaction ${(compactMs / 1000).toFixed(0)}s`);
    console.log(`  blocks: ${before.length} x 2h before, ${after.map((b) => `${b.hours.toFixed(0)}h`).join(' + ')} after compaction\n`);
    console.log('| measured | value |');
    console.log('| --- | --- |');
    console.log(`| blocks on disk after compaction | ${(bytes / 1024 ** 2).toFixed(1)} MiB |`);
    console.log(`| bytes per sample (chunks + index) | ${perSample.toFixed(3)} |`);

    const series = EXPECTED.reduce((s, e) => s + e.series, 0);
    const perSecond = series / STEP_SECONDS;
    const retentionDays = 30;
    const blocksBytes = perSecond * retentionDays * 86400 * perSample;
    // Estimated, not measured here (that needs hours of live scraping): the WAL holds the last 2h to
    // 3h of samples as records several times larger than a compacted sample (taken as 8x), and the
    // head's memory-mapped chunks on disk hold the same window again at about the block rate.
    const walAndHead = perSecond * 3 * 3600 * perSample * (8 + 1);
    const needed = blocksBytes + walAndHead;
    // Size retention at 80% of the claim (prometheus.retentionSizeRatio), so the claim is needed / 0.8,
    // and compaction writes a block before it deletes the ones it merged: the largest block again.
    const largestBlock = perSecond * 3 * 86400 * perSample;
    const claim = (needed + largestBlock) / 0.8;

    console.log('\nExpected production cardinality (docs/performance.md):\n');
    console.log('| source | series | how |');
    console.log('| --- | --- | --- |');
    for (const e of EXPECTED) console.log(`| ${e.source} | ${e.series.toLocaleString('en')} | ${e.how} |`);
    console.log(`| **total** | **${series.toLocaleString('en')}** | ${perSecond.toFixed(0)} samples/s at ${STEP_SECONDS}s |`);
    console.log('\n| 30 days of retention | size |');
    console.log('| --- | --- |');
    console.log(`| blocks: samples/s x 30 d x bytes/sample | ${gib(blocksBytes)} |`);
    console.log(`| WAL and head chunks, estimated: 3h of samples at 8x + 1x the block bytes per sample | ${gib(walAndHead)} |`);
    console.log(`| room to write the largest compacted block (3 days) | ${gib(largestBlock)} |`);
    console.log(`| claim at 80% size retention: (sum) / 0.8 | ${gib(claim)} |`);
    console.log(`\nThe default prometheus-data claim is 50Gi (40 GiB size retention): ${(50 / (claim / 1024 ** 3)).toFixed(1)}x what 30 days need at this cardinality.`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
