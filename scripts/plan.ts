/**
 * What `kubectl apply -f dist/` would do with a fresh synthesis, before it is done:
 *
 *   npm run plan                           every environment: fresh synthesis vs dist/, dist-<env>/ of the working tree
 *   npm run plan -- --env staging          one environment (repeatable)
 *   npm run plan -- --against main         vs the directories as committed at a git ref (a branch, tag, commit)
 *   npm run plan -- --config <dir>         environment files from another directory (as `npm run synth`)
 *
 * Prints, per object, what is added, changed (the field paths) and removed, and every change the API
 * server refuses in place, with the commands each needs (docs/plan.md). Synthesizes into a temporary
 * directory: dist/ is never written.
 *
 * Exit codes: 0 nothing needs more than kubectl apply; 3 at least one change does; 1 the configuration
 * is invalid or the manifests cannot be read; 2 a usage error (unknown argument, unknown git ref).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { environments, ENVIRONMENTS_DIR } from '../charts/load-config';
import { ConfigError } from '../charts/lib/schema';
import { outputDirOf, synthesize } from '../charts/synth';
import { ManifestError, Plan, plan } from './plan/diff';
import { readAtCommit, readDir, resolveRef, UnknownRefError } from './plan/read';
import { renderPlan, renderSummary } from './plan/render';

/** The exit code when a change needs more than `kubectl apply`: apart from 1 (an error) so CI can tell them apart. */
export const EXIT_NEEDS_MORE = 3;
export const EXIT_USAGE = 2;

const USAGE = 'usage: npm run plan [-- --env <name> ...] [--against <git-ref>] [--config <dir>]';

class UsageError extends Error {}

interface Args {
  readonly environments?: string[];
  readonly against?: string;
  readonly configDir?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const envs: string[] = [];
  let against: string | undefined;
  let configDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) envs.push(argv[++i]);
    else if (argv[i] === '--against' && argv[i + 1]) against = argv[++i];
    else if (argv[i] === '--config' && argv[i + 1]) configDir = path.resolve(argv[++i]);
    else throw new UsageError(`unknown argument '${argv[i]}'; ${USAGE}`);
  }
  return { ...(envs.length ? { environments: envs } : {}), ...(against ? { against } : {}), ...(configDir ? { configDir } : {}) };
}

/** Where the output goes; the tests pass their own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const CONSOLE: Output = { out: (t) => console.log(t), err: (t) => console.error(t) };

/** Runs the command; returns its exit code. `root` is the repository whose dist/ (or git history) is compared. */
export function main(argv: readonly string[], io: Output = CONSOLE, root: string = path.resolve(__dirname, '..')): number {
  let args: Args;
  let commit: string | undefined;
  try {
    args = parseArgs(argv);
    if (args.against !== undefined) commit = resolveRef(root, args.against);
    const known = environments(args.configDir ?? ENVIRONMENTS_DIR);
    const unknown = (args.environments ?? []).filter((e) => !known.includes(e));
    if (unknown.length) throw new UsageError(`no environment ${unknown.map((e) => `'${e}'`).join(', ')}; use one of ${known.join(', ')}`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof UnknownRefError) {
      io.err(e.message);
      return EXIT_USAGE;
    }
    throw e;
  }

  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
  try {
    const written = synthesize({ root: fresh, ...(args.environments ? { environments: args.environments } : {}), ...(args.configDir ? { configDir: args.configDir } : {}) });
    const plans: Plan[] = [];
    for (const dir of written.filter((d) => d === 'dist' || d.startsWith('dist-'))) {
      const before = commit ? readAtCommit(root, commit, dir) : readDir(path.join(root, dir));
      const p = plan(before, readDir(path.join(fresh, dir)), { manifests: `${dir}/` });
      const env = (args.environments ?? environments(args.configDir ?? ENVIRONMENTS_DIR)).find((e) => outputDirOf(e) === dir) ?? dir;
      const against = commit ? `${dir}/ at ${args.against} (${commit.slice(0, 12)})` : `${dir}/ (working tree)`;
      io.out(renderPlan(`${env}: ${against} -> fresh synthesis`, p));
      io.out('');
      plans.push(p);
    }
    io.out(renderSummary(plans));
    return plans.some((p) => p.refusals.length > 0) ? EXIT_NEEDS_MORE : 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 1;
    }
    if (e instanceof ManifestError) {
      // A manifest that does not parse, an object written twice, git failing: said in one line.
      io.err(`plan: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
