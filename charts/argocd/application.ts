/**
 * The Argo CD Application that syncs dist/ of this repository, and the AppProject that confines it.
 * Both are synthesized into argocd/, outside the synced path, so the Application never manages (or
 * prunes) itself; an operator applies them once: `kubectl apply -f argocd/`.
 *
 * What keeps GitOps from deleting what matters (docs/gitops.md):
 * - the Namespaces and the claims carry `argocd.argoproj.io/sync-options: Prune=false,Delete=false`
 *   (KEEP_ON_DELETE, charts/lib/component.ts): neither pruning nor deleting the Application removes
 *   them, nor the hand-made Secrets and the data inside them;
 * - the AppProject allows this repository only, the stack's namespaces only, the namespaced kinds
 *   dist/ holds and the cluster-scoped objects of dist/ by name: a wrong path or a stray manifest
 *   cannot reach anything else;
 * - no two environments sync the same path (charts/synth.ts `environmentChecks`).
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argocd-argoproj.io';
import { AppProject } from '../../imports/argocdproject-argoproj.io';
import { ArgocdSettings } from './settings';
import { PART_OF } from '../lib/labels';

/** The in-cluster API server, as Argo CD names the cluster it runs in. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** The identity of one synthesized object, enough to allow it in the AppProject. */
export interface ManifestRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export interface ArgoApplicationChartProps {
  readonly settings: ArgocdSettings;
  /** The environment whose manifests the Application syncs. */
  readonly environment: string;
  /** Every object of the environment's directory: the AppProject allows exactly their namespaces and kinds. */
  readonly manifests: readonly ManifestRef[];
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** The AppProject's allow-lists, computed from the manifests. */
export function projectScope(manifests: readonly ManifestRef[]) {
  const namespaced = new Map<string, { group: string; kind: string }>();
  const cluster = new Map<string, { group: string; kind: string; name: string }>();
  const namespaces = new Set<string>();
  for (const m of manifests) {
    const group = groupOf(m.apiVersion);
    if (m.metadata.namespace) {
      namespaces.add(m.metadata.namespace);
      namespaced.set(`${group}/${m.kind}`, { group, kind: m.kind });
    } else {
      cluster.set(`${group}/${m.kind}/${m.metadata.name}`, { group, kind: m.kind, name: m.metadata.name });
    }
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return { namespaces: [...namespaces].sort(), namespaced: sorted(namespaced), cluster: sorted(cluster) };
}

export class ArgoApplicationChart extends Chart {
  readonly application: Application;
  readonly project: AppProject;

  constructor(scope: Construct, id: string, props: ArgoApplicationChartProps) {
    const a = props.settings;
    super(scope, id, { namespace: a.namespace, disableResourceNameHashes: true });
    const labels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };
    const projectName = a.project ?? `${PART_OF}-${props.environment}`;
    const s = projectScope(props.manifests);

    this.project = new AppProject(this, 'project', {
      metadata: { name: projectName, labels },
      spec: {
        description: `The ${props.environment} monitoring stack: ${a.path}/ of its repository, its namespaces and kinds only`,
        sourceRepos: [a.repoURL],
        destinations: s.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
        // Cluster-scoped objects by name: the project may create these Namespaces and roles, no others.
        clusterResourceWhitelist: s.cluster,
        namespaceResourceWhitelist: s.namespaced,
      },
    });

    this.application = new Application(this, 'application', {
      metadata: {
        name: `${PART_OF}-${props.environment}`,
        labels,
        // Deleting the Application deletes what it deployed (foreground cascade), instead of orphaning
        // it, except what carries Delete=false: the namespaces and the claims. The path-qualified
        // form: Kubernetes 1.37 warns about finalizer names without a '/'.
        finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
      },
      spec: {
        project: projectName,
        source: {
          repoUrl: a.repoURL,
          targetRevision: a.targetRevision,
          path: a.path,
          // dist/ is flat, one file per chart; nothing below it is meant to be applied.
          directory: { recurse: false },
        },
        // Every object names its namespace; the destination's namespace must still be one the
        // project allows (Argo CD checks the Application's destination against the project).
        // Namespaces are part of dist/ (with their Pod Security labels), so none is created implicitly.
        destination: { server: IN_CLUSTER, namespace: s.namespaces[0] },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=false', 'PruneLast=true', 'ServerSideApply=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }
}
