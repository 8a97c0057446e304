/**
 * Schema builders for the shapes several components' settings share: an image reference, container
 * resources, a volume, a Secret reference. Each component's `settings.ts` composes its slice of the
 * configuration from these and from `schema.ts`; `charts/config.ts` composes the slices.
 */
import { ConfigIssue, Infer, cpuQuantity, cpuToMillis, danger, dnsSubdomain, memoryQuantity, obj, optional, refine, required, secretKey, show, sizeToBytes, storageSize, str, withDefault } from './schema';

/** Tags that move: an image under such a tag is not reproducible. */
export const FLOATING_TAGS = ['latest', 'stable', 'main', 'master', 'edge', 'nightly', 'dev'];

/** `@sha256:` and 64 hex digits: an image digest, optional after a tag. */
const DIGEST = '@sha256:[0-9a-f]{64}';

/**
 * An image repository: path components of lowercase letters and digits joined by `.`, `_`, `__` or
 * `-`; a registry port only on a registry host followed by a path (`registry:5000/team/app`), since
 * `backend:100` would be read as the image `backend` at tag `100`.
 */
export const IMAGE_REPOSITORY = /^(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** A tag (`1.4.2`), optionally pinned to a digest (`1.4.2@sha256:<64 hex digits>`). */
export const IMAGE_TAG = new RegExp(`^(?!(${FLOATING_TAGS.join('|')})(@|$))[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(${DIGEST})?$`);

/**
 * A tag that names a release line rather than a release (`1`, `v2`, `1.4`): the registry moves it
 * with each patch release, so it floats like `latest` unless a digest pins it.
 */
export function isFloatingVersionTag(tag: string): boolean {
  return /^v?[0-9]+(\.[0-9]+)?$/.test(tag);
}

/** A container image by repository and released tag (the backend's; the stack's own are pinned in versions.ts). */
export const imageRef = () =>
  obj({
    /** Registry and repository, e.g. `ghcr.io/love-parser/backend` (no tag; a registry port only before a path). */
    repository: required(
      str({
        pattern: IMAGE_REPOSITORY,
        maxLength: 255,
        expects: "an image repository such as 'ghcr.io/love-parser/backend' (no tag; a port only as 'registry:5000/path')",
      }),
    ),
    /**
     * A released, immutable tag such as `1.4.2`, optionally pinned to its digest as
     * `1.4.2@sha256:<64 hex digits>`. Floating tags are refused; a release line such as `1` or
     * `1.4` only with a digest (or an override).
     */
    tag: required(
      refine(
        str({
          pattern: IMAGE_TAG,
          expects: `a released image tag such as '1.4.2' or '1.4.2@sha256:<64 hex digits>' (not ${FLOATING_TAGS.map((t) => `'${t}'`).join(', ')})`,
        }),
        (tag, path) =>
          isFloatingVersionTag(tag)
            ? [danger(path, `is ${show(tag)}, a release line the registry moves with every patch release`, "set the full release, such as '1.4.2', or pin it: '1.4@sha256:<digest>'")]
            : [],
      ),
    ),
  });

/** Container requests and limits, with a component's documented defaults. */
export const resources = (d: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string }) =>
  withDefault(
    obj({
      /** What the scheduler reserves for the container. */
      requests: obj({
        /** CPU reserved, in cores (`1`, `0.5`) or millicores (`250m`). */
        cpu: withDefault(cpuQuantity(), d.cpu),
        /** Memory reserved (`256Mi`, `1Gi`). */
        memory: withDefault(memoryQuantity(), d.memory),
      }),
      /** What the container may use at most: CPU above is throttled, memory above is OOM-killed. */
      limits: obj({
        /** CPU ceiling, in cores or millicores; at least the request. */
        cpu: withDefault(cpuQuantity(), d.cpuLimit),
        /** Memory ceiling; at least the request. */
        memory: withDefault(memoryQuantity(), d.memoryLimit),
      }),
    }),
    { requests: { cpu: d.cpu, memory: d.memory }, limits: { cpu: d.cpuLimit, memory: d.memoryLimit } },
  );

/**
 * A PersistentVolumeClaim's size and StorageClass. `floor`: the smallest volume the component can
 * live on; below it the size is refused unless overridden. @default floor '1Gi': most storage
 * providers round smaller claims up to 1Gi or more anyway
 */
export const volume = (size: string, floor: { size: string; why: string } = { size: '1Gi', why: 'most storage providers give at least 1Gi anyway' }) =>
  obj({
    /** Size of the PersistentVolumeClaim (Mi, Gi or Ti, at most 1024Ti). */
    size: withDefault(storageSize({ floor: floor.size, why: floor.why }), size),
    /** StorageClass of the claim; the cluster default when left out. */
    storageClass: optional(dnsSubdomain()),
  });

/**
 * `host` or `host:port`, no scheme and no path: the S3 clients of Thanos and Loki take the endpoint
 * bare and choose http or https from their `insecure` setting.
 */
const OBJECT_STORE_ENDPOINT = /^(?=.{1,253}(:|$))[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$/;

/** An object store's endpoint as a host with an optional port; `product` names who reads it in the errors. */
export const objectStoreEndpoint = (example: string, product: string) =>
  refine(
    str({ expects: `a host name with an optional port and no scheme, such as '${example}'` }),
    (v, path) => {
      if (/^[a-z]+:\/\//i.test(v)) {
        return [{ path, message: `is ${show(v)}, a URL; ${product} takes the endpoint without a scheme`, fix: `write it as ${show(v.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, ''))} (and set insecure: true for plain http)` }];
      }
      if (/^[^/]+\/./.test(v)) {
        return [{ path, message: `is ${show(v)}, a host followed by a path; ${product} takes the host only (the bucket is its own setting)`, fix: `write it as ${show(v.replace(/\/.*$/, ''))} and put the bucket name in its setting` }];
      }
      if (!OBJECT_STORE_ENDPOINT.test(v)) return [{ path, message: `is ${show(v)}, not a host name with an optional port`, fix: `write a host such as '${example}' or 'minio.storage.svc:9000'` }];
      const p = /:([0-9]+)$/.exec(v);
      if (p && (Number(p[1]) < 1 || Number(p[1]) > 65535)) return [{ path, message: `has port ${p[1]}, outside 1-65535`, fix: 'write the port the object store listens on' }];
      return [];
    },
  );

/**
 * A bucket (S3, GCS) or container (Azure) name as the stores accept it: 3-63 lowercase letters,
 * digits, '-' and '.', starting and ending with a letter or digit, no '..', not an IP address.
 * `s3`: also Amazon S3's reserved prefixes and suffixes (`xn--`, `sthree-`, `-s3alias`, `--ol-s3`).
 */
export const bucketName = (opts: { s3?: boolean } = {}) =>
  refine(str({ expects: "a bucket name such as 'love-parser-metrics' (3-63 lowercase letters, digits, '-' and '.')" }), (v, path) => {
    const fix = "use 3-63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, such as 'love-parser-metrics'";
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v)) return [{ path, message: `is ${show(v)}, not a valid bucket name`, fix }];
    if (v.includes('..') || v.includes('.-') || v.includes('-.')) return [{ path, message: `is ${show(v)}: a dot must sit between letters or digits`, fix }];
    if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(v)) return [{ path, message: `is ${show(v)}, formatted as an IP address, which the stores refuse`, fix }];
    if (opts.s3 && (/^(xn--|sthree-)/.test(v) || /(-s3alias|--ol-s3)$/.test(v))) {
      return [{ path, message: `is ${show(v)}: S3 reserves the prefixes 'xn--' and 'sthree-' and the suffixes '-s3alias' and '--ol-s3'`, fix: 'choose a name without them' }];
    }
    return [];
  });

/** One key of an existing Secret. */
export const secretRef = (name: string, key: string) =>
  obj({
    /** Name of the existing Secret. */
    name: withDefault(dnsSubdomain(), name),
    /** Key in that Secret. */
    key: withDefault(secretKey(), key),
  });

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

/**
 * Keys of one Secret that name the same key: two settings would read one value (an SMS token that
 * is the webhook URL, a password that is the user name). `keys` maps each setting's path to its key.
 */
export function distinctSecretKeys(secret: string, keys: Record<string, string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, string>();
  for (const [path, key] of Object.entries(keys)) {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, path);
    else {
      issues.push(
        danger(path, `is ${show(key)}, the same key of Secret ${show(secret)} as ${first}: both settings would read one value`, `give ${path} its own key`),
      );
    }
  }
  return issues;
}
