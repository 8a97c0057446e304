/**
 * Detection latency of every alert path: runs the end-to-end scenarios (e2e/run.ts) and prints,
 * per scenario, the time from the fault to the first notification next to its floor
 * (`for` + scrape interval + evaluation interval + group_wait, read from the configuration that
 * ran, plus what the fault itself needs before the expression can hold) and the ratio; then the
 * per-sink arrival and resolution times. A measurement, not a test: it never fails on a number.
 *
 *   npx ts-node bench/detection-latency.ts [--only <scenario>[,...]] [--json <file>]
 *
 * Needs what scripts/checks/70-e2e/run.sh sets up (scripts/setup-system.sh, the pinned binaries).
 */
import * as fs from 'node:fs';
import { E2E_OVERRIDES } from '../e2e/harness/config';
import { durationToSeconds } from '../charts/lib/schema';
import { latencyTable, runE2E } from '../e2e/run';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let only: string[] | undefined;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only' && argv[i + 1]) only = argv[++i].split(',');
    else if (argv[i] === '--json' && argv[i + 1]) json = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; usage: detection-latency.ts [--only id,...] [--json file]`);
  }
  const lines: string[] = [];
  const report = await runE2E({
    ...(only ? { only } : {}),
    print: (l) => {
      lines.push(l);
      if (/^(PASS|FAIL|stack up)/.test(l)) console.error(l); // progress, on stderr
    },
  });
  const scrape = durationToSeconds(E2E_OVERRIDES.prometheus.scrapeInterval);

  console.log(`detection latency, e2e clocks: scrape ${E2E_OVERRIDES.prometheus.scrapeInterval}, evaluation ${E2E_OVERRIDES.prometheus.evaluationInterval}, group_wait ${E2E_OVERRIDES.alertmanager.groupWait}`);
  console.log('floor = for + scrape + eval + group_wait (+ extra: what the fault needs before the expression can hold)\n');
  for (const l of latencyTable(report, scrape)) console.log(`  ${l}`);
  console.log('');
  for (const s of report.scenarios) if (s.floor?.note) console.log(`  extra for ${s.id}: ${s.floor.note}`);
  console.log('\nper sink (seconds after the fault / after the recovery):');
  for (const s of report.scenarios) {
    const sinks = s.sinks.map((k) => `${k.sink} ${k.firingAfter?.toFixed(1)}s${k.resolvedAfter !== undefined ? ` / resolved ${k.resolvedAfter.toFixed(1)}s` : k.sendsResolved ? '' : ' / (no resolved: send_resolved false)'}`);
    console.log(`  ${s.id.padEnd(18)} ${s.ok ? '' : '[FAILED] '}${sinks.join(', ')}`);
  }
  console.log(`\nstack startup ${report.startupSeconds.toFixed(1)}s, whole run ${report.totalSeconds.toFixed(0)}s`);
  const failed = report.scenarios.filter((s) => !s.ok);
  if (failed.length) console.log(`(scenarios that failed, numbers partial: ${failed.map((f) => f.id).join(', ')}; details below)\n${lines.filter((l) => l.startsWith('FAIL') || l.startsWith('     ')).join('\n')}`);
  if (json) fs.writeFileSync(json, JSON.stringify(report, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
