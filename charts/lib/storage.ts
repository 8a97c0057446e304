/**
 * Persistent volumes: claim specs from config, and StatefulSets whose claim templates are written
 * the way the API server stores them.
 *
 * Why the latter: the API server fills `apiVersion`, `kind`, `spec.volumeMode` and `status` into
 * every volumeClaimTemplate. Written without them, each `kubectl apply` sees a difference and
 * rewrites the StatefulSet, and a later `kubectl apply --server-side` conflicts with the client-side
 * field manager on `.spec.volumeClaimTemplates`. The L1 mapping of cdk8s drops those keys (and JSON
 * patches run before the mapping), so they are added after it.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { VolumeConfig } from './settings';

/** ReadWriteOnce claim of the configured size and storage class (the cluster default when unset). */
export function claimSpec(v: VolumeConfig): k8s.PersistentVolumeClaimSpec {
  return {
    accessModes: ['ReadWriteOnce'],
    ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
    resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
  };
}

/**
 * A volumeClaimTemplate. Labelled with the selector labels only: claim templates are immutable, so a
 * version label would block every upgrade of the StatefulSet.
 */
export function claimTemplate(name: string, selectorLabels: Record<string, string>, v: VolumeConfig): k8s.KubePersistentVolumeClaimProps {
  return { metadata: { name, labels: selectorLabels }, spec: claimSpec(v) };
}

/** A StatefulSet whose claim templates carry the fields the API server defaults (see above). */
export class StatefulSet extends k8s.KubeStatefulSet {
  constructor(scope: Construct, id: string, props: k8s.KubeStatefulSetProps) {
    super(scope, id, props);
  }

  public toJson(): any {
    const json = super.toJson();
    const templates: any[] | undefined = json.spec?.volumeClaimTemplates;
    if (templates) {
      json.spec.volumeClaimTemplates = templates.map((t) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        ...t,
        spec: { ...t.spec, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      }));
    }
    return json;
  }
}
