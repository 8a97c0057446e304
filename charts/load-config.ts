/**
 * Reads `config/<environment>.yaml` and validates it into a StackConfig. The only file reader of
 * configuration; main.ts decides which environment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { StackConfig, parseConfig } from './config';
import { ConfigError } from './lib/schema';

/** Directory holding one YAML file per environment. */
export const ENVIRONMENTS_DIR = path.join(__dirname, '..', 'config');

/** Environments with a file in `config/`. */
export function environments(dir = ENVIRONMENTS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
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
  const file = path.join(dir, `${environment}.yaml`);
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        path: `config/${environment}.yaml`,
        message: `is not valid YAML (${e.message.split('\n')[0]})`,
        fix: 'correct the YAML syntax at that line',
      })),
    );
  }
  return parseEnvironment(environment, doc.toJS() ?? {});
}

/** Validates already-parsed input for an environment (used by loadConfig and tests). */
export function parseEnvironment(environment: string, input: unknown): StackConfig {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const given = (input as Record<string, unknown>).environment;
    if (given !== undefined && given !== environment) {
      throw new ConfigError([
        {
          path: 'environment',
          message: `is '${String(given)}' inside config/${environment}.yaml`,
          fix: 'remove the environment key: the file name sets it',
        },
      ]);
    }
    return parseConfig({ ...input, environment });
  }
  return parseConfig(input);
}
