/**
 * Writes what scripts/checks/45-thanos/run.sh runs, from the stack as synthesized:
 *
 *   npx ts-node --transpile-only scripts/checks/45-thanos/prepare.ts --out <dir> --base-port <n>
 *
 * The environment is staging (where `thanos.enabled` is on) with Prometheus's production pair
 * (`prometheus.replicas: 2`), synthesized in memory. Written to `<out>`:
 * - `objstore-<type>.yml`: the synthesized objstore file for s3 (staging's, refused unless it is
 *   byte for byte the one committed in dist-staging/) and for the gcs and azure options (staging
 *   with the type switched), for the real binary to parse;
 * - `objstore-s3-local.yml`: staging's S3 file with only `endpoint` rewritten to the loopback S3
 *   server (`--s3-endpoint`) and `insecure: true` (that server speaks plain HTTP: no TLS here);
 *   every other line, the `$(VARIABLE)` credentials included, is the synthesized one. The sidecars,
 *   store gateway and compactor run with it;
 * - `objstore-env.json`: per component (sidecar, store, compactor), the variables its synthesized
 *   container sets from the Secret: `{ secret, env: { VARIABLE: key } }`, so that the run sets
 *   them as the pods get them;
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
 * Ports: `--base-port` and the next 12; the S3 server's port is `--s3-endpoint`'s.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { THANOS_PORTS } from '../../../charts/contracts/long-term';
import { THANOS_METRICS } from '../../../charts/thanos/metrics';
import { OBJSTORE_FILE, QUERY_ENDPOINTS_FILE } from '../../../charts/thanos/objstore';
import { outputDirOf } from '../../../charts/synth';
import { environmentConfig, synthStack } from '../../environment';

type Manifest = any;

function find(all: Manifest[], kind: string, name: string): Manifest {
  const m = all.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!m) throw new Error(`no ${kind}/${name} in the synthesized staging stack`);
  return m;
}

function containerOf(workload: Manifest, name: string): { args: string[]; env?: Manifest[] } {
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

/** The variables a container sets from one Secret: `{ secret, env: { VARIABLE: key } }`. */
function secretEnvOf(c: { env?: Manifest[] }, what: string): { secret: string; env: Record<string, string> } {
  const refs = (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
  const secrets = [...new Set(refs.map((e) => e.valueFrom.secretKeyRef.name as string))];
  if (secrets.length !== 1) throw new Error(`${what}: expected its credentials from exactly one Secret, found ${secrets.length}`);
  return { secret: secrets[0], env: Object.fromEntries(refs.map((e) => [e.name, e.valueFrom.secretKeyRef.key])) };
}

/**
 * Staging's S3 file with only `endpoint` pointing at the loopback server and `insecure: true`
 * (plain HTTP: the loopback server has no TLS certificate). Line edits, not a re-serialization, so
 * every other byte is the synthesized one; the parsed result is held to differ in those two keys only.
 */
function localS3(synthesized: string, endpoint: string): string {
  const edited = synthesized.replace(/^(\s+endpoint: ).*$/m, `$1"${endpoint}"`).replace(/^(\s+insecure: ).*$/m, '$1true');
  const a = YAML.parse(synthesized);
  const b = YAML.parse(edited);
  if (a.type !== 'S3' || b.config.endpoint !== endpoint || b.config.insecure !== true) {
    throw new Error(`staging's objstore file is not an S3 file with endpoint and insecure lines; update prepare.ts:\n${synthesized}`);
  }
  const changed = Object.keys({ ...a.config, ...b.config }).filter((k) => JSON.stringify(a.config[k]) !== JSON.stringify(b.config[k]));
  const expected = a.config.insecure === true ? ['endpoint'] : ['endpoint', 'insecure'];
  if (JSON.stringify(changed) !== JSON.stringify(expected) || JSON.stringify({ ...a, config: undefined }) !== JSON.stringify({ ...b, config: undefined })) {
    throw new Error(`the loopback S3 file differs from staging's in ${changed.join(', ')}, not only in ${expected.join(', ')}`);
  }
  return edited;
}

/** The objstore file of the `thanos-config` ConfigMap committed in an environment's output directory. */
function committedObjstore(env: string): string {
  const dir = outputDirOf(env);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const m = doc.toJSON();
      if (m?.kind === 'ConfigMap' && m.metadata?.name === 'thanos-config') return m.data[OBJSTORE_FILE];
    }
  }
  throw new Error(`no ConfigMap thanos-config in ${dir}/`);
}

function main(argv: string[]): void {
  let out: string | undefined;
  let base: number | undefined;
  let s3Endpoint: string | undefined;
  const usage = 'usage: prepare.ts --out <dir> --base-port <n> --s3-endpoint 127.0.0.1:<port>';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = path.resolve(argv[++i]);
    else if (argv[i] === '--base-port' && argv[i + 1]) base = Number(argv[++i]);
    else if (argv[i] === '--s3-endpoint' && argv[i + 1]) s3Endpoint = argv[++i];
    else throw new Error(`unknown argument '${argv[i]}'; ${usage}`);
  }
  if (!out || !base || !s3Endpoint) throw new Error(usage);
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
  const s3 = thanosConfig.data[OBJSTORE_FILE] as string;
  if (s3 !== committedObjstore('staging')) throw new Error(`staging's objstore file synthesized here differs from ${outputDirOf('staging')}/: run npm run synth`);
  fs.writeFileSync(path.join(out, 'objstore-s3.yml'), s3);
  const variants = {
    gcs: { type: 'gcs' },
    azure: { type: 'azure', azure: { storageAccount: 'loveparsermetrics' } },
  };
  for (const [type, objectStorage] of Object.entries(variants)) {
    const cm = find(synthStack(environmentConfig('staging', { ...overrides, thanos: { objectStorage } })).all, 'ConfigMap', 'thanos-config');
    fs.writeFileSync(path.join(out, `objstore-${type}.yml`), cm.data[OBJSTORE_FILE]);
  }
  const objstore = path.join(out, 'objstore-s3-local.yml');
  fs.writeFileSync(objstore, localS3(s3, s3Endpoint));

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

  fs.writeFileSync(
    path.join(out, 'objstore-env.json'),
    JSON.stringify(
      {
        sidecar: secretEnvOf(containerOf(promSts, 'thanos-sidecar'), 'sidecar'),
        store: secretEnvOf(containerOf(find(all, 'StatefulSet', 'thanos-store'), 'thanos-store'), 'store'),
        compactor: secretEnvOf(containerOf(find(all, 'StatefulSet', 'thanos-compactor'), 'thanos-compactor'), 'compactor'),
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(out, 'commands.json'), JSON.stringify(commands, null, 2));
  fs.writeFileSync(path.join(out, 'ports.json'), JSON.stringify(port, null, 2));
  fs.writeFileSync(path.join(out, 'metrics.json'), JSON.stringify(Object.values(THANOS_METRICS).map((m) => m.name)));
  fs.writeFileSync(path.join(out, 'external-labels.json'), JSON.stringify(synthesized.global.external_labels));
}

main(process.argv.slice(2));
