/**
 * A small, typed configuration schema: parse untrusted input (YAML overrides) into a typed value,
 * fill documented defaults, and collect every problem instead of stopping at the first one.
 *
 * Why not a library: the errors are the product here. Each issue names the field, the bad value and
 * the fix, in one line an operator can act on; that is simpler to own than to coax out of a
 * general-purpose validator. Every builder also renders itself as JSON Schema (`json()`), from which
 * config/schema.json and docs/config.md are generated, so editors and the reference never disagree
 * with the validator.
 *
 * Two kinds of problem: invalid values (the stack cannot work with them) are always refused;
 * valid-but-dangerous values (a sub-second interval, a volume under a component's floor) are
 * `overridable`: refused unless the environment file lists the field under `overrides` with a
 * reason (`applyOverrides`, docs/config.md "Overrides").
 */

/** One problem found in the configuration. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `alertmanager.slack.channel`. */
  readonly path: string;
  /** What was wrong, including the bad value. */
  readonly message: string;
  /** What to write instead. */
  readonly fix: string;
  /** A valid value refused because it is dangerous: an entry under `overrides` with a reason accepts it. */
  readonly overridable?: boolean;
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
  if (typeof value === 'string') return value.length > 80 ? `'${value.slice(0, 77)}...'` : `'${value}'`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** The fix of an overridable issue ends with how to keep the value on purpose. */
export const OVERRIDE_HINT = "or, if it is intended, list it under overrides: [{ path: '<the field>', reason: '<why>' }]";

/** A valid but dangerous value: refused unless overridden with a reason. */
export function danger(path: string, message: string, fix: string): ConfigIssue {
  return { path, message, fix: `${fix}; ${OVERRIDE_HINT.replace('<the field>', path)}`, overridable: true };
}

const INVALID: unique symbol = Symbol('invalid');
type Invalid = typeof INVALID;

/** A JSON Schema (draft 2020-12 subset) object. */
export type JsonSchema = { [key: string]: unknown };

/** What a schema's JSON rendering may be told: the field's path and where descriptions come from. */
export interface JsonContext {
  readonly path: string;
  readonly describe?: (path: string) => string | undefined;
}

/** A parser for one kind of value. */
export interface Schema<T> {
  /** Human description of what is accepted, used in fixes ("a whole number from 1 to 10"). */
  readonly expects: string;
  parse(value: unknown, path: string, issues: ConfigIssue[]): T | Invalid;
  /** The same rules as JSON Schema, for editors (config/schema.json) and the reference (docs/config.md). */
  json(ctx?: JsonContext): JsonSchema;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(issues: ConfigIssue[], path: string, value: unknown, expects: string, fix?: string): Invalid {
  issues.push({ path, message: `expected ${expects}, got ${show(value)}`, fix: fix ?? `set ${expects}` });
  return INVALID;
}

function make<T>(expects: string, parse: (v: unknown, path: string, issues: ConfigIssue[]) => T | Invalid, json: (ctx: JsonContext) => JsonSchema): Schema<T> {
  return { expects, parse, json: (ctx = { path: '' }) => json(ctx) };
}

/** A further rule on an already parsed value: returns problems (hard or `danger`) for the path. */
export type Rule<T> = (value: T, path: string) => ConfigIssue[];

/**
 * A schema with extra rules. A rule's hard problem makes the value invalid; an overridable one
 * (`danger`) is reported and the value kept, so the override can accept it.
 */
export function refine<T>(base: Schema<T>, ...rules: Rule<T>[]): Schema<T> {
  return {
    expects: base.expects,
    json: base.json,
    parse(v, path, issues) {
      const r = base.parse(v, path, issues);
      if (r === INVALID) return r;
      let ok = true;
      for (const rule of rules) {
        for (const i of rule(r as T, path)) {
          issues.push(i);
          if (!i.overridable) ok = false;
        }
      }
      return ok ? r : INVALID;
    },
  };
}

/** A string, optionally matching a pattern. */
export function str(opts: { pattern?: RegExp; expects?: string; fix?: string; minLength?: number; maxLength?: number } = {}): Schema<string> {
  const expects = opts.expects ?? 'a string';
  return make(
    expects,
    (v, path, issues) => {
      if (typeof v !== 'string') return fail(issues, path, v, expects, opts.fix);
      if (opts.minLength !== undefined && v.length < opts.minLength) return fail(issues, path, v, expects, opts.fix);
      if (opts.maxLength !== undefined && v.length > opts.maxLength) return fail(issues, path, v, expects, opts.fix);
      if (opts.pattern && !opts.pattern.test(v)) return fail(issues, path, v, expects, opts.fix);
      return v;
    },
    () => ({
      type: 'string',
      ...(opts.pattern ? { pattern: opts.pattern.source } : {}),
      ...(opts.minLength !== undefined ? { minLength: opts.minLength } : {}),
      ...(opts.maxLength !== undefined ? { maxLength: opts.maxLength } : {}),
    }),
  );
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
  return make(
    expects,
    (v, path, issues) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(issues, path, v, expects);
      if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
        return fail(issues, path, v, expects);
      }
      return v;
    },
    () => ({ type: 'integer', ...(opts.min !== undefined ? { minimum: opts.min } : {}), ...(opts.max !== undefined ? { maximum: opts.max } : {}) }),
  );
}

/** A number within bounds (exclusive bounds where stated). */
export function num(opts: { min?: number; max?: number; exclusiveMin?: number; exclusiveMax?: number } = {}): Schema<number> {
  const parts: string[] = [];
  if (opts.exclusiveMin !== undefined) parts.push(`greater than ${opts.exclusiveMin}`);
  if (opts.min !== undefined) parts.push(`at least ${opts.min}`);
  if (opts.exclusiveMax !== undefined) parts.push(`less than ${opts.exclusiveMax}`);
  if (opts.max !== undefined) parts.push(`at most ${opts.max}`);
  const expects = `a number${parts.length ? ' ' + parts.join(' and ') : ''}`;
  return make(
    expects,
    (v, path, issues) => {
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
    },
    () => ({
      type: 'number',
      ...(opts.min !== undefined ? { minimum: opts.min } : {}),
      ...(opts.max !== undefined ? { maximum: opts.max } : {}),
      ...(opts.exclusiveMin !== undefined ? { exclusiveMinimum: opts.exclusiveMin } : {}),
      ...(opts.exclusiveMax !== undefined ? { exclusiveMaximum: opts.exclusiveMax } : {}),
    }),
  );
}

export function bool(): Schema<boolean> {
  return make('true or false', (v, path, issues) => (typeof v === 'boolean' ? v : fail(issues, path, v, 'true or false')), () => ({ type: 'boolean' }));
}

/** One of a closed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  const expects = `one of ${values.map((x) => `'${x}'`).join(', ')}`;
  return make(
    expects,
    (v, path, issues) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fail(issues, path, v, expects)),
    () => ({ type: 'string', enum: [...values] }),
  );
}

/** A list whose items all match a schema. */
export function list<T>(item: Schema<T>, opts: { minItems?: number; maxItems?: number; unique?: boolean } = {}): Schema<T[]> {
  const expects = `a list of ${item.expects}${opts.minItems ? ` with at least ${opts.minItems} item(s)` : ''}${opts.maxItems ? ` and at most ${opts.maxItems}` : ''}`;
  return make(
    expects,
    (v, path, issues) => {
      if (!Array.isArray(v)) return fail(issues, path, v, expects);
      if (opts.minItems !== undefined && v.length < opts.minItems) return fail(issues, path, v, expects);
      if (opts.maxItems !== undefined && v.length > opts.maxItems) return fail(issues, path, v, expects);
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
    },
    (ctx) => ({
      type: 'array',
      items: item.json({ ...ctx, path: `${ctx.path}[]` }),
      ...(opts.minItems !== undefined ? { minItems: opts.minItems } : {}),
      ...(opts.maxItems !== undefined ? { maxItems: opts.maxItems } : {}),
      ...(opts.unique ? { uniqueItems: true } : {}),
    }),
  );
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

export type Shape = Record<string, Field<unknown> | Schema<unknown>>;
type FieldType<F> = F extends Field<infer T> ? T : F extends Schema<infer T> ? T : never;
export type ObjectOf<S extends Shape> = { readonly [K in keyof S]: FieldType<S[K]> };

export function isField(x: Field<unknown> | Schema<unknown>): x is Field<unknown> {
  return 'schema' in x;
}

/** An object schema, with its fields readable (for moved settings and the generated reference). */
export type ObjSchema<S extends Shape> = Schema<ObjectOf<S>> & { readonly shape: S };

/** True for a schema made by `obj()`. */
export function isObj(x: Schema<unknown>): x is ObjSchema<Shape> {
  return 'shape' in x;
}

/**
 * An object with known keys. Unknown keys are errors (a typo must never be ignored silently).
 * A nested object schema used as a field gets its defaults filled when the key is left out.
 */
export function obj<S extends Shape>(shape: S, opts: { expects?: string } = {}): ObjSchema<S> {
  const expects = opts.expects ?? 'a map';
  const schema: Schema<ObjectOf<S>> = make(
    expects,
    (v, path, issues) => {
      const input = v === undefined ? {} : v;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(issues, path, v, expects);
      const known = Object.keys(shape);
      // Own keys only, looked up without the prototype chain: a key such as `constructor` or
      // `__proto__` is unknown like any other, never an inherited value.
      const given = input as Record<string, unknown>;
      const has = (k: string) => Object.prototype.hasOwnProperty.call(given, k);
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
        const value = has(key) ? given[key] : undefined;
        const fieldPath = join(path, key);
        if (isField(f)) {
          if (value === undefined || value === null) {
            if (f.fallback) out[key] = f.fallback();
            else if (f.required) {
              const keys = isObj(f.schema) ? Object.keys(f.schema.shape) : [];
              issues.push({ path: fieldPath, message: 'is required and missing', fix: keys.length ? `add ${fieldPath} with its settings ${keys.join(', ')}` : `set ${f.schema.expects}` });
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
    },
    (ctx) => {
      const properties: Record<string, JsonSchema> = {};
      const requiredKeys: string[] = [];
      for (const [key, f] of Object.entries(shape)) {
        const fieldPath = join(ctx.path, key);
        const inner = isField(f) ? f.schema : f;
        const rendered: JsonSchema = { ...inner.json({ ...ctx, path: fieldPath }) };
        const description = ctx.describe?.(fieldPath);
        if (description !== undefined) rendered.description = description;
        if (isField(f) && f.fallback) rendered.default = f.fallback();
        if (isField(f) && f.required && !f.fallback) requiredKeys.push(key);
        properties[key] = rendered;
      }
      return { type: 'object', properties, additionalProperties: false, ...(requiredKeys.length ? { required: requiredKeys } : {}) };
    },
  );
  // The fields stay readable, for checks over the configuration's keys (moved settings, generated docs).
  return Object.assign(schema, { shape });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return 3;
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

/** Parses without throwing: the value (or undefined when invalid) and every issue, overridable ones included. */
export function parseAll<T>(schema: Schema<T>, input: unknown): { value: T | undefined; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const r = schema.parse(input, '', issues);
  return { value: r === INVALID ? undefined : r, issues };
}

/** One accepted danger: the field and why the value is intended. */
export interface Override {
  readonly path: string;
  readonly reason: string;
}

/**
 * Drops the overridable issues an override names; an override that accepts nothing (the field is
 * fine, or its problem is not one an override can accept) is itself a problem, so a stale override
 * never silently accepts a later mistake.
 */
export function applyOverrides(issues: readonly ConfigIssue[], overrides: readonly Override[], opts: { listPath?: string; reportUnused?: boolean } = {}): ConfigIssue[] {
  const listPath = opts.listPath ?? 'overrides';
  const used = new Set<number>();
  const out: ConfigIssue[] = [];
  for (const i of issues) {
    const at = i.overridable ? overrides.findIndex((o) => o.path === i.path) : -1;
    if (at >= 0) used.add(at);
    else out.push(i);
  }
  overrides.forEach((o, n) => {
    // While other fields are invalid the checks across fields did not run: an unused override says nothing yet.
    const hard = issues.find((i) => i.path === o.path && !i.overridable);
    if (used.has(n) || (opts.reportUnused === false && !hard)) return;
    out.push({
      path: `${listPath}[${n}].path`,
      message: hard
        ? `is '${o.path}', whose problem cannot be overridden (${hard.message})`
        : `is '${o.path}', which has nothing to override: that field is not refused`,
      fix: hard ? `fix ${o.path} itself` : 'remove this override',
    });
  });
  return out;
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

/**
 * A key of a Secret or ConfigMap, as the API server accepts it: letters, digits, `-`, `_` and `.`,
 * but not `.` or `..` and not starting with `..` (those would escape the mounted directory).
 */
export const secretKey = (): Schema<string> =>
  str({
    pattern: /^(?!\.\.?$)(?!\.\.)[-._a-zA-Z0-9]{1,253}$/,
    expects: "a Secret key (letters, digits, '-', '_' and '.'; not '.' or '..', not starting with '..')",
  });

/** A host name (RFC 1123, lowercase) or an IPv4 address. */
export const hostName = (): Schema<string> =>
  refine(
    str({
      pattern: /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      expects: "a host name such as 'smtp.example.org' or an IPv4 address",
    }),
    (h, path) => (/^[0-9.]+$/.test(h) && parseIpv4(h) === undefined ? [{ path, message: `is ${show(h)}, neither a host name nor an IPv4 address`, fix: "write a host name such as 'smtp.example.org' or an address such as '10.0.0.25'" }] : []),
  );

/** A TCP port. */
export const port = (): Schema<number> => int({ min: 1, max: 65535 });

// ---- quantities, parsed exactly ---------------------------------------------------------------

const BINARY = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n } as const;
type BinaryUnit = keyof typeof BINARY;

/** Bytes of `50Gi`/`512Mi`/`1Ti`/`64Ki`, exactly (a BigInt: no floating point whatever the digits). */
export function sizeToBytesExact(size: string): bigint {
  const m = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(size);
  if (!m) throw new Error(`not a binary size: ${size}`);
  return BigInt(m[1]) * 1024n ** BINARY[m[2] as BinaryUnit];
}

/** Converts `50Gi`/`512Mi`/`1Ti` to bytes (validated sizes are at most 1024Ti, 2^50: exact as a number). */
export function sizeToBytes(size: string): number {
  return Number(sizeToBytesExact(size));
}

const MAX_STORAGE = 1024n ** 4n * 1024n; // 1024Ti: no mainstream CSI driver provisions more in one volume
const MAX_MEMORY = 1024n ** 4n; // 1Ti

function showBytes(b: bigint): string {
  for (const [unit, p] of [['Ti', 4n], ['Gi', 3n], ['Mi', 2n], ['Ki', 1n]] as const) {
    if (b % 1024n ** p === 0n) return `${b / 1024n ** p}${unit}`;
  }
  return `${b} bytes`;
}

/**
 * A binary storage quantity such as `50Gi`; the project sizes volumes in Mi, Gi or Ti only, up to
 * 1024Ti. `floor` is the component's smallest sensible volume: below it the value is overridable.
 */
export const storageSize = (opts: { floor?: string; why?: string } = {}): Schema<string> =>
  refine(
    str({ pattern: /^[1-9][0-9]{0,15}(Mi|Gi|Ti)$/, expects: "a storage size such as '50Gi' (a whole number with Mi, Gi or Ti)" }),
    (v, path) =>
      sizeToBytesExact(v) > MAX_STORAGE
        ? [{ path, message: `is ${show(v)}, larger than any volume a storage provider gives (at most 1024Ti)`, fix: "size the volume for what it holds, such as '50Gi'" }]
        : [],
    (v, path) =>
      opts.floor !== undefined && sizeToBytesExact(v) < sizeToBytesExact(opts.floor)
        ? [danger(path, `is ${show(v)}, below this volume's floor of ${opts.floor}${opts.why ? ` (${opts.why})` : ''}`, `use at least '${opts.floor}'`)]
        : [],
  );

/** Millicores of a CPU quantity (`250m`, `1`, `0.5`), exactly. */
export function cpuToMillis(q: string): number {
  if (q.endsWith('m')) return Number(q.slice(0, -1));
  const [whole, frac = ''] = q.split('.');
  return Number(whole) * 1000 + Number((frac + '000').slice(0, 3));
}

/** A CPU quantity: millicores (`250m`) or cores (`1`, `0.5`), above 0 and at most 256 cores. */
export const cpuQuantity = (): Schema<string> =>
  refine(
    str({ pattern: /^([1-9][0-9]{0,5}m|[0-9]{1,3}(\.[0-9]{1,3})?)$/, expects: "a CPU quantity such as '250m' or '1' (at most three decimals)" }),
    (v, path) => {
      const m = cpuToMillis(v);
      if (m === 0) return [{ path, message: `is ${show(v)}: a CPU quantity of 0 means no request, or no limit at all`, fix: "set at least '10m'" }];
      if (m > 256000) return [{ path, message: `is ${show(v)}, more than any node has (256 cores)`, fix: "set the cores the component needs, such as '1'" }];
      return [];
    },
  );

/** A memory quantity such as `256Mi` or `1Gi`; below 32Mi none of the stack's servers starts (overridable). */
export const memoryQuantity = (): Schema<string> =>
  refine(
    str({ pattern: /^[1-9][0-9]{0,12}(Ki|Mi|Gi)$/, expects: "a memory quantity such as '256Mi' or '1Gi'" }),
    (v, path) => {
      const b = sizeToBytesExact(v);
      if (b > MAX_MEMORY) return [{ path, message: `is ${show(v)}, more than any node has (at most 1Ti)`, fix: "set what the component needs, such as '512Mi'" }];
      if (b < 32n * 1024n ** 2n) return [danger(path, `is ${show(v)} (${showBytes(b)}): below 32Mi none of the stack's servers starts, the container is OOM-killed in a loop`, "set at least '32Mi'")];
      return [];
    },
  );

// ---- durations, Prometheus syntax, computed exactly ------------------------------------------

const DURATION_UNITS: readonly [string, bigint][] = [
  ['y', 365n * 86400000n],
  ['w', 7n * 86400000n],
  ['d', 86400000n],
  ['h', 3600000n],
  ['m', 60000n],
  ['s', 1000n],
  ['ms', 1n],
];
// Prometheus's compound syntax: units from largest to smallest, each at most once (`1h30m`, `1d12h`).
const DURATION_PATTERN = /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
/** Prometheus stores durations as int64 nanoseconds: about 292 years is the longest it accepts. */
const MAX_DURATION_MS = (2n ** 63n - 1n) / 1000000n;

/** Milliseconds of a Prometheus duration (`15s`, `1h30m`, `30d`), exactly; undefined when it is not one. */
export function durationToMillis(d: string): bigint | undefined {
  if (d.length > 64 || d === '') return undefined;
  const m = DURATION_PATTERN.exec(d);
  if (!m) return undefined;
  let ms = 0n;
  DURATION_UNITS.forEach(([, unit], i) => {
    if (m[i + 1] !== undefined) ms += BigInt(m[i + 1]) * unit;
  });
  return ms;
}

/** Seconds of a Prometheus duration (validated durations fit a number exactly, to the millisecond). */
/** A duration in one unit (`for` wants a single unit): `280s`, `56m`, `2h`. */
export function singleUnit(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function durationToSeconds(d: string): number {
  const ms = durationToMillis(d);
  if (ms === undefined) throw new Error(`not a duration: ${d}`);
  return Number(ms) / 1000;
}

/** A duration in Prometheus's own shortest form (`90m` -> `1h30m`), from milliseconds. */
export function formatDuration(ms: bigint): string {
  if (ms === 0n) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    if (rest >= size) {
      out += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  return out;
}

export interface DurationOptions {
  /** Shorter is invalid. */
  readonly min?: string;
  /** Longer is invalid. */
  readonly max?: string;
  /** Shorter is dangerous (overridable). @default '1s': sub-second timings make no sense anywhere in this stack */
  readonly safeMin?: string;
  /** Longer is dangerous (overridable). */
  readonly safeMax?: string;
  /** Why the safe range is what it is, said in the problem. */
  readonly why?: string;
}

/**
 * A Prometheus duration: one or more units from `y` down to `ms` (`15s`, `5m`, `1h30m`, `30d`),
 * positive and within what Prometheus accepts (int64 nanoseconds).
 */
export const promDuration = (opts: DurationOptions = {}): Schema<string> => {
  const expects = "a duration such as '15s', '5m', '1h30m' or '30d'";
  const ms = (d: string) => durationToMillis(d)!;
  const why = opts.why ? ` (${opts.why})` : '';
  return refine(
    make(
      expects,
      (v, path, issues) => (typeof v === 'string' && durationToMillis(v) !== undefined ? v : fail(issues, path, v, expects)),
      () => ({ type: 'string', pattern: DURATION_PATTERN.source.replace('^(?:', '^(?!$)(?:') }),
    ),
    (v, path) => {
      const d = ms(v);
      if (d === 0n) return [{ path, message: `is ${show(v)}, a duration of zero`, fix: `set ${expects}` }];
      if (d > MAX_DURATION_MS) return [{ path, message: `is ${show(v)}, longer than Prometheus and Alertmanager accept (about 292 years)`, fix: `set ${expects}` }];
      if (opts.min !== undefined && d < ms(opts.min)) return [{ path, message: `is ${show(v)}, shorter than ${opts.min}${why}`, fix: `set at least '${opts.min}'` }];
      if (opts.max !== undefined && d > ms(opts.max)) return [{ path, message: `is ${show(v)}, longer than ${opts.max}${why}`, fix: `set at most '${opts.max}'` }];
      const safeMin = opts.safeMin ?? '1s';
      if (d < ms(safeMin)) return [danger(path, `is ${show(v)}, shorter than ${safeMin}${opts.safeMin ? why : ' (a sub-second timing floods or starves what it drives)'}`, `set at least '${safeMin}'`)];
      if (opts.safeMax !== undefined && d > ms(opts.safeMax)) return [danger(path, `is ${show(v)}, longer than ${opts.safeMax}${why}`, `set at most '${opts.safeMax}'`)];
      return [];
    },
  );
};

// ---- addresses ----------------------------------------------------------------------------------

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(s) || s.length > 39) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(`0x${g}`);
  }
  return v;
}

/** The network of a CIDR when it is one (`10.0.0.0/8`, `fd00::/8`); `canonical` is how to write it. */
export function parseCidr(c: string): { family: 4 | 6; canonical: string; exact: boolean } | undefined {
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(c);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const v4 = parseIpv4(m[1]);
  if (v4 !== undefined) {
    if (prefix > 32) return undefined;
    const net = prefix === 0 ? 0n : (v4 >> BigInt(32 - prefix)) << BigInt(32 - prefix);
    const canonical = `${[24n, 16n, 8n, 0n].map((s) => String((net >> s) & 255n)).join('.')}/${prefix}`;
    return { family: 4, canonical, exact: net === v4 && m[1] === canonical.split('/')[0] };
  }
  const v6 = parseIpv6(m[1]);
  if (v6 !== undefined) {
    if (prefix > 128) return undefined;
    const net = prefix === 0 ? 0n : (v6 >> BigInt(128 - prefix)) << BigInt(128 - prefix);
    return { family: 6, canonical: `${formatIpv6(net)}/${prefix}`, exact: net === v6 };
  }
  return undefined;
}

function formatIpv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups becomes '::'.
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j;
  }
  if (best[0] < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
}

/** An IPv4 or IPv6 CIDR, written in its network form (host bits zero), as a NetworkPolicy ipBlock takes it. */
export const cidr = (example = '10.0.0.0/16'): Schema<string> =>
  refine(
    str({ pattern: /^[0-9a-fA-F.:]+\/[0-9]{1,3}$/, expects: `an IPv4 or IPv6 CIDR such as '${example}'` }),
    (v, path) => {
      const c = parseCidr(v);
      if (c === undefined) return [{ path, message: `is ${show(v)}, not an address and prefix (IPv4: four numbers 0-255 and /0-32; IPv6: /0-128)`, fix: `write a CIDR such as '${example}'` }];
      if (!c.exact) return [{ path, message: `is ${show(v)}, with bits set after the prefix`, fix: `write the network, '${c.canonical}'` }];
      return [];
    },
  );
