/**
 * Cluster-scoped objects: the stack's namespaces with their Pod Security levels, the
 * PriorityClasses of the host agents and of Prometheus and Alertmanager, and any ClusterRole a
 * component needs. This chart has no namespace (cdk8s would stamp it on cluster-scoped
 * objects too) and comes first in dist/, so `kubectl apply -f dist/` creates namespaces before use.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Namespaces, PriorityClasses } from '../contracts/shared';
import { KEEP_ON_DELETE, SYNC_WAVE_CLUSTER } from '../lib/component';
import { PART_OF } from '../lib/labels';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface ClusterChartProps {
  readonly namespaces: Namespaces;
  readonly priorityClasses: PriorityClasses;
}

export class ClusterChart extends Chart {
  /** Pod Security level enforced in each namespace of the stack. */
  readonly levels: Readonly<Record<string, PodSecurityLevel>>;

  constructor(scope: Construct, id: string, props: ClusterChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const ns = props.namespaces;
    this.levels = {
      [ns.monitoring]: 'restricted',
      [ns.backend]: 'restricted',
      // Node exporter and the log shipper need host namespaces and hostPath mounts, which only
      // `privileged` admits. Nothing else is deployed there; `audit` still records what `baseline`
      // would refuse, without warning on every apply.
      [ns.agents]: 'privileged',
    };
    const purpose: Record<string, string> = {
      [ns.monitoring]: 'monitoring',
      [ns.backend]: 'backend',
      [ns.agents]: 'host-agents',
    };
    for (const [name, level] of Object.entries(this.levels)) {
      new k8s.KubeNamespace(this, `ns-${purpose[name]}`, {
        metadata: {
          name,
          labels: {
            'app.kubernetes.io/part-of': name === ns.backend ? 'love-parser' : PART_OF,
            'app.kubernetes.io/managed-by': 'cdk8s',
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'pod-security.kubernetes.io/audit': level === 'privileged' ? 'baseline' : level,
            'pod-security.kubernetes.io/warn': level,
          },
          // Never pruned nor deleted by Argo CD: deleting a namespace deletes everything in it.
          annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE_CLUSTER, ...KEEP_ON_DELETE },
        },
      });
    }
    const descriptions: Record<keyof PriorityClasses, string> = {
      hostAgents: 'Host agents of the monitoring stack (node exporter, log shipper): one per node, scheduled before anything else of the stack so no node goes unmonitored.',
      alerting: 'Prometheus and Alertmanager: scheduled before, and evicted after, the workloads they watch.',
    };
    for (const [key, pc] of Object.entries(props.priorityClasses) as [keyof PriorityClasses, PriorityClasses[keyof PriorityClasses]][]) {
      new k8s.KubePriorityClass(this, `priority-${String(key)}`, {
        metadata: {
          name: pc.name,
          labels: { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' },
          annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVE_CLUSTER },
        },
        value: pc.value,
        // Never the default: only the pods that name it get it.
        globalDefault: false,
        preemptionPolicy: pc.preemptLowerPriority ? 'PreemptLowerPriority' : 'Never',
        description: descriptions[key],
      });
    }
  }
}
