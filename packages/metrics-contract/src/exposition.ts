/**
 * A parser of the Prometheus text exposition format (version 0.0.4, what prom-client and most
 * clients serve), tolerant of the OpenMetrics text that differs from it only in counter family
 * names (`# TYPE x counter` with samples `x_total`), `# UNIT` lines and `# EOF`. It keeps what a
 * conformance check needs: families with their type, help and samples with labels and values.
 */

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram named `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  /** The family name of its `# TYPE` line, or the sample name when there is none. */
  readonly name: string;
  /** counter, gauge, histogram, summary, untyped (or OpenMetrics' unknown, info, stateset, ...); undefined without a `# TYPE` line. */
  type?: string;
  help?: string;
  readonly samples: Sample[];
}

export interface Exposition {
  readonly families: ReadonlyMap<string, MetricFamily>;
  /** Lines that are not valid exposition text, as `line N: why`. */
  readonly errors: readonly string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Sample-name suffixes that belong to a family of the given type. */
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
  info: ['_info'],
};

export function parseExposition(text: string): Exposition {
  const families = new Map<string, MetricFamily>();
  const errors: string[] = [];
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  /** The family a sample belongs to: its own name, or a typed family it is a suffix series of. */
  const familyOf = (sample: string): MetricFamily => {
    if (families.get(sample)?.type !== undefined) return families.get(sample)!;
    for (const [type, suffixes] of Object.entries(SUFFIXES)) {
      for (const suffix of suffixes) {
        if (!sample.endsWith(suffix)) continue;
        const f = families.get(sample.slice(0, -suffix.length));
        if (f?.type === type) return f;
      }
    }
    return family(sample);
  };

  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const where = `line ${i + 1}`;
    if (line.trim() === '' || line === '# EOF') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(TYPE|HELP|UNIT)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // a comment
      const f = family(m[2]);
      if (m[1] === 'TYPE') {
        if (f.type !== undefined) errors.push(`${where}: a second TYPE line for ${m[2]}`);
        f.type = (m[3] ?? '').trim();
      } else if (m[1] === 'HELP') {
        f.help = unescape(m[3] ?? '', false);
      }
      return;
    }
    const parsed = parseSample(line);
    if (typeof parsed === 'string') {
      errors.push(`${where}: ${parsed}`);
      return;
    }
    familyOf(parsed.name).samples.push(parsed);
  });
  return { families, errors };
}

/** One sample line: `name{l="v",...} value [timestamp]`, or why it is not one. */
function parseSample(line: string): Sample | string {
  const name = NAME.exec(line)?.[0];
  if (!name) return `not a sample: '${line.slice(0, 80)}'`;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.replace(/^\s+/, '');
      if (rest.startsWith('}')) {
        rest = rest.slice(1);
        break;
      }
      const ln = LABEL_NAME.exec(rest)?.[0];
      if (!ln) return `bad label name in '${line.slice(0, 80)}'`;
      const eq = /^\s*=\s*"/.exec(rest.slice(ln.length));
      if (!eq) return `label ${ln} has no ="value" in '${line.slice(0, 80)}'`;
      rest = rest.slice(ln.length + eq[0].length - 1);
      let value = '';
      let j = 1;
      for (; j < rest.length && rest[j] !== '"'; j++) {
        if (rest[j] === '\\' && j + 1 < rest.length) {
          value += rest[j] + rest[j + 1];
          j++;
        } else value += rest[j];
      }
      if (j >= rest.length) return `unterminated value of label ${ln} in '${line.slice(0, 80)}'`;
      if (ln in labels) return `label ${ln} twice in '${line.slice(0, 80)}'`;
      labels[ln] = unescape(value, true);
      rest = rest.slice(j + 1).replace(/^\s*,?/, '');
    }
  }
  const fields = rest.trim().split(/\s+/);
  if (fields.length < 1 || fields[0] === '' || fields.length > 2) return `no value (or more than a value and a timestamp) in '${line.slice(0, 80)}'`;
  const value = parseValue(fields[0]);
  if (value === undefined) return `value '${fields[0]}' is not a number in '${line.slice(0, 80)}'`;
  return { name, labels, value };
}

function parseValue(s: string): number | undefined {
  if (/^[+]?Inf$/i.test(s)) return Infinity;
  if (/^-Inf$/i.test(s)) return -Infinity;
  if (/^NaN$/i.test(s)) return NaN;
  const n = Number(s);
  return s.trim() !== '' && !Number.isNaN(n) ? n : undefined;
}

/** Label values escape `\\`, `\"` and `\n`; HELP text escapes `\\` and `\n`. */
function unescape(s: string, quotes: boolean): string {
  return s.replace(/\\(.)/g, (m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : quotes && c === '"' ? '"' : m));
}

/** Parses an `le` bound ("0.5", "+Inf"); undefined when it is not one. */
export function parseBound(le: string): number | undefined {
  return parseValue(le);
}
