/**
 * Writes the promtool unit-test files of every alert case, run against the rule files as synthesized.
 *
 *   npx ts-node --transpile-only test/alerts/promtool-tests.ts --rules <dir> --out <dir>
 *
 * `--rules` is the prometheus-config ConfigMap written out by scripts/extract-configs.ts (its
 * `*.rules.yml`); one test file per component is written to `--out`, each loading every rule file
 * so that a case also sees any other rule of the same alert name. The cases are written for the
 * production environment's configuration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadConfig } from '../../charts/load-config';
import { stackEndpoints } from '../../charts/lib/endpoints';
import { RULE_FILE_SUFFIX } from '../../charts/prometheus/config';
import { allCases } from './cases';
import { promtoolTestFile } from './harness';

/** The environment the cases are written for. */
export const CASES_ENVIRONMENT = 'production';

export function writePromtoolTests(rulesDir: string, outDir: string): string[] {
  const config = loadConfig(CASES_ENVIRONMENT);
  const ruleFiles = fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith(RULE_FILE_SUFFIX))
    .sort()
    .map((f) => path.resolve(rulesDir, f));
  if (ruleFiles.length === 0) throw new Error(`no *${RULE_FILE_SUFFIX} in ${rulesDir}`);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [component, cases] of Object.entries(allCases({ config, endpoints: stackEndpoints(config) }))) {
    const file = path.join(outDir, `${component}.test.yml`);
    fs.writeFileSync(file, YAML.stringify(promtoolTestFile(ruleFiles, config.prometheus.evaluationInterval, cases), { lineWidth: 0 }));
    written.push(file);
  }
  return written;
}

function main(argv: string[]): void {
  let rules: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rules' && argv[i + 1]) rules = argv[++i];
    else if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else throw new Error(`unknown argument '${argv[i]}'; usage: promtool-tests.ts --rules <dir> --out <dir>`);
  }
  if (!rules || !out) throw new Error('usage: promtool-tests.ts --rules <dir> --out <dir>');
  for (const f of writePromtoolTests(rules, out)) console.log(f);
}

if (require.main === module) main(process.argv.slice(2));
