/**
 * Writes the promtool unit-test files of every alert case, run against the rule files as synthesized.
 *
 *   npx ts-node --transpile-only test/alerts/promtool-tests.ts --rules <dir> --out <dir>
 *
 * `--rules` is the prometheus-config ConfigMap written out by scripts/extract-configs.ts (its
 * `*.rules.yml`); one test file per component is written to `--out`, loading every rule file that
 * defines an alert name its cases test (all rules of that name, wherever they are), and the files
 * recording the series those read (burn-rate alerts read recorded error ratios), transitively;
 * the other files would only cost evaluation time. The cases are written for the production environment's configuration,
 * except those of alerts behind a switch that is off there (`SWITCHED_CASES`): they run against the
 * rules of the environment that turns it on, given as `--rules-of <environment>=<dir>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { StackConfig } from '../../charts/config';
import { loadConfig } from '../../charts/load-config';
import { environmentConfig, synthStack } from '../../scripts/environment';
import { stackEndpoints } from '../../charts/contracts/endpoints';
import { RULE_FILE_SUFFIX } from '../../charts/prometheus/config';
import { SWITCHED_CASES, allCases } from './cases';
import { AlertCase, promtoolTestFile } from './harness';

/** The environment the cases are written for. */
export const CASES_ENVIRONMENT = 'production';

export function writePromtoolTests(rulesDir: string, outDir: string, switchedRulesDirs: Readonly<Record<string, string>> = {}): string[] {
  const config = loadConfig(CASES_ENVIRONMENT);
  const sets: { config: StackConfig; rulesDir: string; cases: Record<string, AlertCase[]> }[] = [
    { config, rulesDir, cases: allCases({ config, endpoints: stackEndpoints(config.namespaces) }) },
  ];
  for (const [component, set] of Object.entries(SWITCHED_CASES)) {
    if (set.overrides) {
      // The environment with the switch on, synthesized in memory; its rule files written beside the tests.
      const env = environmentConfig(set.environment, set.overrides);
      const dir = path.join(outDir, `rules-${component}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(synthStack(env).stack.prometheus.ruleFiles)) fs.writeFileSync(path.join(dir, file), text);
      sets.push({ config: env, rulesDir: dir, cases: { [component]: set.cases({ config: env, endpoints: stackEndpoints(env.namespaces) }) } });
      continue;
    }
    const dir = switchedRulesDirs[set.environment];
    if (dir === undefined) throw new Error(`the cases of ${component} run against ${set.environment}'s rules: pass --rules-of ${set.environment}=<dir>`);
    const env = loadConfig(set.environment);
    sets.push({ config: env, rulesDir: dir, cases: { [component]: set.cases({ config: env, endpoints: stackEndpoints(env.namespaces) }) } });
  }
  const written: string[] = [];
  for (const set of sets) written.push(...writeSet(set.rulesDir, outDir, set.cases, set.config.prometheus.evaluationInterval));
  return written;
}

/** The test files of one set of cases against one directory of rule files. */
function writeSet(rulesDir: string, outDir: string, byComponent: Record<string, AlertCase[]>, evaluationInterval: string): string[] {
  const ruleFiles = fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith(RULE_FILE_SUFFIX))
    .sort()
    .map((f) => path.resolve(rulesDir, f));
  if (ruleFiles.length === 0) throw new Error(`no *${RULE_FILE_SUFFIX} in ${rulesDir}`);
  const alertsIn = new Map(ruleFiles.map((f) => [f, alertNames(fs.readFileSync(f, 'utf8'))]));
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [component, cases] of Object.entries(byComponent)) {
    const tested = new Set(cases.map((k) => k.alert));
    const files = withRecordings(
      ruleFiles.filter((f) => [...alertsIn.get(f)!].some((a) => tested.has(a))),
      ruleFiles,
    );
    const missing = [...tested].filter((a) => !files.some((f) => alertsIn.get(f)!.has(a)));
    if (missing.length > 0) throw new Error(`no rule file in ${rulesDir} defines ${missing.join(', ')}`);
    const file = path.join(outDir, `${component}.test.yml`);
    fs.writeFileSync(file, YAML.stringify(promtoolTestFile(files, evaluationInterval, cases), { lineWidth: 0 }));
    written.push(file);
  }
  return written;
}

/** `files` and every rule file recording a series that one of them reads, until none is added. */
function withRecordings(files: string[], all: string[]): string[] {
  const records = new Map(all.map((f) => [f, recordNames(fs.readFileSync(f, 'utf8'))]));
  const out = new Set(files);
  for (let grew = true; grew; ) {
    grew = false;
    const text = [...out].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const f of all) {
      if (out.has(f)) continue;
      if ([...records.get(f)!].some((r) => new RegExp(`(^|[^A-Za-z0-9_:])${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_:]|$)`, 'm').test(text))) {
        out.add(f);
        grew = true;
      }
    }
  }
  return all.filter((f) => out.has(f));
}

/** Series a rule file records. */
function recordNames(ruleFile: string): Set<string> {
  const groups = (YAML.parse(ruleFile)?.groups ?? []) as { rules?: { record?: string }[] }[];
  return new Set(groups.flatMap((g) => g.rules ?? []).flatMap((r) => (r.record ? [r.record] : [])));
}

/** Alert names a rule file defines. */
function alertNames(ruleFile: string): Set<string> {
  const groups = (YAML.parse(ruleFile)?.groups ?? []) as { rules?: { alert?: string }[] }[];
  return new Set(groups.flatMap((g) => g.rules ?? []).flatMap((r) => (r.alert ? [r.alert] : [])));
}

function main(argv: string[]): void {
  const usage = 'usage: promtool-tests.ts --rules <dir> [--rules-of <environment>=<dir> ...] --out <dir>';
  let rules: string | undefined;
  let out: string | undefined;
  const switched: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rules' && argv[i + 1]) rules = argv[++i];
    else if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else if (argv[i] === '--rules-of' && /^[a-z0-9-]+=./.test(argv[i + 1] ?? '')) {
      const [env, ...dir] = argv[++i].split('=');
      switched[env] = dir.join('=');
    } else throw new Error(`unknown argument '${argv[i]}'; ${usage}`);
  }
  if (!rules || !out) throw new Error(usage);
  for (const f of writePromtoolTests(rules, out, switched)) console.log(f);
}

if (require.main === module) main(process.argv.slice(2));
