#!/usr/bin/env node
// Generate offline JSON schemas for kubeconform, so that validation never needs the network.
//
// Usage: node scripts/checks/10-kubeconform/gen-schemas.mjs [--out DIR] [--force]
//        (DIR defaults to .tools/schemas)
//
// For each Kubernetes version of tools/kubernetes-versions.json, the official OpenAPI v2 document
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes Go module zip, fetched through the Go
// module proxy) becomes DIR/v<version>-standalone-strict/<kind>-<group>-<version>.json, the layout of
// kubeconform's default -schema-location template. Every CRD under tools/kubeconform/crds/ becomes
// DIR/crds/<group>/<kind>_<version>.json (and so does the AppProject CRD of Argo CD's Go module,
// scripts/argocd-crds.mjs), for the template {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json.
//
// The schemas are what `openapi2jsonschema --kubernetes --expanded --strict` would write, except:
// - standalone: every $ref is inlined; the few recursive types (JSONSchemaProps) stay as local
//   refs into the file's own `definitions`, so each file is still self-contained;
// - strict: additionalProperties: false on every object that lists properties, unless it has
//   x-kubernetes-preserve-unknown-fields or its own additionalProperties;
// - IntOrString accepts a string or an integer; Quantity a number or a string in Kubernetes'
//   quantity syntax (so `512MB` fails, as it does in the API server);
// - null is not accepted where the API does not declare it (`x-nullable`, `nullable`), so a
//   field that synthesized to null is reported instead of silently dropped;
// - descriptions and other annotations are dropped: they do not validate anything, and the
//   files are about ten times smaller.
// A custom resource's metadata is checked against the strict ObjectMeta of the newest version.
//
// Output is cached: DIR/stamp holds a hash of this script, the versions file and the CRDs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argocdCrdFiles } from '../../argocd-crds.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const versionsFile = path.join(repo, 'tools', 'kubernetes-versions.json');
const crdDir = path.join(repo, 'tools', 'kubeconform', 'crds');

// Kubernetes' own quantity syntax, as controller-gen writes it into CRDs for resource.Quantity.
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const QUANTITY = { oneOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }] };
const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const QUANTITY_DEF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const OBJECT_META_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
// Keywords that hold one schema, or a list of schemas, or a map of schemas.
const ONE = new Set(['items', 'additionalProperties', 'not']);
const LIST = new Set(['allOf', 'anyOf', 'oneOf']);
const MAP = new Set(['properties', 'patternProperties']);
// Keywords that only document. (`format` stays: kubeconform checks date-time.)
const DROP = new Set(['description', 'default', 'example', 'externalDocs', 'title', 'nullable', 'x-nullable']);

function main() {
  const argv = process.argv.slice(2);
  const force = argv.includes('--force');
  const outIdx = argv.indexOf('--out');
  const out = path.resolve(outIdx >= 0 ? argv[outIdx + 1] : path.join(repo, '.tools', 'schemas'));

  const versions = JSON.parse(fs.readFileSync(versionsFile, 'utf8'));
  const kubeVersions = [...new Set([versions.oldest, versions.newest])];
  for (const v of kubeVersions) {
    if (!/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`${versionsFile}: '${v}' is not a Kubernetes version like 1.28.15`);
  }
  const committedCrds = fs.existsSync(crdDir)
    ? fs.readdirSync(crdDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(crdDir, f))
    : [];
  // The Argo CD CRDs not committed (AppProject): from Argo CD's Go module, hash-pinned (scripts/argocd-crds.mjs).
  const crdFiles = [...committedCrds, ...argocdCrdFiles()];

  const hash = createHash('sha256');
  hash.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  hash.update(JSON.stringify(kubeVersions));
  for (const f of crdFiles) hash.update(path.basename(f)).update(fs.readFileSync(f));
  const stamp = hash.digest('hex');
  const stampFile = path.join(out, 'stamp');
  const dirs = [...kubeVersions.map((v) => `v${v}-standalone-strict`), ...(crdFiles.length > 0 ? ['crds'] : [])];
  if (
    !force &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8').trim() === stamp &&
    dirs.every((d) => fs.existsSync(path.join(out, d)))
  ) {
    console.log(`gen-schemas: cached (${path.relative(repo, out) || out})`);
    return;
  }

  const started = Date.now();
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(stampFile, { force: true });
  let newestSwagger;
  for (const v of kubeVersions) {
    const swagger = readSwagger(v);
    if (v === versions.newest) newestSwagger = swagger;
    const n = writeDir(out, `v${v}-standalone-strict`, kubernetesSchemas(swagger, v));
    console.log(`gen-schemas: Kubernetes ${v}: ${n} schemas`);
  }
  if (crdFiles.length > 0) {
    const objectMeta = kubernetesConverter(newestSwagger).expand(OBJECT_META_DEF);
    const files = new Map();
    for (const f of crdFiles) {
      for (const doc of loadYamlDocuments(f)) {
        if (doc?.kind !== 'CustomResourceDefinition') continue;
        for (const [name, schema] of crdSchemas(doc, objectMeta)) files.set(name, schema);
      }
    }
    const n = writeDir(out, 'crds', files);
    console.log(`gen-schemas: CRDs: ${n} schemas (${[...files.keys()].join(', ')})`);
  }
  fs.writeFileSync(stampFile, `${stamp}\n`);
  console.log(`gen-schemas: wrote ${path.relative(repo, out) || out} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** The swagger.json of k8s.io/kubernetes@v<version>, from the Go module cache (downloaded if missing). */
function readSwagger(version) {
  const mod = `k8s.io/kubernetes@v${version}`;
  // Run in an empty directory, outside any Go module, so no go.mod gets in the way.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-schemas-'));
  let info;
  try {
    info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', mod], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    let detail = e.stderr || e.message;
    try {
      detail = JSON.parse(e.stdout).Error ?? detail;
    } catch {}
    throw new Error(`gen-schemas: cannot download ${mod} through the Go module proxy: ${detail}`);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
  if (info.Error) throw new Error(`gen-schemas: ${mod}: ${info.Error}`);
  return JSON.parse(fs.readFileSync(path.join(info.Dir, 'api', 'openapi-spec', 'swagger.json'), 'utf8'));
}

/** Writes name -> schema into out/dir, replacing the directory as a whole. Returns the count. */
function writeDir(out, dir, files) {
  const tmp = path.join(out, `.${dir}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const [name, schema] of files) {
    const file = path.join(tmp, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(schema));
  }
  fs.rmSync(path.join(out, dir), { recursive: true, force: true });
  fs.renameSync(tmp, path.join(out, dir));
  return files.size;
}

/** kubeconform's file name for a kind: see schemaPath() in its pkg/registry/registry.go. */
function kubeconformName(group, version, kind) {
  const prefix = group ? `-${group.split('.')[0].toLowerCase()}` : '';
  return `${kind.toLowerCase()}${prefix}-${version}.json`;
}

function kubernetesSchemas(swagger, k8sVersion) {
  const conv = kubernetesConverter(swagger);
  const files = new Map();
  const owner = new Map();
  for (const [name, def] of Object.entries(swagger.definitions)) {
    for (const { group, version, kind } of def['x-kubernetes-group-version-kind'] ?? []) {
      const file = kubeconformName(group, version, kind);
      // meta/v1 types (DeleteOptions, WatchEvent, ...) are listed under every group; a type of
      // the group itself wins over them.
      if (owner.has(file) && name.startsWith('io.k8s.apimachinery.')) continue;
      if (owner.has(file) && !owner.get(file).startsWith('io.k8s.apimachinery.')) {
        throw new Error(`gen-schemas: Kubernetes ${k8sVersion}: ${file} from both ${owner.get(file)} and ${name}`);
      }
      const apiVersion = group ? `${group}/${version}` : version;
      files.set(file, conv.root(name, apiVersion, kind));
      owner.set(file, name);
    }
  }
  return files;
}

/** Converts swagger definitions to standalone strict JSON schemas. */
function kubernetesConverter(swagger) {
  const defs = swagger.definitions;
  const recursive = recursiveDefinitions(defs);
  const memo = new Map(); // definition name -> { schema, uses: Set of recursive definitions it refers to }

  function expandDef(name) {
    if (!memo.has(name)) {
      if (!defs[name]) throw new Error(`gen-schemas: $ref to unknown definition ${name}`);
      const uses = new Set();
      const schema = name === QUANTITY_DEF ? QUANTITY : convert(defs[name], uses);
      memo.set(name, { schema, uses });
    }
    return memo.get(name);
  }

  function convert(node, uses) {
    if (Array.isArray(node)) return node.map((n) => convert(n, uses));
    if (node === null || typeof node !== 'object') return node;
    if (node.$ref) {
      const name = node.$ref.replace(/^#\/definitions\//, '');
      if (recursive.has(name)) {
        uses.add(name);
        return { $ref: `#/definitions/${name}` };
      }
      const def = expandDef(name);
      for (const u of def.uses) uses.add(u);
      return def.schema; // siblings of a $ref are descriptions and defaults only
    }
    if (node.format === 'int-or-string' || node['x-kubernetes-int-or-string']) return INT_OR_STRING;
    return convertKeywords(node, (n) => convert(n, uses));
  }

  /** The schema of one kind: the definition, with kind and apiVersion pinned. */
  function root(name, apiVersion, kind) {
    let body;
    let uses = new Set();
    if (recursive.has(name)) body = convert(defs[name], uses);
    else ({ schema: body, uses } = expandDef(name));
    const schema = {
      ...body,
      properties: { ...body.properties, apiVersion: { type: 'string', enum: [apiVersion] }, kind: { type: 'string', enum: [kind] } },
    };
    if (uses.size > 0) {
      const definitions = {};
      const todo = [...uses];
      while (todo.length > 0) {
        const u = todo.pop();
        if (definitions[u]) continue;
        const more = new Set();
        definitions[u] = convert(defs[u], more);
        todo.push(...more);
      }
      schema.definitions = definitions;
    }
    return schema;
  }

  return { root, expand: (name) => expandDef(name).schema };
}

/** The definitions that take part in a $ref cycle (Tarjan's strongly connected components). */
function recursiveDefinitions(defs) {
  const edges = new Map();
  for (const [name, def] of Object.entries(defs)) {
    const refs = new Set();
    JSON.stringify(def, (k, v) => {
      if (k === '$ref' && typeof v === 'string') refs.add(v.replace(/^#\/definitions\//, ''));
      return v;
    });
    edges.set(name, refs);
  }
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const result = new Set();
  let next = 0;
  function visit(v) {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || edges.get(v)?.has(v)) for (const s of scc) result.add(s);
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return result;
}

/**
 * Copies the validating keywords of one schema node, converting the sub-schemas with `sub`, and
 * closes objects that list properties (strict). Also turns `nullable` into a null type.
 */
function convertKeywords(node, sub) {
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) || k.startsWith('x-')) continue;
    if (ONE.has(k)) out[k] = typeof v === 'object' ? sub(v) : v;
    else if (LIST.has(k)) out[k] = v.map(sub);
    else if (MAP.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, sub(s)]));
    else out[k] = v;
  }
  if ((node.nullable || node['x-nullable']) && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (out.enum) out.enum = [...out.enum, null];
  }
  if (out.properties && !('additionalProperties' in node) && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** CustomResourceDefinition -> Map of `<group>/<kind>_<version>.json` -> schema, one per served version. */
function crdSchemas(crd, objectMeta) {
  const { group, names } = crd.spec;
  const files = new Map();
  for (const v of crd.spec.versions) {
    if (!v.served) continue;
    const openapi = v.schema?.openAPIV3Schema;
    if (!openapi) throw new Error(`gen-schemas: CRD ${crd.metadata.name} ${v.name} has no openAPIV3Schema`);
    const body = convertV3(openapi);
    files.set(`${group}/${names.kind.toLowerCase()}_${v.name}.json`, {
      ...body,
      properties: {
        ...body.properties,
        apiVersion: { type: 'string', enum: [`${group}/${v.name}`] },
        kind: { type: 'string', enum: [names.kind] },
        metadata: objectMeta,
      },
      additionalProperties: false,
    });
  }
  return files;
}

/** OpenAPI v3 (structural CRD schema) -> strict JSON schema. */
function convertV3(node) {
  if (Array.isArray(node)) return node.map(convertV3);
  if (node === null || typeof node !== 'object') return node;
  const out = convertKeywords(node, convertV3);
  if (node['x-kubernetes-int-or-string'] && !node.anyOf && !node.oneOf) {
    delete out.type;
    out.oneOf = INT_OR_STRING.oneOf;
  }
  if (node['x-kubernetes-embedded-resource'] && out.additionalProperties === false) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...out.properties };
  }
  return out;
}

/** The documents of a YAML file: with the project's `yaml` package, or, before `npm ci`, a small parser. */
function loadYamlDocuments(file) {
  const text = fs.readFileSync(file, 'utf8');
  let yaml;
  try {
    yaml = createRequire(path.join(repo, 'package.json'))('yaml');
  } catch {
    return miniYaml(text, file);
  }
  return yaml.parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`gen-schemas: ${file}: ${d.errors[0].message}`);
    return d.toJS();
  });
}

/**
 * Parses the block-style YAML that CRD generators write: mappings, sequences, plain, quoted and
 * block (| >) scalars, one-line flow collections, comments and `---`. Anchors, tags, complex keys
 * and multi-line flow collections are not supported and fail loudly.
 */
function miniYaml(text, file) {
  const fail = (i, msg) => {
    throw new Error(`gen-schemas: ${file}:${i + 1}: ${msg} (install the yaml package: npm ci)`);
  };
  const docs = [];
  for (const chunk of text.split(/^---[ \t]*$/m)) {
    const lines = chunk.split('\n').map((raw, i) => ({ raw, i }));
    const items = []; // non-blank, non-comment lines: { indent, text, i }
    for (const { raw, i } of lines) {
      if (/^\s*(#.*)?$/.test(raw)) continue;
      if (/^\t/.test(raw)) fail(i, 'tab indentation');
      items.push({ indent: raw.match(/^ */)[0].length, text: raw.trimStart(), i });
    }
    if (items.length === 0) continue;
    const all = lines.map((l) => l.raw);
    let pos = 0;

    const stripComment = (s) => s.replace(/(^|\s)#.*$/, '').trimEnd();
    const scalar = (s, i) => {
      if (s.startsWith('"')) {
        const m = s.match(/^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/s) ?? fail(i, `bad double-quoted scalar: ${s}`);
        return JSON.parse(`"${m[1].replace(/\n/g, '\\n')}"`);
      }
      if (s.startsWith("'")) {
        const m = s.match(/^'((?:[^']|'')*)'\s*(#.*)?$/s) ?? fail(i, `bad single-quoted scalar: ${s}`);
        return m[1].replace(/''/g, "'");
      }
      s = stripComment(s);
      if (s.startsWith('[') || s.startsWith('{')) return flow(s, i);
      if (/^(null|Null|NULL|~|)$/.test(s)) return null;
      if (/^(true|True|TRUE)$/.test(s)) return true;
      if (/^(false|False|FALSE)$/.test(s)) return false;
      if (/^[-+]?[0-9]+$/.test(s)) return Number(s);
      if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
      if (/^[&*!]/.test(s)) fail(i, `anchors, aliases and tags are not supported: ${s}`);
      return s;
    };
    const flow = (s, i) => {
      const open = s[0];
      const close = open === '[' ? ']' : '}';
      if (!s.endsWith(close)) fail(i, `multi-line flow collection: ${s}`);
      const inner = s.slice(1, -1).trim();
      const parts = inner === '' ? [] : inner.split(',').map((p) => p.trim());
      if (parts.some((p) => /[[\]{}"']/.test(p))) fail(i, `nested or quoted flow collection: ${s}`);
      if (open === '[') return parts.map((p) => scalar(p, i));
      return Object.fromEntries(parts.map((p) => {
        const m = p.match(/^([^:]+):\s*(.*)$/) ?? fail(i, `bad flow mapping: ${s}`);
        return [m[1].trim(), scalar(m[2], i)];
      }));
    };
    // Line folding of multi-line flow scalars: a line break is a space, an empty line a newline.
    const fold = (ls) => {
      let s = ls[0];
      for (let k = 1; k < ls.length; k++) {
        if (ls[k] === '') s += '\n';
        else s += s.endsWith('\n') ? ls[k] : ` ${ls[k]}`;
      }
      return s;
    };
    // The raw text lines after item `at` that are indented more than `indent` (or blank).
    const continuation = (at, indent) => {
      const out = [];
      let j = at.i + 1;
      while (j < all.length && (/^\s*$/.test(all[j]) || all[j].match(/^ */)[0].length > indent)) out.push(all[j++]);
      while (out.length > 0 && /^\s*$/.test(out[out.length - 1])) out.pop();
      while (pos < items.length && items[pos].i < at.i + 1 + out.length) pos++;
      return out;
    };
    const value = (rest, at, indent) => {
      const header = stripComment(rest);
      const block = header.match(/^([|>])([+-]?)$/);
      if (block) {
        const body = continuation(at, indent);
        const contentIndent = body.find((l) => !/^\s*$/.test(l))?.match(/^ */)[0].length ?? 0;
        const ls = body.map((l) => l.slice(contentIndent));
        let s = block[1] === '|' ? ls.join('\n') : ls.join('\n').replace(/([^\n])\n(?=[^\n ])/g, '$1 ');
        if (block[2] !== '-') s += '\n';
        return s;
      }
      if (rest.startsWith('"') || rest.startsWith("'")) {
        const q = rest[0];
        const closed = (s) => (q === "'" ? /^'(?:[^']|'')*'\s*(#.*)?$/ : /^"(?:[^"\\]|\\.)*"\s*(#.*)?$/).test(s);
        let s = rest;
        if (!closed(s)) {
          s = fold([s, ...continuation(at, indent).map((l) => l.trim())]);
          if (!closed(s)) fail(at.i, 'unterminated quoted scalar');
        }
        return scalar(s, at.i);
      }
      const more = continuation(at, indent).map((l) => stripComment(l.trim()));
      if (more.length > 0) return fold([stripComment(rest), ...more]);
      return scalar(rest, at.i);
    };
    const block = (indent) => {
      const first = items[pos];
      if (first.text === '-' || first.text.startsWith('- ')) {
        const seq = [];
        while (pos < items.length && items[pos].indent === indent && (items[pos].text === '-' || items[pos].text.startsWith('- '))) {
          const item = items[pos];
          const rest = item.text.slice(1).trimStart();
          if (rest === '') {
            pos++;
            seq.push(pos < items.length && items[pos].indent > indent ? block(items[pos].indent) : null);
          } else {
            const inner = indent + (item.text.length - rest.length);
            if (keyOf(rest)) {
              items[pos] = { indent: inner, text: rest, i: item.i };
              seq.push(block(inner));
            } else {
              pos++;
              seq.push(value(rest, item, indent));
            }
          }
        }
        return seq;
      }
      const map = {};
      while (pos < items.length && items[pos].indent === indent) {
        const item = items[pos];
        const kv = keyOf(item.text) ?? fail(item.i, `expected 'key: value', got: ${item.text}`);
        pos++;
        if (stripComment(kv.rest) === '') {
          const nxt = items[pos];
          if (nxt && (nxt.indent > indent || (nxt.indent === indent && (nxt.text === '-' || nxt.text.startsWith('- '))))) {
            map[kv.key] = block(nxt.indent);
          } else {
            map[kv.key] = null;
          }
        } else {
          map[kv.key] = value(kv.rest, item, indent);
        }
      }
      if (pos < items.length && items[pos].indent > indent) fail(items[pos].i, 'bad indentation');
      return map;
    };
    const keyOf = (s) => {
      const m = s.match(/^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#[\]{},&*!|>-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+(.*))?$/);
      if (!m) return undefined;
      const key = m[1].startsWith('"') || m[1].startsWith("'") ? scalar(m[1]) : m[1];
      return { key, rest: m[2] ?? '' };
    };
    const doc = block(items[0].indent);
    if (pos < items.length) fail(items[pos].i, 'unexpected content');
    docs.push(doc);
  }
  return docs;
}

try {
  main();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
