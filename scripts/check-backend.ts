/**
 * Checks a running backend (or a saved /metrics text) against the metrics contract: every missing
 * metric, wrong type, missing or extra label, label value outside its closed set, histogram bucket
 * layout that cannot answer the alert thresholds (`backend.alerts.latencyP95Seconds` and
 * `latencyP99Seconds` of the environment's config), and unit or suffix mismatch, each with its fix.
 *
 *   npm run check-backend -- --url http://127.0.0.1:3000/metrics
 *   npm run check-backend -- --file metrics.txt [--env staging]
 *
 * Exit status: 0 the backend agrees with the contract, 1 it does not, 2 the check could not run (a
 * wrong command line, an unreachable URL, an invalid config). The comparison is the package's
 * checkExposition (packages/metrics-contract/src/check.ts); test/metrics-contract/check.test.ts tests both.
 */
import * as fs from 'node:fs';
import { requiredBucketBounds } from '../charts/backend/settings';
import { loadConfig } from '../charts/load-config';
import { ConfigError } from '../charts/lib/schema';
import { checkExposition, formatCheck } from '../packages/metrics-contract/src/check';

const USAGE = 'usage: npm run check-backend -- (--url <metrics URL> | --file <saved /metrics text>) [--env <environment>]';
/** A scrape that takes longer than Prometheus's default scrape timeout fails there too. */
const FETCH_TIMEOUT_MS = 10_000;

interface Args {
  url?: string;
  file?: string;
  env: string;
}

function parseArgs(argv: string[]): Args | string {
  const out: Args = { env: 'production' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!['--url', '--file', '--env'].includes(flag)) return `unknown argument '${flag}'`;
    if (value === undefined || value.startsWith('--')) return `${flag} needs a value`;
    out[flag.slice(2) as keyof Args] = value;
    i++;
  }
  if ((out.url === undefined) === (out.file === undefined)) return 'give exactly one of --url and --file';
  return out;
}

/** Runs the check; returns the exit status. */
export async function checkBackend(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    print(`check-backend: ${args}\n${USAGE}`);
    return 2;
  }
  let bounds: Record<string, number[]>;
  try {
    bounds = requiredBucketBounds(loadConfig(args.env).backend);
  } catch (e) {
    print(`check-backend: cannot read the alert thresholds of config/${args.env}.yaml: ${e instanceof ConfigError ? e.message : (e as Error).message}`);
    return 2;
  }
  let text: string;
  const source = args.url ?? args.file!;
  try {
    if (args.url) {
      const res = await fetch(args.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'text/plain;version=0.0.4' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } else {
      text = fs.readFileSync(args.file!, 'utf8');
    }
  } catch (e) {
    print(`check-backend: cannot read ${source}: ${(e as Error).message}`);
    return 2;
  }
  const result = checkExposition(text, { requiredBounds: bounds });
  const thresholds = Object.entries(bounds).map(([m, b]) => `${m}: ${b.join(', ')}`).join('; ');
  print(`check-backend: ${source} against the metrics contract ${result.contractVersion}; bucket bounds the ${args.env} alerts need: ${thresholds}`);
  for (const line of formatCheck(result, source)) print(line);
  return result.problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  checkBackend(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
}
