/** Where `npm run plan` reads manifests from: a directory, or a directory as committed at a git ref. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { Manifest, ManifestError } from './diff';

const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** Every object of a multi-document YAML (or JSON) text; `source` names the file in errors. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) throw new ManifestError(`${source}: ${doc.errors[0].message}`);
    const m = doc.toJS() as Manifest | null;
    if (m === null || m === undefined) continue;
    if (typeof m !== 'object' || typeof m.kind !== 'string' || typeof m.apiVersion !== 'string' || typeof m.metadata?.name !== 'string') {
      throw new ManifestError(`${source}: a document without apiVersion, kind and metadata.name`);
    }
    out.push(m);
  }
  return out;
}

/** The manifests of the files directly in `dir`; none when it does not exist (a new environment). */
export function readDir(dir: string): Manifest[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => MANIFEST_FILE.test(f))
    .sort()
    .flatMap((f) => parseManifests(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
}

/** A ref git cannot resolve to a commit. */
export class UnknownRefError extends Error {}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new ManifestError(`git ${args.join(' ')}: ${stderr || (e as Error).message}`);
  }
}

/** The commit `ref` names, or an UnknownRefError. */
export function resolveRef(root: string, ref: string): string {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).trim();
  } catch {
    throw new UnknownRefError(`'${ref}' is not a commit of this repository (git rev-parse)`);
  }
}

/** The manifests of `dir` (relative to the repository root) as committed at `commit`; none when it did not exist. */
export function readAtCommit(root: string, commit: string, dir: string): Manifest[] {
  const files = git(root, ['ls-tree', '--name-only', commit, '--', `${dir}/`])
    .split('\n')
    .filter((f) => MANIFEST_FILE.test(f) && path.posix.dirname(f) === dir)
    .sort();
  return files.flatMap((f) => parseManifests(git(root, ['show', `${commit}:${f}`]), `${commit.slice(0, 12)}:${f}`));
}
