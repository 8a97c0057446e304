/**
 * A small typed schema for configuration files whose program cannot run in the tests (Loki and
 * Promtail are AGPL Go modules and may not be built here). Each schema is transcribed from the
 * product's configuration reference for the pinned version; `check` rejects unknown keys, wrong
 * types, malformed durations and sizes, and values outside a documented set, reporting every
 * problem with its path.
 */

export type Spec =
  | { readonly t: 'string'; readonly pattern?: RegExp; readonly oneOf?: readonly string[]; readonly check?: (v: string) => string | undefined }
  | { readonly t: 'bool' }
  | { readonly t: 'int'; readonly min?: number }
  | { readonly t: 'float'; readonly min?: number }
  /** Go's time.Duration: `10m`, `1h30m`, `500ms`; no days. */
  | { readonly t: 'goDuration' }
  /** Prometheus' model.Duration: `30d`, `1w`, `720h`. */
  | { readonly t: 'promDuration' }
  /** An int of bytes, or a size with a unit: `3MB`, `256KB`. */
  | { readonly t: 'size' }
  /** `YYYY-MM-DD`. */
  | { readonly t: 'day' }
  | { readonly t: 'object'; readonly fields: Readonly<Record<string, Spec>>; readonly required?: readonly string[]; readonly exactlyOne?: boolean }
  | { readonly t: 'map'; readonly key?: RegExp; readonly value: Spec }
  | { readonly t: 'list'; readonly item: Spec; readonly minItems?: number }
  | { readonly t: 'nullable'; readonly spec: Spec }
  | { readonly t: 'lazy'; readonly get: () => Spec };

export const str = (o: Omit<Extract<Spec, { t: 'string' }>, 't'> = {}): Spec => ({ t: 'string', ...o });
export const oneOf = (...values: string[]): Spec => ({ t: 'string', oneOf: values });
export const bool = (): Spec => ({ t: 'bool' });
export const int = (min?: number): Spec => ({ t: 'int', ...(min !== undefined ? { min } : {}) });
export const float = (min?: number): Spec => ({ t: 'float', ...(min !== undefined ? { min } : {}) });
export const goDuration = (): Spec => ({ t: 'goDuration' });
export const promDuration = (): Spec => ({ t: 'promDuration' });
export const size = (): Spec => ({ t: 'size' });
export const day = (): Spec => ({ t: 'day' });
export const obj = (fields: Record<string, Spec>, o: { required?: string[]; exactlyOne?: boolean } = {}): Spec => ({ t: 'object', fields, ...o });
export const map = (value: Spec, key?: RegExp): Spec => ({ t: 'map', value, ...(key ? { key } : {}) });
export const list = (item: Spec, minItems?: number): Spec => ({ t: 'list', item, ...(minItems !== undefined ? { minItems } : {}) });
export const nullable = (spec: Spec): Spec => ({ t: 'nullable', spec });
export const lazy = (get: () => Spec): Spec => ({ t: 'lazy', get });

/** `<labelname>` of the references. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const GO_DURATION = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;
const PROM_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const SIZE = /^[0-9]+(\.[0-9]+)?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every problem of `value` against `spec`, as `path: message`. */
export function check(spec: Spec, value: unknown, path = ''): string[] {
  const at = path || '(root)';
  const bad = (what: string) => [`${at}: expected ${what}, got ${JSON.stringify(value)}`];
  switch (spec.t) {
    case 'lazy':
      return check(spec.get(), value, path);
    case 'nullable':
      return value === null ? [] : check(spec.spec, value, path);
    case 'string': {
      if (typeof value !== 'string') return bad('a string');
      if (spec.oneOf && !spec.oneOf.includes(value)) return bad(`one of ${spec.oneOf.join(', ')}`);
      if (spec.pattern && !spec.pattern.test(value)) return bad(`a string matching ${spec.pattern}`);
      const problem = spec.check?.(value);
      return problem ? [`${at}: ${problem}`] : [];
    }
    case 'bool':
      return typeof value === 'boolean' ? [] : bad('true or false');
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad('an integer');
      return spec.min !== undefined && value < spec.min ? bad(`an integer of at least ${spec.min}`) : [];
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad('a number');
      return spec.min !== undefined && value < spec.min ? bad(`a number of at least ${spec.min}`) : [];
    case 'goDuration':
      return typeof value === 'string' && GO_DURATION.test(value) ? [] : bad("a Go duration such as '10m' or '720h' (no d, w or y)");
    case 'promDuration':
      return typeof value === 'string' && value !== '' && PROM_DURATION.test(value) ? [] : bad("a duration such as '720h' or '30d'");
    case 'size':
      return (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && SIZE.test(value)) ? [] : bad("a size such as 1048576 or '3MB'");
    case 'day':
      return typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? [] : bad('a day as YYYY-MM-DD');
    case 'list':
      if (!Array.isArray(value)) return bad('a list');
      if (spec.minItems !== undefined && value.length < spec.minItems) return bad(`a list of at least ${spec.minItems} item(s)`);
      return value.flatMap((x, i) => check(spec.item, x, `${path}[${i}]`));
    case 'map':
      if (!isPlainObject(value)) return bad('a map');
      return Object.entries(value).flatMap(([k, v]) => [
        ...(spec.key && !spec.key.test(k) ? [`${path}.${k}: key does not match ${spec.key}`] : []),
        ...check(spec.value, v, `${path}.${k}`),
      ]);
    case 'object': {
      if (!isPlainObject(value)) return bad('a map');
      const issues: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const f = spec.fields[k];
        const p = path ? `${path}.${k}` : k;
        if (!f) issues.push(`${p}: unknown field (known here: ${Object.keys(spec.fields).join(', ')})`);
        else issues.push(...check(f, v, p));
      }
      for (const r of spec.required ?? []) if (!(r in value)) issues.push(`${path ? `${path}.` : ''}${r}: required field missing`);
      if (spec.exactlyOne && Object.keys(value).length !== 1) issues.push(`${at}: expected exactly one of ${Object.keys(spec.fields).join(', ')}`);
      return issues;
    }
  }
}
