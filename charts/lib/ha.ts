/**
 * What a replicated workload of the stack needs to survive a node: its replicas spread across nodes
 * (hard or soft anti-affinity), and a PodDisruptionBudget so a drain takes one replica at a time.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { oneOf, withDefault } from './schema';

/** The node label every kubelet sets; one replica per value is one replica per node. */
export const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';

export type AntiAffinityMode = 'hard' | 'soft';

/**
 * The anti-affinity setting: `hard` (a replica stays Pending rather than share a node with another)
 * or `soft` (the scheduler prefers other nodes but may co-locate).
 */
export const antiAffinity = (d: AntiAffinityMode) => withDefault(oneOf(['hard', 'soft'] as const), d);

/** Pod anti-affinity that keeps the pods matching `selector` on different nodes. */
export function spreadAcrossNodes(selector: Record<string, string>, mode: AntiAffinityMode): k8s.Affinity {
  const term: k8s.PodAffinityTerm = { topologyKey: HOSTNAME_TOPOLOGY, labelSelector: { matchLabels: selector } };
  return {
    podAntiAffinity:
      mode === 'hard'
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
  };
}

/**
 * A PodDisruptionBudget allowing one voluntary disruption at a time: with two or more replicas a
 * drain never takes them all; with one, a drain still proceeds (a budget of zero would hang it).
 */
export function oneAtATime(scope: Construct, id: string, name: string, labels: Record<string, string>, selector: Record<string, string>): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { name, labels },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
  });
}
