/**
 * Synthesis with all-or-nothing output: every environment is validated first (all problems of all
 * environments reported together), then synthesized into a temporary directory beside the outputs,
 * and only when everything succeeded are the output directories swapped in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { StackConfig } from './config';
import { environments, loadConfig, CONFIG_DIR } from './load-config';
import { ConfigError, ConfigIssue } from './lib/schema';
import { Stack, buildGitOps, buildStack } from './stack';

/** The default environment; its manifests go to `dist/`, the others' to `dist-<environment>/`. */
export const DEFAULT_ENVIRONMENT = 'production';

/** Directory (relative to the repository root) that holds an environment's manifests. */
export function outputDirOf(environment: string): string {
  return environment === DEFAULT_ENVIRONMENT ? 'dist' : `dist-${environment}`;
}

/** Directory of the Argo CD Applications, one file per environment, outside every synced path. */
export const GITOPS_DIR = 'argocd';

export interface SynthOptions {
  /** Repository root. */
  readonly root: string;
  /** @default every environment with a file in config/ */
  readonly environments?: readonly string[];
  /** @default CONFIG_DIR */
  readonly configDir?: string;
}

/** Loads every environment's config, reporting the problems of all of them at once. */
export function loadAll(envs: readonly string[], configDir: string): Map<string, StackConfig> {
  const configs = new Map<string, StackConfig>();
  const issues: ConfigIssue[] = [];
  for (const env of envs) {
    try {
      configs.set(env, loadConfig(env, configDir));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues.map((i) => ({ ...i, path: envs.length > 1 ? `[${env}] ${i.path}` : i.path })));
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return configs;
}

/** An environment's stack built in memory: its charts and each chart's manifests, by chart id. Nothing is written. */
export interface InMemoryStack {
  readonly stack: Stack;
  readonly charts: Record<string, any[]>;
}

/** Builds the stack in memory, for checks and tests that read the manifests without writing files. */
export function synthesizeInMemory(config: StackConfig): InMemoryStack {
  const app = new App();
  const stack = buildStack(app, config);
  const charts: Record<string, any[]> = {};
  for (const child of app.node.children) if (child instanceof Chart) charts[child.node.id] = child.toJson();
  return { stack, charts };
}

function newApp(outdir: string): App {
  return new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
}

/**
 * Synthesizes into `<root>/<dir>` for each output directory. Returns the directories written.
 * Nothing in the outputs changes unless every environment validated and synthesized.
 */
export function synthesize(opts: SynthOptions): string[] {
  const configDir = opts.configDir ?? CONFIG_DIR;
  const all = environments(configDir);
  // Every environment is validated even when one is asked for: argocd/ holds them all.
  const configs = loadAll(all, configDir);
  const envs = opts.environments ?? all;

  const staging = fs.mkdtempSync(path.join(opts.root, '.synth-'));
  try {
    const written: string[] = [];
    for (const env of envs) {
      const config = configs.get(env);
      if (!config) throw new ConfigError([{ path: 'environment', message: `'${env}' has no file config/${env}.yaml`, fix: `use one of ${all.join(', ')}` }]);
      const dir = outputDirOf(env);
      const app = newApp(path.join(staging, dir));
      buildStack(app, config);
      app.synth();
      written.push(dir);
    }
    // The Argo CD Applications of every environment: always all of them, so argocd/ never loses one.
    const gitops = newApp(path.join(staging, GITOPS_DIR));
    for (const [env, config] of configs) buildGitOps(gitops, config, env);
    gitops.synth();
    written.push(GITOPS_DIR);

    for (const dir of written) swapIn(path.join(staging, dir), path.join(opts.root, dir));
    return written;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Replaces `target` by `fresh` with two renames, so a reader never sees a half-written directory. */
function swapIn(fresh: string, target: string): void {
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  fs.rmSync(old, { recursive: true, force: true });
}
