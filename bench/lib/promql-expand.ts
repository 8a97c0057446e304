/**
 * A panel query with every recorded series replaced by the expression of the recording rule that
 * writes it, recursively down to scraped series: what the panel would cost without the rule.
 * Parsed with Prometheus's own grammar (@prometheus-io/lezer-promql).
 *
 * - A selector of a recorded name becomes the rules that record it, those whose static labels
 *   agree with the selector's matchers, each with its static labels put back by label_replace,
 *   joined by `or`. The selector's other matchers (job="backend") are those the rule's own
 *   selectors already fix, as everywhere in this stack.
 * - A range over a recorded name (`sum_over_time(x[28d])`) becomes a subquery at the evaluation
 *   interval (`sum_over_time((expr)[28d:15s])`): the samples the rule would have written.
 */
import type { LRParser } from '@lezer/lr';
import type { SyntaxNode } from '@lezer/common';

// The package is ESM-typed but ships a CommonJS build, which is what this (CommonJS) code loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

export interface Rule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

function matchersOf(expr: string, selector: SyntaxNode): Matcher[] {
  const out: Matcher[] = [];
  const list = selector.getChild('LabelMatchers');
  for (const m of list?.getChildren('UnquotedLabelMatcher') ?? []) {
    const name = m.getChild('LabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (!name || !op || !value) continue;
    out.push({ label: expr.slice(name.from, name.to), op: expr.slice(op.from, op.to), value: JSON.parse(expr.slice(value.from, value.to).replace(/^'|'$/g, '"')) });
  }
  return out;
}

function nameOf(expr: string, selector: SyntaxNode): string | undefined {
  const id = selector.getChild('Identifier');
  if (id) return expr.slice(id.from, id.to);
  return matchersOf(expr, selector).find((m) => m.label === '__name__' && m.op === '=')?.value;
}

function agrees(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    default:
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

/** Metric names an expression reads (selectors' names). */
export function namesRead(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(n) {
      if (n.name === 'VectorSelector') {
        const name = nameOf(expr, n.node);
        if (name) names.add(name);
      }
    },
  });
  return [...names];
}

/** The vector selectors of an expression, as text (`x{job="backend"}`), each once. */
export function selectorsOf(expr: string): string[] {
  const out = new Set<string>();
  parser.parse(expr).iterate({
    enter(n) {
      if (n.name === 'VectorSelector') out.add(expr.slice(n.from, n.to));
    },
  });
  return [...out];
}

/** Throws when the expression does not parse. */
export function assertParses(expr: string): void {
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError) throw new Error(`PromQL does not parse at offset ${n.from}: ${expr}`);
    },
  });
}

/**
 * `expr` with every recorded series replaced by its rule's expression, recursively; unchanged
 * when it reads no recorded series. `evaluationInterval` is the subquery resolution.
 */
export function expandRecorded(expr: string, rules: readonly Rule[], evaluationInterval: string, depth = 0): string {
  if (depth > 10) throw new Error(`recording rules nest deeper than 10 levels at: ${expr}`);
  const byName = new Map<string, Rule[]>();
  for (const r of rules) byName.set(r.record, [...(byName.get(r.record) ?? []), r]);
  const edits: { from: number; to: number; text: string }[] = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.name !== 'VectorSelector') return;
      const name = nameOf(expr, n.node);
      const candidates = name ? byName.get(name) : undefined;
      if (!candidates) return;
      const matchers = matchersOf(expr, n.node);
      const chosen = candidates.filter((r) => matchers.every((m) => r.labels?.[m.label] === undefined || agrees(m, r.labels[m.label])));
      if (chosen.length === 0) throw new Error(`no recording rule of ${name} agrees with ${expr.slice(n.from, n.to)}`);
      const alternatives = chosen.map((r) => {
        let e = `(${expandRecorded(r.expr, rules, evaluationInterval, depth + 1)})`;
        for (const [k, v] of Object.entries(r.labels ?? {})) e = `label_replace(${e}, ${JSON.stringify(k)}, ${JSON.stringify(v)}, "", "")`;
        return e;
      });
      const replacement = alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' or ')})`;
      const parent = n.node.parent;
      if (parent?.name === 'MatrixSelector') {
        // x[28d] -> (expr)[28d:15s]: the range over what the rule would have written.
        const range = expr.slice(n.to, parent.to).trim().replace(/\]$/, `:${evaluationInterval}]`);
        edits.push({ from: parent.from, to: parent.to, text: `${replacement}${range}` });
      } else {
        edits.push({ from: n.from, to: n.to, text: replacement });
      }
      return false;
    },
  });
  let out = expr;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

/**
 * Dependency level of each recording rule: 0 when it reads only scraped series, else one more than
 * the deepest rule it reads. `promtool tsdb create-blocks-from rules` cannot see what it writes in
 * the same run, so each level is backfilled after the one below it is loaded.
 */
export function ruleLevels(rules: readonly Rule[]): number[] {
  const recorded = new Set(rules.map((r) => r.record));
  const level = new Map<string, number>();
  const of = (name: string, seen: Set<string>): number => {
    if (level.has(name)) return level.get(name)!;
    if (seen.has(name)) throw new Error(`recording rules read each other in a cycle at ${name}`);
    seen.add(name);
    let l = 0;
    for (const r of rules.filter((x) => x.record === name)) for (const read of namesRead(r.expr)) if (recorded.has(read)) l = Math.max(l, of(read, seen) + 1);
    level.set(name, l);
    return l;
  };
  return rules.map((r) => of(r.record, new Set()));
}
