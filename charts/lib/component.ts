/**
 * The chart every component is: its objects in one namespace, created after the charts it depends on.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** Argo CD applies lower waves first; namespaces and cluster roles go before everything else. */
export const SYNC_WAVE_CLUSTER = '-1';

/**
 * Argo CD's sync options (argocd.argoproj.io/sync-options, Argo CD v3.4 "No Prune Resources" and "No
 * Resource Deletion") for what must outlive any sync or deletion of the Application: Namespaces
 * (with the Secrets made by hand inside them) and PersistentVolumeClaims (the data).
 */
export const KEEP_ON_DELETE = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } as const;

/** Marks a cluster-scoped object to sync before namespaced ones. */
export function syncEarly(obj: ApiObject): void {
  obj.metadata.addAnnotation('argocd.argoproj.io/sync-wave', SYNC_WAVE_CLUSTER);
}

/**
 * A chart whose objects live in `namespace` (stamped by cdk8s on every object without its own).
 * Charts that must exist first are declared as dependencies, which orders the files of dist/.
 */
export class ComponentChart extends Chart {
  constructor(scope: Construct, id: string, namespace: string, dependsOn: readonly Chart[] = []) {
    super(scope, id, { namespace, disableResourceNameHashes: true });
    for (const d of dependsOn) this.addDependency(d);
  }
}
