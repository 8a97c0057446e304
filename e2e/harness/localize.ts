/**
 * Runs the synthesized workloads as local processes, changing only what cannot exist outside a
 * cluster. Everything else (flags, environment, prometheus.yml, rule files, alertmanager.yml,
 * templates) is taken from the synthesized objects as they are. The changes, all of them:
 *
 * 1. Kubernetes discovery -> static targets on 127.0.0.1 for the same jobs. Each target carries
 *    the `__meta_kubernetes_pod_*` labels the pod role would give the workload's pod, so the
 *    synthesized relabeling runs unchanged (it keeps the named port, drops non-running pods, copies
 *    namespace and pod). A workload that the run does not start has no target, as when discovery
 *    finds no pod.
 * 2. Listen addresses and Service DNS names (`<svc>.<ns>.svc:<port>`) -> 127.0.0.1 and the port the
 *    local process of that workload listens on. `localhost:<own port>` follows the same mapping. A
 *    StatefulSet runs one process per replica: a pod's stable DNS name
 *    (`<name>-<i>.<headless>.<ns>.svc:<port>`, Alertmanager's gossip peers, Prometheus's own job)
 *    becomes that replica's local port, DNS discovery of a headless Service (`dns_sd_configs`)
 *    becomes static targets of every replica, the pod's own IP (`status.podIP`) 127.0.0.1 and its
 *    name (`metadata.name`) `<name>-<i>`, as the downward API would give them.
 * 3. Mounted volumes -> directories of the run: ConfigMaps are written as synthesized, Secrets get
 *    test values, hostPath volumes are the host paths themselves; paths in flags and in the
 *    configuration files are rewritten from the mount path to that directory.
 * 4. Receivers outside the cluster -> the local sinks: the SMTP smarthost (with the sink's
 *    throwaway CA as `tls_config.ca_file`, since STARTTLS is required) and PagerDuty's Events API
 *    URL (`global.pagerduty_url`). Slack and the SMS webhook already come from Secret files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ServiceEndpoint } from '../../charts/lib/endpoints';

type Manifest = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** The test value of every Secret key a workload references, as `<secret>/<key>`. */
export type TestSecrets = Readonly<Record<string, string>>;

/** A workload the run starts, and the local port of each of its named container ports, per replica. */
export interface LocalWorkload {
  readonly endpoint: ServiceEndpoint;
  /** Replica 0's ports (a Deployment or DaemonSet runs one local process). */
  readonly ports: Readonly<Record<string, number>>;
  /** Every replica's ports, by ordinal. */
  readonly replicas: readonly Readonly<Record<string, number>>[];
}

/** What to execute for one synthesized container. */
export interface Invocation {
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Mount path in the pod -> directory on this machine. */
  readonly mounts: ReadonlyMap<string, string>;
}

export class Localizer {
  /** Every rewrite made, for the run's log (`rewrites.txt`): what differs from the synthesized objects. */
  readonly rewrites: string[] = [];
  /** Scrape jobs left without a target: their components do not run in the e2e. */
  readonly unscraped: string[] = [];
  private readonly local = new Map<string, LocalWorkload>();

  constructor(
    readonly manifests: readonly Manifest[],
    /** Directory that holds the mounted volumes of every workload. */
    readonly root: string,
    private readonly secrets: TestSecrets,
  ) {}

  /** Declares that the run starts `endpoint`'s workload, listening on `ports` (by container port name). */
  run(endpoint: ServiceEndpoint, ports: Record<string, number>): void {
    this.runReplicas(endpoint, [ports]);
  }

  /** Declares that the run starts each replica of `endpoint`'s StatefulSet, replica i on `ports[i]`. */
  runReplicas(endpoint: ServiceEndpoint, ports: Record<string, number>[]): void {
    this.workload(endpoint); // throws if the stack has no such workload
    if (ports.length === 0) throw new Error(`${endpoint.name}: no replica to run`);
    this.local.set(key(endpoint.namespace, endpoint.name), { endpoint, ports: ports[0], replicas: ports });
  }

  /** The replica count the synthesized workload asks for (1 for a Deployment or DaemonSet without one). */
  replicasOf(endpoint: ServiceEndpoint): number {
    return this.workload(endpoint).spec.replicas ?? 1;
  }

  /** The synthesized workload (Deployment, StatefulSet or DaemonSet) behind an endpoint. */
  workload(endpoint: ServiceEndpoint): Manifest {
    const w = this.manifests.find((m) => WORKLOAD_KINDS.includes(m.kind) && m.metadata.namespace === endpoint.namespace && m.metadata.name === endpoint.name);
    if (!w) throw new Error(`the synthesized stack has no workload ${endpoint.namespace}/${endpoint.name}`);
    return w;
  }

  configMap(namespace: string, name: string): Record<string, string> {
    const cm = this.manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.namespace === namespace && m.metadata.name === name);
    if (!cm) throw new Error(`the synthesized stack has no ConfigMap ${namespace}/${name}`);
    return cm.data ?? {};
  }

  /** The local address (127.0.0.1:port) of a workload's named port (of one replica), if the run starts it. */
  localAddress(namespace: string, workload: string, portName: string, ordinal = 0): string | undefined {
    const port = this.local.get(key(namespace, workload))?.replicas[ordinal]?.[portName];
    return port === undefined ? undefined : `127.0.0.1:${port}`;
  }

  /** Every running replica's local address of a named port. */
  replicaAddresses(namespace: string, workload: string, portName: string): string[] {
    const l = this.local.get(key(namespace, workload));
    return (l?.replicas ?? []).flatMap((p) => (p[portName] === undefined ? [] : [`127.0.0.1:${p[portName]}`]));
  }

  /** The name the pod of replica `ordinal` has in the cluster. */
  podName(w: Manifest, ordinal: number): string {
    return w.kind === 'StatefulSet' ? `${w.metadata.name}-${ordinal}` : `${w.metadata.name}-e2e`;
  }

  /**
   * Args, env and mounted files of a synthesized container (of replica `ordinal`), made runnable
   * here. ConfigMaps and Secrets are shared by the replicas (the same objects in the cluster);
   * claims and emptyDirs are each replica's own.
   */
  invocation(endpoint: ServiceEndpoint, containerName?: string, ordinal = 0): Invocation {
    const w = this.workload(endpoint);
    const pod = w.spec.template.spec;
    const c = containerName ? pod.containers.find((x: any) => x.name === containerName) : pod.containers[0];
    if (!c) throw new Error(`${endpoint.name} has no container ${containerName}`);
    const ns = endpoint.namespace;
    const where = ordinal === 0 ? endpoint.name : `${endpoint.name}-${ordinal}`;
    const mounts = new Map<string, string>();
    for (const vm of c.volumeMounts ?? []) mounts.set(vm.mountPath, this.materialize(w, vm.name, vm.mountPath, ordinal));

    const rewrite = (s: string, at: string) => this.rewriteString(s, { namespace: ns, mounts, own: endpoint, container: c, where: at, ordinal });
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = rewrite(e.value, `${where} env ${e.name}`);
      else if (e.valueFrom?.secretKeyRef) env[e.name] = this.secret(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, `${where} env ${e.name}`);
      else if (e.valueFrom?.configMapKeyRef) env[e.name] = this.configMap(ns, e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
      else if (e.valueFrom?.fieldRef) env[e.name] = this.downward(w, e.valueFrom.fieldRef.fieldPath, ordinal, `${where} env ${e.name}`);
      else throw new Error(`${endpoint.name} env ${e.name}: only value, secretKeyRef, configMapKeyRef and fieldRef are supported by the e2e`);
    }
    if ((c.envFrom ?? []).length > 0) throw new Error(`${endpoint.name}: envFrom is not supported by the e2e`);
    // The kubelet expands $(VAR) in args from the container's environment.
    const expanded = (c.args ?? []).map((a: string) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m));
    const args = expanded.map((a: string) => rewrite(a, `${where} args`));
    return { args, env, mounts };
  }

  /** A downward-API field of replica `ordinal`'s pod, as it is here. */
  private downward(w: Manifest, fieldPath: string, ordinal: number, where: string): string {
    const value: Record<string, string> = {
      'metadata.name': this.podName(w, ordinal),
      'metadata.namespace': w.metadata.namespace!,
      'status.podIP': '127.0.0.1',
      'spec.nodeName': os.hostname(),
    };
    const v = value[fieldPath];
    if (v === undefined) throw new Error(`${where}: fieldRef ${fieldPath} is not supported by the e2e`);
    this.rewrites.push(`${where}: fieldRef ${fieldPath} -> ${v}`);
    return v;
  }

  private secret(name: string, k: string, where: string): string {
    const v = this.secrets[`${name}/${k}`];
    if (v === undefined) throw new Error(`${where} reads Secret ${name} key ${k}, which the e2e has no test value for`);
    this.rewrites.push(`${where}: Secret ${name}/${k} -> test value`);
    return v;
  }

  /** Creates the local directory of a mounted volume and fills it like the kubelet would. */
  private materialize(w: Manifest, volumeName: string, mountPath: string, ordinal = 0): string {
    const pod = w.spec.template.spec;
    const v = (pod.volumes ?? []).find((x: any) => x.name === volumeName);
    const claim = (w.spec.volumeClaimTemplates ?? []).find((x: any) => x.metadata.name === volumeName);
    const own = claim || v?.emptyDir;
    const dir = path.join(this.root, own && ordinal > 0 ? `${w.metadata.name}-${ordinal}` : w.metadata.name, mountPath);
    if (v?.hostPath) {
      this.rewrites.push(`${w.metadata.name}: hostPath ${v.hostPath.path} mounted at ${mountPath} -> ${v.hostPath.path}`);
      return v.hostPath.path;
    }
    fs.mkdirSync(dir, { recursive: true });
    if (v?.configMap) {
      const data = this.configMap(w.metadata.namespace!, v.configMap.name);
      const items: { key: string; path: string }[] = v.configMap.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
      for (const it of items) fs.writeFileSync(path.join(dir, it.path), data[it.key]);
      this.rewrites.push(`${w.metadata.name}: ConfigMap ${v.configMap.name} at ${mountPath} -> ${dir} (content as synthesized)`);
    } else if (v?.secret) {
      const items: { key: string; path: string }[] | undefined = v.secret.items;
      if (!items) throw new Error(`${w.metadata.name}: Secret volume ${volumeName} without items; the e2e needs the keys listed`);
      for (const it of items) fs.writeFileSync(path.join(dir, it.path), this.secret(v.secret.secretName, it.key, `${w.metadata.name} volume ${volumeName}`), { mode: 0o600 });
    } else if (v?.emptyDir || claim) {
      this.rewrites.push(`${w.metadata.name}: ${claim ? 'claim' : 'emptyDir'} ${volumeName} at ${mountPath} -> ${dir}`);
    } else {
      throw new Error(`${w.metadata.name}: volume ${volumeName} has a kind the e2e does not support`);
    }
    return dir;
  }

  /**
   * Rewrites one string: mount paths to local directories, `<svc>.<ns>.svc:<port>` to the local
   * address of that Service's workload, and a listen address on one of the container's own ports to
   * 127.0.0.1 and its local port.
   */
  rewriteString(
    s: string,
    ctx: { namespace: string; mounts: ReadonlyMap<string, string>; own?: ServiceEndpoint; container?: any; where: string; ordinal?: number },
  ): string {
    let out = s;
    const ordinal = ctx.ordinal ?? 0;
    // Longest mount path first, so /etc/x/config wins over /etc/x.
    for (const [mountPath, local] of [...ctx.mounts].sort(([a], [b]) => b.length - a.length)) {
      out = out.replace(new RegExp(`(^|[=:\\s"'])${escapeRe(mountPath)}(?=/|$|[\\s"'])`, 'g'), (_m, pre: string) => `${pre}${local}`);
    }
    // A StatefulSet pod's stable name -> that replica's local port.
    out = out.replace(/\b([a-z0-9-]+)-([0-9]+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:([0-9]+)/g, (m, sts: string, i: string, headless: string, ns: string, port: string) => {
      const addr = this.podAddress(ns, headless, sts, Number(i), Number(port));
      if (!addr) throw new Error(`${ctx.where}: ${m} is a pod the e2e does not run`);
      return addr;
    });
    out = out.replace(/(^|[^.a-z0-9-])([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:([0-9]+)/g, (m, pre: string, svc: string, ns: string, port: string) => {
      const addr = this.serviceAddress(ns, svc, Number(port));
      if (!addr) throw new Error(`${ctx.where}: ${m} is a Service whose workload the e2e does not run`);
      return `${pre}${addr}`;
    });
    if (ctx.container) {
      // `--web.listen-address=:9187`, `--cluster.listen-address=0.0.0.0:9094` (the pod's port) and
      // `--cluster.advertise-address=<pod IP>:9094` -> 127.0.0.1 and this replica's local port.
      out = out.replace(/^(--?[a-z.]*(?:listen|advertise)-address=)([^:]*):([0-9]+)$/, (m, flag: string, _host: string, port: string) => {
        const p = (ctx.container.ports ?? []).find((x: any) => x.containerPort === Number(port));
        const addr = p && ctx.own ? this.localAddress(ctx.own.namespace, ctx.own.name, p.name, ordinal) : undefined;
        if (!addr) throw new Error(`${ctx.where}: ${m} listens on a port the e2e has no local port for`);
        return `${flag}${addr}`;
      });
    }
    if (out !== s) this.rewrites.push(`${ctx.where}: ${s} -> ${out}`);
    return out;
  }

  /** `<svc>.<ns>.svc:<port>` -> the local address of the workload behind that Service port. */
  private serviceAddress(namespace: string, service: string, port: number): string | undefined {
    const svc = this.manifests.find((m) => m.kind === 'Service' && m.metadata.namespace === namespace && m.metadata.name === service);
    const sp = svc?.spec.ports.find((p: any) => p.port === port);
    if (!svc || !sp) return undefined;
    const target = this.podsSelectedBy(namespace, svc.spec.selector)[0];
    const portName = typeof sp.targetPort === 'string' ? sp.targetPort : sp.name;
    return target ? this.localAddress(namespace, target.metadata.name, portName) : undefined;
  }

  /** `<sts>-<i>.<headless>.<ns>.svc:<port>` -> replica i's local address of that container port. */
  private podAddress(namespace: string, headless: string, sts: string, ordinal: number, port: number): string | undefined {
    const w = this.manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.namespace === namespace && m.metadata.name === sts && m.spec.serviceName === headless);
    const p = w?.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []).find((x: any) => x.containerPort === port);
    return w && p ? this.localAddress(namespace, sts, p.name, ordinal) : undefined;
  }

  /** The StatefulSet a headless Service governs. */
  private governed(namespace: string, headless: string): Manifest | undefined {
    return this.manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.namespace === namespace && m.spec.serviceName === headless);
  }

  private podsSelectedBy(namespace: string, selector: Record<string, string>): Manifest[] {
    return this.manifests.filter(
      (m) =>
        WORKLOAD_KINDS.includes(m.kind) &&
        m.metadata.namespace === namespace &&
        Object.entries(selector).every(([k, v]) => m.spec.template.metadata?.labels?.[k] === v),
    );
  }

  // ---- Prometheus ----------------------------------------------------------------------------

  /**
   * prometheus.yml with discovery replaced (change 1) and `localhost:<port>` of Prometheus itself
   * mapped (change 2). `self` is the Prometheus endpoint.
   */
  prometheusConfig(yamlText: string, self: ServiceEndpoint): string {
    const cfg = YAML.parse(yamlText);
    const selfWorkload = this.workload(self);
    for (const job of cfg.scrape_configs ?? []) this.localizeDiscovery(job, `scrape job ${job.job_name}`, selfWorkload);
    for (const am of cfg.alerting?.alertmanagers ?? []) this.localizeDiscovery(am, 'alerting.alertmanagers', selfWorkload);
    return YAML.stringify(cfg, { lineWidth: 0 });
  }

  private localizeDiscovery(job: any, where: string, self: Manifest): void {
    for (const sc of job.static_configs ?? []) {
      sc.targets = (sc.targets ?? []).flatMap((t: string) => {
        const m = /^(localhost|127\.0\.0\.1):([0-9]+)$/.exec(t);
        if (!m) {
          const svc = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:([0-9]+)$/.exec(t);
          const addr = svc ? this.serviceAddress(svc[2], svc[1], Number(svc[3])) : undefined;
          if (svc && !addr) {
            // A component the run does not start: no target, as if its Service had no endpoints.
            this.unscraped.push(job.job_name ?? where);
            this.rewrites.push(`${where}: target ${t} -> dropped (workload not started by the e2e)`);
            return [];
          }
          return [this.rewriteString(t, { namespace: '', mounts: new Map(), where })];
        }
        // localhost inside the Prometheus pod is Prometheus itself.
        const port = self.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.containerPort === Number(m[2]));
        const addr = port ? this.localAddress(self.metadata.namespace!, self.metadata.name, port.name) : undefined;
        if (!addr) throw new Error(`${where}: target ${t} is not a port of the Prometheus pod`);
        this.rewrites.push(`${where}: target ${t} -> ${addr}`);
        return [addr];
      });
    }
    // A probe's target (the blackbox exporter's `target` parameter) may be a Service of the stack.
    for (const [k, vs] of Object.entries<string[]>(job.params ?? {})) {
      job.params[k] = vs.map((v) => v.replace(/\b([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:([0-9]+)/g, (m, svc: string, ns: string, port: string) => {
        const addr = this.serviceAddress(ns, svc, Number(port));
        if (!addr) return m; // its workload does not run: the probe fails, as it would in the cluster
        this.rewrites.push(`${where}: params.${k} ${m} -> ${addr}`);
        return addr;
      }));
    }
    // DNS discovery of a headless Service: the SRV records (or A records on a port) of every replica.
    const dns: any[] = job.dns_sd_configs ?? [];
    if (dns.length > 0) {
      const targets: string[] = [];
      for (const sd of dns) {
        for (const n of sd.names ?? []) {
          const srv = /^_([a-z0-9-]+)\._tcp\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(n);
          const a = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(n);
          const [headless, ns] = srv ? [srv[2], srv[3]] : a ? [a[1], a[2]] : [];
          const w = headless ? this.governed(ns!, headless) : undefined;
          if (!w) throw new Error(`${where}: dns_sd name ${n} is not a headless Service of a StatefulSet the e2e knows`);
          const portName = srv ? srv[1] : w.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.containerPort === sd.port)?.name;
          targets.push(...this.replicaAddresses(ns!, w.metadata.name, portName));
        }
      }
      delete job.dns_sd_configs;
      job.static_configs = [...(job.static_configs ?? []), ...(targets.length ? [{ targets }] : [])];
      this.rewrites.push(`${where}: dns_sd_configs -> static targets ${targets.join(', ') || '(none: not started by the e2e)'}`);
    }
    const sds: any[] = job.kubernetes_sd_configs ?? [];
    if (sds.length === 0) return;
    if (sds.every((sd) => sd.role === 'node')) {
      // The kubelets: there is no node here. The job stays, without targets, like a component the run does not start.
      // Its ServiceAccount files (token, cluster CA) do not exist outside a pod and would stop Prometheus loading the config.
      delete job.kubernetes_sd_configs;
      delete job.authorization;
      delete job.tls_config;
      job.static_configs = [];
      this.unscraped.push(job.job_name ?? where);
      this.rewrites.push(`${where}: kubernetes_sd_configs role node -> no target (no kubelet in the e2e), authorization and tls_config dropped`);
      return;
    }
    const statics: { targets: string[]; labels: Record<string, string> }[] = [];
    for (const sd of sds) {
      if (sd.role !== 'pod') throw new Error(`${where}: the e2e replaces kubernetes_sd role 'pod' only, not '${sd.role}'`);
      const selector = parseSelector(sd.selectors?.find((s: any) => s.role === 'pod')?.label ?? '');
      for (const ns of sd.namespaces?.names ?? []) {
        for (const w of this.podsSelectedBy(ns, selector)) {
          const local = this.local.get(key(ns, w.metadata.name));
          if (!local) continue;
          local.replicas.forEach((ports, i) => statics.push(...podTargets(w, ports, this.podName(w, i))));
        }
      }
    }
    delete job.kubernetes_sd_configs;
    job.static_configs = [...(job.static_configs ?? []), ...statics];
    if (statics.length === 0) this.unscraped.push(job.job_name ?? where);
    this.rewrites.push(`${where}: kubernetes_sd_configs -> ${statics.length ? statics.map((s) => `${s.targets[0]} (pod ${s.labels.__meta_kubernetes_pod_name}, port ${s.labels.__meta_kubernetes_pod_container_port_name})`).join(', ') : 'no target (workload not started by the e2e)'}`);
  }

  // ---- Alertmanager --------------------------------------------------------------------------

  /** alertmanager.yml with the external receivers pointed at the local sinks (change 4), paths mapped (change 3). */
  alertmanagerConfig(yamlText: string, mounts: ReadonlyMap<string, string>, sinks: { smtp: string; caFile: string; pagerdutyUrl: string }): string {
    const cfg = YAML.parse(yamlText);
    const where = 'alertmanager.yml';
    const paths = (v: unknown): unknown => {
      if (typeof v === 'string') return this.rewriteString(v, { namespace: '', mounts, where });
      if (Array.isArray(v)) return v.map(paths);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, paths(x)]));
      return v;
    };
    const out = paths(cfg) as any;
    for (const r of out.receivers ?? []) {
      for (const e of r.email_configs ?? []) {
        this.rewrites.push(`${where}: receiver ${r.name} smarthost ${e.smarthost} -> ${sinks.smtp}, tls_config.ca_file = the test CA`);
        e.smarthost = sinks.smtp;
        e.tls_config = { ...(e.tls_config ?? {}), ca_file: sinks.caFile };
      }
      for (const p of r.pagerduty_configs ?? []) {
        if (p.url !== undefined) throw new Error(`${where}: receiver ${r.name} sets its own PagerDuty url; the e2e only replaces the global one`);
      }
    }
    if ((out.receivers ?? []).some((r: any) => (r.pagerduty_configs ?? []).length > 0)) {
      out.global = { ...(out.global ?? {}), pagerduty_url: sinks.pagerdutyUrl };
      this.rewrites.push(`${where}: global.pagerduty_url -> ${sinks.pagerdutyUrl}`);
    }
    return YAML.stringify(out, { lineWidth: 0 });
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `a=b,c=d` (equality selectors only, as the stack writes them). */
function parseSelector(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of s.split(',').filter(Boolean)) {
    const m = /^\s*([^=!\s]+)\s*==?\s*([^,\s]*)\s*$/.exec(pair);
    if (!m) throw new Error(`label selector '${s}': the e2e supports equality selectors only`);
    out[m[1]] = m[2];
  }
  return out;
}

/** Prometheus's sanitizing of label names in `__meta_kubernetes_pod_label_<name>`. */
function metaName(label: string): string {
  return label.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** The targets the pod role would discover for one running, ready pod of the workload: one per container port. */
function podTargets(w: Manifest, ports: Readonly<Record<string, number>>, podName: string): { targets: string[]; labels: Record<string, string> }[] {
  const pod = w.spec.template;
  const node = os.hostname();
  const common: Record<string, string> = {
    __meta_kubernetes_namespace: w.metadata.namespace!,
    __meta_kubernetes_pod_name: podName,
    __meta_kubernetes_pod_ip: '127.0.0.1',
    __meta_kubernetes_pod_host_ip: '127.0.0.1',
    __meta_kubernetes_pod_node_name: node,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_controller_kind: w.kind === 'Deployment' ? 'ReplicaSet' : w.kind,
    __meta_kubernetes_pod_controller_name: w.metadata.name,
  };
  for (const [k, v] of Object.entries<string>(pod.metadata?.labels ?? {})) {
    common[`__meta_kubernetes_pod_label_${metaName(k)}`] = v;
    common[`__meta_kubernetes_pod_labelpresent_${metaName(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries<string>(pod.metadata?.annotations ?? {})) {
    common[`__meta_kubernetes_pod_annotation_${metaName(k)}`] = v;
    common[`__meta_kubernetes_pod_annotationpresent_${metaName(k)}`] = 'true';
  }
  const out: { targets: string[]; labels: Record<string, string> }[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      const port = ports[p.name];
      if (port === undefined) throw new Error(`${w.metadata.name}: container port ${p.name} has no local port`);
      out.push({
        targets: [`127.0.0.1:${port}`],
        labels: {
          ...common,
          __meta_kubernetes_pod_container_name: c.name,
          __meta_kubernetes_pod_container_image: c.image,
          __meta_kubernetes_pod_container_init: 'false',
          __meta_kubernetes_pod_container_port_name: p.name,
          __meta_kubernetes_pod_container_port_number: String(p.containerPort),
          __meta_kubernetes_pod_container_port_protocol: p.protocol ?? 'TCP',
        },
      });
    }
  }
  return out;
}
