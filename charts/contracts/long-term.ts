/**
 * The long-term metrics contract: what Prometheus and Thanos agree on when `thanos.enabled` is on.
 * Thanos builds the sidecar (its image, flags, object-storage configuration and credentials);
 * Prometheus runs it in each of its pods, next to its data volume, and opens the flows it needs.
 * Neither imports the other: `charts/stack.ts` hands Thanos's sidecar to Prometheus as a prop.
 */
import { k8s } from 'cdk8s-plus-28';
import { Flow } from '../lib/network';

/** Every Thanos component serves its HTTP API (and /metrics) and its gRPC Store API on these. */
export const THANOS_PORTS = {
  http: 10902,
  grpc: 10901,
  /** Container and Service port names of the sidecar inside the Prometheus pod (its own `http` is Prometheus's). */
  sidecarHttpName: 'sidecar-http',
  sidecarGrpcName: 'sidecar-grpc',
} as const;

/** What the sidecar needs to know about the Prometheus pod it runs in. */
export interface PrometheusPod {
  /** Name of the data volume (the claim template) that holds the TSDB. */
  readonly dataVolume: string;
  /** Where that volume is mounted in the Prometheus container (`--storage.tsdb.path`). */
  readonly dataDir: string;
  /** Prometheus's HTTP port, reached by the sidecar over the pod's loopback. */
  readonly port: number;
}

/** The parts Prometheus adds to its pods for the sidecar. */
export interface SidecarParts {
  readonly container: k8s.Container;
  /** Volumes the sidecar container mounts besides the data volume. */
  readonly volumes: readonly k8s.Volume[];
  /**
   * Flags Prometheus must run with: min and max block duration equal, so the head is cut into
   * 2h blocks that the sidecar uploads and Prometheus never compacts itself (docs/thanos.md).
   */
  readonly prometheusArgs: readonly string[];
  /** Ports of the headless Service: the sidecar's gRPC is found by its SRV record. */
  readonly servicePorts: readonly { readonly name: string; readonly port: number }[];
  /** Flows into the Prometheus pods for the sidecar's ports. */
  readonly ingress: readonly Flow[];
  /** Flows out of the Prometheus pods for the sidecar (to object storage). */
  readonly egress: readonly Flow[];
}

/** A sidecar builder: Thanos knows the sidecar, Prometheus knows its pod. */
export interface PrometheusSidecar {
  parts(pod: PrometheusPod): SidecarParts;
}
