/**
 * The conformance check: what a backend serves on /metrics against the contract. Reports every
 * missing metric, wrong type, missing or extra label, label value outside its closed set, histogram
 * bucket layout that cannot answer the alert thresholds, and unit or suffix mismatch, each with its
 * fix. Pure: text in, problems out (the monitoring stack's `npm run check-backend` fetches the text
 * and reads the thresholds from its configuration).
 */
import { BACKEND_METRICS, CONTRACT_VERSION, ContractMetricDef } from './contract';
import { MetricFamily, parseBound, parseExposition } from './exposition';

export type ProblemKind = 'format' | 'missing' | 'unit' | 'type' | 'label-missing' | 'label-extra' | 'label-value' | 'buckets';

export interface Problem {
  readonly kind: ProblemKind;
  /** The contract metric concerned (or the line, for `format`). */
  readonly metric: string;
  readonly message: string;
  readonly fix: string;
}

export interface CheckResult {
  readonly contractVersion: string;
  /** Contract metrics checked. */
  readonly checked: number;
  /** Disagreements: any of them makes the check fail. */
  readonly problems: Problem[];
  /** What could not be checked, or differs without breaking a rule (not failures). */
  readonly notes: string[];
}

export interface CheckOptions {
  /**
   * Bounds a histogram must have, by metric name: the thresholds the alert rules compare its
   * quantiles with. histogram_quantile interpolates inside a bucket, so only a threshold that is a
   * bucket bound is answered exactly.
   */
  readonly requiredBounds?: Readonly<Record<string, readonly number[]>>;
  /** @default the package's BACKEND_METRICS */
  readonly contract?: Readonly<Record<string, ContractMetricDef>>;
}

/** Unit suffixes recognised in metric names (Prometheus naming: base units, but not everyone follows it). */
const UNITS = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds', 'minutes', 'hours', 'ms', 'us', 'ns', 'bytes', 'kilobytes', 'megabytes', 'gigabytes', 'kibibytes', 'mebibytes', 'gibibytes', 'kb', 'mb', 'bits'];
/** Factor from a unit to the base unit, where the conversion is a plain division. */
const TO_BASE: Record<string, number> = { milliseconds: 1e3, ms: 1e3, microseconds: 1e6, us: 1e6, nanoseconds: 1e9, ns: 1e9, kilobytes: 1 / 1e3, kb: 1 / 1e3, megabytes: 1 / 1e6, mb: 1 / 1e6, gigabytes: 1 / 1e9, kibibytes: 1 / 1024, mebibytes: 1 / 1024 ** 2, gibibytes: 1 / 1024 ** 3, minutes: 1 / 60, hours: 1 / 3600 };

interface NameParts {
  readonly stem: string;
  readonly unit?: string;
  readonly total: boolean;
}

function nameParts(name: string): NameParts {
  const total = name.endsWith('_total');
  const base = total ? name.slice(0, -'_total'.length) : name;
  for (const unit of UNITS) if (base.endsWith(`_${unit}`)) return { stem: base.slice(0, -(unit.length + 1)), unit, total };
  return { stem: base, total };
}

const CONSTRUCTOR: Record<string, string> = { counter: 'Counter', gauge: 'Gauge', histogram: 'Histogram' };
const USE_PACKAGE = 'or build it with createContractMetrics() of @love-parser/metrics-contract';

/** Checks exposition text against the contract. */
export function checkExposition(text: string, opts: CheckOptions = {}): CheckResult {
  const contract = opts.contract ?? (BACKEND_METRICS as Record<string, ContractMetricDef>);
  const { families, errors } = parseExposition(text);
  const problems: Problem[] = errors.map((e) => ({ kind: 'format', metric: e.split(':')[0], message: e, fix: 'serve the Prometheus text format (prom-client registry.metrics())' }));
  const notes: string[] = [];
  const contractNames = new Set(Object.values(contract).map((m) => m.name));

  for (const m of Object.values(contract)) {
    const f = findFamily(families, m);
    if (!f) {
      const other = otherUnit(families, m, contractNames);
      if (other) problems.push(other);
      else {
        problems.push({
          kind: 'missing',
          metric: m.name,
          message: `not exposed${m.absentUntil ? ` (it has no series until ${m.absentUntil}; register it so that its TYPE line shows from the start)` : ''}`,
          fix: `register a prom-client ${CONSTRUCTOR[m.type]} '${m.name}' with labels [${m.labels.join(', ')}]${m.buckets ? ` and buckets [${m.buckets.join(', ')}]` : ''} (${m.source}), ${USE_PACKAGE}`,
        });
      }
      continue;
    }
    if (f.type === undefined || f.type === 'untyped' || f.type === 'unknown') {
      notes.push(`${m.name}: served without a type (the contract says ${m.type}); Prometheus stores it, but add its # TYPE line`);
    } else if (f.type !== m.type) {
      problems.push({
        kind: 'type',
        metric: m.name,
        message: `served as a ${f.type}, the contract says ${m.type}`,
        fix: `register it as a prom-client ${CONSTRUCTOR[m.type]}${m.type === 'histogram' ? ' (the rules run histogram_quantile over its _bucket series; a summary cannot be aggregated across pods)' : m.type === 'counter' ? ' (the rules take rate() of it, which needs a counter that only goes up)' : ''}, ${USE_PACKAGE}`,
      });
    }
    if (m.type === 'counter' && f.type === 'counter' && f.name !== m.name && f.samples.some((s) => s.name !== m.name)) {
      problems.push({ kind: 'unit', metric: m.name, message: `its samples are named ${f.samples.find((s) => s.name !== m.name)!.name}, not ${m.name}`, fix: `name the counter '${m.name}'` });
    }
    const samples = f.samples.filter((s) => !s.name.endsWith('_created'));
    if (samples.length === 0) {
      notes.push(
        `${m.name}: declared, but has no series yet${m.absentUntil ? ` (expected until ${m.absentUntil})` : ' (a live backend must serve it from the first scrape, or the stack warns with BackendMetricMissing; check again after some traffic)'}; its labels${m.buckets ? ' and buckets' : ''} are unchecked`,
      );
      continue;
    }
    problems.push(...checkLabels(m, samples));
    if (m.type === 'histogram' && (f.type === 'histogram' || f.type === undefined)) {
      const b = checkBuckets(m, samples, opts.requiredBounds?.[m.name] ?? []);
      problems.push(...b.problems);
      notes.push(...b.notes);
    }
  }
  return { contractVersion: CONTRACT_VERSION, checked: Object.keys(contract).length, problems, notes };
}

/** The family serving a contract metric: by its name, or for a counter the OpenMetrics family without `_total`. */
function findFamily(families: ReadonlyMap<string, MetricFamily>, m: ContractMetricDef): MetricFamily | undefined {
  const own = families.get(m.name);
  if (own && (own.type !== undefined || own.samples.length > 0)) return own;
  if (m.type === 'counter' && m.name.endsWith('_total')) {
    const om = families.get(m.name.slice(0, -'_total'.length));
    if (om?.type === 'counter' && om.samples.every((s) => s.name === m.name || s.name.endsWith('_created'))) return om;
  }
  return undefined;
}

/** A family with the metric's stem and another unit or `_total` suffix: the metric, misnamed. */
function otherUnit(families: ReadonlyMap<string, MetricFamily>, m: ContractMetricDef, contractNames: ReadonlySet<string>): Problem | undefined {
  const want = nameParts(m.name);
  for (const f of families.values()) {
    if (contractNames.has(f.name) || (f.type === undefined && f.samples.length === 0)) continue;
    const got = nameParts(f.name);
    if (got.stem !== want.stem || (got.unit === want.unit && got.total === want.total)) continue;
    if (got.unit !== want.unit) {
      const factor = got.unit !== undefined && (want.unit === 'seconds' || want.unit === 'bytes') ? TO_BASE[got.unit] : undefined;
      const convert = factor === undefined ? '' : factor >= 1 ? ` (divide every value by ${factor})` : ` (multiply every value by ${Math.round(1 / factor)})`;
      return {
        kind: 'unit',
        metric: m.name,
        message: `served as ${f.name}, ${got.unit ? `in ${got.unit}` : 'without a unit suffix'}; the contract says ${want.unit ?? 'no unit'} (${m.name})`,
        fix: `expose ${m.name} in ${want.unit ?? 'the contract unit'}${convert}${m.type === 'histogram' ? ` with the contract's buckets [${m.buckets?.join(', ')}]; a recording rule cannot rescale the le bounds of a histogram, so change the code` : `, or map it with a recording rule (docs/metrics.md, "Map existing names")`}`,
      };
    }
    return {
      kind: 'unit',
      metric: m.name,
      message: `served as ${f.name}, ${got.total ? 'with' : 'without'} the _total suffix (${m.name})`,
      fix: want.total ? `name the counter '${m.name}' (prom-client does not add _total to a Counter's name)` : `name it '${m.name}': _total is for counters only`,
    };
  }
  return undefined;
}

function checkLabels(m: ContractMetricDef, samples: readonly { labels: Readonly<Record<string, string>>; name: string }[]): Problem[] {
  const out: Problem[] = [];
  const structural = (name: string, label: string) => (label === 'le' && name.endsWith('_bucket')) || label === 'quantile';
  const lacking = new Map<string, number>();
  const extra = new Set<string>();
  const badValues = new Map<string, Set<string>>();
  for (const s of samples) {
    for (const l of m.labels) if (!(l in s.labels)) lacking.set(l, (lacking.get(l) ?? 0) + 1);
    for (const [l, v] of Object.entries(s.labels)) {
      if (structural(s.name, l)) continue;
      if (!m.labels.includes(l)) extra.add(l);
      const allowed = m.values?.[l];
      if (allowed && !allowed.includes(v)) {
        if (!badValues.has(l)) badValues.set(l, new Set());
        badValues.get(l)!.add(v);
      }
    }
  }
  if (lacking.size > 0) {
    out.push({
      kind: 'label-missing',
      metric: m.name,
      message: `lacks label ${[...lacking].map(([l, n]) => `${l}${n < samples.length ? ` (on ${n} of ${samples.length} series)` : ''}`).join(', ')}; the contract's labels are [${m.labels.join(', ')}]`,
      fix: `set ${[...lacking.keys()].join(', ')} on every observation (labelNames [${m.labels.join(', ')}])${m.values ? `; values: ${Object.entries(m.values).map(([k, vs]) => `${k} in ${vs.join('|')}`).join('; ')}` : ''}, ${USE_PACKAGE}`,
    });
  }
  if (extra.size > 0) {
    out.push({
      kind: 'label-extra',
      metric: m.name,
      message: `has label ${[...extra].join(', ')}, which the contract does not name; its labels are [${m.labels.join(', ') || 'none'}]`,
      fix: `drop ${[...extra].join(', ')} (every distinct value is one more series, and the rules and dashboards neither group nor filter by it)`,
    });
  }
  for (const [l, vs] of badValues) {
    out.push({
      kind: 'label-value',
      metric: m.name,
      message: `label ${l} has value ${[...vs].map((v) => `'${v}'`).join(', ')}, outside the contract's ${m.values![l].join(', ')}`,
      fix: `emit only ${m.values![l].map((v) => `${l}="${v}"`).join(', ')}: the rules and dashboards select those values, and others go unseen`,
    });
  }
  return out;
}

function checkBuckets(m: ContractMetricDef, samples: readonly { name: string; labels: Readonly<Record<string, string>> }[], required: readonly number[]): { problems: Problem[]; notes: string[] } {
  const bounds = new Set<number>();
  for (const s of samples) {
    if (s.name !== `${m.name}_bucket`) continue;
    const b = s.labels.le === undefined ? undefined : parseBound(s.labels.le);
    if (b !== undefined && Number.isFinite(b)) bounds.add(b);
  }
  if (!samples.some((s) => s.name === `${m.name}_bucket`)) {
    return { problems: [{ kind: 'buckets', metric: m.name, message: 'has no _bucket series', fix: `register it as a prom-client Histogram with buckets [${m.buckets?.join(', ')}], ${USE_PACKAGE}` }], notes: [] };
  }
  const has = (x: number) => [...bounds].some((b) => Math.abs(b - x) <= 1e-9 * Math.max(1, Math.abs(x)));
  const missing = required.filter((x) => !has(x));
  const problems: Problem[] =
    missing.length === 0
      ? []
      : [
          {
            kind: 'buckets',
            metric: m.name,
            message: `its buckets [${[...bounds].sort((a, b) => a - b).join(', ')}] have no bound at the alert threshold${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: histogram_quantile can only interpolate there`,
            fix: `add ${missing.join(', ')} to the buckets; the contract's layout is [${m.buckets?.join(', ')}]`,
          },
        ];
  const layout = m.buckets ?? [];
  const same = layout.length === bounds.size && layout.every(has);
  const notes = same || problems.length > 0 ? [] : [`${m.name}: buckets [${[...bounds].sort((a, b) => a - b).join(', ')}] differ from the contract's [${layout.join(', ')}]; they answer the alert thresholds, dashboards' quantiles differ in precision`];
  return { problems, notes };
}

/** The result as lines of text: one line per problem and its fix, then the notes and a summary. */
export function formatCheck(r: CheckResult, source: string): string[] {
  const out: string[] = [];
  for (const p of r.problems) out.push(`  ${p.kind.padEnd(13)} ${p.metric}: ${p.message}`, `  ${''.padEnd(13)} fix: ${p.fix}`);
  for (const n of r.notes) out.push(`  note          ${n}`);
  out.push(
    r.problems.length === 0
      ? `check-backend: ${source} agrees with the metrics contract ${r.contractVersion} (${r.checked} metrics)`
      : `check-backend: ${source} has ${r.problems.length} problem${r.problems.length > 1 ? 's' : ''} against the metrics contract ${r.contractVersion} (${r.checked} metrics)`,
  );
  return out;
}
