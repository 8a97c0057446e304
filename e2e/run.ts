/**
 * The end-to-end run: the synthesized stack on real servers, every alert path from fault to
 * notification, and every metric the rules and dashboards read present in the live scrapes.
 *
 *   npx ts-node e2e/run.ts [--only <scenario id>[,<id>...]] [--keep] [--json <file>]
 *
 * Prints PASS/FAIL per scenario, the detection latency table, and a last line
 * `e2e: N passed, M failed`; exits non-zero on any failure. scripts/checks/70-e2e/run.sh runs it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ALERTMANAGER_METRICS } from '../charts/alertmanager/metrics';
import { BACKEND_METRICS } from '../charts/contracts/backend-metrics';
import { CoverageResult, PanelDataResult, checkCoverage, checkPanelData, dashboardExprs, panelQueries, recordedNames, ruleExprs, selectorsOf } from './coverage';
import { E2E_OVERRIDES, e2eConfig, probeSiteConfig, synthesize } from './harness/config';
import { ProbeSite } from './harness/probe-site';
import { prometheusAlerts, query } from './harness/prom';
import { waitFor } from './harness/proc';
import { RunningStack, VersionRow, binaryVersions, startStack } from './harness/stack';
import { HA_CHECKS, HaResult, runHaChecks } from './ha';
import { ScenarioResult, runScenario, scenarios, unknownAlerts } from './scenarios';
import { Traffic } from './traffic';

/**
 * One stack of servers (its own PostgreSQL, Redis, backend, exporters, Prometheus pair,
 * Alertmanagers, sinks and probe site) and what runs on it. Stacks share nothing, so they run side
 * by side: the run takes as long as its longest shard, not the sum. On one stack, chains run side
 * by side and each chain one scenario after another; the high-availability checks, which stop
 * servers, come after the chains.
 */
export interface Shard {
  readonly name: string;
  readonly chains: readonly (readonly string[])[];
  readonly ha?: boolean;
}

export const SHARDS: readonly Shard[] = [
  {
    name: 'incidents',
    chains: [
      // Faults that disturb nothing the others need: each alone, side by side.
      ['certificate-expiring'],
      ['db-pool'],
      ['disk-pressure'],
      ['payment-callbacks'],
      ['queue-paused'],
      ['redis-eviction-policy'],
      // In this order: Redis last, its outage cascades into HighErrorRate and the availability
      // page and empties the queues.
      ['http-5xx', 'queue-stuck', 'redis-down'],
      // The deadlock needs the postgres exporter, which the next scenario kills.
      ['postgres-deadlock', 'exporter-killed'],
    ],
  },
  // A total outage fails every route, which every other scenario's traffic needs: its own stack.
  { name: 'outage', chains: [['api-outage']] },
  // Postgres stopped (which the DB pool, deadlock and exporter scenarios need running, and which
  // raises the availability page on the side), then a backend restart (which ends the faults the
  // others hold in it): their own stack, one after the other.
  { name: 'backend', chains: [['backend-not-ready', 'contract-drift']] },
  // The high-availability checks stop Alertmanagers and a Prometheus: their own stack.
  { name: 'ha', chains: [], ha: true },
];

/** The whole run is bounded: a hung wait must not hold CI. */
const RUN_DEADLINE_MS = 20 * 60_000;
/** Added to each wait's computed bound (slow machine, GC pauses). */
const MARGIN_MS = 60_000;

export interface E2EReport {
  readonly versions: VersionRow[];
  /** The slowest shard's stack startup. */
  readonly startupSeconds: number;
  readonly scenarios: ScenarioResult[];
  /** The high-availability checks (e2e/ha.ts), after the scenarios. */
  readonly ha: HaResult[];
  readonly coverage?: CoverageResult & { error?: string };
  /** Every Prometheus panel query of every dashboard returned a series over the run. */
  readonly panels?: PanelDataResult & { error?: string };
  readonly quietAtStart: string[];
  readonly otherNotifications: string[];
  readonly rejected: string[];
  readonly totalSeconds: number;
  readonly overrides: typeof E2E_OVERRIDES;
  /** Seconds each shard took, from its start to its last check. */
  readonly shards: { name: string; seconds: number }[];
}

function parseArgs(argv: string[]): { only?: string[]; keep: boolean; json?: string } {
  const out: { only?: string[]; keep: boolean; json?: string } = { keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only' && argv[i + 1]) out.only = argv[++i].split(',');
    else if (argv[i] === '--keep') out.keep = true;
    else if (argv[i] === '--json' && argv[i + 1]) out.json = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; usage: run.ts [--only id,...] [--keep] [--json file]`);
  }
  return out;
}

/** What one shard leaves for the report; the coverage checks run over every shard's Prometheus at the end. */
interface ShardOutcome {
  readonly name: string;
  readonly stack: RunningStack;
  readonly traffic: Traffic;
  readonly started: number;
  /** When its scenarios ended (before the high-availability checks stop servers). */
  scenariosEnded?: number;
  ended?: number;
  readonly quietAtStart: string[];
}

/** Which shards run and what each runs: `--only` keeps the scenarios and checks it names, and drops a shard left with nothing. */
export function plannedShards(only: readonly string[] | undefined, haIds: readonly string[] = HA_CHECKS): { shard: Shard; chains: string[][]; ha?: string[] }[] {
  const planned = SHARDS.map((shard) => ({
    shard,
    chains: shard.chains.map((c) => c.filter((id) => !only || only.includes(id))).filter((c) => c.length > 0),
    ha: shard.ha ? haIds.filter((id) => !only || only.includes(id)) : undefined,
  }));
  return planned.filter((p) => p.chains.length > 0 || (p.ha && p.ha.length > 0));
}

export async function runE2E(opts: { only?: string[]; keep?: boolean; print?: (line: string) => void } = {}): Promise<E2EReport> {
  const print = opts.print ?? ((l: string) => console.log(l));
  const started = Date.now();
  const versions = binaryVersions();
  print('binaries (pinned image tag vs. the built Go module):');
  for (const v of versions) print(`  ${v.image.padEnd(48)} pinned ${v.pinned.padEnd(8)} built ${v.built}${v.pinned === v.built ? '' : '   <- DIFFERS: the run uses the nearest built version'}`);

  const scheduled = SHARDS.flatMap((sh) => sh.chains.flat());
  const known = [...scheduled, ...HA_CHECKS];
  const unknown = (opts.only ?? []).filter((id) => !known.includes(id));
  if (unknown.length) throw new Error(`--only names no scenario or check: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const plan = plannedShards(opts.only);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'love-parser-e2e-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL runs as another user under root
  print(`run directory: ${dir} (one directory per shard: ${plan.map((p) => p.shard.name).join(', ')})`);

  const results: ScenarioResult[] = [];
  const ha: HaResult[] = [];
  const outcomes: ShardOutcome[] = [];
  const sites: ProbeSite[] = [];
  let coverage: E2EReport['coverage'];
  let panels: E2EReport['panels'];
  let failed = false;
  const report = (shard: string, r: ScenarioResult) => {
    results.push(r);
    print(`${r.ok ? 'PASS' : 'FAIL'} ${r.id}: ${r.title}${r.ok ? ` (notified after ${r.detectionSeconds?.toFixed(1)}s, floor ${r.floor?.total}s; resolved after ${r.resolveSeconds?.toFixed(1)}s) [${shard}]` : ` [${shard}]`}`);
    if (r.note) print(`     ${r.note}`);
    if (!r.ok) {
      print(`     ${r.error?.split('\n').join('\n     ')}`);
      for (const l of r.log) print(`     | ${l}`);
    }
  };

  /** Starts one shard's stack and runs its chains, then its high-availability checks. */
  const runShard = async (p: (typeof plan)[number]): Promise<void> => {
    const shardDir = path.join(dir, p.shard.name);
    fs.mkdirSync(shardDir, { mode: 0o755 });
    const t0 = Date.now();
    // Up before the synthesis: its URL (a free port) is a probe target of the configuration.
    const site = await ProbeSite.start(path.join(shardDir, 'probe-site'));
    sites.push(site);
    const config = e2eConfig(probeSiteConfig(site.url));
    const synth = synthesize(config);
    const stack = await startStack(config, synth, shardDir, { probeSite: site });
    const traffic = new Traffic(stack.backendUrl);
    const outcome: ShardOutcome = { name: p.shard.name, stack, traffic, started: t0, quietAtStart: [] };
    outcomes.push(outcome);
    print(`[${p.shard.name}] stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s (${Object.entries(stack.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}); rewrites: ${path.join(shardDir, 'rewrites.txt')}`);
    traffic.start(RUN_DEADLINE_MS);
    // Traffic is in Prometheus before any fault: the ratios have a denominator.
    await waitFor(
      `[${p.shard.name}] backend traffic to show in Prometheus`,
      async () => (await query(stack.prometheusUrl, `sum(rate(${BACKEND_METRICS.httpRequestDuration.name}_count{job="${stack.endpoints.backend.name}"}[${config.rules.rateWindow}])) > 1`)).length > 0,
      60_000,
      1000,
    );
    // A healthy stack raises nothing but the Watchdog.
    for (const a of await prometheusAlerts(stack.prometheusUrl, {})) {
      if (a.metric.alertname !== 'Watchdog') outcome.quietAtStart.push(`[${p.shard.name}] ${a.metric.alertname} (${a.metric.alertstate}) ${JSON.stringify(a.metric)}`);
    }
    const all = scenarios(stack);
    const unscheduled = all.filter((sc) => !scheduled.includes(sc.id));
    if (unscheduled.length) throw new Error(`scenarios not scheduled on any shard: ${unscheduled.map((u) => u.id).join(', ')}`);
    const mine = p.chains.map((chain) => chain.map((id) => all.find((sc) => sc.id === id)!));
    const undefinedAlerts = unknownAlerts(stack, mine.flat());
    if (undefinedAlerts.length) throw new Error(`the scenarios expect alerts the synthesized rules do not define: ${undefinedAlerts.join('; ')}`);
    await Promise.all(
      mine.map(async (chain) => {
        for (const sc of chain) report(p.shard.name, await runScenario(stack, sc, { marginMs: MARGIN_MS }));
      }),
    );
    outcome.scenariosEnded = Date.now();
    if (p.ha && p.ha.length > 0) {
      for (const r of await runHaChecks(stack, opts.only ? p.ha : undefined)) {
        ha.push(r);
        print(`${r.ok ? 'PASS' : 'FAIL'} ${r.id}: ${r.title} [${p.shard.name}]`);
        if (!r.ok) print(`     ${r.error?.split('\n').join('\n     ')}`);
        for (const l of r.log) print(`     | ${l}`);
      }
    }
    outcome.ended = Date.now();
  };

  try {
    const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the run passed its ${RUN_DEADLINE_MS / 60_000} minute deadline`)), RUN_DEADLINE_MS - (Date.now() - started)).unref());
    // Every shard runs to its end even when another fails: the report lists every result.
    const settled = await Promise.race([Promise.allSettled(plan.map(runShard)), deadline]);
    for (const [i, r] of settled.entries()) {
      if (r.status === 'rejected') {
        failed = true;
        print(`FAIL shard ${plan[i].shard.name}: ${(r.reason as Error).message}`);
      }
    }
    const first = outcomes[0];
    if (!first) throw new Error('no shard started its stack');
    const synth = first.stack.synth;
    // Scenarios only: the high-availability shard stops servers, but its span before that counts.
    const sources = outcomes.map((o) => ({ url: o.stack.prometheusUrl, start: o.started, end: o.scenariosEnded ?? Date.now() }));

    // ---- metrics read by rules and dashboards, against the live scrapes of every shard ---------
    try {
      const promCm = synth.all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === `${first.stack.endpoints.prometheus.name}-config`);
      const ruleFiles = Object.fromEntries(Object.entries<string>(promCm.data).filter(([k]) => k !== 'prometheus.yml'));
      const exprs = [...ruleExprs(ruleFiles), ...dashboardExprs(synth.all.filter((m) => m.kind === 'ConfigMap'))];
      const selectors = exprs.flatMap(selectorsOf);
      const { jobs, jobsNotRun } = scrapeJobs(first.stack, synth.all);
      coverage = await checkCoverage(sources, selectors, { recorded: recordedNames(ruleFiles), jobsNotRun, jobs });
      const dashboards = exprs.filter((e) => e.from.startsWith('dashboard')).length;
      const ok = coverage.missing.length === 0;
      print(`${ok ? 'PASS' : 'FAIL'} metrics-present: ${coverage.checked} metric/job pairs read by ${exprs.length - dashboards} rules and ${dashboards} dashboard queries${ok ? ` are all in the live scrapes of the ${sources.length} stacks` : ''}`);
      for (const m of coverage.missing) print(`     missing: ${m.metric}${m.job ? `{job="${m.job}"}` : ''} (read by ${m.from})`);
      for (const m of coverage.notRun) print(`     not checked (job ${m.job} is not run by the e2e): ${m.metric} (${m.from})`);
      if (!ok) failed = true;
    } catch (e) {
      coverage = { checked: 0, missing: [], notRun: [], error: (e as Error).message };
      print(`FAIL metrics-present: ${(e as Error).message}`);
      failed = true;
    }

    // ---- every dashboard panel shows data after the run (zero where zero is the truth) ----------
    // Over every shard's span of scenarios. Only after the full set of scenarios: a subset leaves
    // some panels rightly empty (no queue fault, no failed job).
    if (opts.only) print('skip panels-have-data: only some scenarios ran');
    else {
      try {
        const queries = panelQueries(synth.all.filter((m) => m.kind === 'ConfigMap'));
        // Grafana's $__rate_interval is at least four scrape intervals; 30s holds 15 scrapes at 2s.
        panels = await checkPanelData(sources, queries, { intervalSeconds: 30, ...scrapeJobs(first.stack, synth.all) });
        const ok = panels.empty.length === 0;
        print(
          `${ok ? 'PASS' : 'FAIL'} panels-have-data: ${panels.checked - panels.empty.length - panels.excused.length} of ${panels.checked} Prometheus panel queries returned series over the run` +
            `${panels.excused.length ? `, ${panels.excused.length} allowed to be empty` : ''}`,
        );
        for (const q of panels.empty) print(`     no data: ${q.panel} (${q.refId}): ${q.expr}`);
        for (const x of panels.excused) print(`     empty, allowed: ${x.query.panel}: ${x.reason}`);
        const notStarted = [...new Set(panels.jobsNotRun.flatMap((x) => x.jobs))].sort();
        if (notStarted.length) print(`     not checked: ${panels.jobsNotRun.length} queries reading only jobs the run does not start (${notStarted.join(', ')})`);
        if (panels.notRun.length) print(`     not checked: ${panels.notRun.length} LogQL queries (Loki does not run in the end-to-end check: AGPL, not built here)`);
        if (!ok) failed = true;
      } catch (e) {
        panels = { checked: 0, empty: [], excused: [], notRun: [], jobsNotRun: [], error: (e as Error).message };
        print(`FAIL panels-have-data: ${(e as Error).message}`);
        failed = true;
      }
    }

    // Every notification Alertmanager attempted was delivered (a sink answering wrongly shows here).
    const rejected: string[] = [];
    const otherNotifications: string[] = [];
    const quietAtStart = outcomes.flatMap((o) => o.quietAtStart);
    for (const o of outcomes) {
      const failedNotifications = await notificationFailures(o.stack);
      if (failedNotifications.length) {
        print(`FAIL notifications [${o.name}]: Alertmanager failed to deliver ${failedNotifications.join(', ')} (see ${o.name}/logs/alertmanager*.log)`);
        failed = true;
      }
      if (o.stack.receivers.rejected.length) {
        print(`FAIL sinks refused requests [${o.name}]: ${o.stack.receivers.rejected.slice(0, 10).join('; ')}`);
        failed = true;
      }
      rejected.push(...o.stack.receivers.rejected, ...failedNotifications.map((f) => `alertmanager failed ${f}`));
      otherNotifications.push(...summarizeOthers(o.stack).map((n) => `[${o.name}] ${n}`));
      print(`traffic [${o.name}]: ${o.traffic.summary()}${o.traffic.dropped ? `; dropped ${o.traffic.dropped}` : ''}`);
    }
    if (quietAtStart.length) print(`note: active on the healthy stack before any fault: ${quietAtStart.join('; ')}`);
    if (otherNotifications.length) print(`note: notifications received: ${otherNotifications.join('; ')}`);
    const shards = outcomes.map((o) => ({ name: o.name, seconds: ((o.ended ?? Date.now()) - o.started) / 1000 }));
    print(`shards (side by side): ${shards.map((x) => `${x.name} ${x.seconds.toFixed(0)}s`).join(', ')}`);
    return {
      versions,
      startupSeconds: Math.max(...outcomes.map((o) => Object.values(o.stack.timings).reduce((a, b) => Math.max(a, b), 0) / 1000)),
      scenarios: results,
      ha,
      coverage,
      panels,
      quietAtStart,
      otherNotifications,
      rejected,
      totalSeconds: (Date.now() - started) / 1000,
      overrides: E2E_OVERRIDES,
      shards,
    };
  } catch (e) {
    failed = true;
    print(`FAIL e2e: ${(e as Error).message}`);
    for (const o of outcomes) {
      const logs = path.join(dir, o.name, 'logs');
      for (const f of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
        const text = fs.readFileSync(path.join(logs, f), 'utf8').trimEnd().split('\n').slice(-8);
        print(`  ${o.name}/${f}:\n${text.map((l) => `    | ${l}`).join('\n')}`);
      }
    }
    throw e;
  } finally {
    for (const o of outcomes) o.traffic.stop();
    await Promise.all(outcomes.map((o) => o.stack.stop()));
    await Promise.all(sites.map((x) => x.stop()));
    failed = failed || results.some((r) => !r.ok) || ha.some((r) => !r.ok);
    if (failed || opts.keep) print(`kept for inspection: ${dir} (per shard: logs/, pods/, rewrites.txt)`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `<integration> x<n>` for each integration whose notifications any Alertmanager replica gave up on. */
/** Every scrape job of the synthesized prometheus.yml, and those left without a target because the run does not start their component. */
function scrapeJobs(s: RunningStack, all: readonly any[]): { jobs: Set<string>; jobsNotRun: Set<string> } {
  const promCm = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === `${s.endpoints.prometheus.name}-config`);
  const promYaml = YAML.parse(promCm.data['prometheus.yml']);
  const jobs = new Set<string>((promYaml.scrape_configs ?? []).map((j: any) => j.job_name));
  return { jobs, jobsNotRun: new Set([...jobs].filter((j) => s.localizer.unscraped.includes(j))) };
}

async function notificationFailures(s: RunningStack): Promise<string[]> {
  let text = '';
  for (const r of s.alertmanagerReplicas) text += `${await (await fetch(`${r.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text()}\n`;
  const failed = new Map<string, number>();
  const re = new RegExp(`^${ALERTMANAGER_METRICS.notificationsFailed.name}\\{([^}]*)\\}\\s+([0-9.e+]+)$`, 'gm');
  for (const m of text.matchAll(re)) {
    const integration = /integration="([^"]*)"/.exec(m[1])?.[1] ?? '?';
    failed.set(integration, (failed.get(integration) ?? 0) + Number(m[2]));
  }
  return [...failed].filter(([, n]) => n > 0).map(([k, n]) => `${k} x${n}`);
}

/** Every notification of the run by alert, status and sink: the scenarios' and their side effects'. */
function summarizeOthers(s: RunningStack): string[] {
  const counts = new Map<string, number>();
  for (const n of s.receivers.received) {
    const key = `${n.alertnames.join('+')} ${n.status} -> ${n.sink}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} x${n}`);
}

/** The detection latency table (bench/detection-latency.ts prints the same). */
export function latencyTable(r: E2EReport, scrapeSeconds: number): string[] {
  const rows = [['scenario', 'detected', 'floor', 'floor parts', 'over floor', 'ratio', 'target']];
  for (const x of r.scenarios) {
    if (x.detectionSeconds === undefined || !x.floor) {
      rows.push([x.id, 'n/a', '', '', '', '', '']);
      continue;
    }
    const over = x.detectionSeconds - x.floor.total;
    rows.push([
      x.id,
      `${x.detectionSeconds.toFixed(1)}s`,
      `${x.floor.total}s`,
      Object.entries(x.floor.parts).map(([k, v]) => `${k} ${v}`).join(' + '),
      `${over >= 0 ? '+' : ''}${over.toFixed(1)}s`,
      (x.detectionSeconds / x.floor.total).toFixed(2),
      over <= scrapeSeconds ? 'within 1 scrape' : 'over',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2));
  runE2E(args)
    .then((r) => {
      const scrape = Number.parseFloat(E2E_OVERRIDES.prometheus.scrapeInterval);
      console.log('\ndetection latency (fault -> first notification), floor = for + scrape + eval + group_wait (+ extra):');
      for (const l of latencyTable(r, scrape)) console.log(`  ${l}`);
      for (const x of r.scenarios) if (x.floor?.note) console.log(`  extra for ${x.id}: ${x.floor.note}`);
      if (args.json) fs.writeFileSync(args.json, JSON.stringify(r, null, 2));
      const failedScenarios = r.scenarios.filter((x) => !x.ok).length + r.ha.filter((x) => !x.ok).length;
      const coverageFailed = r.coverage && (r.coverage.missing.length > 0 || r.coverage.error) ? 1 : 0;
      const sinksFailed = r.rejected.length > 0 ? 1 : 0;
      const panelsFailed = r.panels && (r.panels.empty.length > 0 || r.panels.error) ? 1 : 0;
      const passed = r.scenarios.length + r.ha.length - failedScenarios + (coverageFailed ? 0 : 1) + (r.panels && !panelsFailed ? 1 : 0);
      const failed = failedScenarios + coverageFailed + sinksFailed + panelsFailed;
      console.log(`\ntotal ${r.totalSeconds.toFixed(0)}s`);
      console.log(`e2e: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    })
    .catch((e) => {
      console.error(e);
      console.log('e2e: 0 passed, 1 failed');
      process.exit(1);
    });
}
