/**
 * An environment's configuration with overrides merged on top, and its stack synthesized in memory:
 * what the unit tests (through test/util.ts), the real-tool checks (scripts/checks/) and the
 * end-to-end run (e2e/, also run by bench/) share, outside test/ so that each can import it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { StackConfig } from '../charts/config';
import { ENVIRONMENTS_DIR, parseEnvironment } from '../charts/load-config';
import { Stack } from '../charts/stack';
import { synthesizeInMemory } from '../charts/synth';

/** Deep-merges plain objects; arrays and scalars in `b` replace those in `a`. */
export function merge(a: unknown, b: unknown): unknown {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return b === undefined ? a : b;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

/** The raw (unvalidated) input of an environment file. */
export function rawEnvironment(env = 'production'): Record<string, unknown> {
  return YAML.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, `${env}.yaml`), 'utf8')) ?? {};
}

/** A validated config: an environment file with `overrides` merged on top. */
export function environmentConfig(env = 'production', overrides: Record<string, unknown> = {}): StackConfig {
  return parseEnvironment(env, merge(rawEnvironment(env), overrides));
}

export interface SynthesizedStack {
  readonly stack: Stack;
  /** Manifests of each chart, by chart id. */
  readonly charts: Record<string, any[]>;
  /** Every manifest of every chart. */
  readonly all: any[];
}

/** Builds the stack in memory (nothing is written) and returns its manifests. */
export function synthStack(config: StackConfig = environmentConfig()): SynthesizedStack {
  const { stack, charts } = synthesizeInMemory(config);
  return { stack, charts, all: Object.values(charts).flat() };
}
