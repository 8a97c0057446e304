/**
 * Synthesis benchmark: prints a table, asserts nothing (targets belong here, not in tests).
 *
 *   npm run bench [-- <runs>]
 *
 * Measures (1) the command an operator runs, `ts-node main.ts`, as a fresh process each time
 * (TypeScript transpilation and module loading included), and (2) synthesis alone, in-process.
 * Both write every environment into a temporary directory, never into the repository.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../charts/synth';

const runs = Number(process.argv[2] ?? 7);
const root = path.resolve(__dirname, '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function measure(fn: (dir: string) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
    try {
      out.push(time(() => fn(dir)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');
const cli = measure((dir) => execFileSync(tsNode, ['main.ts', '--root', dir], { cwd: root, stdio: 'ignore' }));
measure((dir) => synthesize({ root: dir })); // warm-up: module loading and JIT
const inProcess = measure((dir) => synthesize({ root: dir }));
const rss = process.memoryUsage().rss / 2 ** 20;

const row = (name: string, xs: number[]) =>
  `| ${name.padEnd(40)} | ${median(xs).toFixed(0).padStart(9)} | ${Math.min(...xs).toFixed(0).padStart(6)} | ${Math.max(...xs).toFixed(0).padStart(6)} |`;
console.log(`synthesis of every environment, ${runs} runs, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'})`);
console.log(`| ${'what'.padEnd(40)} | median ms | min ms | max ms |`);
console.log(`|${'-'.repeat(42)}|-----------|--------|--------|`);
console.log(row('ts-node main.ts (fresh process, as run)', cli));
console.log(row('synthesize() in-process', inProcess));
console.log(`in-process peak RSS after runs: ${rss.toFixed(0)} MiB; target: the command under 3000 ms`);
