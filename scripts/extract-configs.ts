/**
 * Writes the files the stack's ConfigMaps hold, laid out as they are mounted, so the real tools
 * (promtool, amtool, the servers themselves) can read exactly what a pod would.
 *
 *   npx ts-node scripts/extract-configs.ts --env production --out /tmp/cfg
 *
 * writes `<out>/<namespace>/<configmap>/<key>` for every ConfigMap, and `<out>/workloads.json` with
 * the containers (image, args, env names) of every workload, for checks that start a server with
 * the flags the manifests give it. Nothing is read from dist/: the stack is synthesized in memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../charts/load-config';
import { synthesizeInMemory } from '../charts/synth';

/** Every manifest of an environment's stack, synthesized in memory. */
export function synthesizeManifests(environment: string): any[] {
  return Object.values(synthesizeInMemory(loadConfig(environment)).charts).flat();
}

/** Writes each ConfigMap's keys as files under `<outDir>/<namespace>/<name>/`; returns the directories written. */
export function extractConfigMaps(manifests: readonly any[], outDir: string): string[] {
  const dirs: string[] = [];
  for (const m of manifests.filter((x) => x.kind === 'ConfigMap')) {
    const dir = path.join(outDir, m.metadata.namespace ?? '_', m.metadata.name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [key, value] of Object.entries<string>(m.data ?? {})) fs.writeFileSync(path.join(dir, key), value);
    dirs.push(dir);
  }
  return dirs;
}

export interface WorkloadContainers {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly { name: string; image: string; args: string[]; env: string[] }[];
}

/** The containers of every Deployment, StatefulSet and DaemonSet. */
export function workloadContainers(manifests: readonly any[]): WorkloadContainers[] {
  return manifests
    .filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind))
    .map((m) => ({
      kind: m.kind,
      namespace: m.metadata.namespace,
      name: m.metadata.name,
      containers: m.spec.template.spec.containers.map((c: any) => ({
        name: c.name,
        image: c.image,
        args: c.args ?? [],
        env: (c.env ?? []).map((e: any) => e.name),
      })),
    }));
}

function main(argv: string[]): void {
  let env = 'production';
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) env = argv[++i];
    else if (argv[i] === '--out' && argv[i + 1]) out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument '${argv[i]}'; usage: extract-configs.ts [--env <name>] --out <dir>`);
  }
  if (!out) throw new Error('usage: extract-configs.ts [--env <name>] --out <dir>');
  const manifests = synthesizeManifests(env);
  const dirs = extractConfigMaps(manifests, out);
  fs.writeFileSync(path.join(out, 'workloads.json'), JSON.stringify(workloadContainers(manifests), null, 2));
  console.log(`extract-configs: ${env}: ${dirs.length} ConfigMaps under ${out}`);
}

if (require.main === module) main(process.argv.slice(2));
