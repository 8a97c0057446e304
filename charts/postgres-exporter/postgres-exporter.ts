/**
 * postgres_exporter: one Deployment reading the Love Parser database through a monitoring role, with
 * the collectors that the stack's rules and dashboards read (POSTGRES_METRICS says which need a flag).
 * The DSN comes from an existing Secret; nothing here knows it.
 *
 * What the database needs (docs/metrics.md): a role with `pg_monitor`, and for query durations the
 * `pg_stat_statements` extension (in shared_preload_libraries, then CREATE EXTENSION).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { requiredFlags } from '../lib/metric';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { container, httpProbe, podSpec, restrictedPod } from '../lib/pod';
import { serviceAccountFor, serviceFor } from '../lib/workload';
import { podScrapeJob } from '../lib/scrape';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { dashboards } from './dashboards';
import { POSTGRES_METRICS } from './metrics';
import { recordingRules } from './recording-rules';
import { PostgresExporterProps } from './settings';

/** uid/gid `nobody` of the postgres-exporter image. */
const EXPORTER_UID = 65534;
/** PostgreSQL's port; the DSN's host is outside the stack, so egress allows this port to any address. */
const POSTGRES_PORT = 5432;

/** The exporter's flags: the collectors the metrics contract needs, off by default at the pinned version. */
export function postgresExporterArgs(port: number): string[] {
  return [`--web.listen-address=:${port}`, ...requiredFlags(POSTGRES_METRICS)];
}

export class PostgresExporterChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[];

  constructor(scope: Construct, id: string, props: PostgresExporterProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.postgresExporter;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'exporter', version: IMAGES.postgresExporter.tag });
    const selector = endpoint.podLabels;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: endpoint.name, labels },
      spec: {
        replicas: 1, // two would double the load on the database for the same numbers
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            securityContext: restrictedPod(EXPORTER_UID),
            containers: [
              container({
                name: 'postgres-exporter',
                image: imageOf('postgresExporter'),
                args: postgresExporterArgs(endpoint.port),
                env: [{ name: 'DATA_SOURCE_NAME', valueFrom: { secretKeyRef: { name: c.dsnSecret.name, key: c.dsnSecret.key } } }],
                ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                // The landing page, not /metrics: a probe must not query the database (pg_up says whether it is up).
                livenessProbe: httpProbe('/', endpoint.portName, { periodSeconds: 20 }),
                readinessProbe: httpProbe('/', endpoint.portName, { periodSeconds: 10 }),
                resources: c.resources,
              }),
            ],
          }),
        },
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      ingress: [{ peers: [{ endpoint: props.shared.endpoints.prometheus }], ports: [{ port: endpoint.port }] }],
      egress: [{ peers: [{ anywhere: true }], ports: [{ port: POSTGRES_PORT }] }],
    });

    this.scrapeJobs = [podScrapeJob({ job: 'postgres-exporter', endpoint })];
    this.ruleGroups = [...recordingRules(props), ...alertRules(props)];
    this.dashboards = dashboards(props);
  }
}
