/**
 * Writes what scripts/checks/45-thanos/run.sh runs, from the stack as synthesized:
 *
 *   npx ts-node --transpile-only scripts/checks/45-thanos/prepare.ts --out <dir> --base-port <n>
 *
 * The environment is staging (where `thanos.enabled` is on) with Prometheus's production pair
 * (`prometheus.replicas: 2`), synthesized in memory. Written to `<out>`:
 * - `objstore-<type>.yml`: the synthesized objstore file for s3 (staging's) and for the gcs and
 *   azure options (staging with the type switched), for the real binary to parse;
 * - `objstore-fs.yml`: a FILESYSTEM bucket under `<out>/bucket`, standing in for S3 (no S3 server
 *   runs here);
 * - `prometheus-<i>.yml`: the synthesized prometheus.yml's `global` section (scrape interval and
 *   the `cluster`, `environment` and `replica: ${POD_NAME}` external labels the sidecar uploads
 *   with) and storage section, and its own `prometheus` job with the replicas' pod names turned
 *   into loopback ports; the other jobs need a cluster;
 * - `commands.json`: every process's arguments, taken from the synthesized containers with only
 *   paths and listen addresses replaced (a flag this file does not know and that carries a path or
 *   an address is refused, so a new flag cannot slip through unlocalized);
 * - `query-endpoints.yml` (the synthesized file with the DNS SRV names replaced by the loopback
 *   sidecars and store gateway) and `store-only-endpoints.yml` (the store gateway alone);
 * - `metrics.json`: the names of charts/thanos/metrics.ts, which the run expects on /metrics.
 * Ports: `--base-port` and the next 12.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { THANOS_PORTS } from '../../../charts/contracts/long-term';
import { THANOS_METRICS } from '../../../charts/thanos/metrics';
import { OBJSTORE_FILE, QUERY_ENDPOINTS_FILE } from '../../../charts/thanos/objstore';
import { environmentConfig, synthStack } from '../../environment';

type Manifest = any;

function find(all: Manifest[], kind: string, name: string): Manifest {
  const m = all.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!m) throw new Error(`no ${kind}/${name} in the synthesized staging stack`);
  return m;
}

function containerOf(workload: Manifest, name: string): { args: string[] } {
  const c = workload.spec.template.spec.containers.find((x: any) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${workload.kind}/${workload.metadata.name}`);
  return c;
}

/**
 * Replaces the flags named in `replace` (by flag name, the value after `=`); refuses any other flag
 * whose value is a path or a listen address, which would not work outside the pod.
 */
function localize(args: readonly string[], replace: Record<string, string>, what: string): string[] {
  const seen = new Set<string>();
  const out = args.map((a) => {
    const m = /^(--[a-z0-9.-]+)=(.*)$/.exec(a);
    if (!m) return a;
    const [, flag, value] = m;
    if (flag in replace) {
      seen.add(flag);
      return `${flag}=${replace[flag]}`;
    }
    if (value.startsWith('/') || /^[a-z0-9.-]*:[0-9]+$/.test(value) || value.startsWith('http')) {
      throw new Error(`${what}: flag ${flag}=${value} names a path or an address this check does not localize; add it to prepare.ts`);
    }
    return a;
  });
  const missing = Object.keys(replace).filter((f) => !seen.has(f));
  if (missing.length) throw new Error(`${what}: the synthesized container has no ${missing.join(', ')} any more; update prepare.ts`);
  return out;
}

function main(argv: string[]): void {
  let out: string | undefined;
  let base: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = path.resolve(argv[++i]);
    else if (argv[i] === '--base-port' && argv[i + 1]) base = Number(argv[++i]);
    else throw new Error(`unknown argument '${argv[i]}'; usage: prepare.ts --out <dir> --base-port <n>`);
  }
  if (!out || !base) throw new Error('usage: prepare.ts --out <dir> --base-port <n>');
  const port = {
    prom: [base, base + 1],
    sidecarHttp: [base + 2, base + 4],
    sidecarGrpc: [base + 3, base + 5],
    storeHttp: base + 6,
    storeGrpc: base + 7,
    queryHttp: base + 8,
    queryGrpc: base + 9,
    storeOnlyHttp: base + 10,
    storeOnlyGrpc: base + 11,
    compactorHttp: base + 12,
  };
  const local = (p: number) => `127.0.0.1:${p}`;
  fs.mkdirSync(out, { recursive: true });

  const overrides = { prometheus: { replicas: 2 } };
  const config = environmentConfig('staging', overrides);
  if (!config.thanos.enabled) throw new Error('staging no longer turns thanos on: point this check at the environment that does');
  const all = synthStack(config).all;

  // The object-store files as synthesized: staging's S3, and the GCS and Azure options.
  const thanosConfig = find(all, 'ConfigMap', 'thanos-config');
  fs.writeFileSync(path.join(out, 'objstore-s3.yml'), thanosConfig.data[OBJSTORE_FILE]);
  const variants = {
    gcs: { type: 'gcs' },
    azure: { type: 'azure', azure: { storageAccount: 'loveparsermetrics' } },
  };
  for (const [type, objectStorage] of Object.entries(variants)) {
    const cm = find(synthStack(environmentConfig('staging', { ...overrides, thanos: { objectStorage } })).all, 'ConfigMap', 'thanos-config');
    fs.writeFileSync(path.join(out, `objstore-${type}.yml`), cm.data[OBJSTORE_FILE]);
  }
  const objstore = path.join(out, 'objstore-fs.yml');
  fs.writeFileSync(objstore, YAML.stringify({ type: 'FILESYSTEM', config: { directory: path.join(out, 'bucket') } }));

  // Prometheus: the synthesized global and storage sections, its own job on loopback.
  const promConfigMap = find(all, 'ConfigMap', 'prometheus-config');
  const synthesized = YAML.parse(promConfigMap.data['prometheus.yml']);
  const selfJob = (synthesized.scrape_configs as any[]).find((j) => j.job_name === 'prometheus');
  if (!selfJob || selfJob.static_configs.length !== 2) throw new Error('the synthesized prometheus job does not list two replicas');
  const promJob = {
    ...selfJob,
    static_configs: selfJob.static_configs.map((sc: any, i: number) => ({ ...sc, targets: [local(port.prom[i])] })),
  };
  const promSts = find(all, 'StatefulSet', 'prometheus');
  const commands: Record<string, string[] | string[][]> = { prometheus: [], sidecar: [] };
  for (const i of [0, 1]) {
    const file = path.join(out, `prometheus-${i}.yml`);
    fs.writeFileSync(file, YAML.stringify({ global: synthesized.global, storage: synthesized.storage, scrape_configs: [promJob] }));
    (commands.prometheus as string[][]).push(
      localize(containerOf(promSts, 'prometheus').args, { '--config.file': file, '--storage.tsdb.path': path.join(out, `prom-${i}`), '--web.listen-address': local(port.prom[i]) }, 'prometheus'),
    );
    (commands.sidecar as string[][]).push(
      localize(
        containerOf(promSts, 'thanos-sidecar').args,
        {
          '--tsdb.path': path.join(out, `prom-${i}`),
          '--prometheus.url': `http://${local(port.prom[i])}`,
          '--grpc-address': local(port.sidecarGrpc[i]),
          '--http-address': local(port.sidecarHttp[i]),
          '--objstore.config-file': objstore,
        },
        'sidecar',
      ),
    );
  }

  // Query: the synthesized endpoint file, each DNS SRV name replaced by what it resolves to here.
  const synthesizedEndpoints = YAML.parse(thanosConfig.data[QUERY_ENDPOINTS_FILE]) as { endpoints: { address: string }[] };
  const resolved: Record<string, string[]> = {
    [`_${THANOS_PORTS.sidecarGrpcName}._tcp.`]: port.sidecarGrpc.map(local),
    '_grpc._tcp.thanos-store-headless.': [local(port.storeGrpc)],
  };
  const localEndpoints = (keep: (addr: string) => boolean) => ({
    endpoints: synthesizedEndpoints.endpoints.flatMap((e) => {
      const key = Object.keys(resolved).find((k) => e.address.includes(k));
      if (!key) throw new Error(`query endpoint ${e.address} is not one this check knows how to resolve; update prepare.ts`);
      return resolved[key].filter(() => keep(key)).map((address) => ({ ...e, address }));
    }),
  });
  const endpointsFile = path.join(out, 'query-endpoints.yml');
  const storeOnlyFile = path.join(out, 'store-only-endpoints.yml');
  fs.writeFileSync(endpointsFile, YAML.stringify(localEndpoints(() => true)));
  fs.writeFileSync(storeOnlyFile, YAML.stringify(localEndpoints((k) => k.includes('thanos-store'))));
  const queryArgs = containerOf(find(all, 'Deployment', 'thanos-query'), 'thanos-query').args;
  commands.query = localize(queryArgs, { '--grpc-address': local(port.queryGrpc), '--http-address': local(port.queryHttp), '--endpoint.sd-config-file': endpointsFile }, 'query');
  commands.queryStoreOnly = localize(queryArgs, { '--grpc-address': local(port.storeOnlyGrpc), '--http-address': local(port.storeOnlyHttp), '--endpoint.sd-config-file': storeOnlyFile }, 'query');
  commands.store = localize(
    containerOf(find(all, 'StatefulSet', 'thanos-store'), 'thanos-store').args,
    { '--data-dir': path.join(out, 'store'), '--objstore.config-file': objstore, '--grpc-address': local(port.storeGrpc), '--http-address': local(port.storeHttp) },
    'store',
  );
  commands.compactor = localize(
    containerOf(find(all, 'StatefulSet', 'thanos-compactor'), 'thanos-compactor').args,
    { '--data-dir': path.join(out, 'compact'), '--objstore.config-file': objstore, '--http-address': local(port.compactorHttp) },
    'compactor',
  );

  fs.writeFileSync(path.join(out, 'commands.json'), JSON.stringify(commands, null, 2));
  fs.writeFileSync(path.join(out, 'ports.json'), JSON.stringify(port, null, 2));
  fs.writeFileSync(path.join(out, 'metrics.json'), JSON.stringify(Object.values(THANOS_METRICS).map((m) => m.name)));
  fs.writeFileSync(path.join(out, 'external-labels.json'), JSON.stringify(synthesized.global.external_labels));
}

main(process.argv.slice(2));
