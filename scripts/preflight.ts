/**
 * Checks, read-only, that a cluster has what an environment needs before `kubectl apply -f dist/`
 * (or Argo CD) can start every pod:
 *
 *   npm run preflight [-- --env <environment>] [--config <dir>] [--context <name>] [--argocd]
 *
 * The Secrets and keys the enabled receivers and the other workloads read, their namespaces, the
 * StorageClass of every claim (or a default one), no other pod on a host port of the stack (the node
 * exporter's), a Kubernetes release the manifests are tested on, and with --argocd the Argo CD
 * namespace and CRDs. Prints a checklist with the fix of each failure (docs/preflight.md).
 *
 * Exit: 0 every check passed, 1 a check failed (an unreachable cluster included), 2 it could not run
 * (a bad command line or an invalid configuration). kubectl: KUBECTL or `kubectl` from PATH, with
 * its own KUBECONFIG.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../charts/lib/schema';
import { ENVIRONMENTS_DIR } from '../charts/load-config';
import { loadInputs } from '../charts/synth';
import { exitCodeOf, formatChecklist, needsOf, runChecks } from './preflight/checks';
import { kubectlReader } from './preflight/kubectl';
import { stackFiles } from './preflight/stack';

const USAGE = 'usage: npm run preflight -- [--env <environment>] [--config <dir>] [--context <name>] [--argocd]';

interface Args {
  readonly env: string;
  readonly configDir: string;
  readonly context?: string;
  readonly argocd: boolean;
}

function parseArgs(argv: string[]): Args | string {
  let env = 'production';
  let configDir = ENVIRONMENTS_DIR;
  let context: string | undefined;
  let argocd = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--env' && argv[i + 1]) env = argv[++i];
    else if (a === '--config' && argv[i + 1]) configDir = path.resolve(argv[++i]);
    else if (a === '--context' && argv[i + 1]) context = argv[++i];
    else if (a === '--argocd') argocd = true;
    else return `unknown argument '${a}'; ${USAGE}`;
  }
  if (!fs.existsSync(configDir) || !fs.statSync(configDir).isDirectory()) return `--config ${configDir}: no such directory; ${USAGE}`;
  return { env, configDir, argocd, ...(context ? { context } : {}) };
}

function main(argv: string[]): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(args);
    return 2;
  }
  let inputs;
  try {
    inputs = loadInputs([args.env], args.configDir);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return 2;
  }
  const config = inputs.configs.get(args.env)!;
  const files = stackFiles(config, inputs.customDashboards);
  const needs = needsOf(config, files.distDir, files.dist, args.argocd ? files.gitops : undefined);
  const reader = kubectlReader({ kubectl: process.env.KUBECTL || 'kubectl', ...(args.context ? { context: args.context } : {}) });
  const results = runChecks(needs, reader);
  console.log(formatChecklist(`preflight of ${args.env} against context ${reader.context() ?? '(none)'}, read-only:`, results));
  const code = exitCodeOf(results);
  if (code === 0) console.log(`ready: kubectl apply -f ${files.distDir}/${args.argocd ? `  (or kubectl apply -f ${files.gitops.file})` : ''}`);
  return code;
}

process.exitCode = main(process.argv.slice(2));
