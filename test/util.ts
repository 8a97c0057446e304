/** Shared helpers for the tests: configs built from the committed environment files, and synthesized stacks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { StackConfig } from '../charts/config';
import { ENVIRONMENTS_DIR, parseEnvironment } from '../charts/load-config';
import { Shared } from '../charts/contracts/shared';
import { Stack, sharedOf } from '../charts/stack';
import { synthesizeInMemory } from '../charts/synth';

export const ROOT = path.resolve(__dirname, '..');

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
export function testConfig(overrides: Record<string, unknown> = {}, env = 'production'): StackConfig {
  return parseEnvironment(env, merge(rawEnvironment(env), overrides));
}

export interface SynthesizedStack {
  readonly stack: Stack;
  /** Manifests of each chart, by chart id. */
  readonly charts: Record<string, any[]>;
  /** Every manifest of every chart. */
  readonly all: any[];
}

/** What a component's chart or rule builder receives, for one section of a config: its slice, the shared pieces, no dependencies. */
export function propsOf<K extends keyof StackConfig>(config: StackConfig, section: K): { settings: StackConfig[K]; shared: Shared; dependsOn: [] } {
  return { settings: config[section], shared: sharedOf(config), dependsOn: [] };
}

/** Builds the stack in memory (nothing is written) and returns its manifests. */
export function synthStack(config: StackConfig = testConfig()): SynthesizedStack {
  const { stack, charts } = synthesizeInMemory(config);
  return { stack, charts, all: Object.values(charts).flat() };
}

/** The manifest of a given kind and name; throws if absent so a test never passes on nothing. */
export function find(manifests: any[], kind: string, name: string): any {
  const found = manifests.find((m) => m.kind === kind && m.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  return found;
}

/** Pod templates of every workload (Deployment, StatefulSet, DaemonSet). */
export function workloads(manifests: any[]): any[] {
  return manifests.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind));
}
