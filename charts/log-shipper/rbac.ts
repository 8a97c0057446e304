/**
 * The log shipper's read-only access to the Kubernetes API: list and watch pods in every namespace,
 * the only thing pod discovery needs (no nodes: the node name comes from the downward API; no
 * pods/log: logs are read from the node's files).
 *
 * A chart of its own without a namespace: cdk8s stamps a chart's namespace on every object, cluster-
 * scoped ones included, so the ClusterRole and its binding cannot live in the shipper's
 * namespaced chart. Like the cluster chart, it syncs in Argo CD's early wave.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentProps } from '../contracts/shared';
import { syncEarly } from '../lib/component';
import { PART_OF } from '../lib/labels';

/** What pod discovery calls: an informer lists, then watches. */
export const DISCOVERY_RULES: readonly k8s.PolicyRule[] = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }];

export class LogShipperRbacChart extends Chart {
  /** Name of the ClusterRole and its binding, prefixed with the agents namespace to stay unique in the cluster. */
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: ComponentProps<unknown>) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const d of props.dependsOn) this.addDependency(d);
    const shipper = props.shared.endpoints.logShipper;
    this.roleName = `${shipper.namespace}-${shipper.name}`;
    const labels = {
      'app.kubernetes.io/name': shipper.name,
      'app.kubernetes.io/component': 'logs',
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };

    const role = new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: this.roleName, labels },
      rules: [...DISCOVERY_RULES],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: this.roleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.roleName },
      subjects: [{ kind: 'ServiceAccount', name: shipper.name, namespace: shipper.namespace }],
    });
    syncEarly(role);
    syncEarly(binding);
  }
}
