/**
 * LogQL checked with Grafana's own grammar (@grafana/lezer-logql, the parser behind Grafana's Loki
 * query editor, generated from Loki's syntax.y), plus the one rule every Loki query must meet that
 * a grammar cannot express: a stream selector needs a matcher that cannot match the empty string.
 *
 * Dashboards, alerts and the shippers' `match` stages use these helpers so that a query that would
 * fail in Loki fails the tests instead.
 *
 * @see https://grafana.com/docs/loki/v3.7.x/query/
 */
import type { SyntaxNode } from '@lezer/common';
import type { LRParser } from '@lezer/lr';

/** One problem in a LogQL expression. */
export interface LogQLError {
  /** Offset in the expression (after Grafana variables were substituted). */
  readonly from: number;
  readonly message: string;
}

/** One label matcher of a stream selector. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface ParseOptions {
  /**
   * Substitute Grafana's variables before parsing: interval variables (`$__auto`, `$__interval`,
   * `$__rate_interval`, `$__range`) become a duration and other `$var` / `${var}` a plain word,
   * the way Grafana hands a dashboard query to Loki. @default false
   */
  readonly grafanaVariables?: boolean;
}

let cached: LRParser | undefined;

function parser(): LRParser {
  // The package ships ES module typings only; its CommonJS build is what `require` loads here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= (require('@grafana/lezer-logql') as { parser: LRParser }).parser;
  return cached;
}

/** Replaces Grafana template variables with values Loki would receive. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(auto|interval|rate_interval|range)(_ms|_s)?\b/g, '5m')
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*/g, 'x');
}

/**
 * Parses a LogQL expression; returns every problem found, or an empty list when Loki would accept
 * the syntax. Never throws on bad input.
 */
export function parseLogQL(expr: string, opts: ParseOptions = {}): LogQLError[] {
  const text = opts.grafanaVariables ? substituteGrafanaVariables(expr) : expr;
  if (text.trim() === '') return [{ from: 0, message: 'empty expression' }];
  const tree = parser().parse(text);
  const errors: LogQLError[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) {
        const near = text.slice(n.from, n.from + 20);
        errors.push({ from: n.from, message: `syntax error at offset ${n.from}${near ? ` near '${near}'` : ' (unexpected end)'}` });
      }
    },
  });
  if (errors.length > 0) return errors;
  for (const selector of selectorNodes(tree.topNode)) {
    const matchers = readMatchers(text, selector);
    if (!matchers.some(cannotMatchEmpty)) {
      errors.push({
        from: selector.from,
        message: `stream selector '${text.slice(selector.from, selector.to)}' needs at least one matcher that does not match the empty string (Loki refuses it)`,
      });
    }
  }
  return errors;
}

/** Throws with every problem when the expression is not valid LogQL; returns it unchanged otherwise. */
export function assertLogQL(expr: string, opts: ParseOptions = {}): string {
  const errors = parseLogQL(expr, opts);
  if (errors.length > 0) throw new Error(`invalid LogQL '${expr}': ${errors.map((e) => e.message).join('; ')}`);
  return expr;
}

/** The matchers of a bare stream selector such as `{app="backend", level=~"error|fatal"}`. */
export function streamSelector(expr: string): LabelMatcher[] {
  assertLogQL(expr);
  const tree = parser().parse(expr);
  const selectors = selectorNodes(tree.topNode);
  if (selectors.length !== 1 || expr.slice(selectors[0].from, selectors[0].to).trim() !== expr.trim()) {
    throw new Error(`'${expr}' is not a bare stream selector`);
  }
  return readMatchers(expr, selectors[0]);
}

/** Whether a label set satisfies every matcher (Loki's regexes are anchored at both ends). */
export function matchesSelector(matchers: readonly LabelMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return anchored(m.value).test(v);
      case '!~':
        return !anchored(m.value).test(v);
    }
  });
}

function anchored(re: string): RegExp {
  return new RegExp(`^(?:${re})$`);
}

function cannotMatchEmpty(m: LabelMatcher): boolean {
  return !matchesSelector([m], {});
}

function selectorNodes(top: SyntaxNode): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const cursor = top.cursor();
  do {
    if (cursor.name === 'Selector') found.push(cursor.node);
  } while (cursor.next());
  return found;
}

function readMatchers(text: string, selector: SyntaxNode): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  const cursor = selector.cursor();
  do {
    if (cursor.name !== 'Matcher') continue;
    const m = cursor.node;
    const name = m.getChild('Identifier');
    const value = m.getChild('String');
    const op = ['Eq', 'Neq', 'Re', 'Nre'].map((k) => m.getChild(k)).find((x) => x !== null);
    if (!name || !value || !op) continue;
    out.push({
      name: text.slice(name.from, name.to),
      op: ({ Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' } as const)[op.name as 'Eq' | 'Neq' | 'Re' | 'Nre'],
      value: unquote(text.slice(value.from, value.to)),
    });
  } while (cursor.next() && cursor.from < selector.to);
  return out;
}

/** A LogQL string literal: "double-quoted" with Go escapes, or `raw`. */
function unquote(s: string): string {
  if (s.startsWith('`')) return s.slice(1, -1);
  return JSON.parse(s.replace(/\\([^"\\/bfnrtu])/g, '\\\\$1')) as string;
}
