/**
 * Hardened pod and container specs, written against the Kubernetes L1 API (`k8s` from cdk8s-plus-28).
 *
 * Why not the cdk8s-plus L2 workload classes: their defaults are wrong for this stack (requests of
 * 1 CPU / 512Mi on every container, `imagePullPolicy: Always`, no seccomp profile, no capability drop,
 * a 30 s startup probe on every port, no volumeClaimTemplates), and JSON patches on them run before
 * the L1 key mapping, so a mistyped patch vanishes silently. Writing the pod spec here, once, keeps
 * every workload explicit and identical in its hardening.
 */
import { k8s } from 'cdk8s-plus-28';
import { Resources } from './settings';

/** The container security context of Pod Security `restricted`, plus a read-only root filesystem. */
export const RESTRICTED_CONTAINER: k8s.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Pod security context of Pod Security `restricted`, running as the image's non-root user. */
export function restrictedPod(uid: number, opts: { fsGroup?: number } = {}): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    ...(opts.fsGroup !== undefined
      ? // OnRootMismatch: chown a large volume once, not on every restart.
        { fsGroup: opts.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' }
      : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function toResources(r: Resources): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(r.requests.cpu), memory: k8s.Quantity.fromString(r.requests.memory) },
    limits: { cpu: k8s.Quantity.fromString(r.limits.cpu), memory: k8s.Quantity.fromString(r.limits.memory) },
  };
}

export interface ProbeTiming {
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
}

/** An HTTP GET probe on a named container port. */
export function httpProbe(path: string, port: string, timing: ProbeTiming = {}): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(port), scheme: 'HTTP' },
    periodSeconds: timing.periodSeconds ?? 10,
    failureThreshold: timing.failureThreshold ?? 3,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
    ...(timing.initialDelaySeconds ? { initialDelaySeconds: timing.initialDelaySeconds } : {}),
  };
}

/** A startup probe that allows `budgetSeconds` before liveness takes over. */
export function startupProbe(path: string, port: string, budgetSeconds: number): k8s.Probe {
  const periodSeconds = 5;
  return httpProbe(path, port, { periodSeconds, failureThreshold: Math.ceil(budgetSeconds / periodSeconds) });
}

/** An environment variable from the pod's own fields (downward API): its name, IP, node. */
export function fieldEnv(name: string, fieldPath: 'metadata.name' | 'metadata.namespace' | 'status.podIP' | 'spec.nodeName'): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

export interface ContainerOptions {
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly command?: string[];
  readonly env?: k8s.EnvVar[];
  readonly envFrom?: k8s.EnvFromSource[];
  readonly ports?: { name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  readonly livenessProbe: k8s.Probe;
  readonly readinessProbe: k8s.Probe;
  readonly startupProbe?: k8s.Probe;
  readonly resources: Resources;
  readonly volumeMounts?: k8s.VolumeMount[];
  /** Replaces the restricted security context; only host agents in the agents namespace use this. */
  readonly securityContext?: k8s.SecurityContext;
}

/** A container with pinned pull policy, resources, probes and the restricted security context. */
export function container(o: ContainerOptions): k8s.Container {
  return {
    name: o.name,
    image: o.image,
    // Tags are pinned; re-pulling on every start only adds a registry dependency to restarts.
    imagePullPolicy: 'IfNotPresent',
    ...(o.command ? { command: o.command } : {}),
    ...(o.args ? { args: o.args } : {}),
    ...(o.env ? { env: o.env } : {}),
    ...(o.envFrom ? { envFrom: o.envFrom } : {}),
    ...(o.ports ? { ports: o.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })) } : {}),
    livenessProbe: o.livenessProbe,
    readinessProbe: o.readinessProbe,
    ...(o.startupProbe ? { startupProbe: o.startupProbe } : {}),
    resources: toResources(o.resources),
    securityContext: o.securityContext ?? RESTRICTED_CONTAINER,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...(o.volumeMounts ? { volumeMounts: o.volumeMounts } : {}),
  };
}

export interface PodOptions {
  readonly serviceAccountName: string;
  readonly containers: k8s.Container[];
  readonly securityContext: k8s.PodSecurityContext;
  readonly volumes?: k8s.Volume[];
  /** Mount the ServiceAccount token: only for components that talk to the Kubernetes API. @default false */
  readonly apiAccess?: boolean;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Scheduling priority (a PriorityClass of the cluster chart). @default none: the cluster's default, 0 */
  readonly priorityClassName?: string;
  /** Where the pods may run relative to each other (charts/lib/ha.ts). @default none */
  readonly affinity?: k8s.Affinity;
  /** Secrets with registry credentials for a private image (names in the pod's namespace). @default none */
  readonly imagePullSecrets?: readonly string[];
}

export function podSpec(o: PodOptions): k8s.PodSpec {
  return {
    serviceAccountName: o.serviceAccountName,
    automountServiceAccountToken: o.apiAccess ?? false,
    // Service links inject one env var per Service of the namespace; nothing here reads them.
    enableServiceLinks: false,
    securityContext: o.securityContext,
    containers: o.containers,
    terminationGracePeriodSeconds: o.terminationGracePeriodSeconds ?? 30,
    ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
    ...(o.affinity ? { affinity: o.affinity } : {}),
    ...(o.volumes ? { volumes: o.volumes } : {}),
    ...(o.imagePullSecrets && o.imagePullSecrets.length > 0 ? { imagePullSecrets: o.imagePullSecrets.map((name) => ({ name })) } : {}),
  };
}

/** A volume of a ConfigMap, mounted as a directory (never with subPath, so updates reach the pod). */
export function configMapVolume(name: string, configMapName: string): k8s.Volume {
  return { name, configMap: { name: configMapName } };
}

/** A volume of selected Secret keys, readable by the owner only. */
export function secretVolume(name: string, secretName: string, items?: { key: string; path: string }[]): k8s.Volume {
  return { name, secret: { secretName, defaultMode: 0o400, ...(items ? { items } : {}) } };
}

/** A scratch directory for a read-only root filesystem: on the node's disk (not memory, so it does not count against the memory limit), capped by sizeLimit, above which the kubelet evicts the pod. */
export function scratchVolume(name: string, sizeLimit = '64Mi'): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}
