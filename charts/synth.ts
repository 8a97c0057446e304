/**
 * Synthesis with all-or-nothing output: every environment is validated first (all problems of all
 * environments reported together), then synthesized into a temporary directory beside the outputs,
 * and only when everything succeeded are the output directories swapped in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { StackConfig } from './config';
import { environments, loadConfig, strayConfigFiles, ENVIRONMENTS_DIR } from './load-config';
import { ConfigError, ConfigIssue, show } from './lib/schema';
import { CUSTOM_DASHBOARDS_DIR, CustomDashboard, loadCustomDashboards } from './grafana/custom';
import { Stack, buildGitOps, buildStack, manifestsOf } from './stack';

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
  /** @default ENVIRONMENTS_DIR */
  readonly configDir?: string;
  /** @default CUSTOM_DASHBOARDS_DIR */
  readonly dashboardsDir?: string;
}

/** Every environment's validated config and the validated custom dashboards: the inputs of a synthesis. */
export interface Inputs {
  readonly configs: Map<string, StackConfig>;
  readonly customDashboards: readonly CustomDashboard[];
}

/** Runs `f`, adding the problems of a ConfigError it throws to `issues` (each path prefixed with `[env]` when given). */
function collect<T>(issues: ConfigIssue[], f: () => T, env?: string): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues.map((i) => ({ ...i, path: env !== undefined ? `[${env}] ${i.path}` : i.path })));
    return undefined;
  }
}

/**
 * Loads every environment's config and the custom dashboards, reporting the problems of all of them
 * at once (one ConfigError).
 */
export function loadInputs(envs: readonly string[], configDir: string, dashboardsDir: string = CUSTOM_DASHBOARDS_DIR): Inputs {
  const issues: ConfigIssue[] = [...strayConfigFiles(configDir)];
  const configs = new Map<string, StackConfig>();
  for (const env of envs) {
    const config = collect(issues, () => loadConfig(env, configDir), envs.length > 1 ? env : undefined);
    if (config !== undefined) configs.set(env, config);
  }
  issues.push(...environmentChecks(configs));
  const customDashboards = collect(issues, () => loadCustomDashboards(dashboardsDir)) ?? [];
  if (issues.length > 0) throw new ConfigError(issues);
  return { configs, customDashboards };
}

/**
 * Checks across environments: each Application syncs its own environment's directory, and no two
 * sync the same one (two Applications owning the same objects fight over them, and deleting one
 * deletes what the other still needs).
 */
export function environmentChecks(configs: ReadonlyMap<string, StackConfig>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const bySource = new Map<string, string>();
  for (const [env, c] of configs) {
    const a = c.argocd;
    const dir = outputDirOf(env);
    const last = a.path.replace(/\/+$/, '').split('/').pop();
    if (last !== dir) {
      issues.push({
        path: `[${env}] argocd.path`,
        message: `is ${show(a.path)}, but the manifests of ${env} are written to ${dir}/`,
        fix: `set argocd.path to '${dir}' (or '<folder>/${dir}' when this repository is a folder of a larger one)`,
      });
    }
    const source = `${a.repoURL.replace(/\.git$/, '').replace(/\/+$/, '')} ${a.targetRevision} ${a.path.replace(/\/+$/, '')}`;
    const other = bySource.get(source);
    if (other !== undefined) {
      issues.push({
        path: `[${env}] argocd.path`,
        message: `is ${show(a.path)} at ${show(a.targetRevision)} of the repository, the same as the Application of ${other}: two Applications would own the same objects`,
        fix: `give each environment its own path ('${dir}' for ${env})`,
      });
    } else bySource.set(source, env);
  }
  return issues;
}

/** Loads every environment's config, reporting the problems of all of them at once. */
export function loadAll(envs: readonly string[], configDir: string): Map<string, StackConfig> {
  return loadInputs(envs, configDir).configs;
}

/** An environment's stack built in memory: its charts and each chart's manifests, by chart id. Nothing is written. */
export interface InMemoryStack {
  readonly stack: Stack;
  readonly charts: Record<string, any[]>;
}

/** Builds the stack in memory, for checks and tests that read the manifests without writing files. */
export function synthesizeInMemory(config: StackConfig, customDashboards: readonly CustomDashboard[] = loadCustomDashboards()): InMemoryStack {
  const app = new App();
  const stack = buildStack(app, config, customDashboards);
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
  const configDir = opts.configDir ?? ENVIRONMENTS_DIR;
  const all = environments(configDir);
  const envs = opts.environments ?? all;
  const unknown = envs.filter((e) => !all.includes(e));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((e) => ({ path: 'environment', message: `'${e}' has no file config/${e}.yaml`, fix: `use one of ${all.join(', ')}` })));
  }
  // Every environment is validated even when one is asked for: argocd/ holds them all.
  const { configs, customDashboards } = loadInputs(all, configDir, opts.dashboardsDir);

  const staging = fs.mkdtempSync(path.join(opts.root, '.synth-'));
  try {
    // Every chart of every environment is built before anything is written: a problem found while
    // building (a dashboard set that does not fit, say) is reported with all the others.
    const issues: ConfigIssue[] = [];
    const apps: [string, App][] = [];
    for (const env of envs) {
      const dir = outputDirOf(env);
      const app = newApp(path.join(staging, dir));
      if (collect(issues, () => buildStack(app, configs.get(env)!, customDashboards), envs.length > 1 ? env : undefined)) apps.push([dir, app]);
    }
    if (issues.length > 0) throw new ConfigError(issues);
    // The Argo CD Applications and projects of every environment: always all of them, so argocd/
    // never loses one; each project allows what its environment's manifests hold.
    const gitops = newApp(path.join(staging, GITOPS_DIR));
    for (const [env, config] of configs) {
      const built = apps.find(([dir]) => dir === outputDirOf(env))?.[1];
      const manifests = built ? manifestsOf(built) : Object.values(synthesizeInMemory(config, customDashboards).charts).flat();
      buildGitOps(gitops, config, env, manifests);
    }

    for (const [, app] of apps) app.synth();
    gitops.synth();
    const written = [...apps.map(([dir]) => dir), GITOPS_DIR];
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
