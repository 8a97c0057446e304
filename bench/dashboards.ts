/**
 * Every panel query of every dashboard against days of data at the documented cardinality: how long
 * Prometheus takes at the dashboard's default range and at 30 days, how many series and samples it
 * touches, and, where a panel reads a recorded series, the raw expression the rule replaces next to
 * it. A measurement that prints tables; it never fails on a number.
 *
 *   npm run bench:dashboards -- [--days 30] [--runs 7] [--width 1000] [--keep] [--data DIR] [--generate-only]
 *
 * 1. Writes `--days` of samples every scrape interval for the stack's series at the documented
 *    cardinality (bench/lib/stack-series.ts: real names and labels from the metrics contracts) as
 *    OpenMetrics, one file per 6h window, and turns each into a block with the pinned promtool
 *    (`tsdb create-blocks-from openmetrics`) while the next window is written.
 * 2. Backfills every recording rule of the synthesized production stack with
 *    `promtool tsdb create-blocks-from rules` against the pinned Prometheus on those blocks, one
 *    dependency level at a time (a rule reading a recorded series needs that series loaded first).
 * 3. Restarts Prometheus on all blocks, waits for its compactor, and measures bytes per sample.
 * 4. Runs each panel query as Grafana sends it (bench/lib/grafana.ts: step for a `--width` pixel
 *    panel, `$__rate_interval`, `$__range`, variables at their defaults), one warm-up and `--runs`
 *    timed runs through the HTTP API, with `stats=all` for the samples and /api/v1/series for the
 *    series its selectors match; the same for the raw expression where a recorded series is read
 *    (stopped at 10s: by then it is far past the 10x goal).
 *
 * `--data DIR` keeps (or reuses, when it already holds blocks) the TSDB directory, so the queries
 * can be run again without generating; with `--generate-only` it stops after step 1, and the next
 * run on that directory backfills the rules (as synthesized then) and queries. Needs the pinned Prometheus and promtool
 * (`bash scripts/setup-tools.sh prometheus`); run it under `flock /tmp/love-parser-heavy.lock`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { CLAIM_DEFAULTS } from '../charts/prometheus/settings';
import { BLOCK_BYTES_PER_SAMPLE, DOCUMENTED_RECORDED_SERIES, claimSize, prometheusClaimNeed } from '../charts/prometheus/sizing';
import { generateBlocks, runPromtool } from './lib/generate';
import { panelTiming, promDuration, substituteVariables } from './lib/grafana';
import { Rule, assertParses, expandRecorded, namesRead, ruleLevels } from './lib/promql-expand';
import { QUERY_TIMEOUT, Querier, Timed, fmtMs, fmtN, promPanelTargets, rangeName } from './lib/querier';
import { Stack, productionStack } from './lib/stack';
import { sourceSeries, stackSources } from './lib/stack-series';
import { RunningPrometheus, blocks, gib, mib, moveBlocks, requirePrometheusTools, startPrometheus, waitForCompaction } from './lib/tsdb';

interface Args {
  readonly days: number;
  readonly runs: number;
  readonly width: number;
  readonly keep: boolean;
  readonly data?: string;
  /** Write the scraped blocks and stop: the backfill and the queries come in a later run with `--data`. */
  readonly generateOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  let days = 30;
  let runs = 7;
  let width = 1000;
  let keep = false;
  let data: string | undefined;
  let generateOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--days' && argv[i + 1]) days = Number(argv[++i]);
    else if (a === '--runs' && argv[i + 1]) runs = Number(argv[++i]);
    else if (a === '--width' && argv[i + 1]) width = Number(argv[++i]);
    else if (a === '--data' && argv[i + 1]) data = path.resolve(argv[++i]);
    else if (a === '--keep') keep = true;
    else if (a === '--generate-only') generateOnly = true;
    else throw new Error(`unknown argument ${a}; usage: dashboards.ts [--days N] [--runs N] [--width PX] [--data DIR] [--keep] [--generate-only]`);
  }
  if (!(days >= 1 && Number.isInteger(days))) throw new Error('--days must be a whole number of days, at least 1');
  if (!(runs >= 3 && runs <= 100)) throw new Error('--runs must be between 3 and 100');
  if (!(width >= 100)) throw new Error('--width must be at least 100 pixels');
  if (generateOnly && !data) throw new Error('--generate-only needs --data DIR: the blocks are kept for a later run');
  return { days, runs, width, keep, data, generateOnly };
}

/**
 * Raw expressions stop at 10s: against a recorded series in milliseconds that is already far past
 * the 10x goal, and the raw SLO windows would otherwise take the full 2 min each, dozens of times.
 */
const RAW_TIMEOUT_SECONDS = 10;

/** Step 2: recording rules backfilled level by level; returns seconds per level. */
async function backfillRules(s: Stack, dataDir: string, work: string, start: number, end: number): Promise<{ level: number; rules: number; seconds: number; blocks: number }[]> {
  const levels = ruleLevels(s.rules);
  const out: { level: number; rules: number; seconds: number; blocks: number }[] = [];
  for (let level = 0; level <= Math.max(...levels); level++) {
    const chosen = new Set(s.rules.filter((_, i) => levels[i] === level));
    const groups = s.groups
      .map((g) => ({ ...g, rules: g.rules.filter((r) => chosen.has(r as unknown as Rule)) }))
      .filter((g) => g.rules.length > 0);
    const file = path.join(work, `rules-level-${level}.yml`);
    fs.writeFileSync(file, YAML.stringify({ groups }, { lineWidth: 0 }));
    const outDir = path.join(work, `rules-level-${level}`);
    const prom = await startPrometheus({ dataDir, workDir: work });
    const t0 = Date.now();
    try {
      await runPromtool([
        'tsdb',
        'create-blocks-from',
        '--max-block-duration=6h',
        'rules',
        `--url=${prom.url}`,
        `--start=${start}`,
        `--end=${end}`,
        `--eval-interval=${s.evaluationInterval}`,
        `--output-dir=${outDir}`,
        '--quiet',
        file,
      ]);
    } finally {
      await prom.stop();
    }
    out.push({ level, rules: chosen.size, seconds: (Date.now() - t0) / 1000, blocks: moveBlocks(outDir, dataDir) });
    process.stderr.write(`  rules level ${level}: ${chosen.size} rules in ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
  }
  return out;
}

async function instantValue(url: string, query: string, time: number): Promise<number> {
  const r = (await (await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: String(time) }) })).json()) as any;
  return Number(r.data?.result?.[0]?.value?.[1] ?? NaN);
}

interface Row {
  readonly dashboard: string;
  readonly panel: string;
  readonly instant: boolean;
  readonly expr: string;
  readonly recorded: boolean;
  readonly defaultRange: number;
  readonly atDefault: Timed;
  readonly atLong: Timed;
  readonly rawAtDefault?: Timed;
  readonly rawAtLong?: Timed;
}

function speedup(rec: Timed, raw: Timed | undefined): string {
  if (!raw) return '';
  if (raw.error) return `raw: ${raw.error}`;
  if (rec.error) return '';
  return `${(raw.p50 / rec.p50).toFixed(1)}x`;
}

async function queryPanels(s: Stack, q: Querier, end: number, longRange: number, width: number): Promise<Row[]> {
  const rows: Row[] = [];
  const recorded = new Set(s.rules.map((r) => r.record));
  for (const t of promPanelTargets(s.dashboards)) {
    const at = async (range: number, raw: boolean) => {
      const timing = panelTiming(range, { maxDataPoints: width, scrapeIntervalSeconds: s.scrapeSeconds });
      let expr = substituteVariables(t.template, timing, t.variables);
      if (raw) expr = expandRecorded(expr, s.rules, s.evaluationInterval);
      assertParses(expr);
      return q.time(expr, end, range, timing.stepSeconds, t.instant, raw ? RAW_TIMEOUT_SECONDS : undefined);
    };
    const readsRecorded = namesRead(substituteVariables(t.template, panelTiming(t.defaultRange), t.variables)).some((n) => recorded.has(n));
    rows.push({
      dashboard: t.dashboard,
      panel: t.panel,
      instant: t.instant,
      expr: t.template,
      recorded: readsRecorded,
      defaultRange: t.defaultRange,
      atDefault: await at(t.defaultRange, false),
      atLong: await at(longRange, false),
      rawAtDefault: readsRecorded ? await at(t.defaultRange, true) : undefined,
      rawAtLong: readsRecorded ? await at(longRange, true) : undefined,
    });
    process.stderr.write(`  ${rows.length} panel queries timed\r`);
  }
  process.stderr.write('\n');
  return rows;
}

function printPanels(rows: Row[], longRange: number): void {
  const L = rangeName(longRange);
  console.log(`| dashboard | panel | query | default range | p50 ms | p95 ms | series | samples | ${L}: p50 ms | p95 ms | series | samples | targets (100 ms, 1 s) |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const met = !r.atDefault.error && !r.atLong.error && r.atDefault.p95 < 100 && r.atLong.p95 < 1000;
    console.log(
      `| ${r.dashboard} | ${r.panel} | ${r.instant ? 'instant' : 'range'}${r.recorded ? ', recorded' : ''} | ${rangeName(r.defaultRange)} | ${fmtMs(r.atDefault, 'p50')} | ${fmtMs(r.atDefault, 'p95')} | ${fmtN(r.atDefault.series)} | ${fmtN(r.atDefault.samples)} | ${fmtMs(r.atLong, 'p50')} | ${fmtMs(r.atLong, 'p95')} | ${fmtN(r.atLong.series)} | ${fmtN(r.atLong.samples)} | ${met ? 'yes' : '**no**'} |`,
    );
  }
}

function printRecorded(rows: Row[], longRange: number): void {
  const L = rangeName(longRange);
  console.log(`| dashboard | panel | default: recorded p50 ms | raw p50 ms | speed-up | raw series | ${L}: recorded p50 ms | raw p50 ms | speed-up | raw series | raw samples | result series recorded / raw |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const seen = new Set<string>();
  for (const r of rows.filter((x) => x.recorded)) {
    const key = `${r.instant}|${r.defaultRange}|${r.expr}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rd = r.rawAtDefault!;
    const rl = r.rawAtLong!;
    console.log(
      `| ${r.dashboard} | ${r.panel} | ${fmtMs(r.atDefault, 'p50')} | ${fmtMs(rd, 'p50')} | ${speedup(r.atDefault, rd)} | ${fmtN(rd.series)} | ${fmtMs(r.atLong, 'p50')} | ${fmtMs(rl, 'p50')} | ${speedup(r.atLong, rl)} | ${fmtN(rl.series)} | ${fmtN(rl.samples)} | ${fmtN(r.atLong.resultSeries)} / ${fmtN(rl.resultSeries)} |`,
    );
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  requirePrometheusTools();
  const s = productionStack();
  const step = s.scrapeSeconds;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dashboards-'));
  const dataDir = a.data ?? path.join(work, 'data');
  const reuse = a.data !== undefined && blocks(dataDir).length > 0;
  let prom: RunningPrometheus | undefined;
  const cleanup = () => {
    void prom?.stop();
    if (!a.keep) fs.rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const metaFile = path.join(dataDir, 'bench-dashboards.json');
    let meta: { start: number; end: number; series: number; samples: number; textBytes: number; generateSeconds: number; rules?: { level: number; rules: number; seconds: number; blocks: number }[] };
    if (reuse) {
      meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
      console.log(`Reusing ${dataDir}: ${((meta.end - meta.start) / 86400).toFixed(0)} days written earlier${meta.rules ? '' : ', recording rules not yet backfilled'}`);
    } else {
      const end = Math.floor(Date.now() / 1000 / step) * step;
      const start = end - a.days * 86400;
      const t0 = Date.now();
      const g = await generateBlocks({ specs: stackSources().flatMap((src) => src.specs), dataDir, workDir: work, start, end, stepSeconds: step });
      meta = { start, end, ...g, generateSeconds: (Date.now() - t0) / 1000 };
      // Written before the backfill: the scraped blocks (hours of work at 30 days) are reusable
      // on their own, and a later run backfills the rules as they are then.
      fs.writeFileSync(metaFile, JSON.stringify(meta));
    }
    if (a.generateOnly) {
      console.log(`Wrote ${((meta.end - meta.start) / 86400).toFixed(0)} days to ${dataDir} in ${meta.generateSeconds.toFixed(0)}s; rules not backfilled (--generate-only)`);
      return;
    }
    if (!meta.rules) {
      meta.rules = await backfillRules(s, dataDir, work, meta.start, meta.end);
      fs.writeFileSync(metaFile, JSON.stringify(meta));
    }
    const ruleTimes = meta.rules;
    const days = (meta.end - meta.start) / 86400;
    const longRange = Math.min(30 * 86400, meta.end - meta.start);

    const before = blocks(dataDir);
    const tStart = Date.now();
    prom = await startPrometheus({ dataDir, workDir: work, extraArgs: [`--query.timeout=${QUERY_TIMEOUT}`] });
    const loadSeconds = (Date.now() - tStart) / 1000;
    const compactMs = await waitForCompaction(dataDir, 20 * 60_000);
    const after = blocks(dataDir);
    const bytes = after.reduce((n, b) => n + b.bytes, 0);
    const samplesOnDisk = after.reduce((n, b) => n + b.samples, 0);
    const recordedSamples = samplesOnDisk - meta.samples;

    console.log(`\nData: ${days} days every ${step}s, ${meta.series.toLocaleString('en')} scraped series (${meta.samples.toLocaleString('en')} samples, ${gib(meta.textBytes)} of OpenMetrics), and the ${s.rules.length} recording rules of production backfilled`);
    console.log(`  generate + promtool openmetrics: ${meta.generateSeconds.toFixed(0)}s; rules: ${ruleTimes.map((r) => `level ${r.level} (${r.rules} rules) ${r.seconds.toFixed(0)}s`).join(', ')}`);
    console.log(`  Prometheus ready in ${loadSeconds.toFixed(1)}s; compaction ${(compactMs / 1000).toFixed(0)}s: ${before.length} blocks before, ${after.length} after (${after.map((b) => `${b.hours.toFixed(0)}h`).join(' + ')})\n`);
    console.log('| scraped series by source (bench/lib/stack-series.ts) | series | how |');
    console.log('| --- | --- | --- |');
    for (const src of stackSources()) console.log(`| ${src.source} | ${sourceSeries(src).toLocaleString('en')} | ${src.how} |`);
    console.log(`| **total scraped** | **${meta.series.toLocaleString('en')}** | ${(meta.series / step).toFixed(0)} samples/s at ${step}s |\n`);
    console.log('| on disk after compaction | value |');
    console.log('| --- | --- |');
    console.log(`| blocks | ${mib(bytes)} |`);
    console.log(`| samples: scraped + recorded | ${meta.samples.toLocaleString('en')} + ${recordedSamples.toLocaleString('en')} |`);
    // Recorded names have a colon, scraped ones never do.
    const recordedSeries = await instantValue(prom.url, 'count(last_over_time({__name__=~".+:.+"}[1h]))', meta.end);
    console.log(`| recorded series at the end | ${recordedSeries.toLocaleString('en')} |`);
    console.log(`| bytes per sample (chunks + index) | ${(bytes / samplesOnDisk).toFixed(3)} |\n`);
    // The measurement the prometheus-data claim's default is derived from (charts/prometheus/sizing.ts).
    const perSample = bytes / samplesOnDisk;
    const need = prometheusClaimNeed({ ...CLAIM_DEFAULTS, series: meta.series + recordedSeries, blockBytesPerSample: perSample });
    console.log(`For charts/prometheus/sizing.ts: bytes per sample ${perSample.toFixed(3)} (there: ${BLOCK_BYTES_PER_SAMPLE}), recorded series ${recordedSeries} (there: ${DOCUMENTED_RECORDED_SERIES}); 30 days of ${(meta.series + recordedSeries).toLocaleString('en')} series need a ${claimSize(need.claim)} claim\n`);

    const q = new Querier(prom.url, a.runs);
    const load = os.loadavg()[0];
    const rows = await queryPanels(s, q, meta.end, longRange, a.width);
    // Other work on the machine slows every query alike; the load says how quiet it was.
    console.log(`Load average (1 min) on ${os.cpus().length} cores: ${load.toFixed(1)} before the queries, ${os.loadavg()[0].toFixed(1)} after\n`);
    const L = rangeName(longRange);
    console.log(`Every Prometheus panel query (${rows.length}), as Grafana sends it for a ${a.width} px panel; one warm-up, then ${a.runs} runs (fewer for queries over 2 s); p95 is the nearest rank`);
    console.log(`Step = max(scrape interval, range / ${a.width} rounded as Grafana rounds): ${rangeName(6 * 3600)} -> ${panelTiming(6 * 3600, { maxDataPoints: a.width }).stepSeconds}s, ${L} -> ${promDuration(panelTiming(longRange, { maxDataPoints: a.width }).stepSeconds)}\n`);
    printPanels(rows, longRange);
    console.log(`\nWhere a panel reads a recorded series: the raw expression the rule replaces (bench/lib/promql-expand.ts), goal >= 10x; raw queries stop at ${RAW_TIMEOUT_SECONDS}s\n`);
    printRecorded(rows, longRange);

    const worst = (r: Row) => (r.atLong.error ? Infinity : r.atLong.p95);
    const slowest = [...new Map(rows.map((r) => [`${r.dashboard}|${r.panel}|${r.expr}`, r])).values()].sort((x, y) => worst(y) - worst(x)).slice(0, 5);
    console.log(`\nThe five slowest panel queries at ${L} (p95):\n`);
    slowest.forEach((r, i) => console.log(`${i + 1}. ${r.dashboard} / ${r.panel}: ${fmtMs(r.atLong, 'p95')} ms at ${L}, ${fmtMs(r.atDefault, 'p95')} ms at ${rangeName(r.defaultRange)}; ${fmtN(r.atLong.samples)} samples: \`${r.expr.replace(/\s+/g, ' ')}\``));
    const missDefault = rows.filter((r) => r.atDefault.error || r.atDefault.p95 >= 100).length;
    const missLong = rows.filter((r) => r.atLong.error || r.atLong.p95 >= 1000).length;
    const rec = rows.filter((r) => r.recorded && r.rawAtLong && !r.rawAtLong.error && !r.atLong.error);
    const under10 = rec.filter((r) => r.rawAtLong!.p50 / r.atLong.p50 < 10).length;
    console.log(`\n${rows.length} panel queries: ${missDefault} at or over 100 ms at their default range, ${missLong} at or over 1 s at ${L}; of ${rows.filter((r) => r.recorded).length} reading recorded series, ${under10} less than 10x faster than raw at ${L} (raw ones that failed count as faster)`);
  } finally {
    await prom?.stop();
    prom = undefined;
    cleanup();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
