/**
 * Entry point: the only place that reads the command line or the environment.
 *
 *   npm run synth                      every environment in config/ (production -> dist/)
 *   npm run synth -- --env staging     one environment
 *   npm run synth -- --root /tmp/out   write the outputs under another directory (benchmarks)
 *   npm run synth -- --config <dir>    read the environment files from another directory (tests)
 *
 * Configuration problems are printed all at once and nothing is written.
 */
import * as path from 'node:path';
import { synthesize } from './charts/synth';
import { writeConfigReference } from './scripts/config-reference';
import { ConfigError } from './charts/lib/schema';

/** A command line that cannot be run: said in one line, without a stack trace. */
class UsageError extends Error {}

function parseArgs(argv: string[]): { root: string; environments?: string[]; configDir?: string } {
  const envs: string[] = [];
  let root = path.resolve(__dirname);
  let configDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) envs.push(argv[++i]);
    else if (argv[i] === '--root' && argv[i + 1]) root = path.resolve(argv[++i]);
    else if (argv[i] === '--config' && argv[i + 1]) configDir = path.resolve(argv[++i]);
    else throw new UsageError(`unknown argument '${argv[i]}'; usage: npm run synth [-- --env <name> ...] [--root <dir>] [--config <dir>]`);
  }
  return { root, ...(envs.length ? { environments: envs } : {}), ...(configDir ? { configDir } : {}) };
}

try {
  const started = process.hrtime.bigint();
  const args = parseArgs(process.argv.slice(2));
  const written = synthesize(args);
  // The configuration reference follows the code: regenerated with every synthesis of this repository.
  if (args.root === path.resolve(__dirname)) written.push(...writeConfigReference(args.root));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`synthesized ${written.map((d) => (d.includes('.') ? d : `${d}/`)).join(', ')} in ${ms.toFixed(0)} ms`);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  if (e instanceof UsageError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
