/**
 * A parser for the Alloy configuration syntax (formerly River), enough to check what
 * charts/log-shipper/alloy.ts writes: blocks with optional labels, attributes, and expressions made
 * of literals (numbers, booleans, null, "strings" with escapes, `raw strings`), lists, objects,
 * references (`a.b.c`), calls (`sys.env("X")`), `+` and parentheses, with `//` and `/* *\/` comments.
 * Anything else is a syntax error with its line and column, as Alloy reports it.
 *
 * @see https://grafana.com/docs/alloy/v1.18/get-started/syntax/
 */

export type Expr =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'list'; readonly items: readonly Expr[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Expr])[] }
  | { readonly kind: 'ref'; readonly path: readonly string[] }
  | { readonly kind: 'call'; readonly fn: readonly string[]; readonly args: readonly Expr[] }
  | { readonly kind: 'binary'; readonly op: '+'; readonly left: Expr; readonly right: Expr };

export interface Attribute {
  readonly kind: 'attribute';
  readonly name: string;
  readonly value: Expr;
  readonly line: number;
}

export interface Block {
  readonly kind: 'block';
  /** Dotted name, e.g. `loki.process` or `stage.json`. */
  readonly name: string;
  readonly label?: string;
  readonly body: readonly (Attribute | Block)[];
  readonly line: number;
}

export class AlloySyntaxError extends Error {}

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'punct'; v: string }
  | { t: 'eof'; v: '' };

interface Located {
  readonly tok: Token;
  readonly line: number;
  readonly col: number;
  /** A newline separates this token from the previous one. */
  readonly nl: boolean;
}

function tokenize(src: string): Located[] {
  const out: Located[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  let nl = false;
  const fail = (msg: string): never => {
    throw new AlloySyntaxError(`${line}:${col}: ${msg}`);
  };
  const adv = (n: number) => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
        nl = true;
      } else col++;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      adv(1);
      continue;
    }
    if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') adv(1);
      continue;
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      adv(end + 2 - i);
      continue;
    }
    const start = { line, col, nl };
    nl = false;
    const push = (tok: Token) => out.push({ tok, line: start.line, col: start.col, nl: start.nl });
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0];
      adv(m.length);
      push({ t: 'ident', v: m });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i))![0];
      adv(m.length);
      push({ t: 'number', v: Number(m) });
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= src.length || src[j] === '\n') fail('unterminated string');
        const d = src[j];
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (e in simple) {
            s += simple[e];
            j += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
            s += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            // Alloy, like Go, refuses unknown escapes such as "\d": regexes need "\\d" or a raw string.
            fail(`unknown escape sequence \\${e ?? ''}`);
          }
        } else {
          s += d;
          j++;
        }
      }
      adv(j + 1 - i);
      push({ t: 'string', v: s });
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const s = src.slice(i + 1, end);
      adv(end + 1 - i);
      push({ t: 'string', v: s });
    } else if ('{}[](),=.+'.includes(c)) {
      adv(1);
      push({ t: 'punct', v: c });
    } else {
      fail(`unexpected character '${c}'`);
    }
  }
  out.push({ tok: { t: 'eof', v: '' }, line, col, nl: true });
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Located[]) {}

  private get cur(): Located {
    return this.toks[this.pos];
  }
  private fail(msg: string): never {
    throw new AlloySyntaxError(`${this.cur.line}:${this.cur.col}: ${msg}`);
  }
  private is(t: Token['t'], v?: string | number): boolean {
    return this.cur.tok.t === t && (v === undefined || this.cur.tok.v === v);
  }
  private take(t: Token['t'], v?: string): Token {
    if (!this.is(t, v)) this.fail(`expected ${v ?? t}, got '${this.cur.tok.v || this.cur.tok.t}'`);
    return this.toks[this.pos++].tok;
  }

  body(end: 'eof' | '}'): (Attribute | Block)[] {
    const items: (Attribute | Block)[] = [];
    while (!(end === 'eof' ? this.is('eof') : this.is('punct', '}'))) {
      if (items.length > 0 && !this.cur.nl) this.fail('each attribute and block must start on a new line');
      items.push(this.statement());
    }
    return items;
  }

  private statement(): Attribute | Block {
    const line = this.cur.line;
    const name = [this.take('ident').v as string];
    while (this.is('punct', '.')) {
      this.pos++;
      name.push(this.take('ident').v as string);
    }
    if (this.is('punct', '=')) {
      if (name.length > 1) this.fail(`attribute names cannot contain '.': ${name.join('.')}`);
      this.pos++;
      return { kind: 'attribute', name: name[0], value: this.expr(), line };
    }
    const label = this.is('string') ? (this.take('string').v as string) : undefined;
    this.take('punct', '{');
    const body = this.body('}');
    this.take('punct', '}');
    return { kind: 'block', name: name.join('.'), ...(label !== undefined ? { label } : {}), body, line };
  }

  private expr(): Expr {
    let left = this.primary();
    while (this.is('punct', '+')) {
      this.pos++;
      left = { kind: 'binary', op: '+', left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expr {
    const tok = this.cur.tok;
    if (tok.t === 'string') {
      this.pos++;
      return { kind: 'string', value: tok.v };
    }
    if (tok.t === 'number') {
      this.pos++;
      return { kind: 'number', value: tok.v };
    }
    if (this.is('punct', '(')) {
      this.pos++;
      const e = this.expr();
      this.take('punct', ')');
      return e;
    }
    if (this.is('punct', '[')) {
      this.pos++;
      const items: Expr[] = [];
      while (!this.is('punct', ']')) {
        items.push(this.expr());
        if (!this.is('punct', ']')) this.take('punct', ',');
      }
      this.pos++;
      return { kind: 'list', items };
    }
    if (this.is('punct', '{')) {
      this.pos++;
      const entries: [string, Expr][] = [];
      while (!this.is('punct', '}')) {
        const key = this.is('string') ? (this.take('string').v as string) : (this.take('ident').v as string);
        this.take('punct', '=');
        entries.push([key, this.expr()]);
        if (!this.is('punct', '}')) this.take('punct', ',');
      }
      this.pos++;
      const keys = entries.map(([k]) => k);
      if (new Set(keys).size !== keys.length) this.fail(`duplicate object key in {${keys.join(', ')}}`);
      return { kind: 'object', entries };
    }
    if (tok.t === 'ident') {
      if (tok.v === 'true' || tok.v === 'false') {
        this.pos++;
        return { kind: 'bool', value: tok.v === 'true' };
      }
      if (tok.v === 'null') {
        this.pos++;
        return { kind: 'null' };
      }
      const path = [this.take('ident').v as string];
      while (this.is('punct', '.')) {
        this.pos++;
        path.push(this.take('ident').v as string);
      }
      if (this.is('punct', '(')) {
        this.pos++;
        const args: Expr[] = [];
        while (!this.is('punct', ')')) {
          args.push(this.expr());
          if (!this.is('punct', ')')) this.take('punct', ',');
        }
        this.pos++;
        return { kind: 'call', fn: path, args };
      }
      return { kind: 'ref', path };
    }
    return this.fail(`expected an expression, got '${tok.v || tok.t}'`);
  }
}

/** Parses a whole configuration file into its top-level blocks and attributes. */
export function parseAlloy(src: string): (Attribute | Block)[] {
  return new Parser(tokenize(src)).body('eof');
}

/** Evaluates an expression that uses only literals, `+` and `sys.env`; references come back as `{ref}`. */
export function evaluate(e: Expr, env: Readonly<Record<string, string>>): unknown {
  switch (e.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return e.value;
    case 'null':
      return null;
    case 'list':
      return e.items.map((x) => evaluate(x, env));
    case 'object':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v, env)]));
    case 'ref':
      return { ref: e.path.join('.') };
    case 'call':
      if (e.fn.join('.') !== 'sys.env' || e.args.length !== 1) throw new Error(`unsupported call ${e.fn.join('.')}`);
      return env[evaluate(e.args[0], env) as string] ?? '';
    case 'binary': {
      const l = evaluate(e.left, env);
      const r = evaluate(e.right, env);
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      if (typeof l === 'number' && typeof r === 'number') return l + r;
      throw new Error(`cannot add ${typeof l} and ${typeof r}`);
    }
  }
}
