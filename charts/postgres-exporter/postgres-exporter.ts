/**
 * postgres_exporter: one Deployment reading the Love Parser database through a monitoring role, with
 * the collectors that the stack's rules and dashboards read (POSTGRES_METRICS says which need a flag).
 * The DSN comes from an existing Secret; nothing here knows it.
 *
 * What the database needs (docs/metrics.md): a role with `pg_monitor`, and for query durations the
 * `pg_stat_statements` extension (in shared_preload_libraries, then CREATE EXTENSION).
 */
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { requiredFlags } from '../lib/metric';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { remoteExporter } from '../lib/exporter';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { dashboards } from './dashboards';
import { POSTGRES_METRICS } from './metrics';
import { recordingRules } from './recording-rules';
import { PostgresExporterProps } from './settings';

/** uid/gid `nobody` of the postgres-exporter image. */
const EXPORTER_UID = 65534;

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

    this.scrapeJobs = [
      remoteExporter(this, {
        endpoint,
        scraper: props.shared.endpoints.prometheus,
        image: imageOf('postgresExporter'),
        version: IMAGES.postgresExporter.tag,
        uid: EXPORTER_UID,
        args: postgresExporterArgs(endpoint.port),
        env: [{ name: 'DATA_SOURCE_NAME', valueFrom: { secretKeyRef: { name: c.dsnSecret.name, key: c.dsnSecret.key } } }],
        // The landing page, not /metrics: a probe must not query the database (pg_up says whether it is up).
        healthPath: '/',
        resources: c.resources,
        serverPort: props.shared.network.postgresPort,
      }),
    ];
    this.ruleGroups = [...recordingRules(props), ...alertRules(props)];
    this.dashboards = dashboards(props);
  }
}
