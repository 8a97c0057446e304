/**
 * A few panel queries of the synthesized dashboards over 30 days of data, through Thanos Query
 * (store gateway over a bucket, two replicas deduplicated) against the same queries on Prometheus
 * directly. A measurement that prints tables; it never fails on a number.
 *
 *   npm run bench:thanos -- [--days 30] [--runs 7] [--routes 2] [--no-compactor] [--keep]
 *
 * 1. Writes `--days` of samples every 60s for the series the chosen panels read (bench/lib/stack-series.ts:
 *    the backend's request histogram for `--routes` routes, and the series of the other panels) as
 *    2h blocks with the pinned promtool: the blocks a sidecar uploads.
 * 2. Hard-links them into a Prometheus TSDB, and into two replica directories (each block under a
 *    new id: the bucket keys blocks by id) that `thanos tools bucket upload-blocks` uploads to a
 *    FILESYSTEM bucket with the external labels the replicas have (`cluster`, `environment`,
 *    `replica`: prometheus-0 and prometheus-1).
 * 3. Runs the pinned Prometheus (compacting the 2h blocks up to 3d, 10% of production's 30d
 *    retention) and Thanos store gateway + Query with the flags synthesized for staging
 *    (scripts/checks/45-thanos/prepare.ts writes them: Query over the store gateway alone,
 *    `--query.replica-label=replica`, `--query.auto-downsampling`), all on 127.0.0.1.
 * 4. Times each panel query at its dashboard's default range and at `--days`, both ways: one
 *    warm-up and `--runs` runs (bench/lib/querier.ts, as bench/dashboards.ts does).
 * 5. Unless `--no-compactor`: runs the compactor with the synthesized flags (and
 *    `--consistency-delay=0s`: the blocks here are minutes old) until it completes a run, restarts
 *    the store gateway, times Thanos Query again, and reports which resolution the store gateway
 *    read at `--days` (from its debug log, for one more query).
 *
 * Needs the pinned Prometheus and Thanos (`bash scripts/setup-tools.sh prometheus thanos`); run it
 * under `flock /tmp/love-parser-heavy.lock`. Every wait is bounded; every process is stopped at the end.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND_METRICS } from '../charts/contracts/backend-metrics';
import { generateBlocks } from './lib/generate';
import { panelTiming, promDuration, substituteVariables } from './lib/grafana';
import { isHistogram, seriesCount, Spec } from './lib/openmetrics';
import { assertParses, expandRecorded, namesRead } from './lib/promql-expand';
import { PanelTarget, Querier, Timed, fmtMs, fmtN, promPanelTargets, rangeName } from './lib/querier';
import { productionStack } from './lib/stack';
import { BACKEND_SHAPE, stackSources } from './lib/stack-series';
import { Agreement, BucketBlock, ResultSeries, agreement, bucketSummary, hoursByResolution, resolutionsRead, ulid } from './lib/thanos';
import { ROOT, RunningPrometheus, blocks, dirSize, mib, requirePrometheusTools, sleep, startPrometheus, waitForCompaction } from './lib/tsdb';

const THANOS = path.join(ROOT, '.tools', 'thanos', 'bin', 'thanos');
/** The sample interval: a quarter of production's 15s, so that 30 days fit the time budget. */
const STEP_SECONDS = 60;

/**
 * The panels timed: one of each shape (gauges, counter rates, an instant increase over the whole
 * range, topk, per-container rates, deriv) and the backend's latency histogram, read through the
 * expression its recording rule evaluates (the recorded series would need the rules backfilled).
 */
const PANELS: readonly { dashboard: string; panel: string; ruleExpression?: boolean }[] = [
  { dashboard: 'love-backend', panel: 'Memory per pod' },
  { dashboard: 'love-queues', panel: 'Completed vs failed jobs' },
  { dashboard: 'love-kpis', panel: 'Payments succeeded' },
  { dashboard: 'love-redis', panel: 'Commands per second' },
  { dashboard: 'love-kubernetes', panel: 'CPU used' },
  { dashboard: 'love-kubernetes', panel: 'Claims: time to full' },
  { dashboard: 'love-backend', panel: 'p95 latency by route', ruleExpression: true },
];

interface Args {
  readonly days: number;
  readonly runs: number;
  readonly routes: number;
  readonly compactor: boolean;
  readonly keep: boolean;
}

function parseArgs(argv: string[]): Args {
  let days = 30;
  let runs = 7;
  let routes = 2;
  let compactor = true;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--days' && argv[i + 1]) days = Number(argv[++i]);
    else if (a === '--runs' && argv[i + 1]) runs = Number(argv[++i]);
    else if (a === '--routes' && argv[i + 1]) routes = Number(argv[++i]);
    else if (a === '--no-compactor') compactor = false;
    else if (a === '--keep') keep = true;
    else throw new Error(`unknown argument ${a}; usage: thanos.ts [--days N] [--runs N] [--routes N] [--no-compactor] [--keep]`);
  }
  if (!(days >= 1 && Number.isInteger(days))) throw new Error('--days must be a whole number of days, at least 1');
  if (!(runs >= 3 && runs <= 100)) throw new Error('--runs must be between 3 and 100');
  if (!(routes >= 1 && routes <= BACKEND_SHAPE.routes && Number.isInteger(routes))) throw new Error(`--routes must be between 1 and ${BACKEND_SHAPE.routes}`);
  return { days, runs, routes, compactor, keep };
}

interface Query {
  readonly target: PanelTarget;
  readonly ruleExpression: boolean;
  /** The query Grafana sends for `rangeSeconds` (the rule's expression where `ruleExpression`). */
  expr(rangeSeconds: number): string;
}

function chosenQueries(): { queries: Query[]; names: Set<string> } {
  const s = productionStack();
  const all = promPanelTargets(s.dashboards);
  const queries: Query[] = PANELS.flatMap((p) => {
    const targets = all.filter((t) => t.dashboard === p.dashboard && t.panel === p.panel);
    if (targets.length === 0) throw new Error(`no panel '${p.panel}' on dashboard ${p.dashboard} any more: update PANELS in bench/thanos.ts`);
    return targets.map((target) => ({
      target,
      ruleExpression: p.ruleExpression === true,
      expr: (range: number) => {
        const e = substituteVariables(target.template, panelTiming(range, { scrapeIntervalSeconds: STEP_SECONDS }), target.variables);
        const out = p.ruleExpression ? expandRecorded(e, s.rules, s.evaluationInterval) : e;
        assertParses(out);
        return out;
      },
    }));
  });
  const names = new Set(queries.flatMap((q) => namesRead(q.expr(q.target.defaultRange))));
  return { queries, names };
}

/** The specs of bench/lib/stack-series.ts the queries read; the request histogram for the first `routes` routes. */
function chosenSpecs(names: Set<string>, routes: number): Spec[] {
  const reads = (s: Spec) => (isHistogram(s) ? ['_bucket', '_sum', '_count'].some((x) => names.has(s.name + x)) : names.has(s.name));
  const firstRoutes = new Set(Array.from({ length: routes }, (_, i) => `/api/v1/route-${String(i + 1).padStart(2, '0')}`));
  const specs = stackSources()
    .flatMap((src) => src.specs)
    .filter(reads)
    .filter((s) => s.name !== BACKEND_METRICS.httpRequestDuration.name || firstRoutes.has(s.labels.route));
  const missing = [...names].filter((n) => !specs.some((s) => s.name === n || (isHistogram(s) && [`${s.name}_bucket`, `${s.name}_sum`, `${s.name}_count`].includes(n))));
  if (missing.length) throw new Error(`bench/lib/stack-series.ts writes no series for ${missing.join(', ')}`);
  return specs;
}

/** Hard-links every block of `from` into `to`; with `newIds`, each under a new ULID (meta.json rewritten). */
function linkBlocks(from: string, to: string, newIds: boolean): void {
  fs.mkdirSync(to, { recursive: true });
  for (const b of blocks(from)) {
    const meta = JSON.parse(fs.readFileSync(path.join(from, b.id, 'meta.json'), 'utf8'));
    const id = newIds ? ulid(Date.now()) : b.id;
    const dir = path.join(to, id);
    fs.mkdirSync(path.join(dir, 'chunks'), { recursive: true });
    fs.linkSync(path.join(from, b.id, 'index'), path.join(dir, 'index'));
    for (const c of fs.readdirSync(path.join(from, b.id, 'chunks'))) fs.linkSync(path.join(from, b.id, 'chunks', c), path.join(dir, 'chunks', c));
    if (fs.existsSync(path.join(from, b.id, 'tombstones'))) fs.linkSync(path.join(from, b.id, 'tombstones'), path.join(dir, 'tombstones'));
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(newIds ? { ...meta, ulid: id, compaction: { ...meta.compaction, sources: [id] } } : meta, null, 2));
  }
}

/** The blocks of a FILESYSTEM bucket, from their meta.json. */
function bucketBlocks(bucket: string): BucketBlock[] {
  if (!fs.existsSync(bucket)) return [];
  return fs.readdirSync(bucket).flatMap((d) => {
    const metaFile = path.join(bucket, d, 'meta.json');
    if (!fs.existsSync(metaFile)) return [];
    const m = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    return [{ minTime: m.minTime, maxTime: m.maxTime, resolution: m.thanos?.downsample?.resolution ?? 0, level: m.compaction?.level ?? 1, samples: Number(m.stats?.numSamples ?? 0), bytes: dirSize(path.join(bucket, d)), markedForDeletion: fs.existsSync(path.join(bucket, d, 'deletion-mark.json')) }];
  });
}

interface Proc {
  readonly name: string;
  readonly log: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

function startThanos(name: string, args: readonly string[], work: string): Proc {
  const log = path.join(work, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  const proc = spawn(THANOS, args, { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let exited = false;
  proc.once('exit', () => (exited = true));
  return {
    name,
    log,
    proc,
    stop: async () => {
      if (exited) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const killed = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(killed);
    },
  };
}

/** Polls `check` every second until it holds; throws after `limitMs` with what was awaited. */
async function until(what: string, limitMs: number, check: () => Promise<boolean>, p?: Proc): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    if (p && p.proc.exitCode !== null) throw new Error(`${p.name} exited (${p.proc.exitCode}) while waiting until ${what}; see ${p.log}`);
    try {
      if (await check()) return Date.now() - t0;
    } catch {
      // not up yet
    }
    await sleep(1000);
  }
  throw new Error(`waited ${limitMs / 1000}s until ${what}, in vain${p ? `; see ${p.log}` : ''}`);
}

const ready = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok;

async function metricValue(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/** Thanos Query answers `expr` at `time` with `n` series (the store gateway has loaded the blocks). */
async function seriesAt(port: number, expr: string, time: number): Promise<number> {
  const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr, time: String(time), dedup: 'true' }) })).json()) as any;
  return r.status === 'success' ? r.data.result.length : -1;
}

/** 13 ports in a row, free on 127.0.0.1 (prepare.ts takes a base port and the next 12). */
async function freePortRun(): Promise<number> {
  for (let base = 39400; base < 40000; base += 20) {
    let free = true;
    for (let i = 0; i < 13 && free; i++) free = await isFree(base + i);
    if (free) return base;
  }
  throw new Error('no 13 free ports in a row in 39400-39999');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

interface Row {
  readonly q: Query;
  readonly range: number;
  readonly prom: Timed;
  readonly thanos: Timed;
  /** Thanos's answer against Prometheus's, point by point. */
  readonly values?: Agreement;
}

/**
 * Thanos Query keeps the blocks' external labels (all but the replica label) on every series it
 * returns; the answers are compared without them.
 */
function withoutLabels(answer: ResultSeries[], names: readonly string[]): ResultSeries[] {
  return answer.map((s) => ({ ...s, metric: Object.fromEntries(Object.entries(s.metric).filter(([k]) => !names.includes(k))) }));
}

async function timeAll(queries: Query[], prom: Querier, thanos: Querier, end: number, longRange: number, externalLabels: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const q of queries) {
    for (const range of [q.target.defaultRange, longRange]) {
      const step = panelTiming(range, { scrapeIntervalSeconds: STEP_SECONDS }).stepSeconds;
      const expr = q.expr(range);
      const timedProm = await prom.time(expr, end, range, step, q.target.instant);
      const timedThanos = await thanos.time(expr, end, range, step, q.target.instant);
      let values: Agreement | undefined;
      if (!timedProm.error && !timedThanos.error) {
        const [a, b] = await Promise.all([prom.answer(expr, end, range, step, q.target.instant), thanos.answer(expr, end, range, step, q.target.instant)]);
        values = agreement(a as ResultSeries[], withoutLabels(b as ResultSeries[], externalLabels));
      }
      rows.push({ q, range, prom: timedProm, thanos: timedThanos, values });
      process.stderr.write(`  ${rows.length} of ${queries.length * 2} timed\r`);
    }
  }
  process.stderr.write('\n');
  return rows;
}

function differs(v: Agreement | undefined): string {
  if (!v) return '';
  const pct = v.maxRelativeDifference * 100;
  const shown = pct === 0 ? 'none' : pct < 0.01 ? 'under 0.01%' : `${pct < 10 ? pct.toFixed(2) : pct.toFixed(0)}%`;
  return `${shown}${v.onlyOne ? ` (${v.onlyOne} of ${v.common + v.onlyOne} points in one answer only)` : ''}`;
}

function printRows(rows: Row[], thanosHeading: string): void {
  console.log(`| panel | query | range | step | Prometheus p50 ms | p95 ms | series | ${thanosHeading} p50 ms | p95 ms | series | ratio (p50) | values: largest difference |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const ratio = r.prom.error || r.thanos.error ? '' : `${(r.thanos.p50 / r.prom.p50).toFixed(1)}x`;
    // A panel with several queries: each row names the metrics its query reads.
    const several = rows.filter((x) => x.range === r.range && x.q.target.dashboard === r.q.target.dashboard && x.q.target.panel === r.q.target.panel).length > 1;
    const panel = `${r.q.target.dashboard} / ${r.q.target.panel}${several ? ` (${namesRead(r.q.expr(r.range)).join(', ')})` : ''}`;
    const kind = `${r.q.target.instant ? 'instant' : 'range'}${r.q.ruleExpression ? ", the recording rule's expression" : ''}`;
    const same = r.prom.resultSeries === r.thanos.resultSeries ? '' : ' (differs)';
    console.log(
      `| ${panel} | ${kind} | ${rangeName(r.range)} | ${r.q.target.instant ? '' : promDuration(panelTiming(r.range, { scrapeIntervalSeconds: STEP_SECONDS }).stepSeconds)} | ${fmtMs(r.prom, 'p50')} | ${fmtMs(r.prom, 'p95')} | ${fmtN(r.prom.resultSeries)} | ${fmtMs(r.thanos, 'p50')} | ${fmtMs(r.thanos, 'p95')} | ${fmtN(r.thanos.resultSeries)}${same} | ${ratio} | ${differs(r.values)} |`,
    );
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  requirePrometheusTools();
  if (!fs.existsSync(THANOS)) throw new Error('no pinned thanos: run bash scripts/setup-tools.sh thanos');
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;
  const { queries, names } = chosenQueries();
  const specs = chosenSpecs(names, a.routes);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-thanos-'));
  const procs: Proc[] = [];
  let prom: RunningPrometheus | undefined;
  const stopAll = async () => {
    await Promise.all([prom?.stop(), ...procs.map((p) => p.stop())]);
    if (!a.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.error(`kept ${work}`);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    // The synthesized flags of staging (where thanos is on), localized to 127.0.0.1 and a FILESYSTEM bucket.
    const base = await freePortRun();
    const thanosDir = path.join(work, 'thanos');
    execFileSync('npx', ['ts-node', '--transpile-only', path.join(ROOT, 'scripts/checks/45-thanos/prepare.ts'), '--out', thanosDir, '--base-port', String(base)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const commands = JSON.parse(fs.readFileSync(path.join(thanosDir, 'commands.json'), 'utf8')) as Record<string, string[]>;
    const ports = JSON.parse(fs.readFileSync(path.join(thanosDir, 'ports.json'), 'utf8')) as Record<string, number>;
    const externalLabels = JSON.parse(fs.readFileSync(path.join(thanosDir, 'external-labels.json'), 'utf8')) as Record<string, string>;
    const objstore = path.join(thanosDir, 'objstore-fs.yml');
    const bucket = path.join(thanosDir, 'bucket');

    // 1. Blocks of 2h, as a sidecar uploads them.
    const end = Math.floor(Date.now() / 1000 / STEP_SECONDS) * STEP_SECONDS;
    const start = end - a.days * 86400;
    const generated = path.join(work, 'generated');
    fs.mkdirSync(generated);
    const g = await generateBlocks({ specs, dataDir: generated, workDir: work, start, end, stepSeconds: STEP_SECONDS, maxBlockDuration: '2h' });
    const generatedBlocks = blocks(generated);
    const generateTime = elapsed();

    // 2. Prometheus's copy; two replicas' copies uploaded with their external labels.
    const promDir = path.join(work, 'prometheus');
    linkBlocks(generated, promDir, false);
    // Production keeps 30d, so Prometheus compacts blocks up to 10% of that (3d).
    prom = await startPrometheus({ dataDir: promDir, workDir: work, extraArgs: ['--storage.tsdb.max-block-duration=3d'] });
    const tUpload = Date.now();
    for (const replica of ['prometheus-0', 'prometheus-1']) {
      const dir = path.join(work, replica);
      linkBlocks(generated, dir, true);
      const labels = Object.entries(externalLabels).map(([k, v]) => `--label=${k}="${v === '${POD_NAME}' ? replica : v}"`);
      execFileSync(THANOS, ['tools', 'bucket', 'upload-blocks', `--objstore.config-file=${objstore}`, `--path=${dir}`, ...labels], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    const uploadSeconds = (Date.now() - tUpload) / 1000;
    const uploaded = bucketBlocks(bucket);

    // 3. Store gateway and Query over it, as synthesized; Prometheus compacting meanwhile.
    let store = startThanos('store', commands.store, work);
    procs.push(store);
    const query = startThanos('query', commands.queryStoreOnly, work);
    procs.push(query);
    const storeReadyMs = await until('the store gateway is ready', 300_000, ready(ports.storeHttp), store);
    await until('Thanos Query is ready', 60_000, ready(ports.storeOnlyHttp), query);
    const probe = `count(${BACKEND_METRICS.residentMemory.name})`;
    // One deduplicated answer from both replicas' blocks: the store gateway serves them.
    await until('Thanos Query answers from the bucket', 120_000, async () => (await seriesAt(ports.storeOnlyHttp, probe, start + 3600)) === 1, query);
    const compactMs = await waitForCompaction(promDir, 10 * 60_000);
    const promBlocks = blocks(promDir);
    const readyTime = elapsed();

    const longRange = a.days * 86400;
    const promQ = new Querier(prom.url, a.runs);
    const thanosQ = () => new Querier(`http://127.0.0.1:${ports.storeOnlyHttp}`, a.runs, { dedup: 'true' });
    const load = os.loadavg()[0];
    const rowsA = await timeAll(queries, promQ, thanosQ(), end, longRange, Object.keys(externalLabels));
    const loadAfter = os.loadavg()[0];
    const queriedTime = elapsed();

    // 5. The compactor with the synthesized flags, once through; the store gateway restarted to see its blocks.
    let rowsB: Row[] | undefined;
    let compactorSeconds = NaN;
    let compacted: BucketBlock[] = [];
    let resolutions: { range: number; hours: Record<string, number> }[] = [];
    let compactorNote = '';
    if (a.compactor) {
      const tc = Date.now();
      const compactor = startThanos('compactor', [...commands.compactor, '--consistency-delay=0s'], work);
      procs.push(compactor);
      try {
        await until('the compactor completed a run', 8 * 60_000, async () => (await metricValue(ports.compactorHttp, 'thanos_compact_iterations_total')) >= 1, compactor);
        compactorSeconds = (Date.now() - tc) / 1000;
        const halted = await metricValue(ports.compactorHttp, 'thanos_compact_halted');
        if (halted !== 0) compactorNote = ` (the compactor halted: see ${compactor.log})`;
      } catch (e) {
        compactorNote = ` (${e instanceof Error ? e.message : e})`;
      }
      await compactor.stop();
      compacted = bucketBlocks(bucket);
      if (Number.isFinite(compactorSeconds)) {
        await store.stop();
        store = startThanos('store-after-compaction', commands.store, work);
        procs.push(store);
        await until('the store gateway is ready again', 300_000, ready(ports.storeHttp), store);
        await until('Thanos Query answers from the compacted bucket', 120_000, async () => (await seriesAt(ports.storeOnlyHttp, probe, start + 3600)) === 1, query);
        // Prometheus timed again, so that both columns are measured under the same load.
        rowsB = await timeAll(queries, new Querier(prom.url, a.runs), thanosQ(), end, longRange, Object.keys(externalLabels));
        // Which resolution did the store gateway read? Its debug log says, for one more query per range.
        await store.stop();
        store = startThanos('store-debug', [...commands.store, '--log.level=debug'], work);
        procs.push(store);
        await until('the store gateway (debug log) is ready', 300_000, ready(ports.storeHttp), store);
        await until('Thanos Query answers again', 120_000, async () => (await seriesAt(ports.storeOnlyHttp, probe, start + 3600)) === 1, query);
        const q = queries.find((x) => !x.target.instant && x.target.panel === 'Memory per pod')!;
        for (const range of [q.target.defaultRange, longRange]) {
          const before = fs.statSync(store.log).size;
          const step = panelTiming(range, { scrapeIntervalSeconds: STEP_SECONDS }).stepSeconds;
          await fetch(`http://127.0.0.1:${ports.storeOnlyHttp}/api/v1/query_range`, { method: 'POST', body: new URLSearchParams({ query: q.expr(range), start: String(end - range), end: String(end), step: String(step), dedup: 'true' }) });
          await sleep(500);
          const log = fs.readFileSync(store.log, 'utf8').slice(before);
          resolutions.push({ range, hours: hoursByResolution(resolutionsRead(log)[0] ?? []) });
        }
      }
    }

    // The report.
    const series = specs.reduce((n, s) => n + seriesCount(s), 0);
    console.log(`\nData: ${a.days} days every ${STEP_SECONDS}s, ${series.toLocaleString('en')} series (${g.samples.toLocaleString('en')} samples), written as ${generatedBlocks.length} blocks of 2h by promtool in ${generateTime}`);
    console.log(`  the backend's request histogram for ${a.routes} of ${BACKEND_SHAPE.routes} routes (${a.routes} x ${BACKEND_SHAPE.methods.length} methods x ${BACKEND_SHAPE.statusCodes.length} status codes x ${BACKEND_SHAPE.pods} pods x 14 = ${specs.filter((s) => s.name === BACKEND_METRICS.httpRequestDuration.name).reduce((n, s) => n + seriesCount(s), 0)} series), and every series of the other panels below (bench/lib/stack-series.ts)`);
    console.log(`  Prometheus: the same blocks, compacted by itself in ${(compactMs / 1000).toFixed(0)}s to ${promBlocks.length} blocks (${promBlocks.map((b) => `${b.hours.toFixed(0)}h`).join(' + ')}), ${mib(promBlocks.reduce((n, b) => n + b.bytes, 0))}`);
    console.log(`  bucket (FILESYSTEM): the blocks uploaded twice by thanos tools bucket upload-blocks in ${uploadSeconds.toFixed(0)}s, as prometheus-0 and prometheus-1 with ${Object.keys(externalLabels).join(', ')}: ${bucketSummary(uploaded).join('; ')}`);
    console.log(`  store gateway ready in ${(storeReadyMs / 1000).toFixed(0)}s; everything ready at ${readyTime}, queries timed by ${queriedTime}`);
    console.log(`  load average (1 min) on ${os.cpus().length} cores: ${load.toFixed(1)} before the queries, ${loadAfter.toFixed(1)} after\n`);
    console.log(`Panel queries as Grafana sends them for a 1000 px panel with a ${STEP_SECONDS}s scrape interval; one warm-up, then ${a.runs} runs (fewer for queries over 2 s); p95 is the nearest rank; series: the series the query returns`);
    console.log(`Thanos Query: the synthesized flags (--query.replica-label=replica, --query.auto-downsampling), over the store gateway alone, dedup=true; ratio: Thanos p50 / Prometheus p50; values: the largest relative difference between the two answers, point by point (series matched without the external labels Thanos adds)\n`);
    printRows(rowsA, 'Thanos Query (2h blocks as uploaded)');
    if (a.compactor) {
      console.log(`\nThe compactor with the synthesized flags (${commands.compactor.filter((f) => f.startsWith('--retention')).join(' ')}) and --consistency-delay=0s: ${Number.isFinite(compactorSeconds) ? `one run in ${compactorSeconds.toFixed(0)}s` : 'no completed run'}${compactorNote}`);
      console.log(`  bucket after it: ${bucketSummary(compacted).join('; ')}\n`);
      if (rowsB) {
        printRows(rowsB, 'Thanos Query (compacted, downsampled)');
        console.log('\nWhat the store gateway read (its debug log: block spans by resolution, one replica), for Memory per pod with max_source_resolution left to --query.auto-downsampling (step / 5):\n');
        for (const r of resolutions) console.log(`- ${rangeName(r.range)} (step ${promDuration(panelTiming(r.range, { scrapeIntervalSeconds: STEP_SECONDS }).stepSeconds)}): ${Object.entries(r.hours).map(([res, h]) => `${res} ${h}h`).join(', ') || 'nothing logged'}`);
      }
    }
    console.log(`\nTotal ${elapsed()}`);
  } finally {
    await stopAll();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
