/**
 * Reads `config/<environment>.yaml` and validates it into a StackConfig. The only file reader of
 * configuration; main.ts decides which environment.
 *
 * Everything a file can do wrong is a ConfigIssue naming the file, never a crash: YAML syntax,
 * duplicate keys, an alias bomb (a few lines of anchors that expand to millions of nodes), tags
 * that turn values into binary data or sets, keys that are not plain strings, a document that is a
 * list or a scalar instead of a map, and a file too large to be a configuration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { StackConfig, parseConfig } from './config';
import { ConfigError, ConfigIssue, show } from './lib/schema';

/** Directory holding one YAML file per environment. */
export const ENVIRONMENTS_DIR = path.join(__dirname, '..', 'config');

/** No environment file comes near this; a larger one is a mistake or an attack, refused before parsing. */
export const MAX_CONFIG_BYTES = 256 * 1024;
/**
 * Aliases (`*name`) a file may use. Each one copies its anchor's whole value, so nested aliases
 * grow exponentially; the environment files use none, and a handful is generous.
 */
export const MAX_ALIASES = 50;

/** Environments with a file in `config/`. */
export function environments(dir = ENVIRONMENTS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/**
 * Files in `config/` that look like an environment but would be ignored (`staging.yml`,
 * `prod.YAML`), or environment files whose name cannot name an environment (`Prod.yaml`).
 */
export function strayConfigFiles(dir = ENVIRONMENTS_DIR): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const m = /^(.*)\.(yml|yaml)$/i.exec(f);
    if (!m) continue;
    if (m[2] !== 'yaml') {
      issues.push({ path: `config/${f}`, message: `is ignored: environment files end in '.yaml'`, fix: `rename it to config/${m[1]}.yaml (or remove it)` });
    } else if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(m[1])) {
      issues.push({
        path: `config/${f}`,
        message: `names the environment ${show(m[1])}, which is not a DNS label (it becomes a directory, an Application name and a label value)`,
        fix: 'rename it with lowercase letters, digits and \'-\', such as config/staging.yaml',
      });
    }
  }
  return issues;
}

/** Loads and validates one environment; throws ConfigError with every problem found. */
export function loadConfig(environment: string, dir = ENVIRONMENTS_DIR): StackConfig {
  const known = environments(dir);
  if (!known.includes(environment)) {
    throw new ConfigError([
      {
        path: 'environment',
        message: `'${environment}' has no file config/${environment}.yaml`,
        fix: `use one of ${known.map((e) => `'${e}'`).join(', ')}, or create config/${environment}.yaml`,
      },
    ]);
  }
  const input = readEnvironmentFile(path.join(dir, `${environment}.yaml`), `config/${environment}.yaml`);
  return parseEnvironment(environment, input, `config/${environment}.yaml`);
}

/** The plain data of an environment file, or a ConfigError naming the file (`name`) and what is wrong with it. */
export function readEnvironmentFile(file: string, name: string): unknown {
  const size = fs.statSync(file).size;
  if (size > MAX_CONFIG_BYTES) {
    throw new ConfigError([{ path: name, message: `is ${size} bytes, more than any environment file needs (${MAX_CONFIG_BYTES})`, fix: 'keep only the settings that differ from the defaults' }]);
  }
  return parseEnvironmentText(fs.readFileSync(file, 'utf8'), name);
}

/** Parses the text of an environment file into plain data (maps, lists, strings, numbers, booleans, null). */
export function parseEnvironmentText(text: string, name: string): unknown {
  const at = (pos: readonly [number, number] | undefined, lc: YAML.LineCounter) => {
    if (!pos) return '';
    const { line, col } = lc.linePos(pos[0]);
    return ` at line ${line}, column ${col}`;
  };
  const lineCounter = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) {
    // An empty stream: an empty file, like an empty map, sets nothing.
    return {};
  }
  if (docs.length > 1) {
    throw new ConfigError([{ path: name, message: `holds ${docs.length} YAML documents (separated by '---')`, fix: 'keep one document: the map of settings' }]);
  }
  const doc = docs[0];
  const issues: ConfigIssue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    issues.push({ path: name, message: `is not valid YAML${at(e.pos, lineCounter)} (${e.message.split('\n')[0]})`, fix: 'correct the YAML at that line' });
  }
  if (issues.length === 0) {
    YAML.visit(doc, {
      Pair(_, pair) {
        if (pair.key !== null && !YAML.isScalar(pair.key)) {
          issues.push({ path: name, message: `has a key that is a list or a map${at((pair.key as YAML.Node).range as any, lineCounter)}`, fix: 'use plain words as keys' });
        }
      },
      Node(_, node) {
        // Only tags written in the file (`!!binary`, `!!set`, `!custom`) are refused: plain values resolve to the core schema.
        if (node.tag !== undefined && !/^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq)$/.test(node.tag)) {
          issues.push({ path: name, message: `uses the YAML tag ${show(node.tag)}${at(node.range as any, lineCounter)}`, fix: 'remove the tag: settings are plain strings, numbers, booleans, lists and maps' });
        }
      },
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    // yaml throws a ReferenceError when aliases would expand past maxAliasCount (a "billion laughs").
    if (!(e instanceof ReferenceError || e instanceof TypeError || e instanceof RangeError)) throw e;
    throw new ConfigError([
      { path: name, message: `expands its aliases (*name) beyond ${MAX_ALIASES} copies (${e.message})`, fix: 'write the values out instead of repeating aliases' },
    ]);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([
      {
        path: name,
        message: `is ${Array.isArray(data) ? 'a list' : `a single value (${show(data)})`}, not a map of settings`,
        fix: "write settings as 'section: { key: value }', e.g. 'backend:' then '  image:' on the next lines",
      },
    ]);
  }
  return data;
}

/** Validates already-parsed input for an environment (used by loadConfig and tests). */
export function parseEnvironment(environment: string, input: unknown, name = `config/${environment}.yaml`): StackConfig {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const given = (input as Record<string, unknown>).environment;
    if (given !== undefined && given !== environment) {
      throw new ConfigError([
        {
          path: 'environment',
          message: `is ${show(given)} inside ${name}`,
          fix: 'remove the environment key: the file name sets it',
        },
      ]);
    }
    return parseConfig({ ...input, environment });
  }
  throw new ConfigError([{ path: name, message: `is ${Array.isArray(input) ? 'a list' : show(input)}, not a map of settings`, fix: 'write a map of settings' }]);
}
