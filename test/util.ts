/** Shared helpers for the tests: configs built from the committed environment files, and synthesized stacks. */
import * as path from 'node:path';
import { StackConfig } from '../charts/config';
import { ConfigError, ConfigIssue } from '../charts/lib/schema';
import { Shared } from '../charts/contracts/shared';
import { sharedOf } from '../charts/stack';
import { environmentConfig } from '../scripts/environment';

// Shared with the real-tool checks and the end-to-end run, so they live outside test/.
export { merge, rawEnvironment, synthStack } from '../scripts/environment';
export type { SynthesizedStack } from '../scripts/environment';

export const ROOT = path.resolve(__dirname, '..');

/** A validated config: an environment file with `overrides` merged on top. */
export function testConfig(overrides: Record<string, unknown> = {}, env = 'production'): StackConfig {
  return environmentConfig(env, overrides);
}

/** The issues a bad input raises; fails the test if it raised none. */
export function issuesOf(overrides: Record<string, unknown>, env = 'production'): ConfigIssue[] {
  try {
    testConfig(overrides, env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ConfigError, got a valid config');
}

/** What a component's chart or rule builder receives, for one section of a config: its slice, the shared pieces, no dependencies. */
export function propsOf<K extends keyof StackConfig>(config: StackConfig, section: K): { settings: StackConfig[K]; shared: Shared; dependsOn: [] } {
  return { settings: config[section], shared: sharedOf(config), dependsOn: [] };
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
