/**
 * The contract's signature: what a backend and the rules depend on (names, types, labels, closed
 * label values, buckets), without the prose (help, source). Its hash moves the package's version:
 * contract-history.json records the signature of every released version, and a test fails when the
 * contract changed without a version bump of the right size.
 */
import { createHash } from 'node:crypto';
import { ContractMetricDef } from './contract';

export interface MetricSignature {
  readonly type: string;
  readonly labels: readonly string[];
  readonly values?: Readonly<Record<string, readonly string[]>>;
  readonly buckets?: readonly number[];
}

export type ContractSignature = Readonly<Record<string, MetricSignature>>;

/** By metric name, in name order, labels and values sorted: the same contract always gives the same signature. */
export function contractSignature(metrics: Readonly<Record<string, ContractMetricDef>>): ContractSignature {
  const out: Record<string, MetricSignature> = {};
  for (const m of Object.values(metrics).sort((a, b) => a.name.localeCompare(b.name))) {
    out[m.name] = {
      type: m.type,
      labels: [...m.labels].sort(),
      ...(m.values ? { values: Object.fromEntries(Object.entries(m.values).sort(([a], [b]) => a.localeCompare(b)).map(([k, vs]) => [k, [...vs].sort()])) } : {}),
      ...(m.buckets ? { buckets: [...m.buckets] } : {}),
    };
  }
  return out;
}

export function signatureHash(sig: ContractSignature): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(sig)).digest('hex')}`;
}

export type Bump = 'major' | 'minor' | 'none';

export interface ContractChange {
  readonly bump: Bump;
  readonly why: string;
}

/**
 * What changed between two signatures, and the smallest version bump each change needs:
 * major when a backend built for `before` no longer matches `after` or code written against it no
 * longer compiles (a metric removed or renamed, its type changed, a label added or removed, a
 * closed value or a bucket bound removed); minor when something was only added (a metric, a
 * value, a bucket bound).
 */
export function contractChanges(before: ContractSignature, after: ContractSignature): ContractChange[] {
  const out: ContractChange[] = [];
  for (const name of Object.keys(before)) if (!(name in after)) out.push({ bump: 'major', why: `${name} removed or renamed` });
  for (const name of Object.keys(after)) if (!(name in before)) out.push({ bump: 'minor', why: `${name} added` });
  for (const [name, a] of Object.entries(after)) {
    const b = before[name];
    if (!b) continue;
    if (a.type !== b.type) out.push({ bump: 'major', why: `${name}: type ${b.type} -> ${a.type}` });
    const added = a.labels.filter((l) => !b.labels.includes(l));
    const removed = b.labels.filter((l) => !a.labels.includes(l));
    if (added.length) out.push({ bump: 'major', why: `${name}: label ${added.join(', ')} added` });
    if (removed.length) out.push({ bump: 'major', why: `${name}: label ${removed.join(', ')} removed` });
    for (const l of new Set([...Object.keys(a.values ?? {}), ...Object.keys(b.values ?? {})])) {
      const va = a.values?.[l] ?? [];
      const vb = b.values?.[l] ?? [];
      const gone = vb.filter((v) => !va.includes(v));
      const fresh = va.filter((v) => !vb.includes(v));
      if (gone.length) out.push({ bump: 'major', why: `${name}: ${l} value ${gone.join(', ')} removed` });
      if (fresh.length) out.push({ bump: 'minor', why: `${name}: ${l} value ${fresh.join(', ')} added` });
    }
    const ba = a.buckets ?? [];
    const bb = b.buckets ?? [];
    const goneBounds = bb.filter((x) => !ba.includes(x));
    const newBounds = ba.filter((x) => !bb.includes(x));
    if (goneBounds.length) out.push({ bump: 'major', why: `${name}: bucket bound ${goneBounds.join(', ')} removed` });
    if (newBounds.length) out.push({ bump: 'minor', why: `${name}: bucket bound ${newBounds.join(', ')} added` });
  }
  return out;
}

/** The largest bump a list of changes needs. */
export function requiredBump(changes: readonly ContractChange[]): Bump {
  return changes.some((c) => c.bump === 'major') ? 'major' : changes.length > 0 ? 'minor' : 'none';
}

/** Whether going from version `from` to `to` is at least a `bump` (semver x.y.z). */
export function isBumpOf(from: string, to: string, bump: Bump): boolean {
  const [a, b] = [from, to].map((v) => v.split('.').map(Number));
  if (bump === 'major') return b[0] > a[0];
  if (bump === 'minor') return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]);
  return true;
}
