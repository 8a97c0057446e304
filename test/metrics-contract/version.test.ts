/**
 * One contract, one shape, one version: the stack's BACKEND_METRICS is the package's object; the
 * package's definition type is lib's MetricDef without the exporter-only fields (a type test,
 * checked by tsc); the package version moves with the contract, by the size its changes need.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_METRICS } from '../../charts/contracts/backend-metrics';
import { MetricDef } from '../../charts/lib/metric';
import { BACKEND_METRICS as PACKAGE_METRICS, CONTRACT_VERSION, ContractMetricDef } from '../../packages/metrics-contract/src/contract';
import { contractSignature, signatureHash } from '../../packages/metrics-contract/src/signature';
import { HISTORY_FILE, HistoryEntry, nextVersion, packageVersion, readHistory, versionProblems } from '../../scripts/contract-version';
import { ROOT } from '../util';

/** True when A and B are the same type (each assignable to the other, optional fields included). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Fails `tsc --noEmit` (npm test's typecheck) as soon as one shape gains or changes a field.
const ONE_SHAPE: Equal<ContractMetricDef, Omit<MetricDef, 'flag' | 'requires'>> = true;

describe('the backend contract is the package', () => {
  test('charts/contracts re-exports the package object itself, in one MetricDef shape', () => {
    expect(ONE_SHAPE).toBe(true);
    expect(BACKEND_METRICS).toBe(PACKAGE_METRICS);
  });

  test('the package version, CONTRACT_VERSION and the recorded history agree with the contract', () => {
    expect(versionProblems(readHistory())).toEqual([]);
    expect(CONTRACT_VERSION).toBe(packageVersion());
    expect(readHistory().at(-1)).toMatchObject({ version: packageVersion(), hash: signatureHash(contractSignature(BACKEND_METRICS)) });
  });

  test('docs/metrics.md names the version it documents', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'metrics.md'), 'utf8')).toContain(`\`@love-parser/metrics-contract\` ${CONTRACT_VERSION}`);
  });
});

describe('a contract change needs a version bump of its size', () => {
  const history = readHistory(HISTORY_FILE);
  const last = history.at(-1)!;
  const sig = contractSignature(BACKEND_METRICS);
  const renamed = (() => {
    const { [BACKEND_METRICS.dbPoolMax.name]: pool, ...rest } = sig;
    return { ...rest, love_parser_db_pool_size: pool };
  })();
  const added = { ...sig, love_parser_webhook_deliveries_total: { type: 'counter', labels: ['outcome'] } };
  // Versions relative to the last recorded one, so the test holds across real bumps of the contract.
  const minor = nextVersion(last.version, 'minor');
  const esc = (v: string) => v.replace(/\./g, '\\.');
  const relabelled = { ...sig, [BACKEND_METRICS.payments.name]: { ...sig[BACKEND_METRICS.payments.name], labels: ['outcome', 'provider'] } };

  test('a change without a new version fails, naming the change and the version to set', () => {
    expect(versionProblems(history, renamed, last.version, last.version)).toEqual([
      expect.stringMatching(/love_parser_db_pool_max_connections removed or renamed \(major\); love_parser_db_pool_size added \(minor\)\) and needs a major version: .* to 2\.0\.0.*docs\/metrics\.md/),
    ]);
    expect(versionProblems(history, relabelled, last.version, last.version)).toEqual([expect.stringMatching(/label provider added \(major\).* to 2\.0\.0/)]);
    expect(versionProblems(history, added, last.version, last.version)).toEqual([expect.stringMatching(new RegExp(`love_parser_webhook_deliveries_total added \\(minor\\)\\) and needs a minor version: .* to ${esc(minor)}`))]);
  });

  test('a minor version for a rename is too small; a bump big enough asks to be recorded, then passes', () => {
    expect(versionProblems(history, renamed, minor, minor)).toEqual([expect.stringContaining('needs a major version')]);
    expect(versionProblems(history, added, minor, minor)).toEqual([expect.stringContaining('run `npm run contract-version` to record it')]);
    const recorded: HistoryEntry[] = [...history, { version: minor, hash: signatureHash(added), metrics: added }];
    expect(versionProblems(recorded, added, minor, minor)).toEqual([]);
  });

  test('the recorded history is checked too: bumps too small, hashes edited, CONTRACT_VERSION out of step', () => {
    const tooSmall: HistoryEntry[] = [...history, { version: minor, hash: signatureHash(renamed), metrics: renamed }];
    expect(versionProblems(tooSmall, renamed, minor, minor)).toEqual([expect.stringMatching(new RegExp(`${esc(last.version)} -> ${esc(minor)} is smaller than the major version its changes need`))]);
    const edited: HistoryEntry[] = [{ ...last, hash: 'sha256:0' }];
    expect(versionProblems(edited, sig, last.version, last.version)).toEqual(expect.arrayContaining([expect.stringContaining('edited by hand')]));
    expect(versionProblems(history, sig, last.version, '9.9.9')).toEqual([expect.stringContaining("CONTRACT_VERSION in packages/metrics-contract/src/contract.ts is '9.9.9'")]);
    expect(nextVersion('1.4.2', 'minor')).toBe('1.5.0');
  });
});
