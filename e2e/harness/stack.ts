/**
 * Starts the whole monitoring path on 127.0.0.1, from the synthesized objects: PostgreSQL, Redis,
 * the reference backend, the three exporters, Alertmanager and Prometheus (the pinned binaries of
 * scripts/setup-tools.sh), and the notification sinks. `stop()` ends every process; call it in a
 * `finally`.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { StackConfig } from '../../charts/config';
import { StackEndpoints, stackEndpoints } from '../../charts/contracts/endpoints';
import { IMAGES, ImageName } from '../../charts/versions';
import { SynthesizedStack } from '../../scripts/environment';
import { Receivers, Sink, makeTlsCertificate } from '../receivers';
import { Localizer, TestSecrets } from './localize';
import { Postgres } from './postgres';
import { Proc, Processes, freePort, get, waitFor } from './proc';
import { Redis } from './redis';
import { ProbeSite } from './probe-site';

/** The repository root: `.tools/` is there, and the reference backend runs from it. */
const ROOT = path.resolve(__dirname, '..', '..');

/** Size of the reference backend's DB pool: 19 held of 20 is above the 0.9 alert ratio with one left for traffic. */
export const BACKEND_POOL_MAX = 20;

/** The pinned Go binaries the run needs, by image: scripts/setup-tools.sh builds them from tools/<dir>. */
const BINARIES = ['prometheus', 'alertmanager', 'nodeExporter', 'postgresExporter', 'redisExporter', 'blackboxExporter'] as const satisfies readonly ImageName[];
type Binary = (typeof BINARIES)[number];

export function binaryPath(image: Binary, name?: string): string {
  const dir = IMAGES[image].goModule.dir;
  return path.join(ROOT, '.tools', dir, 'bin', name ?? dir);
}

export interface VersionRow {
  readonly image: string;
  readonly pinned: string;
  readonly built: string;
}

/** The version each binary reports next to the tag the manifests pin. */
export function binaryVersions(): VersionRow[] {
  return BINARIES.map((image) => {
    const bin = binaryPath(image);
    if (!fs.existsSync(bin)) {
      throw new Error(`${bin} is missing: run 'bash scripts/setup-tools.sh ${IMAGES[image].goModule.dir}'`);
    }
    // redis_exporter prints its version as a log line on stderr; the others on stdout.
    const out = execFileSync(bin, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    let text = out;
    if (!/[0-9]+\.[0-9]+\.[0-9]+/.test(text)) {
      text = execFileSync('sh', ['-c', `"${bin}" --version 2>&1`], { encoding: 'utf8' });
    }
    const built = /v?([0-9]+\.[0-9]+\.[0-9]+)/.exec(text)?.[1] ?? 'unknown';
    return { image: IMAGES[image].repository, pinned: IMAGES[image].tag.replace(/^v/, ''), built };
  });
}

export interface RunningStack {
  readonly config: StackConfig;
  readonly synth: SynthesizedStack;
  readonly endpoints: StackEndpoints;
  readonly localizer: Localizer;
  readonly procs: Processes;
  readonly pg: Postgres;
  readonly redis: Redis;
  readonly receivers: Receivers;
  readonly secrets: TestSecrets;
  readonly backendUrl: string;
  /** Replica 0's; the scenarios read alerts from it (the HA scenarios switch to the other). */
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Every replica, by ordinal: its process and URL. */
  readonly prometheusReplicas: readonly { readonly proc: Proc; readonly url: string }[];
  readonly alertmanagerReplicas: readonly { readonly proc: Proc; readonly url: string }[];
  /** Local directory of Prometheus's configuration mount (prometheus.yml and the rule files). */
  readonly prometheusConfigDir: string;
  readonly alertmanagerConfigFile: string;
  /**
   * Stops the reference backend and starts it again on the same port with `env` added to its
   * environment (CONTRACT_METRICS_OFF, say); resolves once it is ready. In-process fault state
   * (held connections, a paused worker) is gone after it.
   */
  restartBackend(env?: Record<string, string>): Promise<void>;
  /** Timestamps (ms) of the phases of startup, for the report. */
  readonly timings: Record<string, number>;
  /** The https:// site probed as an external URL, when the run started one. */
  readonly probeSite?: ProbeSite;
  stop(): Promise<void>;
}

/** The test value of each Secret key the synthesized workloads reference, named from config (never typed). */
function testSecrets(c: StackConfig, pg: Postgres, redis: Redis, receivers: Receivers, smtpPassword: string): Record<string, string> {
  const am = c.alertmanager;
  const amKey = (k: string) => `${am.secretName}/${k}`;
  return {
    [`${c.postgresExporter.dsnSecret.name}/${c.postgresExporter.dsnSecret.key}`]: pg.monitorDsn,
    [`${c.redisExporter.secretName}/${c.redisExporter.addressKey}`]: redis.address,
    [`${c.redisExporter.secretName}/${c.redisExporter.passwordKey}`]: redis.password,
    [amKey(am.slack.webhookUrlKey)]: receivers.url('slack'),
    [amKey(am.email.passwordKey)]: smtpPassword,
    [amKey(am.pagerduty.routingKeyKey)]: `e2e-routing-key-${randomBytes(8).toString('hex')}`,
    [amKey(am.sms.urlKey)]: receivers.url('sms'),
    [amKey(am.sms.tokenKey)]: `e2e-sms-token-${randomBytes(8).toString('hex')}`,
    [amKey(am.heartbeat.urlKey)]: receivers.url('heartbeat'),
  };
}

/** What the run adds around the synthesized objects. */
export interface StackOptions {
  /**
   * The e2e's https:// probe site (probe-site.ts). The blackbox exporter trusts its CA through
   * SSL_CERT_FILE, as the image trusts the public CAs that sign the real URLs' certificates.
   */
  readonly probeSite?: ProbeSite;
}

export async function startStack(config: StackConfig, synth: SynthesizedStack, dir: string, opts: StackOptions = {}): Promise<RunningStack> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string) => (timings[phase] = Date.now() - t0);
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const procs = new Processes(logs);
  const ep = stackEndpoints(config.namespaces);
  let receivers: Receivers | undefined;

  try {
    // ---- notification sinks ------------------------------------------------------------------
    const tls = makeTlsCertificate(path.join(dir, 'tls'));
    const smtpPassword = randomBytes(12).toString('hex');
    const username = config.alertmanager.email.username;
    if (config.alertmanager.email.enabled && username === undefined) throw new Error('e2e: email is enabled without a username');
    receivers = new Receivers(tls, { username: username ?? '', password: smtpPassword });
    await receivers.start();
    const sinks = receivers;

    // ---- databases and the backend -----------------------------------------------------------
    const [pg, redis] = await Promise.all([Postgres.start(procs, path.join(dir, 'postgres')), Redis.start(procs, path.join(dir, 'redis'))]);
    mark('postgres+redis');
    const secrets = testSecrets(config, pg, redis, sinks, smtpPassword);
    const localizer = new Localizer(synth.all, path.join(dir, 'pods'), secrets);

    const port = async (e: (typeof ep)[keyof typeof ep]) => {
      const p = await freePort();
      localizer.run(e, { [e.portName]: p });
      return p;
    };
    const backendPort = await port(ep.backend);
    // StatefulSets run every replica the synthesized object asks for, each on its own local ports.
    const replicaPorts = async (e: (typeof ep)[keyof typeof ep]) => {
      const w = localizer.workload(e);
      const list: Record<string, number>[] = [];
      for (let i = 0; i < localizer.replicasOf(e); i++) {
        const ports: Record<string, number> = {};
        // One local port per container port number (gossip speaks TCP and UDP on the same one).
        const byNumber = new Map<number, number>();
        for (const p of w.spec.template.spec.containers.flatMap((c: any) => c.ports ?? [])) {
          if (!byNumber.has(p.containerPort)) byNumber.set(p.containerPort, await freePort());
          ports[p.name] = byNumber.get(p.containerPort)!;
        }
        list.push(ports);
      }
      localizer.runReplicas(e, list);
      return list;
    };
    const promPorts = await replicaPorts(ep.prometheus);
    const amPorts = await replicaPorts(ep.alertmanager);
    await port(ep.postgresExporter);
    await port(ep.redisExporter);
    await port(ep.nodeExporter);
    await port(ep.blackboxExporter);

    const backendArgs = ['-r', 'ts-node/register', path.join(__dirname, '..', 'reference-backend', 'main.ts')];
    const backendEnv = { DATABASE_URL: pg.appUrl, REDIS_URL: redis.url, PORT: String(backendPort), HOST: '127.0.0.1', DB_POOL_MAX: String(BACKEND_POOL_MAX) };
    let backend = procs.add('backend', process.execPath, backendArgs, { cwd: ROOT, env: backendEnv });
    const backendUrl = `http://127.0.0.1:${backendPort}`;
    backend.start();
    const restartBackend = async (env: Record<string, string> = {}) => {
      await backend.stop();
      // A new process on the same port: Prometheus scrapes the same target (same job, instance, pod).
      backend = procs.add('backend', process.execPath, backendArgs, { cwd: ROOT, env: { ...backendEnv, ...env } });
      backend.start();
      await backend.whileRunning(waitFor('the restarted reference backend to be ready', async () => (await get(`${backendUrl}/health/ready`)).ok, 60_000));
    };

    // ---- exporters: flags and environment as synthesized ------------------------------------
    const exporters: [Proc, string][] = [];
    for (const [image, endpoint] of [
      ['postgresExporter', ep.postgresExporter],
      ['redisExporter', ep.redisExporter],
      ['nodeExporter', ep.nodeExporter],
      ['blackboxExporter', ep.blackboxExporter],
    ] as const) {
      const inv = localizer.invocation(endpoint);
      const env = image === 'blackboxExporter' && opts.probeSite ? { ...inv.env, SSL_CERT_FILE: opts.probeSite.caFile } : inv.env;
      const p = procs.add(endpoint.name, binaryPath(image), inv.args, { env });
      p.start();
      exporters.push([p, `http://${localizer.localAddress(endpoint.namespace, endpoint.name, endpoint.portName)}/metrics`]);
    }

    // ---- Alertmanager: every replica, gossiping over loopback -------------------------------
    // Every replica's invocation first: each writes the shared ConfigMap directory as synthesized,
    // and alertmanager.yml is localized once, after the last of them.
    const amInvs = amPorts.map((_, i) => localizer.invocation(ep.alertmanager, undefined, i));
    const amInv = amInvs[0];
    const amConfigArg = amInv.args.find((a) => a.startsWith('--config.file='));
    if (!amConfigArg) throw new Error('the Alertmanager container has no --config.file flag');
    const alertmanagerConfigFile = amConfigArg.slice('--config.file='.length);
    const amConfigDir = path.dirname(alertmanagerConfigFile);
    const amMount = [...amInv.mounts].find(([, local]) => local === amConfigDir)?.[0];
    const amSource = localizer.configMap(ep.alertmanager.namespace, configMapOf(localizer, ep.alertmanager, amMount));
    fs.writeFileSync(
      alertmanagerConfigFile,
      localizer.alertmanagerConfig(amSource[path.basename(alertmanagerConfigFile)], amInv.mounts, {
        smtp: `127.0.0.1:${sinks.smtpPort}`,
        caFile: tls.caFile,
        pagerdutyUrl: sinks.url('pagerduty'),
      }),
    );
    // E2E_ALERTMANAGER_DEBUG=1 logs every flush, wait and send of each replica (docs/e2e.md): what
    // shows which replica sent a duplicate and why.
    const amDebug = process.env.E2E_ALERTMANAGER_DEBUG ? ['--log.level=debug'] : [];
    const alertmanagerReplicas = amPorts.map((ports, i) => {
      const inv = amInvs[i];
      const proc = procs.add(`alertmanager-${i}`, binaryPath('alertmanager'), [...inv.args, ...amDebug], { env: inv.env });
      proc.start();
      return { proc, url: `http://127.0.0.1:${ports[ep.alertmanager.portName]}` };
    });
    const alertmanagerUrl = alertmanagerReplicas[0].url;

    // ---- Prometheus: every replica ----------------------------------------------------------
    const promInv = localizer.invocation(ep.prometheus);
    const promConfigArg = promInv.args.find((a) => a.startsWith('--config.file='));
    if (!promConfigArg) throw new Error('the Prometheus container has no --config.file flag');
    const promConfigFile = promConfigArg.slice('--config.file='.length);
    const prometheusConfigDir = path.dirname(promConfigFile);
    const promSource = fs.readFileSync(promConfigFile, 'utf8');
    const prometheusReplicas = promPorts.map((ports, i) => {
      const inv = i === 0 ? promInv : localizer.invocation(ep.prometheus, undefined, i);
      // The replicas share the ConfigMap's directory, as their pods mount the same ConfigMap.
      fs.writeFileSync(promConfigFile, localizer.prometheusConfig(promSource, ep.prometheus));
      const proc = procs.add(`prometheus-${i}`, binaryPath('prometheus'), inv.args, { env: inv.env });
      proc.start();
      return { proc, url: `http://127.0.0.1:${ports[ep.prometheus.portName]}` };
    });
    const prometheusUrl = prometheusReplicas[0].url;
    fs.writeFileSync(path.join(dir, 'rewrites.txt'), localizer.rewrites.join('\n') + '\n');

    // ---- everything answers ------------------------------------------------------------------
    const ready = (p: Proc, url: string, what: string, timeoutMs = 60_000) => p.whileRunning(waitFor(what, async () => (await get(url)).ok, timeoutMs));
    await Promise.all([
      ready(backend, `${backendUrl}/health/ready`, 'the reference backend to be ready'),
      ...exporters.map(([p, url]) => ready(p, url, `${p.name} to serve ${url}`)),
      ...alertmanagerReplicas.map((r, i) => ready(r.proc, `${r.url}/-/ready`, `Alertmanager ${i} to be ready`)),
      ...prometheusReplicas.map((r, i) => ready(r.proc, `${r.url}/-/ready`, `Prometheus ${i} to be ready`)),
    ]);
    mark('processes ready');
    // Every target of the localized configuration scraped successfully at least once, by every replica.
    for (const r of prometheusReplicas) {
      await r.proc.whileRunning(
        waitFor(
          `every target of ${r.proc.name} to be up`,
          async () => {
            const body: any = await (await get(`${r.url}/api/v1/targets?state=active`)).json();
            const targets: any[] = body.data.activeTargets;
            const down = targets.filter((t) => t.health !== 'up');
            if (targets.length > 0 && down.length === 0) return true;
            throw new Error(`down: ${down.map((t) => `${t.labels.job} ${t.scrapeUrl} ${t.lastError}`).join('; ')}`);
          },
          60_000,
          500,
        ),
      );
    }
    // The Alertmanagers form one cluster: each sees every replica as a member.
    for (const r of alertmanagerReplicas) {
      await r.proc.whileRunning(
        waitFor(
          `${r.proc.name} to see ${alertmanagerReplicas.length} cluster members`,
          async () => {
            const st: any = await (await get(`${r.url}/api/v2/status`)).json();
            if (!st.config?.original) throw new Error('no configuration');
            const peers = (st.cluster?.peers ?? []).length;
            if (peers === alertmanagerReplicas.length && st.cluster?.status === 'ready') return true;
            throw new Error(`cluster ${st.cluster?.status} with ${peers} peers`);
          },
          90_000,
          500,
        ),
      );
    }
    mark('targets up');

    return {
      probeSite: opts.probeSite,
      config,
      synth,
      endpoints: ep,
      localizer,
      procs,
      pg,
      redis,
      receivers: sinks,
      secrets,
      backendUrl,
      prometheusUrl,
      alertmanagerUrl,
      prometheusReplicas,
      alertmanagerReplicas,
      prometheusConfigDir,
      alertmanagerConfigFile,
      restartBackend,
      timings,
      stop: async () => {
        await procs.stopAll();
        await sinks.stop();
      },
    };
  } catch (e) {
    await procs.stopAll();
    await receivers?.stop();
    throw e;
  }
}

/** The ConfigMap mounted at `mountPath` of an endpoint's workload. */
function configMapOf(localizer: Localizer, endpoint: (StackEndpoints)[keyof StackEndpoints], mountPath: string | undefined): string {
  const pod = localizer.workload(endpoint).spec.template.spec;
  const vm = pod.containers[0].volumeMounts?.find((m: any) => m.mountPath === mountPath);
  const cm = pod.volumes?.find((v: any) => v.name === vm?.name)?.configMap?.name;
  if (!cm) throw new Error(`${endpoint.name}: no ConfigMap mounted at ${mountPath}`);
  return cm;
}

/** The receivers amtool says an alert with these labels reaches, with the configuration that runs. */
export function routedReceivers(configFile: string, labels: Record<string, string>): string[] {
  const out = execFileSync(
    binaryPath('alertmanager', 'amtool'),
    ['config', 'routes', 'test', `--config.file=${configFile}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)],
    { encoding: 'utf8' },
  );
  return out
    .trim()
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Alertmanager's default `send_resolved` per integration, where a config leaves it out. */
const SEND_RESOLVED_DEFAULT: Record<Sink, boolean> = { slack: false, email: false, pagerduty: true, sms: true, heartbeat: true };

/** The sinks each receiver of the running alertmanager.yml notifies, and whether it sends resolved notifications there. */
export function receiverSinks(configFile: string, smsUrl: string, heartbeatUrl: string): Map<string, Map<Sink, boolean>> {
  const cfg = YAML.parse(fs.readFileSync(configFile, 'utf8'));
  const out = new Map<string, Map<Sink, boolean>>();
  for (const r of cfg.receivers as any[]) {
    const sinks = new Map<Sink, boolean>();
    const add = (sink: Sink, integrations: any[] | undefined) => {
      for (const i of integrations ?? []) sinks.set(sink, i.send_resolved ?? SEND_RESOLVED_DEFAULT[sink]);
    };
    add('slack', r.slack_configs);
    add('email', r.email_configs);
    add('pagerduty', r.pagerduty_configs);
    for (const w of r.webhook_configs ?? []) {
      const target = w.url_file ? fs.readFileSync(w.url_file, 'utf8').trim() : w.url;
      if (target === smsUrl) add('sms', [w]);
      else if (target === heartbeatUrl) add('heartbeat', [w]);
      else throw new Error(`receiver ${r.name}: webhook to ${target} has no sink in the e2e`);
    }
    out.set(r.name, sinks);
  }
  return out;
}
