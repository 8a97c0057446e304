/**
 * redis_exporter: one Deployment reading the Redis that holds the Bull queues and the cache. Its
 * address and password come from an existing Secret; nothing here knows them. The defaults of the
 * pinned exporter already give every metric REDIS_METRICS names (memory, keys, evictions, hits and
 * misses from INFO; per-command latency from INFO commandstats and LATENCY HISTOGRAM).
 */
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { requiredFlags } from '../lib/metric';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { remoteExporter } from '../lib/exporter';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { dashboards } from './dashboards';
import { REDIS_METRICS } from './metrics';
import { recordingRules } from './recording-rules';
import { RedisExporterProps } from './settings';

/** The uid/gid the redis_exporter image runs as (`USER 59000:59000`). */
const EXPORTER_UID = 59000;

export function redisExporterArgs(port: number): string[] {
  return [
    `--web.listen-address=:${port}`,
    // Its own Go runtime and process series are noise next to Redis's; Prometheus has `up` for it.
    '--redis-only-metrics',
    ...requiredFlags(REDIS_METRICS),
  ];
}

export class RedisExporterChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[];

  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.redisExporter;
    super(scope, id, endpoint.namespace, props.dependsOn);

    this.scrapeJobs = [
      remoteExporter(this, {
        endpoint,
        scraper: props.shared.endpoints.prometheus,
        image: imageOf('redisExporter'),
        version: IMAGES.redisExporter.tag,
        uid: EXPORTER_UID,
        args: redisExporterArgs(endpoint.port),
        env: [
          { name: 'REDIS_ADDR', valueFrom: { secretKeyRef: { name: c.secretName, key: c.addressKey } } },
          { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: c.secretName, key: c.passwordKey } } },
        ],
        // /health answers without touching Redis (redis_up says whether Redis is up).
        healthPath: '/health',
        resources: c.resources,
        serverPort: props.shared.network.redisPort,
      }),
    ];
    this.ruleGroups = [...recordingRules(props), ...alertRules(props)];
    this.dashboards = dashboards(props);
  }
}
