/**
 * NetworkPolicies that allow exactly the flows a workload needs. Every workload of the stack gets one
 * policy selecting its pods with both policy types, so anything not listed is denied.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { ServiceEndpoint } from './endpoints';

/** Who is on the other side of a flow. */
export type Peer =
  /** The pods behind a Service of the stack. */
  | { readonly endpoint: ServiceEndpoint }
  /** Pods of a namespace, optionally narrowed by labels. */
  | { readonly namespace: string; readonly podLabels?: Record<string, string> }
  /** Addresses outside the cluster, or the API server. */
  | { readonly cidrs: readonly string[] }
  /** Anyone: used for public APIs and the backend's clients. */
  | { readonly anywhere: true };

export interface Flow {
  readonly peers: readonly Peer[];
  readonly ports: readonly { readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[];
}

/** Where DNS is answered (the `network.dns` settings). */
export interface DnsEgress {
  readonly namespace: string;
  /** `key=value` of the DNS pods. */
  readonly podLabel: string;
  readonly cidrs: readonly string[];
  readonly anywhere: boolean;
}

/** CoreDNS/kube-dns pods in kube-system, and NodeLocal DNSCache's link-local address. */
export const DEFAULT_DNS: DnsEgress = { namespace: 'kube-system', podLabel: 'k8s-app=kube-dns', cidrs: ['169.254.20.10/32'], anywhere: false };

/**
 * Construct context key under which the stack sets its DNS settings once, on the App
 * (charts/stack.ts): every NetworkPolicy of every component then allows the same DNS, without each
 * chart passing it along. Unset (a chart built alone in a test), DEFAULT_DNS applies.
 */
export const DNS_CONTEXT = 'love-parser/network.dns';

/** The egress flow to cluster DNS. */
export function dnsFlow(d: DnsEgress = DEFAULT_DNS): Flow {
  const [key, value] = d.podLabel.split('=');
  return {
    peers: d.anywhere ? [{ anywhere: true }] : [{ namespace: d.namespace, podLabels: { [key]: value } }, ...(d.cidrs.length ? [{ cidrs: d.cidrs }] : [])],
    ports: [
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ],
  };
}

/** The default DNS flow (kept for readers of the flows in tests). */
export const DNS_FLOW: Flow = dnsFlow();

function peer(p: Peer): k8s.NetworkPolicyPeer[] {
  if ('endpoint' in p) return peer({ namespace: p.endpoint.namespace, podLabels: p.endpoint.podLabels });
  if ('namespace' in p) {
    return [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
        ...(p.podLabels ? { podSelector: { matchLabels: p.podLabels } } : {}),
      },
    ];
  }
  if ('cidrs' in p) return p.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return [];
}

function peers(ps: readonly Peer[]): k8s.NetworkPolicyPeer[] | undefined {
  if (ps.some((p) => 'anywhere' in p)) return undefined; // an absent from/to means any peer
  return ps.flatMap(peer);
}

function ports(f: Flow): k8s.NetworkPolicyPort[] {
  return f.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

export interface AllowOnlyProps {
  readonly name: string;
  readonly namespace?: string;
  readonly podLabels: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly ingress: readonly Flow[];
  readonly egress: readonly Flow[];
  /** Allow cluster DNS lookups. @default true */
  readonly dns?: boolean;
}

/** A NetworkPolicy that denies everything to and from the selected pods except the given flows. */
export function allowOnly(scope: Construct, id: string, p: AllowOnlyProps): k8s.KubeNetworkPolicy {
  const dns = (scope.node.tryGetContext(DNS_CONTEXT) as DnsEgress | undefined) ?? DEFAULT_DNS;
  const egress = p.dns ?? true ? [dnsFlow(dns), ...p.egress] : p.egress;
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.labels ? { labels: p.labels } : {}) },
    spec: {
      podSelector: { matchLabels: p.podLabels },
      policyTypes: ['Ingress', 'Egress'],
      // An empty list is left out, not written: with both policy types it already denies everything,
      // and the API server drops `[]`, so writing it would make every apply a change.
      ...(p.ingress.length
        ? {
            ingress: p.ingress.map((f) => {
              const from = peers(f.peers);
              return { ...(from ? { from } : {}), ports: ports(f) };
            }),
          }
        : {}),
      ...(egress.length
        ? {
            egress: egress.map((f) => {
              const to = peers(f.peers);
              return { ...(to ? { to } : {}), ports: ports(f) };
            }),
          }
        : {}),
    },
  });
}
