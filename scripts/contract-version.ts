/**
 * Keeps the metrics contract package's version moving with the contract
 * (packages/metrics-contract): contract-history.json records the signature (names, types, labels,
 * closed values, buckets) of every version; a contract change needs a new version, major when it
 * removes or renames a metric, changes a type or a label, or drops a value or a bucket bound,
 * minor when it only adds.
 *
 *   npm run contract-version            records the current version, after you bumped it
 *   npm run contract-version -- --check exits 1 and says what to do when they disagree
 *
 * test/metrics-contract/version.test.ts runs the check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_METRICS, CONTRACT_VERSION } from '../packages/metrics-contract/src/contract';
import { ContractSignature, contractChanges, contractSignature, isBumpOf, requiredBump, signatureHash } from '../packages/metrics-contract/src/signature';

const ROOT = path.resolve(__dirname, '..');
export const PACKAGE_DIR = path.join(ROOT, 'packages', 'metrics-contract');
export const HISTORY_FILE = path.join(PACKAGE_DIR, 'contract-history.json');

export interface HistoryEntry {
  readonly version: string;
  readonly hash: string;
  readonly metrics: ContractSignature;
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')).version;
}

export function readHistory(file = HISTORY_FILE): HistoryEntry[] {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
}

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
const newer = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return y[0] !== x[0] ? y[0] > x[0] : y[1] !== x[1] ? y[1] > x[1] : y[2] > x[2];
};

/**
 * Every way the package version, the contract and the history disagree, each with its fix; empty
 * when they agree. `signature` and `version` default to the current ones.
 */
export function versionProblems(history: readonly HistoryEntry[], signature = contractSignature(BACKEND_METRICS), version = packageVersion(), codeVersion: string = CONTRACT_VERSION): string[] {
  const problems: string[] = [];
  if (!SEMVER.test(version)) problems.push(`packages/metrics-contract/package.json: version '${version}' is not x.y.z`);
  if (codeVersion !== version) problems.push(`CONTRACT_VERSION in packages/metrics-contract/src/contract.ts is '${codeVersion}', the package is '${version}': set it to '${version}'`);
  // The recorded history itself: increasing versions, each bump as large as its changes need.
  for (let i = 0; i < history.length; i++) {
    const e = history[i];
    if (signatureHash(e.metrics) !== e.hash) problems.push(`contract-history.json: the entry of ${e.version} has a hash that is not its signature's (edited by hand?)`);
    if (i === 0) continue;
    const prev = history[i - 1];
    if (!newer(prev.version, e.version)) problems.push(`contract-history.json: ${e.version} follows ${prev.version}, not a newer version`);
    const changes = contractChanges(prev.metrics, e.metrics);
    const bump = requiredBump(changes);
    if (!isBumpOf(prev.version, e.version, bump)) problems.push(`contract-history.json: ${prev.version} -> ${e.version} is smaller than the ${bump} version its changes need (${changes.map((c) => c.why).join('; ')})`);
  }
  const last = history[history.length - 1];
  if (!last) return [...problems, 'contract-history.json is empty: run `npm run contract-version`'];
  const hash = signatureHash(signature);
  if (hash === last.hash) {
    if (version !== last.version && newer(last.version, version)) problems.push(`the package is ${version} but the contract is unchanged since ${last.version}: run \`npm run contract-version\` to record it`);
    else if (version !== last.version) problems.push(`the package is ${version}, older than the recorded ${last.version}`);
    return problems;
  }
  const changes = contractChanges(last.metrics, signature);
  const bump = requiredBump(changes);
  const why = changes.map((c) => `${c.why} (${c.bump})`).join('; ');
  if (version === last.version || !isBumpOf(last.version, version, bump) || !newer(last.version, version)) {
    problems.push(`the contract changed since ${last.version} (${why}) and needs a ${bump} version: set "version" in packages/metrics-contract/package.json and CONTRACT_VERSION to ${nextVersion(last.version, bump)}, then run \`npm run contract-version\`${bump === 'major' ? '; a major version also needs the stack\'s rules to follow (docs/metrics.md, "When the contract changes")' : ''}`);
  } else {
    problems.push(`the contract changed since ${last.version} (${why}) and the package is ${version}: run \`npm run contract-version\` to record it`);
  }
  return problems;
}

export function nextVersion(v: string, bump: 'major' | 'minor' | 'none'): string {
  const [a, b, c] = v.split('.').map(Number);
  return bump === 'major' ? `${a + 1}.0.0` : bump === 'minor' ? `${a}.${b + 1}.0` : `${a}.${b}.${c + 1}`;
}

function main(argv: string[]): void {
  const history = readHistory();
  const signature = contractSignature(BACKEND_METRICS);
  const version = packageVersion();
  if (argv.includes('--check')) {
    const problems = versionProblems(history, signature, version);
    for (const p of problems) console.error(`contract-version: ${p}`);
    if (problems.length) process.exit(1);
    console.log(`contract-version: the contract is recorded as ${version}`);
    return;
  }
  const last = history[history.length - 1];
  const hash = signatureHash(signature);
  if (last && last.hash === hash && last.version === version) {
    console.log(`contract-version: ${version} is recorded; nothing to do`);
    return;
  }
  // Record only what the check would accept afterwards: a new version, big enough.
  const next = [...history, { version, hash, metrics: signature }];
  const problems = versionProblems(next, signature, version);
  if (last?.version === version || problems.length) {
    for (const p of last?.version === version ? versionProblems(history, signature, version) : problems) console.error(`contract-version: ${p}`);
    process.exit(1);
  }
  fs.writeFileSync(HISTORY_FILE, JSON.stringify(next, null, 2) + '\n');
  console.log(`contract-version: recorded ${version} in ${path.relative(ROOT, HISTORY_FILE)}`);
}

if (require.main === module) main(process.argv.slice(2));
