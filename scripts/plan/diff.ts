/**
 * What applying one set of manifests over another does, object by object: added, changed (with the
 * field paths that changed) and removed, and every change the API server refuses in place (or, for a
 * Service's clusterIP, silently ignores), each with the steps that make it happen.
 *
 * Pure: manifests in, a plan out. Reading dist/, git and synthesis are scripts/plan.ts's; the text
 * is render.ts's. Each rule follows the API server's validation code of 1.28 and 1.37 (the releases
 * the stack is tested on); docs/plan.md quotes what the server answers.
 */

/** One Kubernetes object as written in a manifest file. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** Which object: the key of the comparison. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** A step of a procedure: a command to run as written, or something to do or know. */
export type Step = { readonly command: readonly string[] } | { readonly note: string };

/** A change that `kubectl apply` cannot make. */
export interface Refusal {
  readonly ref: ObjectRef;
  /** The fields whose change is refused (or ignored), as paths. */
  readonly fields: readonly string[];
  /** Why apply cannot do it: what the API server does with it. */
  readonly why: string;
  /** What to run instead, in order. */
  readonly steps: readonly Step[];
}

/** A change apply makes, with a condition worth knowing before applying. */
export interface Caution {
  readonly ref: ObjectRef;
  readonly fields: readonly string[];
  readonly note: string;
}

export interface Changed {
  readonly ref: ObjectRef;
  /** Every leaf that differs, as a path (`spec.template.spec.containers[name=app].image`). */
  readonly paths: readonly string[];
}

export interface Plan {
  readonly added: readonly ObjectRef[];
  readonly changed: readonly Changed[];
  readonly removed: readonly ObjectRef[];
  readonly unchanged: number;
  /** Changes that need more than `kubectl apply`. */
  readonly refusals: readonly Refusal[];
  readonly cautions: readonly Caution[];
}

export interface PlanOptions {
  /** What `kubectl apply -f` is given in the steps: the manifests directory (`dist/`). */
  readonly manifests: string;
}

/** `apiVersion/kind/namespace/name`, the namespace empty for cluster-scoped objects. */
export function keyOf(r: ObjectRef): string {
  return `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

function refOf(m: Manifest): ObjectRef {
  const namespace = m.metadata.namespace;
  return { apiVersion: m.apiVersion, kind: m.kind, ...(namespace ? { namespace } : {}), name: m.metadata.name };
}

/** `StatefulSet monitoring/prometheus`, or `Namespace monitoring` for a cluster-scoped object. */
export function describe(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** Manifests that cannot be compared: a file that does not parse, an object written twice. */
export class ManifestError extends Error {}

/** Indexes manifests by key; a key written twice is an error (the later one would silently win). */
export function indexManifests(manifests: readonly Manifest[]): Map<string, Manifest> {
  const byKey = new Map<string, Manifest>();
  for (const m of manifests) {
    const key = keyOf(refOf(m));
    if (byKey.has(key)) throw new ManifestError(`${describe(refOf(m))} (${m.apiVersion}) is written twice`);
    byKey.set(key, m);
  }
  return byKey;
}

// ---------------------------------------------------------------- field-level diff

/** A path segment: a map key, a list index, or a list item found by its `name`. */
export type Segment = string | number | { readonly name: string };

/** A leaf (or a whole subtree added or removed) that differs. */
export interface FieldChange {
  readonly path: readonly Segment[];
  readonly before: unknown;
  readonly after: unknown;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lists whose items all have a distinct string `name` (containers, ports, volumes, env) match by name, so an insertion does not show every later item as changed. */
function namedItems(list: readonly unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of list) {
    if (!isMap(item) || typeof item.name !== 'string' || byName.has(item.name)) return undefined;
    byName.set(item.name, item);
  }
  return byName;
}

/** Every difference between two values, as paths from the root. Equal values give none. */
export function diffValues(before: unknown, after: unknown, path: readonly Segment[] = []): FieldChange[] {
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const b = namedItems(before);
    const a = namedItems(after);
    if (b && a && before.length > 0 && after.length > 0) {
      const names = [...b.keys(), ...[...a.keys()].filter((n) => !b.has(n))];
      return names.flatMap((name) => diffValues(b.get(name), a.get(name), [...path, { name }]));
    }
    const n = Math.max(before.length, after.length);
    const out: FieldChange[] = [];
    for (let i = 0; i < n; i++) out.push(...diffValues(before[i], after[i], [...path, i]));
    return out;
  }
  if (before === after) return [];
  return [{ path, before, after }];
}

/** `spec.template.spec.containers[name=app].image`, `data["prometheus.yml"]`, `ports[0]`. */
export function renderPath(path: readonly Segment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'object') out += `[name=${s.name}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** What a path alone does not say: whether the field came or went, or how much of a long text changed. */
function detail(c: FieldChange): string {
  if (c.before === undefined) return ' (added)';
  if (c.after === undefined) return ' (removed)';
  return lineCounts(c);
}

/** ` (+3 -1 lines)` for a multi-line string (a rule file, a dashboard), whose path alone says little. */
export function lineCounts(c: FieldChange): string {
  if (typeof c.before !== 'string' || typeof c.after !== 'string' || !(c.before.includes('\n') || c.after.includes('\n'))) return '';
  // Lines counted as a multiset: a moved line counts as neither added nor removed.
  const counts = new Map<string, number>();
  for (const l of c.before.split('\n')) counts.set(l, (counts.get(l) ?? 0) + 1);
  let added = 0;
  for (const l of c.after.split('\n')) {
    const n = counts.get(l) ?? 0;
    if (n > 0) counts.set(l, n - 1);
    else added++;
  }
  const removed = [...counts.values()].reduce((a, b) => a + b, 0);
  return ` (+${added} -${removed} lines)`;
}

// ---------------------------------------------------------------- quantities

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity (`10Gi`, `500M`, `1.5Ti`, `1e3`) in its base unit, or undefined when it is not one. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1] + (m[2] ?? '')) * SUFFIX[m[3] ?? ''];
}

// ---------------------------------------------------------------- the rules

function kubectlResource(r: ObjectRef): string[] {
  return [r.kind.toLowerCase(), r.name, ...(r.namespace ? ['-n', r.namespace] : [])];
}

const apply = (o: PlanOptions): Step => ({ command: ['kubectl', 'apply', '-f', o.manifests] });

/** Delete, then apply: the object is re-created from the manifests. */
function recreate(r: ObjectRef, o: PlanOptions, ...extra: string[]): Step[] {
  return [{ command: ['kubectl', 'delete', ...kubectlResource(r), ...extra] }, apply(o)];
}

/** The top-level keys under `spec` (or the root when `under` is empty) that changed. */
function changedKeys(changes: readonly FieldChange[], under: string[]): Set<string> {
  const keys = new Set<string>();
  for (const c of changes) {
    if (under.every((u, i) => c.path[i] === u) && c.path.length > under.length) keys.add(String(c.path[under.length]));
  }
  return keys;
}

function at(m: Manifest | undefined, ...path: string[]): unknown {
  let v: unknown = m;
  for (const p of path) v = isMap(v) ? v[p] : undefined;
  return v;
}

interface RuleInput {
  readonly ref: ObjectRef;
  readonly before: Manifest;
  readonly after: Manifest;
  readonly changes: readonly FieldChange[];
  readonly options: PlanOptions;
}

type RuleResult = { refusal?: Refusal; caution?: Caution } | undefined;

/**
 * The spec fields a StatefulSet update may change on Kubernetes 1.28 (apps validation,
 * ValidateStatefulSetUpdate); everything else is refused with "updates to statefulset spec for
 * fields other than ... are forbidden".
 */
const STATEFULSET_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);
/** Refused by 1.37 too, which refuses only these four and accepts the other fields 1.28 refuses. */
const STATEFULSET_IMMUTABLE = new Set(['selector', 'volumeClaimTemplates', 'serviceName', 'podManagementPolicy']);

function claimStorage(claim: unknown): number | undefined {
  return parseQuantity(at(claim as Manifest, 'spec', 'resources', 'requests', 'storage'));
}

function statefulSet({ ref, before, after, changes, options }: RuleInput): RuleResult {
  const refused = [...changedKeys(changes, ['spec'])].filter((k) => !STATEFULSET_MUTABLE.has(k)).sort();
  if (refused.length === 0) return undefined;
  const fields = refused.map((k) => `spec.${k}`);
  const always = refused.filter((k) => STATEFULSET_IMMUTABLE.has(k)).map((k) => `spec.${k}`);
  let why =
    `Kubernetes 1.28 refuses changes to a StatefulSet's spec other than ${[...STATEFULSET_MUTABLE].join(', ')} ` +
    `("updates to statefulset spec for fields other than ... are forbidden")`;
  why += always.length
    ? `; ${always.join(', ')} ${always.length > 1 ? 'are' : 'is'} refused by 1.37 as well ("field is immutable")`
    : `; newer releases such as 1.37 accept a change of ${fields.join(', ')} in place`;
  const steps: Step[] = [];
  if (refused.includes('selector')) {
    // Orphaned pods would not match the new selector, and their names (<name>-0, ...) would block the
    // pods the new StatefulSet creates: they must go with it.
    steps.push(
      { note: `downtime: the pods are deleted with the StatefulSet and come back when the new one starts them (the claims stay: deleting a StatefulSet never deletes its claims unless its persistentVolumeClaimRetentionPolicy says Delete)` },
      ...recreate(ref, options),
    );
  } else {
    steps.push(
      { note: 'no downtime: --cascade=orphan leaves the pods running, and the new StatefulSet adopts them (same selector) and rolls them per its updateStrategy' },
      ...recreate(ref, options, '--cascade=orphan'),
    );
  }
  if (refused.includes('volumeClaimTemplates')) {
    steps.push({ note: `the existing claims (<template>-${ref.name}-<ordinal>) keep their old spec: a claim template applies only to claims created later` });
    const b = at(before, 'spec', 'volumeClaimTemplates');
    const a = at(after, 'spec', 'volumeClaimTemplates');
    const sizes = (list: unknown) => new Map((Array.isArray(list) ? list : []).map((t) => [String(at(t as Manifest, 'metadata', 'name')), claimStorage(t)]));
    const [bs, as] = [sizes(b), sizes(a)];
    for (const [name, size] of as) {
      const old = bs.get(name);
      if (size === undefined || old === undefined || size === old) continue;
      steps.push(
        size > old
          ? { note: `to grow the existing '${name}' claims, raise spec.resources.requests.storage of each claim (${name}-${ref.name}-0, ...) as well; Kubernetes accepts that only for a bound claim, and expands the volume only when its StorageClass allows volume expansion` }
          : { note: `a claim cannot shrink: the existing '${name}' claims stay at their size; to really shrink one, copy its data out, delete the claim, let the StatefulSet create it anew and copy the data back` },
      );
    }
  }
  return { refusal: { ref, fields, why, steps } };
}

/** Deployment and DaemonSet: spec.selector is immutable in apps/v1. */
function selector({ ref, changes, options }: RuleInput): RuleResult {
  if (!changedKeys(changes, ['spec']).has('selector')) return undefined;
  return {
    refusal: {
      ref,
      fields: ['spec.selector'],
      why: `a ${ref.kind}'s spec.selector is immutable in apps/v1 (the API server answers "field is immutable")`,
      steps: [
        { note: `downtime: deleting the ${ref.kind} deletes its pods; the new ones start after the apply (for none, ship it under a new name, then delete the old one)` },
        ...recreate(ref, options),
      ],
    },
  };
}

function claim({ ref, before, after, changes, options }: RuleInput): RuleResult {
  const specChanges = changes.filter((c) => c.path[0] === 'spec');
  if (specChanges.length === 0) return undefined;
  const storagePath = ['spec', 'resources', 'requests', 'storage'];
  const onlyStorage = specChanges.every((c) => storagePath.every((p, i) => c.path[i] === p) && c.path.length === storagePath.length);
  const [old, now] = [claimStorage(before), claimStorage(after)];
  const steps: Step[] = [
    { note: 'copy the data out first: deleting the claim releases its volume, which its reclaim policy may delete; stop (scale down) what mounts it, or the deletion waits for it' },
    ...recreate(ref, options),
    { note: 'copy the data back into the new claim' },
  ];
  if (onlyStorage && old !== undefined && now !== undefined) {
    if (now > old) {
      return {
        caution: {
          ref,
          fields: ['spec.resources.requests.storage'],
          note: 'Kubernetes accepts a larger request only for a bound claim, and expands the volume only when its StorageClass allows volume expansion',
        },
      };
    }
    return {
      refusal: {
        ref,
        fields: ['spec.resources.requests.storage'],
        why: 'a claim cannot shrink: the API server refuses a smaller storage request (1.28: "field can not be less than previous value")',
        steps,
      },
    };
  }
  const fields = [...new Set(specChanges.map((c) => renderPath(c.path.slice(0, 2))))].sort();
  return {
    refusal: {
      ref,
      fields,
      why: 'a claim\'s spec is immutable after creation, except a larger storage request for a bound claim ("spec is immutable after creation")',
      steps,
    },
  };
}

/** ConfigMap and Secret with `immutable: true`: neither the content nor the flag may change. */
function immutableData({ ref, before, changes, options }: RuleInput): RuleResult {
  if (at(before, 'immutable') !== true) return undefined;
  const fields = [...changedKeys(changes, [])].filter((k) => ['data', 'binaryData', 'stringData', 'immutable'].includes(k)).sort();
  if (fields.length === 0) return undefined;
  return {
    refusal: {
      ref,
      fields,
      why: `the ${ref.kind} is immutable (immutable: true): the API server refuses any change to its content or the flag ("field is immutable when \`immutable\` is set")`,
      steps: [
        { note: `better: give the new content a new name (a content hash in the name), so each change is a new ${ref.kind} and the pods roll to it` },
        ...recreate(ref, options),
        { note: `pods that mount it keep the old content until they restart: kubectl rollout restart the workloads that use it` },
      ],
    },
  };
}

function service({ ref, before, after, changes, options }: RuleInput): RuleResult {
  const keys = changedKeys(changes, ['spec']);
  if (!keys.has('clusterIP') && !keys.has('clusterIPs')) return undefined;
  // Switching to or from ExternalName releases or allocates the address; the server allows it.
  if (at(before, 'spec', 'type') === 'ExternalName' || at(after, 'spec', 'type') === 'ExternalName') return undefined;
  const removed = at(after, 'spec', 'clusterIP') === undefined && at(after, 'spec', 'clusterIPs') === undefined;
  return {
    refusal: {
      ref,
      fields: ['spec.clusterIP', 'spec.clusterIPs'].filter((f) => keys.has(f.slice('spec.'.length))),
      why: removed
        ? `the manifest no longer sets spec.clusterIP (was ${JSON.stringify(at(before, 'spec', 'clusterIP'))}): the API server keeps the old value, so apply reports "configured" and nothing changes`
        : 'a Service\'s clusterIP cannot change once set (the API server answers "may not change once set")',
      steps: [
        { note: 'the Service name resolves to nothing between the two commands, and a non-headless Service gets a new address' },
        ...recreate(ref, options),
      ],
    },
  };
}

function roleRef({ ref, changes, options }: RuleInput): RuleResult {
  if (!changedKeys(changes, []).has('roleRef')) return undefined;
  return {
    refusal: {
      ref,
      fields: ['roleRef'],
      why: `a ${ref.kind}'s roleRef is immutable (1.28: "cannot change roleRef"; 1.37: "field is immutable")`,
      steps: [{ note: 'the subjects lack the permissions between the two commands' }, ...recreate(ref, options)],
    },
  };
}

function priorityClass({ ref, changes, options }: RuleInput): RuleResult {
  const fields = [...changedKeys(changes, [])].filter((k) => k === 'value' || k === 'preemptionPolicy').sort();
  if (fields.length === 0) return undefined;
  return {
    refusal: {
      ref,
      fields,
      why: 'a PriorityClass\'s value and preemptionPolicy cannot change (the API server answers "may not be changed in an update")',
      steps: [...recreate(ref, options), { note: 'running pods keep the priority they were created with until they are re-created' }],
    },
  };
}

const RULES: Record<string, (i: RuleInput) => RuleResult> = {
  'apps/StatefulSet': statefulSet,
  'apps/Deployment': selector,
  'apps/DaemonSet': selector,
  '/PersistentVolumeClaim': claim,
  '/ConfigMap': immutableData,
  '/Secret': immutableData,
  '/Service': service,
  'rbac.authorization.k8s.io/RoleBinding': roleRef,
  'rbac.authorization.k8s.io/ClusterRoleBinding': roleRef,
  'scheduling.k8s.io/PriorityClass': priorityClass,
};

function ruleFor(r: ObjectRef): ((i: RuleInput) => RuleResult) | undefined {
  const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '';
  return RULES[`${group}/${r.kind}`];
}

/** Compares the manifests of now (`before`) with those about to be applied (`after`). */
export function plan(before: readonly Manifest[], after: readonly Manifest[], options: PlanOptions): Plan {
  const b = indexManifests(before);
  const a = indexManifests(after);
  const byKey = (x: ObjectRef, y: ObjectRef) => keyOf(x).localeCompare(keyOf(y));
  const added = [...a].filter(([k]) => !b.has(k)).map(([, m]) => refOf(m)).sort(byKey);
  const removed = [...b].filter(([k]) => !a.has(k)).map(([, m]) => refOf(m)).sort(byKey);
  const changed: Changed[] = [];
  const refusals: Refusal[] = [];
  const cautions: Caution[] = [];
  let unchanged = 0;
  for (const [key, was] of [...b].sort(([x], [y]) => x.localeCompare(y))) {
    const now = a.get(key);
    if (!now) continue;
    const changes = diffValues(was, now);
    if (changes.length === 0) {
      unchanged++;
      continue;
    }
    const ref = refOf(now);
    changed.push({ ref, paths: changes.map((c) => renderPath(c.path) + detail(c)) });
    const result = ruleFor(ref)?.({ ref, before: was, after: now, changes, options });
    if (result?.refusal) refusals.push(result.refusal);
    if (result?.caution) cautions.push(result.caution);
  }
  return { added, changed, removed, unchanged, refusals, cautions };
}
