/**
 * The configuration reference, generated from the schema itself: `config/schema.json` (JSON Schema,
 * for editors: every config/*.yaml names it with a yaml-language-server comment) and
 * `docs/config.md` (every setting with its type, default and description).
 *
 * Types, patterns, bounds and defaults come from the schema objects (`stackSchema.json()`); the
 * descriptions are the TSDoc comments on the settings in `charts/**\/settings.ts`, read with the
 * TypeScript parser (syntax only, no type checking) by following `obj({...})` from `stackSchema`
 * through identifiers, imports and builder calls (`volume()`, `resources()`, ...). Keeping the
 * comments where they are, beside each setting, was chosen over moving every description into the
 * builders as data: the source stays as the components' authors write it, and a setting without
 * a comment fails test/config-reference.test.ts.
 *
 * Run by main.ts after every synthesis into the repository (`npm run synth`), and by the drift test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { stackSchema } from '../charts/config';
import { JsonSchema, OVERRIDE_HINT, Shape, isField, isObj } from '../charts/lib/schema';

const ROOT = path.resolve(__dirname, '..');

/** What the comment on one setting says. */
export interface SettingDoc {
  readonly text: string;
  /** The `@default` tag, when the comment has one (used where the schema has no default value). */
  readonly defaultText?: string;
}

/** Reads the TSDoc comments of every setting, by dotted path (`alertmanager.email.smarthost`). */
export function settingDocs(root = ROOT): Map<string, SettingDoc> {
  const files = new Map<string, ts.SourceFile>();
  const source = (file: string): ts.SourceFile => {
    let sf = files.get(file);
    if (!sf) {
      sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      files.set(file, sf);
    }
    return sf;
  };
  const docs = new Map<string, SettingDoc>();

  const docOf = (node: ts.Node): SettingDoc | undefined => {
    const jsdocs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
    if (jsdocs.length === 0) return undefined;
    const d = jsdocs[jsdocs.length - 1];
    const text = clean(ts.getTextOfJSDocComment(d.comment) ?? '');
    const tag = d.tags?.find((t) => t.tagName.text === 'default');
    const defaultText = tag ? clean(ts.getTextOfJSDocComment(tag.comment) ?? '') : undefined;
    if (!text && defaultText === undefined) return undefined;
    return { text, ...(defaultText !== undefined ? { defaultText } : {}) };
  };

  /** The declaration a name stands for in `file`: top-level, or followed through its import. */
  const resolve = (name: string, file: string, seen = 0): { node: ts.Node; file: string } | undefined => {
    if (seen > 20) return undefined;
    const sf = source(file);
    for (const st of sf.statements) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return { node: d, file };
      } else if (ts.isFunctionDeclaration(st) && st.name?.text === name) return { node: st, file };
      else if (ts.isImportDeclaration(st) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
        for (const el of st.importClause.namedBindings.elements) {
          if (el.name.text !== name) continue;
          const spec = (st.moduleSpecifier as ts.StringLiteral).text;
          if (!spec.startsWith('.')) return undefined;
          const target = path.resolve(path.dirname(file), `${spec}.ts`);
          return fs.existsSync(target) ? resolve((el.propertyName ?? el.name).text, target, seen + 1) : undefined;
        }
      }
    }
    return undefined;
  };

  const returned = (fn: ts.Node): ts.Expression | undefined => {
    const body = ts.isArrowFunction(fn) || ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) ? fn.body : undefined;
    if (!body) return undefined;
    if (!ts.isBlock(body)) return body;
    const ret = body.statements.find(ts.isReturnStatement);
    return ret?.expression;
  };

  /**
   * The fields of an `obj()` shape: an object literal, its spreads (`...objective(0.99, 20)`) and a
   * builder call or constant that returns one (`obj(objective(0.995, 100))`), each with its file.
   */
  const fieldsOf = (expr: ts.Expression, file: string, depth = 0): [ts.PropertyAssignment, string][] => {
    if (depth > 20) return [];
    while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) expr = expr.expression;
    if (ts.isObjectLiteralExpression(expr)) {
      return expr.properties.flatMap((p): [ts.PropertyAssignment, string][] =>
        ts.isPropertyAssignment(p) ? [[p, file]] : ts.isSpreadAssignment(p) ? fieldsOf(p.expression, file, depth + 1) : [],
      );
    }
    const name = ts.isIdentifier(expr) ? expr.text : ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) ? expr.expression.text : undefined;
    const r = name === undefined ? undefined : resolve(name, file);
    if (!r) return [];
    const target = ts.isVariableDeclaration(r.node) ? r.node.initializer : r.node;
    if (!target) return [];
    const body = ts.isCallExpression(expr) ? returned(target) : (target as ts.Expression);
    return body ? fieldsOf(body, r.file, depth + 1) : [];
  };

  const visit = (expr: ts.Expression, file: string, at: string, depth = 0): void => {
    if (depth > 40) return;
    while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) expr = expr.expression;
    if (ts.isIdentifier(expr)) {
      const r = resolve(expr.text, file);
      if (!r || !ts.isVariableDeclaration(r.node) || !r.node.initializer) return;
      // A section declared in a file of its own (a component's settings.ts) is described by the file's header.
      if (r.file !== file && at && !docs.has(at)) {
        const header = headerOf(source(r.file));
        if (header) docs.set(at, { text: header });
      }
      visit(r.node.initializer, r.file, at, depth + 1);
      return;
    }
    if (!ts.isCallExpression(expr) || !ts.isIdentifier(expr.expression)) return;
    const callee = expr.expression.text;
    const [first] = expr.arguments;
    if (callee === 'obj' && first) {
      for (const [p, pFile] of fieldsOf(first, file)) {
        if (!(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
        const key = at ? `${at}.${p.name.text}` : p.name.text;
        const d = docOf(p);
        if (d && !docs.has(key)) docs.set(key, d);
        visit(p.initializer, pFile, key, depth + 1);
      }
      return;
    }
    if (['withDefault', 'optional', 'required', 'refine'].includes(callee) && first) return visit(first, file, at, depth + 1);
    if (callee === 'list' && first) return visit(first, file, `${at}[]`, depth + 1);
    // A builder (`volume('2Gi')`, `resources({...})`): its own comment describes the setting when
    // the call site has none, and what it returns is followed for the fields inside.
    const r = resolve(callee, file);
    if (!r) return;
    const fn = ts.isVariableDeclaration(r.node) ? r.node.initializer : r.node;
    const builderDoc = docOf(ts.isVariableDeclaration(r.node) ? r.node.parent.parent : r.node);
    if (builderDoc && at && !docs.has(at)) docs.set(at, { text: builderDoc.text });
    const body = fn && returned(fn);
    if (body) visit(body, r.file, at, depth + 1);
  };

  const config = path.join(root, 'charts', 'config.ts');
  const start = resolve('stackSchema', config);
  if (!start || !ts.isVariableDeclaration(start.node) || !start.node.initializer) throw new Error('config-reference: stackSchema not found in charts/config.ts');
  visit(start.node.initializer, start.file, '');
  return docs;
}

/** The text of a file's leading `/** ... *\/` comment. */
function headerOf(sf: ts.SourceFile): string | undefined {
  const first = ts.getLeadingCommentRanges(sf.text, 0)?.find((c) => sf.text.startsWith('/**', c.pos));
  if (!first) return undefined;
  return clean(sf.text.slice(first.pos + 3, first.end - 2).replace(/^\s*\* ?/gm, ''));
}

function clean(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The JSON Schema of the configuration, with the descriptions. */
export function configJsonSchema(docs = settingDocs()): JsonSchema {
  const body = stackSchema.json({ path: '', describe: (p) => docs.get(p)?.text || undefined });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://love-parser.example/monitoring/config/schema.json',
    title: 'Love Parser monitoring: one environment (config/<environment>.yaml)',
    description: 'Generated by npm run synth from charts/config.ts and the settings of each component; see docs/config.md.',
    ...body,
  };
}

/** One row of the reference: a setting that holds a value (not a section). */
interface Row {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

/** Every setting, depth first, with its section headings. */
export function settingRows(docs = settingDocs()): { sections: { path: string; description: string; rows: Row[] }[]; missing: string[] } {
  const sections: { path: string; description: string; rows: Row[] }[] = [];
  const missing: string[] = [];
  const walk = (shape: Shape, at: string) => {
    const rows: Row[] = [];
    const parent = at.split('.').slice(0, -1).join('.');
    const description = docs.get(at)?.text ?? (at.endsWith('.alerts') ? `Thresholds of the alerts of \`${parent}\`, with why each default is what it is.` : '');
    const section = { path: at, description, rows };
    sections.push(section);
    const nested: [Shape, string][] = [];
    for (const [key, f] of Object.entries(shape)) {
      const p = at ? `${at}.${key}` : key;
      const schema = isField(f) ? f.schema : f;
      if (isObj(schema)) {
        nested.push([schema.shape, p]);
        continue;
      }
      const doc = docs.get(p);
      const fallback = isField(f) && f.fallback ? f.fallback() : undefined;
      const dflt =
        fallback !== undefined ? `\`${JSON.stringify(fallback)}\`` : doc?.defaultText ? doc.defaultText : isField(f) && f.required ? '**required**' : 'unset';
      if (!doc?.text) missing.push(p);
      rows.push({ path: p, type: schema.expects, default: dflt, description: doc?.text ?? '' });
    }
    for (const [s, p] of nested) walk(s, p);
  };
  walk(stackSchema.shape, '');
  return { sections: sections.filter((s) => s.rows.length > 0 || s.description), missing };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/config.md. */
export function configMarkdown(docs = settingDocs()): string {
  const { sections } = settingRows(docs);
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run synth` (scripts/config-reference.ts) from charts/config.ts and each',
    "     component's settings.ts; test/config-reference.test.ts fails when it drifts. Do not edit. -->",
    '',
    'One file per environment, `config/<environment>.yaml`, sets what differs from these defaults. The',
    'same rules as JSON Schema are in [config/schema.json](../config/schema.json): every environment file',
    'starts with `# yaml-language-server: $schema=./schema.json`, so editors with the YAML language server',
    '(VS Code with the YAML extension, Neovim, IntelliJ) complete and check settings while typing. The',
    'schema checks each value on its own; `npm run synth` also checks values against each other and across',
    'environments, and is what decides.',
    '',
    '## Durations and sizes',
    '',
    "Durations are Prometheus's: one or more of `y`, `w`, `d`, `h`, `m`, `s`, `ms`, largest first, each",
    'at most once (`15s`, `1h30m`, `30d`), above zero and at most about 292 years (what Prometheus and',
    'Alertmanager accept). Sub-second durations are refused unless overridden. Volume sizes are whole',
    '`Mi`, `Gi` or `Ti`, at most `1024Ti`; CPU is cores (`1`, `0.5`, three decimals at most) or',
    'millicores (`250m`), above 0; memory is `Ki`, `Mi` or `Gi`, at least `32Mi` unless overridden.',
    '',
    '## Overrides',
    '',
    'A value that is valid but dangerous is refused with a fix that ends in',
    `"${OVERRIDE_HINT}". To keep it, name the field and say why:`,
    '',
    '```yaml',
    'overrides:',
    '  - path: prometheus.retention',
    '    reason: a throwaway load-test cluster keeps half a day',
    '```',
    '',
    'An override accepts exactly the dangers reported for its field; an override that accepts nothing',
    '(the field is fine, or its problem is not one an override can accept) is refused, so none outlives',
    'its reason. What is overridable: sub-second timings; a Prometheus scrape or evaluation interval',
    'over 2m; a Prometheus retention under a day; a heartbeat interval under a minute or over an hour;',
    "a volume under its floor (1Gi); a Loki volume its ingestion limit fills within an hour; memory",
    'under 32Mi; an image tag that names a release line (`1`, `v2.1`) without a digest; two settings',
    "reading the same key of one Secret; in simple-scalable mode, two Loki write pods, and plain http",
    "to Loki's object store in production.",
    '',
  ];
  for (const s of sections) {
    out.push(`## ${s.path ? `\`${s.path}\`` : 'Top level'}`, '');
    if (s.description) out.push(s.description, '');
    if (s.rows.length === 0) continue;
    out.push('| Setting | Type | Default | Description |', '| --- | --- | --- | --- |');
    for (const r of s.rows) out.push(`| \`${r.path}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** The two generated files, by path relative to the repository root. */
export function configReference(): Record<string, string> {
  const docs = settingDocs();
  return {
    'config/schema.json': `${JSON.stringify(configJsonSchema(docs), null, 2)}\n`,
    'docs/config.md': configMarkdown(docs),
  };
}

/** Writes them under `root`; returns the files written. */
export function writeConfigReference(root = ROOT): string[] {
  const written: string[] = [];
  for (const [file, text] of Object.entries(configReference())) {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) continue;
    fs.writeFileSync(target, text);
    written.push(file);
  }
  return written;
}

if (require.main === module) {
  const written = writeConfigReference();
  console.log(written.length ? `wrote ${written.join(', ')}` : 'config/schema.json and docs/config.md are up to date');
}
