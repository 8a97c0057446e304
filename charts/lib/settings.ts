/**
 * Schema builders for the shapes several components' settings share: an image reference, container
 * resources, a volume, a Secret reference. Each component's `settings.ts` composes its slice of the
 * configuration from these and from `schema.ts`; `charts/config.ts` composes the slices.
 */
import { ConfigIssue, Infer, cpuQuantity, cpuToMillis, dnsSubdomain, memoryQuantity, obj, optional, required, secretKey, show, sizeToBytes, storageSize, str, withDefault } from './schema';

/** Tags that move: an image under such a tag is not reproducible. */
export const FLOATING_TAGS = ['latest', 'stable', 'main', 'master', 'edge', 'nightly', 'dev'];

/** A container image by repository and released tag (the backend's; the stack's own are pinned in versions.ts). */
export const imageRef = () =>
  obj({
    /** Registry and repository, e.g. `ghcr.io/love-parser/backend`. */
    repository: required(
      str({
        pattern: /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
        expects: "an image repository such as 'ghcr.io/love-parser/backend' (no tag)",
      }),
    ),
    /** A released, immutable tag such as `1.4.2`; floating tags are refused. */
    tag: required(
      str({
        pattern: new RegExp(`^(?!(${FLOATING_TAGS.join('|')})$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`),
        expects: `a released image tag such as '1.4.2' (not ${FLOATING_TAGS.map((t) => `'${t}'`).join(', ')})`,
      }),
    ),
  });

/** Container requests and limits, with a component's documented defaults. */
export const resources = (d: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string }) =>
  withDefault(
    obj({
      requests: obj({ cpu: withDefault(cpuQuantity(), d.cpu), memory: withDefault(memoryQuantity(), d.memory) }),
      limits: obj({ cpu: withDefault(cpuQuantity(), d.cpuLimit), memory: withDefault(memoryQuantity(), d.memoryLimit) }),
    }),
    { requests: { cpu: d.cpu, memory: d.memory }, limits: { cpu: d.cpuLimit, memory: d.memoryLimit } },
  );

/** A PersistentVolumeClaim's size and StorageClass. */
export const volume = (size: string) =>
  obj({
    /** Size of the PersistentVolumeClaim. */
    size: withDefault(storageSize(), size),
    /** StorageClass of the claim; the cluster default when left out. */
    storageClass: optional(dnsSubdomain()),
  });

/** One key of an existing Secret. */
export const secretRef = (name: string, key: string) => obj({ name: withDefault(dnsSubdomain(), name), key: withDefault(secretKey(), key) });

export type Resources = Infer<ReturnType<typeof resources>['schema']>;
export type VolumeConfig = Infer<ReturnType<typeof volume>>;

/** Requests above limits: Kubernetes refuses such a pod. */
export function resourceChecks(path: string, r: Resources): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cpuToMillis(r.requests.cpu) > cpuToMillis(r.limits.cpu)) {
    issues.push({ path: `${path}.requests.cpu`, message: `is ${show(r.requests.cpu)}, above the limit ${show(r.limits.cpu)}`, fix: 'keep requests at or below limits' });
  }
  if (sizeToBytes(r.requests.memory) > sizeToBytes(r.limits.memory)) {
    issues.push({ path: `${path}.requests.memory`, message: `is ${show(r.requests.memory)}, above the limit ${show(r.limits.memory)}`, fix: 'keep requests at or below limits' });
  }
  return issues;
}

/** A data volume (metrics, logs) below 1Gi cannot hold 30 days of anything. */
export function volumeFloor(path: string, size: string): ConfigIssue[] {
  if (sizeToBytes(size) >= 1024 ** 3) return [];
  return [{ path, message: `is ${show(size)}, too small for 30 days of data`, fix: "use at least '1Gi'" }];
}
