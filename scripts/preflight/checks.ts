/**
 * `npm run preflight`: what an environment needs from a cluster before `kubectl apply -f dist/` can
 * start every pod, and the checks of a cluster against it. Pure: the needs are derived from the
 * environment's config and its synthesized manifests, the cluster is read through a
 * `ClusterReader` (kubectl in scripts/preflight/kubectl.ts, fakes in test/preflight/), and the
 * result is a checklist. Nothing here runs a process or reads a file.
 *
 * Nothing is retyped: the Secrets and their keys are `secretsOf(config)` (the same list `npm run
 * secrets-template` writes), the namespaces, claims and host ports are read off the manifests, the
 * Argo CD CRDs off the objects of argocd/<environment>.k8s.yaml.
 */
import { StackConfig } from '../../charts/config';
import { SecretNeed, defaultSecretsDir, secretsOf } from '../secrets';

/**
 * The oldest Kubernetes release the manifests are proven on: the API server check
 * (scripts/checks/80-apiserver) applies them to this release and the newest, kubeconform validates
 * them against both. A test holds it against the oldest tools/kube-1.NN/ directory.
 */
export const OLDEST_KUBERNETES = { major: 1, minor: 28 } as const;

/** The annotations that make a StorageClass the cluster default (the beta one is still honoured). */
export const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

/** One synthesized output file and its objects, e.g. `dist/0000-cluster.k8s.yaml`. */
export interface ManifestFile {
  /** Path relative to the repository root. */
  readonly file: string;
  readonly objects: readonly any[];
}

export interface NamespaceNeed {
  readonly name: string;
  /** The file of dist/ that creates it; undefined when it must exist beforehand (Argo CD's). */
  readonly createdBy?: string;
}

export interface ClaimNeed {
  /** `StatefulSet monitoring/prometheus, claim prometheus-data` or `PersistentVolumeClaim monitoring/grafana-data`. */
  readonly what: string;
  /** Unset: the cluster's default StorageClass. */
  readonly storageClass?: string;
}

/** A port the stack's own pods hold on every node they run on (host network or hostPort). */
export interface HostPortNeed {
  readonly port: number;
  readonly protocol: string;
  /** `DaemonSet monitoring-agents/node-exporter`. */
  readonly workload: string;
  readonly namespace: string;
  /** The workload's selector: a pod in `namespace` carrying these labels is one of ours. */
  readonly selector: Readonly<Record<string, string>>;
}

export interface CrdNeed {
  /** `applications.argoproj.io`. */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly version: string;
}

export interface ArgocdNeed {
  /** `argocd/production.k8s.yaml`. */
  readonly file: string;
  /** Where the Application and AppProject live: Argo CD's own namespace, not created by dist/. */
  readonly namespaces: readonly string[];
  readonly crds: readonly CrdNeed[];
}

/** Everything an environment needs from a cluster. */
export interface Needs {
  readonly environment: string;
  /** The environment's manifests, `dist` or `dist-<environment>`. */
  readonly distDir: string;
  readonly minVersion: { readonly major: number; readonly minor: number };
  readonly namespaces: readonly NamespaceNeed[];
  readonly secrets: readonly SecretNeed[];
  /** Where `npm run secrets-template` writes the templates, for the fix commands. */
  readonly secretsDir: string;
  readonly claims: readonly ClaimNeed[];
  readonly hostPorts: readonly HostPortNeed[];
  /** Set when the environment is deployed through argocd/ (`--argocd`). */
  readonly argocd?: ArgocdNeed;
}

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

/** The pod template of a workload (CronJob: its job's). */
function podTemplate(w: any): any {
  return w.kind === 'CronJob' ? w.spec?.jobTemplate?.spec?.template : w.spec?.template;
}

/**
 * The needs of an environment: `dist` is its synthesized files (scripts/preflight/stack.ts),
 * `gitops` the file of its Argo CD Application and AppProject when it is deployed through Argo CD.
 */
export function needsOf(config: StackConfig, distDir: string, dist: readonly ManifestFile[], gitops?: ManifestFile): Needs {
  const all = dist.flatMap((f) => f.objects.map((o) => ({ file: f.file, o })));
  const created = new Map<string, string>();
  for (const { file, o } of all) if (o.kind === 'Namespace') created.set(o.metadata.name, file);

  const secrets = secretsOf(config);
  const namespaceNames = new Set<string>([...created.keys()]);
  for (const { o } of all) if (o.metadata?.namespace) namespaceNames.add(o.metadata.namespace);
  for (const s of secrets) namespaceNames.add(s.namespace);
  const namespaces = [...namespaceNames].sort().map((name) => ({ name, ...(created.has(name) ? { createdBy: created.get(name) } : {}) }));

  const claims: ClaimNeed[] = [];
  const hostPorts: HostPortNeed[] = [];
  for (const { o } of all) {
    const id = `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
    if (o.kind === 'PersistentVolumeClaim') claims.push({ what: id, ...(o.spec?.storageClassName ? { storageClass: o.spec.storageClassName } : {}) });
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec?.volumeClaimTemplates ?? []) {
        claims.push({ what: `${id}, claim ${t.metadata.name}`, ...(t.spec?.storageClassName ? { storageClass: t.spec.storageClassName } : {}) });
      }
    }
    if (!WORKLOADS.includes(o.kind)) continue;
    const spec = podTemplate(o)?.spec ?? {};
    const selector: Record<string, string> = o.spec?.selector?.matchLabels ?? podTemplate(o)?.metadata?.labels ?? {};
    for (const c of spec.containers ?? []) {
      for (const p of c.ports ?? []) {
        // On the host network a container port is a port of the node (the API server defaults
        // hostPort to it); otherwise only an explicit hostPort is.
        const port = p.hostPort ?? (spec.hostNetwork ? p.containerPort : undefined);
        if (port === undefined) continue;
        hostPorts.push({ port, protocol: p.protocol ?? 'TCP', workload: id, namespace: o.metadata.namespace, selector });
      }
    }
  }

  let argocd: ArgocdNeed | undefined;
  if (gitops) {
    const crds = new Map<string, CrdNeed>();
    for (const o of gitops.objects) {
      const [group, version] = o.apiVersion.split('/');
      // Kubernetes' own default plural (lowercase kind + 's'); the check compares the CRD's kind too.
      const name = `${o.kind.toLowerCase()}s.${group}`;
      crds.set(name, { name, group, kind: o.kind, version });
    }
    const ns = [...new Set(gitops.objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))].sort();
    argocd = { file: gitops.file, namespaces: ns, crds: [...crds.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  }

  return {
    environment: config.environment,
    distDir,
    minVersion: OLDEST_KUBERNETES,
    namespaces,
    secrets,
    secretsDir: defaultSecretsDir(config.environment),
    claims,
    hostPorts,
    ...(argocd ? { argocd } : {}),
  };
}

// ------------------------------------------------------------------ the cluster, as read

export interface ServerVersion {
  readonly gitVersion: string;
  /** As the server reports them: managed clusters say minor "28+". */
  readonly major: string;
  readonly minor: string;
}

export interface NamespaceInfo {
  /** `Active` or `Terminating`. */
  readonly phase: string;
}

export interface StorageClassInfo {
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface PodPort {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly protocol?: string;
}

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName?: string;
  readonly phase?: string;
  readonly hostNetwork: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly PodPort[];
}

export interface CrdInfo {
  readonly group: string;
  readonly kind: string;
  readonly servedVersions: readonly string[];
  readonly established: boolean;
}

/**
 * What preflight reads from a cluster, read-only. A method throws `ReadError` when the cluster
 * cannot answer (unreachable, forbidden); an absent object is `undefined`, not an error.
 */
export interface ClusterReader {
  serverVersion(): ServerVersion;
  namespace(name: string): NamespaceInfo | undefined;
  /** The key names of a Secret's data, never its values. */
  secretKeys(namespace: string, name: string): readonly string[] | undefined;
  storageClasses(): readonly StorageClassInfo[];
  /** Pods of every namespace that may hold a node's port (not Succeeded or Failed). */
  pods(): readonly PodInfo[];
  crd(name: string): CrdInfo | undefined;
}

/** The cluster could not answer a read: its message is shown in the checklist. */
export class ReadError extends Error {}

// ------------------------------------------------------------------ checks

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  readonly status: CheckStatus;
  /** One line: what was checked and what was found. */
  readonly title: string;
  /** More lines of what was found. */
  readonly detail?: readonly string[];
  /** Commands or steps that fix a failure, one per line. */
  readonly fix?: readonly string[];
}

const pass = (title: string, detail?: string[]): CheckResult => ({ status: 'pass', title, ...(detail?.length ? { detail } : {}) });
const fail = (title: string, fix: string[], detail?: string[]): CheckResult => ({ status: 'fail', title, fix, ...(detail?.length ? { detail } : {}) });

/** Runs `read`; a ReadError becomes a failed check saying what could not be read. */
function reading<T>(what: string, read: () => T, onError: (message: string) => CheckResult): T | CheckResult {
  try {
    return read();
  } catch (e) {
    if (e instanceof ReadError) return onError(`cannot read ${what}: ${e.message}`);
    throw e;
  }
}
const isResult = (x: unknown): x is CheckResult => typeof x === 'object' && x !== null && 'status' in x && 'title' in x;

/** `1.28`, from the server's major/minor ("28+" on managed clusters) or, failing that, its gitVersion. */
export function parseVersion(v: ServerVersion): { major: number; minor: number } | undefined {
  const major = parseInt(v.major, 10);
  const minor = parseInt(v.minor, 10);
  if (Number.isInteger(major) && Number.isInteger(minor)) return { major, minor };
  const m = /^v?(\d+)\.(\d+)/.exec(v.gitVersion);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function checkVersion(needs: Needs, v: ServerVersion): CheckResult {
  const min = `${needs.minVersion.major}.${needs.minVersion.minor}`;
  const parsed = parseVersion(v);
  if (!parsed) return fail(`Kubernetes version: the server reports '${v.gitVersion}', which is not a version`, [`check the server: kubectl version`]);
  const ok = parsed.major > needs.minVersion.major || (parsed.major === needs.minVersion.major && parsed.minor >= needs.minVersion.minor);
  return ok
    ? pass(`Kubernetes ${v.gitVersion} (at least ${min})`)
    : fail(`Kubernetes ${v.gitVersion} is older than ${min}, the oldest release the manifests are tested on`, [`upgrade the cluster to Kubernetes ${min} or later`]);
}

function createNamespacesFix(ns: NamespaceNeed): string {
  return ns.createdBy
    ? `kubectl apply -f ${ns.createdBy}    # creates the stack's namespaces (with their Pod Security labels) before their Secrets`
    : `kubectl create namespace ${ns.name}`;
}

/** The check of one namespace, and whether Secrets can be read in it (it exists and is not being deleted). */
function checkNamespace(needs: Needs, ns: NamespaceNeed, reader: ClusterReader): { result: CheckResult; usable: boolean } {
  const got = reading(`namespace ${ns.name}`, () => reader.namespace(ns.name), (m) => fail(`namespace ${ns.name}: ${m}`, ['check kubectl access: kubectl auth can-i get namespaces']));
  if (isResult(got)) return { result: got, usable: false };
  if (got?.phase === 'Terminating') {
    return { result: fail(`namespace ${ns.name} is being deleted (Terminating)`, [`wait until 'kubectl get namespace ${ns.name}' finds nothing, then: ${createNamespacesFix(ns)}`]), usable: false };
  }
  if (got) return { result: pass(`namespace ${ns.name} exists`), usable: true };
  const result = ns.createdBy
    ? pass(`namespace ${ns.name}: absent, ${ns.createdBy} creates it`)
    : fail(`namespace ${ns.name} does not exist, and ${needs.distDir}/ does not create it`, [createNamespacesFix(ns)]);
  return { result, usable: false };
}

function checkSecret(needs: Needs, s: SecretNeed, reader: ClusterReader, namespaceExists: boolean): CheckResult {
  const id = `Secret ${s.namespace}/${s.name}`;
  const filled = `${needs.secretsDir}/${s.file}.env`;
  const create = `kubectl -n ${s.namespace} create secret generic ${s.name} --from-env-file=${filled}`;
  const template = [
    `npm run secrets-template -- --env ${needs.environment}    # writes ${needs.secretsDir}/${s.file}.env.example`,
    `cp ${needs.secretsDir}/${s.file}.env.example ${filled}    # then fill in every value`,
  ];
  const required = s.keys.filter((k) => !k.optional).map((k) => k.key);
  const usedBy = `for ${s.usedBy}`;
  if (!namespaceExists) {
    const ns = needs.namespaces.find((n) => n.name === s.namespace) ?? { name: s.namespace };
    return fail(`${id}: cannot exist yet (its namespace is absent or being deleted)`, [createNamespacesFix(ns), ...template, create], [usedBy, `keys: ${required.join(', ')}`]);
  }
  const keys = reading(id, () => reader.secretKeys(s.namespace, s.name), (m) => fail(`${id}: ${m}`, [`check kubectl access: kubectl -n ${s.namespace} auth can-i get secrets`]));
  if (isResult(keys)) return keys;
  if (keys === undefined) return fail(`${id}: absent`, [...template, create], [usedBy, `keys: ${required.join(', ')}`]);
  const missing = required.filter((k) => !keys.includes(k));
  if (missing.length > 0) {
    return fail(
      `${id}: lacks key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      [`add ${missing.join(', ')} to ${filled} (template: npm run secrets-template -- --env ${needs.environment}), then replace the Secret:`, `${create} --dry-run=client -o yaml | kubectl apply -f -`],
      [usedBy, `has ${keys.length ? [...keys].sort().join(', ') : 'no keys'}`],
    );
  }
  const optionalAbsent = s.keys.filter((k) => k.optional && !keys.includes(k.key)).map((k) => `${k.key} (optional) not set`);
  return pass(`${id}: keys ${required.join(', ')}`, optionalAbsent);
}

function checkStorage(needs: Needs, reader: ClusterReader): CheckResult[] {
  if (needs.claims.length === 0) return [];
  const classes = reading('StorageClasses', () => reader.storageClasses(), (m) => fail(`StorageClasses: ${m}`, ['check kubectl access: kubectl auth can-i list storageclasses']));
  if (isResult(classes)) return [classes];
  const byClass = new Map<string | undefined, string[]>();
  for (const c of needs.claims) byClass.set(c.storageClass, [...(byClass.get(c.storageClass) ?? []), c.what]);
  const results: CheckResult[] = [];
  const names = classes.map((c) => c.name).sort();
  const available = names.length ? `existing: ${names.join(', ')}` : 'the cluster has no StorageClass';
  for (const [cls, users] of [...byClass.entries()].sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))) {
    const detail = users.map((u) => `for ${u}`);
    if (cls !== undefined) {
      results.push(
        names.includes(cls)
          ? pass(`StorageClass ${cls} exists`, detail)
          : fail(`StorageClass ${cls} does not exist (${available})`, [`create it, or set the claim's storageClass in config/${needs.environment}.yaml to an existing one (docs/config.md)`], detail),
      );
      continue;
    }
    const defaults = classes.filter((c) => DEFAULT_CLASS_ANNOTATIONS.some((a) => c.annotations[a] === 'true')).map((c) => c.name).sort();
    if (defaults.length === 0) {
      results.push(
        fail(`no default StorageClass, and ${users.length} claim${users.length > 1 ? 's name' : ' names'} none (${available})`, [
          `mark one as the default: kubectl patch storageclass <name> -p '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}'`,
          `or set the claims' storageClass in config/${needs.environment}.yaml (docs/config.md), then npm run synth`,
        ], detail),
      );
    } else {
      // Since Kubernetes 1.26 several defaults are allowed: a claim gets the newest of them.
      const which = defaults.length === 1 ? `the default StorageClass ${defaults[0]}` : `a default StorageClass (${defaults.length}: ${defaults.join(', ')}; claims get the newest)`;
      results.push(pass(`claims without a storageClass get ${which}`, detail));
    }
  }
  return results;
}

/** True when `pod` holds `port`/`protocol` on its node: an explicit hostPort, or a container port on the host network. */
export function holdsPort(pod: PodInfo, port: number, protocol: string): boolean {
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return false;
  return pod.ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.hostPort === port || (pod.hostNetwork && p.hostPort === undefined && p.containerPort === port)));
}

/** True when `pod` is one of the workload's own pods: its namespace, and every label of its selector. */
export function isOurs(pod: PodInfo, need: HostPortNeed): boolean {
  const labels = Object.entries(need.selector);
  return pod.namespace === need.namespace && labels.length > 0 && labels.every(([k, v]) => pod.labels[k] === v);
}

function checkHostPorts(needs: Needs, reader: ClusterReader): CheckResult[] {
  if (needs.hostPorts.length === 0) return [];
  const pods = reading('pods', () => reader.pods(), (m) => fail(`host ports: ${m}`, ['check kubectl access: kubectl auth can-i list pods --all-namespaces']));
  if (isResult(pods)) return [pods];
  return needs.hostPorts.map((need) => {
    const title = `host port ${need.port}/${need.protocol} (${need.workload})`;
    const foreign = pods.filter((p) => holdsPort(p, need.port, need.protocol) && !isOurs(p, need));
    if (foreign.length === 0) return pass(`${title}: no other pod holds it`);
    const shown = foreign.slice(0, 10).map((p) => `${p.namespace}/${p.name} on ${p.nodeName ?? 'no node yet'}${p.hostNetwork ? ' (host network)' : ''}`);
    if (foreign.length > shown.length) shown.push(`and ${foreign.length - shown.length} more`);
    return fail(
      `${title}: held by ${foreign.length} other pod${foreign.length > 1 ? 's' : ''}`,
      [
        `${need.workload} needs ${need.port}/${need.protocol} on every node it runs on, and two pods cannot listen on one node's port:`,
        `remove the other holder (often another node exporter: kubectl -n ${foreign[0].namespace} get daemonsets, then delete it or uninstall what installed it), or move it to another port`,
      ],
      shown,
    );
  });
}

function checkArgocd(needs: Needs, reader: ClusterReader): CheckResult[] {
  const a = needs.argocd;
  if (!a) return [{ status: 'skip', title: `Argo CD: not checked (pass --argocd when deploying with argocd/${needs.environment}.k8s.yaml)` }];
  const results: CheckResult[] = [];
  for (const ns of a.namespaces) {
    const got = reading(`namespace ${ns}`, () => reader.namespace(ns), (m) => fail(`namespace ${ns}: ${m}`, ['check kubectl access: kubectl auth can-i get namespaces']));
    if (isResult(got)) results.push(got);
    else if (got) results.push(pass(`namespace ${ns} (Argo CD's, for ${a.file}) exists`));
    else results.push(fail(`namespace ${ns} (Argo CD's, for ${a.file}) does not exist`, ['install Argo CD (https://argo-cd.readthedocs.io/en/stable/getting_started/), or set argocd.namespace to where it runs']));
  }
  for (const c of a.crds) {
    const install = `install Argo CD, which installs the CRD ${c.name} (${a.file} holds ${c.kind} objects)`;
    const got = reading(`CRD ${c.name}`, () => reader.crd(c.name), (m) => fail(`CRD ${c.name}: ${m}`, ['check kubectl access: kubectl auth can-i get customresourcedefinitions']));
    if (isResult(got)) results.push(got);
    else if (!got) results.push(fail(`CRD ${c.name} does not exist`, [install]));
    else if (got.group !== c.group || got.kind !== c.kind) results.push(fail(`CRD ${c.name} defines ${got.group} ${got.kind}, not ${c.group} ${c.kind}`, [install]));
    else if (!got.servedVersions.includes(c.version)) results.push(fail(`CRD ${c.name} does not serve ${c.version} (serves ${got.servedVersions.join(', ') || 'nothing'})`, [`upgrade Argo CD`]));
    else if (!got.established) results.push(fail(`CRD ${c.name} is not Established yet`, [`wait: kubectl wait --for condition=established crd/${c.name}`]));
    else results.push(pass(`CRD ${c.name} serves ${c.kind} ${c.group}/${c.version}`));
  }
  return results;
}

/** Every check, in the order of the checklist. An unreachable server is one failure, and nothing else is tried. */
export function runChecks(needs: Needs, reader: ClusterReader): CheckResult[] {
  const version = reading('the server version', () => reader.serverVersion(), (m) => fail(`API server: ${m}`, ['check the context: kubectl config current-context; kubectl version']));
  if (isResult(version)) return [version];
  const results: CheckResult[] = [checkVersion(needs, version)];
  const existing = new Set<string>();
  for (const ns of needs.namespaces) {
    const { result, usable } = checkNamespace(needs, ns, reader);
    results.push(result);
    if (usable) existing.add(ns.name);
  }
  for (const s of needs.secrets) results.push(checkSecret(needs, s, reader, existing.has(s.namespace)));
  results.push(...checkStorage(needs, reader));
  results.push(...checkHostPorts(needs, reader));
  results.push(...checkArgocd(needs, reader));
  return results;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', skip: '-' };

/** The checklist as printed: a mark per check, its details indented, and each failure's fix. */
export function formatChecklist(header: string, results: readonly CheckResult[]): string {
  const lines = [header];
  for (const r of results) {
    lines.push(`  ${MARK[r.status]} ${r.title}`);
    for (const d of r.detail ?? []) lines.push(`      ${d}`);
    const fix = r.fix ?? [];
    fix.forEach((f, i) => lines.push(`      ${i === 0 ? 'fix: ' : '     '}${f}`));
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const passed = results.filter((r) => r.status === 'pass').length;
  lines.push(`preflight: ${passed} passed, ${failed} failed`);
  return lines.join('\n');
}

/** 0 when every check passed, 1 when one failed. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
