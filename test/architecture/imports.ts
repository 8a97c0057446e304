/**
 * The import rules of charts/ (docs/architecture.md), as a function over the import graph so that a
 * test can run it on the real tree and on a deliberately wrong one.
 *
 * Floors, each importing only floors below it:
 *   lib        the language of monitoring and the Kubernetes helpers (and versions.ts)
 *   contracts  what crosses component boundaries
 *   component  one folder per component; a collector (prometheus/, grafana/) is a component too,
 *              and neither kind may import another component's folder
 *   stack      config.ts, load-config.ts, stack.ts, synth.ts: composes everything
 *
 * Outside charts/, one module may be imported, by contracts only: the dependency-free definitions
 * of the metrics contract package (packages/metrics-contract/src/contract), which
 * charts/contracts/backend-metrics.ts re-exports. The package itself is published on its own, so
 * it imports nothing outside its folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Floor = 'lib' | 'contracts' | 'component' | 'stack';

/** Files of charts/ at the top floor: the composition of configuration, components and synthesis. */
const STACK_FILES = ['config', 'load-config', 'stack', 'synth'];
/** Files at the bottom floor although outside lib/: they import nothing. */
const BASE_FILES = ['versions'];
/** Folders outside charts/ a chart may import: the constructs `cdk8s import` generated. */
const GENERATED = 'imports';
/** The package whose contract module charts/contracts/ re-exports. */
export const CONTRACT_PACKAGE = 'packages/metrics-contract';
/** Its one module charts/ may import: the definitions, without prom-client, Fastify or BullMQ. */
export const CONTRACT_MODULE = `${CONTRACT_PACKAGE}/src/contract`;

export interface Placement {
  readonly floor: Floor;
  /** The component folder, for floor 'component'. */
  readonly folder?: string;
}

/** Where a file of charts/ (path relative to charts/, with or without `.ts`) stands. */
export function placement(rel: string): Placement {
  const parts = rel.replace(/\.ts$/, '').split('/');
  if (parts.length === 1) {
    if (STACK_FILES.includes(parts[0])) return { floor: 'stack' };
    if (BASE_FILES.includes(parts[0])) return { floor: 'lib' };
    throw new Error(`charts/${rel}: a file at the top of charts/ must be one of ${[...STACK_FILES, ...BASE_FILES].map((f) => `${f}.ts`).join(', ')}; put it in a floor's folder`);
  }
  if (parts[0] === 'lib') return { floor: 'lib' };
  if (parts[0] === 'contracts') return { floor: 'contracts' };
  return { floor: 'component', folder: parts[0] };
}

/** Relative module specifiers a TypeScript source imports (import ... from, export ... from, require, import()). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) out.push(m[1]);
  return out;
}

/** Why `from` may not import `to` (both relative to the repository root), or undefined when it may. */
export function violation(from: string, to: string): string | undefined {
  if (!to.startsWith('charts/')) {
    if (to.startsWith(`${GENERATED}/`)) return undefined;
    if (to.startsWith(`${CONTRACT_PACKAGE}/`)) {
      const own = placement(from.slice('charts/'.length)).floor;
      if (own !== 'contracts') return `imports ${to}: only charts/contracts/ may import the metrics contract package; import charts/contracts/backend-metrics instead`;
      if (to !== CONTRACT_MODULE) return `imports ${to}: charts/ may import only ${CONTRACT_MODULE} of the package (the rest loads prom-client, Fastify or BullMQ, which synthesis must not need)`;
      return undefined;
    }
    return `imports ${to}, outside charts/ (only the generated ${GENERATED}/ and ${CONTRACT_MODULE} may be imported)`;
  }
  const a = placement(from.slice('charts/'.length));
  const b = placement(to.slice('charts/'.length));
  const rank: Record<Floor, number> = { lib: 0, contracts: 1, component: 2, stack: 3 };
  if (a.floor === 'stack') return undefined;
  if (rank[b.floor] > rank[a.floor]) return `imports ${to}, on the ${b.floor} floor above its own (${a.floor})`;
  if (a.floor === 'lib' && b.floor !== 'lib') return `imports ${to}: lib imports only lib`;
  if (a.floor === 'component' && b.floor === 'component' && a.folder !== b.folder) {
    return `imports ${to}, another component's folder; move what both need into charts/contracts/ (or charts/lib/ if it is not about the stack)`;
  }
  return undefined;
}

/** Every violation in a tree given as file -> source (paths relative to the repository root). */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    for (const spec of importsOf(source)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const why = violation(file, target);
      if (why !== undefined) out.push(`${file}: ${why}`);
    }
  }
  return out.sort();
}

/** Every .ts file under charts/ of the repository at `root`, by path relative to the root. */
export function chartSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) files.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
    }
  };
  walk('charts');
  return files;
}

/**
 * Why files of the metrics contract package break its rule: it is published on its own, so a
 * relative import may not leave its folder (prom-client, Fastify and BullMQ are its peer
 * dependencies, imported by name).
 */
export function packageViolations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    for (const spec of importsOf(source)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      if (!target.startsWith(`${CONTRACT_PACKAGE}/`)) out.push(`${file}: imports ${target}, outside the package; it is published on its own`);
    }
  }
  return out.sort();
}

/** Every .ts source of the metrics contract package, by path relative to the root. */
export function packageSources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const dir = `${CONTRACT_PACKAGE}/src`;
  for (const e of fs.readdirSync(path.join(root, dir))) if (e.endsWith('.ts')) files.set(`${dir}/${e}`, fs.readFileSync(path.join(root, dir, e), 'utf8'));
  return files;
}
