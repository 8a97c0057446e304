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
 * 5. The claim a 30-day retention needs at the documented cardinality (EXPECTED below), computed
 *    as the chart computes it (charts/prometheus/sizing.ts: the WAL and head bytes bench/wal-head.ts
 *    measured, compaction room, the size-retention headroom) with this run's bytes per sample.
 *    The claim's default follows from the 30-day run of bench/dashboards.ts, at full cardinality;
 *    this one is quick and checks the shapes' compression on its own.
 *
 * Needs the pinned Prometheus and promtool (`bash scripts/setup-tools.sh prometheus`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenMetricsWriter, Spec } from './lib/openmetrics';
import { sourceSeries, stackSources } from './lib/stack-series';
import { blocks, gib, promtool, requirePrometheusTools, startPrometheus, waitForCompaction } from './lib/tsdb';
import { sizeToBytes } from '../charts/lib/schema';
import { CLAIM_DEFAULTS } from '../charts/prometheus/settings';
import { DOCUMENTED_RECORDED_SERIES, defaultPrometheusClaim, prometheusClaimNeed } from '../charts/prometheus/sizing';

const STEP_SECONDS = 15;

/**
 * The series a production Prometheus of this stack holds, by source: the scraped ones from
 * bench/lib/stack-series.ts (what bench/dashboards.ts writes), and the recording rules' output,
 * as bench/dashboards.ts counted it after backfilling the rules.
 */
const EXPECTED: readonly { source: string; series: number; how: string }[] = [
  ...stackSources().map((s) => ({ source: s.source, series: sourceSeries(s), how: s.how })),
  { source: 'recording rules', series: DOCUMENTED_RECORDED_SERIES, how: 'quantiles and ratios per route, queue, node, SLO windows (counted by bench:dashboards)' },
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

/**
 * The synthetic series: about 55% counters (a third of those histogram buckets), the rest gauges,
 * as in the stack; the shapes are bench/lib/openmetrics.ts's, the ones bench/dashboards.ts writes.
 */
function specs(series: number): Spec[] {
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const histograms = Math.max(1, Math.round((series * 0.2) / (buckets.length + 3)));
  const counters = Math.round(series * 0.35);
  const gauges = series - histograms * (buckets.length + 3) - counters;
  return [
    ...Array.from({ length: histograms }, (_, h) => ({ name: 'bench_request_duration_seconds', labels: { route: `/r${h}` }, buckets, perStep: 20, meanValue: 0.1 })),
    ...Array.from({ length: counters }, (_, c) => ({ name: 'bench_events_total', labels: { id: String(c) }, shape: { kind: 'counter' as const, perStep: 1 + (c % 50) } })),
    // Most gauges are integers that move a little (connections, queue depth), some are fractions.
    ...Array.from({ length: gauges }, (_, g) => ({ name: 'bench_level', labels: { id: String(g) }, shape: { kind: 'gauge' as const, start: g % 100, jitter: 2, fraction: g % 4 === 0 } })),
  ];
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  requirePrometheusTools();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-sizing-'));
  try {
    const file = path.join(work, 'samples.om');
    const tsdb = path.join(work, 'data');
    // Aligned to 6h (the first compaction level), ending a day ago: promtool cuts 2h blocks on
    // that grid, and the compactor merges three of them when they fill a 6h range.
    const end = Math.floor(Date.now() / 1000 / 21600) * 21600 - 86400;
    const start = end - a.hours * 3600;
    const t0 = Date.now();
    const samples = new OpenMetricsWriter(specs(a.series), start, STEP_SECONDS).writeWindow(file, 0, (a.hours * 3600) / STEP_SECONDS);
    const textBytes = fs.statSync(file).size;
    const t1 = Date.now();
    promtool(['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb]);
    fs.rmSync(file);
    const t2 = Date.now();
    const before = blocks(tsdb);
    // Prometheus on those blocks (127.0.0.1, no scrape jobs) until its compactor is done, as in production.
    const prometheus = await startPrometheus({ dataDir: tsdb, workDir: work });
    let compactMs: number;
    try {
      compactMs = await waitForCompaction(tsdb, 10 * 60_000);
    } finally {
      await prometheus.stop();
    }
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
    const need = prometheusClaimNeed({ ...CLAIM_DEFAULTS, series, blockBytesPerSample: perSample });

    console.log('\nExpected production cardinality (docs/performance.md):\n');
    console.log('| source | series | how |');
    console.log('| --- | --- | --- |');
    for (const e of EXPECTED) console.log(`| ${e.source} | ${e.series.toLocaleString('en')} | ${e.how} |`);
    console.log(`| **total** | **${series.toLocaleString('en')}** | ${need.samplesPerSecond.toFixed(0)} samples/s at ${STEP_SECONDS}s |`);
    console.log("\n| 30 days of retention at this run's bytes per sample, as charts/prometheus/sizing.ts computes it | size |");
    console.log('| --- | --- |');
    console.log(`| blocks: samples/s x 30 d x bytes/sample | ${gib(need.blocks)} |`);
    console.log(`| WAL and head chunks: 3h of samples at the bytes bench:wal measured | ${gib(need.walAndHead)} |`);
    console.log(`| room to write the largest compacted block (3 days) | ${gib(need.largestBlock)} |`);
    console.log(`| claim at 80% size retention: (sum) / 0.8 | ${gib(need.claim)} |`);
    const dflt = defaultPrometheusClaim(CLAIM_DEFAULTS);
    console.log(`\nThe default prometheus-data claim is ${dflt}, from the 30-day run's bytes per sample: ${(sizeToBytes(dflt) / need.claim).toFixed(1)}x what 30 days need at this run's.`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
