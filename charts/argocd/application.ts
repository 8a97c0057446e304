/**
 * The Argo CD Application that syncs dist/ of this repository. It is synthesized into argocd/, outside
 * the synced path, so the Application never manages (or prunes) itself; an operator applies it once:
 * `kubectl apply -f argocd/`.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argocd-argoproj.io';
import { ArgocdSettings } from './settings';
import { PART_OF } from '../lib/labels';

export interface ArgoApplicationChartProps {
  readonly settings: ArgocdSettings;
  /** The environment whose manifests the Application syncs. */
  readonly environment: string;
}

export class ArgoApplicationChart extends Chart {
  readonly application: Application;

  constructor(scope: Construct, id: string, props: ArgoApplicationChartProps) {
    const a = props.settings;
    super(scope, id, { namespace: a.namespace, disableResourceNameHashes: true });
    this.application = new Application(this, 'application', {
      metadata: {
        name: `${PART_OF}-${props.environment}`,
        labels: { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' },
        // Deleting the Application deletes what it deployed (foreground cascade), instead of orphaning
        // it. The path-qualified form: Kubernetes 1.37 warns about finalizer names without a '/'.
        finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
      },
      spec: {
        project: a.project,
        source: {
          repoUrl: a.repoURL,
          targetRevision: a.targetRevision,
          path: a.path,
          // dist/ is flat, one file per chart; nothing below it is meant to be applied.
          directory: { recurse: false },
        },
        // Namespaces are part of dist/ (with their Pod Security labels), so none is created implicitly.
        destination: { server: 'https://kubernetes.default.svc' },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=false', 'PruneLast=true', 'ServerSideApply=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }
}
