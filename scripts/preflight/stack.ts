/**
 * An environment's synthesized files, in memory: what `npm run synth` writes to dist/ (or dist-<env>/) and
 * argocd/<environment>.k8s.yaml, with the same file names, without writing anything. Preflight
 * names these files in its fixes (`kubectl apply -f dist/0000-cluster.k8s.yaml`); a test holds the
 * names against the committed outputs.
 */
import { App, Chart, Names } from 'cdk8s';
import { StackConfig } from '../../charts/config';
import { CustomDashboard } from '../../charts/grafana/custom';
import { buildGitOps, buildStack, manifestsOf } from '../../charts/stack';
import { GITOPS_DIR, outputDirOf } from '../../charts/synth';
import { ManifestFile } from './checks';

/**
 * The files of `app` as cdk8s names them in FILE_PER_CHART output: `<chart>.k8s.yaml`, prefixed
 * with the chart's position (`0000-`) when charts depend on each other.
 */
function filesOf(app: App, dir: string): ManifestFile[] {
  const charts = app.charts;
  const indexed = charts.some((c) => c.node.dependencies.length > 0);
  return charts.map((chart: Chart, i) => ({
    file: `${dir}/${indexed ? `${String(i).padStart(4, '0')}-` : ''}${Names.toDnsLabel(chart)}.k8s.yaml`,
    objects: chart.toJson(),
  }));
}

export interface StackFiles {
  /** `dist` or `dist-<environment>`. */
  readonly distDir: string;
  readonly dist: ManifestFile[];
  /** argocd/<environment>.k8s.yaml: the Application and its AppProject. */
  readonly gitops: ManifestFile;
}

/** Builds the environment's stack and its Argo CD objects in memory, file by file. */
export function stackFiles(config: StackConfig, customDashboards: readonly CustomDashboard[]): StackFiles {
  const env = config.environment;
  const distDir = outputDirOf(env);
  const app = new App();
  buildStack(app, config, customDashboards);
  const dist = filesOf(app, distDir);
  const gitopsApp = new App();
  buildGitOps(gitopsApp, config, env, manifestsOf(app));
  const [gitops] = filesOf(gitopsApp, GITOPS_DIR);
  return { distDir, dist, gitops };
}
