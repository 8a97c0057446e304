/**
 * The small objects every workload of the stack carries around its pods, written once: its own
 * ServiceAccount, the Service in front of a `ServiceEndpoint`, and the checksum of its
 * configuration. Each component still owns its workload; these helpers only keep the identical
 * parts identical.
 */
import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceEndpoint } from './endpoints';

export interface ServiceOptions {
  /** Name of the Service. @default endpoint.name */
  readonly name?: string;
  /**
   * No cluster IP: DNS answers with the pods' own addresses (a StatefulSet's governing Service, or
   * host agents that Prometheus discovers pod by pod).
   *
   * @default false, a ClusterIP Service
   */
  readonly headless?: boolean;
  /** Publish pods before they are ready, so a pod has stable DNS during its startup. @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** More ports besides the endpoint's (a gossip port, say), each targeting the container port of its name. */
  readonly extraPorts?: readonly { readonly name: string; readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[];
  /**
   * `ClientIP`: every connection of one client goes to the same pod while it is ready (a reader of
   * replicas whose data differ slightly sees one consistent series). @default none
   */
  readonly sessionAffinity?: 'ClientIP';
}

/**
 * The Service of an endpoint: its pods (`endpoint.podLabels`) behind the endpoint's port, which
 * targets the container port of the same name, so a port number is written in one place only.
 */
export function serviceFor(
  scope: Construct,
  id: string,
  endpoint: ServiceEndpoint,
  labels: Record<string, string>,
  opts: ServiceOptions = {},
): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name: opts.name ?? endpoint.name, labels },
    spec: {
      ...(opts.headless ? { clusterIp: 'None' } : { type: 'ClusterIP' }),
      ...(opts.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ...(opts.sessionAffinity ? { sessionAffinity: opts.sessionAffinity } : {}),
      selector: endpoint.podLabels,
      ports: [
        { name: endpoint.portName, port: endpoint.port, targetPort: k8s.IntOrString.fromString(endpoint.portName), protocol: 'TCP' },
        ...(opts.extraPorts ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol ?? 'TCP' })),
      ],
    },
  });
}

/**
 * The workload's own ServiceAccount, so that no pod runs as `default` and RBAC (where a component
 * needs any) binds to exactly one workload.
 *
 * The token is never mounted from here: a pod that talks to the API asks for it with
 * `podSpec({ apiAccess: true })`, so the permission is stated next to the pod that uses it.
 */
export function serviceAccountFor(scope: Construct, id: string, name: string, labels: Record<string, string>): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, id, { metadata: { name, labels }, automountServiceAccountToken: false });
}

/**
 * SHA-256 (hex) of a workload's configuration files, for a `checksum/*` annotation on the pod
 * template: a component that reads its files only at start rolls its pods when one changes.
 *
 * The texts are hashed in the order given, as one stream.
 */
export function configChecksum(...texts: string[]): string {
  const hash = createHash('sha256');
  for (const t of texts) hash.update(t);
  return hash.digest('hex');
}
