/**
 * A small, typed configuration schema: parse untrusted input (YAML overrides) into a typed value,
 * fill documented defaults, and collect every problem instead of stopping at the first one.
 *
 * Why not a library: the errors are the product here. Each issue names the field, the bad value and
 * the fix, in one line an operator can act on; that is simpler to own than to coax out of a
 * general-purpose validator.
 */

/** One problem found in the configuration. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `alertmanager.slack.channel`. */
  readonly path: string;
  /** What was wrong, including the bad value. */
  readonly message: string;
  /** What to write instead. */
  readonly fix: string;
}

/** Thrown when the configuration has problems; lists all of them. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `configuration has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was written:\n` +
        issues.map((i) => `  - ${i.path}: ${i.message}; fix: ${i.fix}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Renders a value for an error message without dumping whole objects. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value}'`;
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

const INVALID: unique symbol = Symbol('invalid');
type Invalid = typeof INVALID;

/** A parser for one kind of value. */
export interface Schema<T> {
  /** Human description of what is accepted, used in fixes ("a whole number from 1 to 10"). */
  readonly expects: string;
  parse(value: unknown, path: string, issues: ConfigIssue[]): T | Invalid;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(issues: ConfigIssue[], path: string, value: unknown, expects: string, fix?: string): Invalid {
  issues.push({ path, message: `expected ${expects}, got ${show(value)}`, fix: fix ?? `set ${expects}` });
  return INVALID;
}

function make<T>(expects: string, parse: (v: unknown, path: string, issues: ConfigIssue[]) => T | Invalid): Schema<T> {
  return { expects, parse };
}

/** A string, optionally matching a pattern. */
export function str(opts: { pattern?: RegExp; expects?: string; fix?: string; minLength?: number } = {}): Schema<string> {
  const expects = opts.expects ?? 'a string';
  return make(expects, (v, path, issues) => {
    if (typeof v !== 'string') return fail(issues, path, v, expects, opts.fix);
    if (opts.minLength !== undefined && v.length < opts.minLength) return fail(issues, path, v, expects, opts.fix);
    if (opts.pattern && !opts.pattern.test(v)) return fail(issues, path, v, expects, opts.fix);
    return v;
  });
}

/** A whole number within bounds. */
export function int(opts: { min?: number; max?: number } = {}): Schema<number> {
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? ` from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? ` of at least ${opts.min}`
        : opts.max !== undefined
          ? ` of at most ${opts.max}`
          : '';
  const expects = `a whole number${range}`;
  return make(expects, (v, path, issues) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(issues, path, v, expects);
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      return fail(issues, path, v, expects);
    }
    return v;
  });
}

/** A number within bounds (exclusive bounds where stated). */
export function num(opts: { min?: number; max?: number; exclusiveMin?: number; exclusiveMax?: number } = {}): Schema<number> {
  const parts: string[] = [];
  if (opts.exclusiveMin !== undefined) parts.push(`greater than ${opts.exclusiveMin}`);
  if (opts.min !== undefined) parts.push(`at least ${opts.min}`);
  if (opts.exclusiveMax !== undefined) parts.push(`less than ${opts.exclusiveMax}`);
  if (opts.max !== undefined) parts.push(`at most ${opts.max}`);
  const expects = `a number${parts.length ? ' ' + parts.join(' and ') : ''}`;
  return make(expects, (v, path, issues) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(issues, path, v, expects);
    if (
      (opts.min !== undefined && v < opts.min) ||
      (opts.max !== undefined && v > opts.max) ||
      (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) ||
      (opts.exclusiveMax !== undefined && v >= opts.exclusiveMax)
    ) {
      return fail(issues, path, v, expects);
    }
    return v;
  });
}

export function bool(): Schema<boolean> {
  return make('true or false', (v, path, issues) => (typeof v === 'boolean' ? v : fail(issues, path, v, 'true or false')));
}

/** One of a closed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  const expects = `one of ${values.map((x) => `'${x}'`).join(', ')}`;
  return make(expects, (v, path, issues) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fail(issues, path, v, expects),
  );
}

/** A list whose items all match a schema. */
export function list<T>(item: Schema<T>, opts: { minItems?: number; unique?: boolean } = {}): Schema<T[]> {
  const expects = `a list of ${item.expects}${opts.minItems ? ` with at least ${opts.minItems} item(s)` : ''}`;
  return make(expects, (v, path, issues) => {
    if (!Array.isArray(v)) return fail(issues, path, v, expects);
    if (opts.minItems !== undefined && v.length < opts.minItems) return fail(issues, path, v, expects);
    const out: T[] = [];
    let ok = true;
    v.forEach((x, i) => {
      const r = item.parse(x, `${path}[${i}]`, issues);
      if (r === INVALID) ok = false;
      else out.push(r);
    });
    if (opts.unique && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
      issues.push({ path, message: `has duplicate items: ${show(v)}`, fix: 'list each item once' });
      ok = false;
    }
    return ok ? out : INVALID;
  });
}

/** A map from string keys to values of one schema. */
export function record<T>(key: Schema<string>, value: Schema<T>): Schema<Record<string, T>> {
  const expects = `a map of ${key.expects} to ${value.expects}`;
  return make(expects, (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(issues, path, v, expects);
    const out: Record<string, T> = {};
    let ok = true;
    for (const [k, x] of Object.entries(v)) {
      if (key.parse(k, `${path}.${k} (key)`, issues) === INVALID) ok = false;
      const r = value.parse(x, `${path}.${k}`, issues);
      if (r === INVALID) ok = false;
      else out[k] = r;
    }
    return ok ? out : INVALID;
  });
}

interface Field<T> {
  readonly schema: Schema<T>;
  readonly required: boolean;
  readonly fallback?: () => T;
}

/** A field with a documented default, used when the input omits it. */
export function withDefault<T>(schema: Schema<T>, fallback: T): Field<T> {
  return { schema, required: true, fallback: () => structuredClone(fallback) };
}

/** A field that may be left out; it is then `undefined`. */
export function optional<T>(schema: Schema<T>): Field<T | undefined> {
  return { schema: schema as Schema<T | undefined>, required: false };
}

/** A field that must be given: there is no sensible default. */
export function required<T>(schema: Schema<T>): Field<T> {
  return { schema, required: true };
}

type Shape = Record<string, Field<unknown> | Schema<unknown>>;
type FieldType<F> = F extends Field<infer T> ? T : F extends Schema<infer T> ? T : never;
export type ObjectOf<S extends Shape> = { readonly [K in keyof S]: FieldType<S[K]> };

function isField(x: Field<unknown> | Schema<unknown>): x is Field<unknown> {
  return 'schema' in x;
}

/**
 * An object with known keys. Unknown keys are errors (a typo must never be ignored silently).
 * A nested object schema used as a field gets its defaults filled when the key is left out.
 */
export function obj<S extends Shape>(shape: S, opts: { expects?: string } = {}): Schema<ObjectOf<S>> & { readonly shape: S } {
  const expects = opts.expects ?? 'a map';
  const schema: Schema<ObjectOf<S>> = make(expects, (v, path, issues) => {
    const input = v === undefined ? {} : v;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(issues, path, v, expects);
    const known = Object.keys(shape);
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const key of Object.keys(input)) {
      if (!known.includes(key)) {
        const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
        issues.push({
          path: join(path, key),
          message: `is not a known setting`,
          fix: near ? `did you mean '${join(path, near)}'?` : `remove it; known settings here: ${known.join(', ')}`,
        });
        ok = false;
      }
    }
    for (const key of known) {
      const f = shape[key];
      const value = (input as Record<string, unknown>)[key];
      const fieldPath = join(path, key);
      if (isField(f)) {
        if (value === undefined || value === null) {
          if (f.fallback) out[key] = f.fallback();
          else if (f.required) {
            issues.push({ path: fieldPath, message: 'is required and missing', fix: `set ${f.schema.expects}` });
            ok = false;
          }
          continue;
        }
        const r = f.schema.parse(value, fieldPath, issues);
        if (r === INVALID) ok = false;
        else out[key] = r;
      } else {
        // A bare nested schema: an object whose own fields carry the defaults.
        const r = f.parse(value, fieldPath, issues);
        if (r === INVALID) ok = false;
        else out[key] = r;
      }
    }
    return ok ? (out as ObjectOf<S>) : INVALID;
  });
  // The fields stay readable, for checks over the configuration's keys (moved settings, generated docs).
  return Object.assign(schema, { shape });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** Parses input against a schema; throws a ConfigError listing every problem (after any found `earlier`). */
export function parseOrThrow<T>(schema: Schema<T>, input: unknown, extraChecks?: (value: T) => ConfigIssue[], earlier: readonly ConfigIssue[] = []): T {
  const issues: ConfigIssue[] = [...earlier];
  const r = schema.parse(input, '', issues);
  if (r !== INVALID && extraChecks) issues.push(...extraChecks(r));
  if (issues.length > 0 || r === INVALID) throw new ConfigError(issues);
  return r;
}

// ---- Kubernetes and Prometheus value formats -------------------------------------------------

/** RFC 1123 label: namespaces, Service and container names. */
export const dnsLabel = (): Schema<string> =>
  str({
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    expects: 'a DNS label (lowercase letters, digits and \'-\', at most 63, starting and ending alphanumeric)',
  });

/** RFC 1123 subdomain: Secret and ConfigMap names. */
export const dnsSubdomain = (): Schema<string> =>
  str({
    pattern: /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    expects: 'a DNS subdomain name (lowercase letters, digits, \'-\' and \'.\')',
  });

/** A key of a Secret or ConfigMap. */
export const secretKey = (): Schema<string> =>
  str({ pattern: /^[-._a-zA-Z0-9]{1,253}$/, expects: 'a Secret key (letters, digits, \'-\', \'_\' and \'.\')' });

/** A binary storage quantity such as `50Gi`; the project sizes volumes in Mi, Gi or Ti only. */
export const storageSize = (): Schema<string> =>
  str({ pattern: /^[1-9][0-9]*(Mi|Gi|Ti)$/, expects: "a storage size such as '50Gi' (a whole number with Mi, Gi or Ti)" });

/** A CPU quantity: millicores (`250m`) or cores (`1`, `0.5`). */
export const cpuQuantity = (): Schema<string> =>
  str({ pattern: /^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$/, expects: "a CPU quantity such as '250m' or '1'" });

/** A memory quantity such as `256Mi` or `1Gi`. */
export const memoryQuantity = (): Schema<string> =>
  str({ pattern: /^[1-9][0-9]*(Ki|Mi|Gi)$/, expects: "a memory quantity such as '256Mi' or '1Gi'" });

/** A Prometheus duration in one unit, e.g. `15s`, `5m`, `30d`. */
export const promDuration = (): Schema<string> =>
  str({ pattern: /^[1-9][0-9]*(ms|s|m|h|d|w|y)$/, expects: "a duration such as '15s', '5m' or '30d'" });

/** Converts `50Gi`/`512Mi`/`1Ti` to bytes. */
export function sizeToBytes(size: string): number {
  const m = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(size);
  if (!m) throw new Error(`not a binary size: ${size}`);
  const power = { Ki: 1, Mi: 2, Gi: 3, Ti: 4 }[m[2] as 'Ki' | 'Mi' | 'Gi' | 'Ti'];
  return Number(m[1]) * 1024 ** power;
}

/** Converts a Prometheus single-unit duration to seconds. */
export function durationToSeconds(d: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d|w|y)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

/** Converts a CPU quantity to millicores. */
export function cpuToMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}
