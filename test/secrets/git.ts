/** Asks git which paths .gitignore ignores (the paths need not exist). */
import { execFileSync } from 'node:child_process';
import { ROOT } from '../util';

/** Path -> whether .gitignore ignores it. `--no-index` so tracked files are judged by the rules too. */
export function ignoredBy(paths: readonly string[]): Map<string, boolean> {
  const unique = [...new Set(paths)];
  if (unique.length === 0) return new Map();
  // -v -n prints a line per path: `<source>:<line>:<pattern>\t<path>`, `::\t<path>` when no rule matches;
  // a matching negated pattern (`!...`) means the path is not ignored.
  let out: string;
  try {
    out = execFileSync('git', ['check-ignore', '--no-index', '-v', '-n', '--stdin'], { cwd: ROOT, input: unique.join('\n') + '\n', encoding: 'utf8' });
  } catch (e) {
    // Exit 1 means "nothing ignored", with the same output.
    const err = e as { status?: number; stdout?: string };
    if (err.status !== 1 || err.stdout === undefined) throw e;
    out = err.stdout;
  }
  const result = new Map<string, boolean>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [source, p] = line.split('\t');
    const pattern = source.split(':').slice(2).join(':');
    result.set(p, pattern !== '' && !pattern.startsWith('!'));
  }
  for (const p of unique) if (!result.has(p)) throw new Error(`git check-ignore said nothing about '${p}'`);
  return result;
}
