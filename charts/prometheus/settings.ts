/** Prometheus's slice of the configuration (`prometheus:` in config/<environment>.yaml). */
import { ConfigIssue, Infer, danger, durationToSeconds, int, num, obj, promDuration, show, sizeToBytes, withDefault } from '../lib/schema';
import { resources, volume } from '../lib/settings';
import { antiAffinity } from '../lib/ha';
import { ComponentProps } from '../contracts/shared';
import { DOCUMENTED_SERIES, claimSize, defaultPrometheusClaim, prometheusClaimNeed } from './sizing';

/** The defaults the default claim is derived from (./sizing.ts); the benchmarks size with them too. */
export const CLAIM_DEFAULTS = { scrapeInterval: '15s', retention: '30d', retentionSizeRatio: 0.8 } as const;

export const prometheusSettings = obj({
  /**
   * Identical Prometheus servers, each scraping every target and evaluating every rule, each
   * sending to every Alertmanager (which deduplicates their alerts: the `replica` external label
   * is dropped from alerts). Two ride out a node drain, a crash or a 15-minute WAL replay
   * without a gap in alerting; one is enough where nobody is paged. @default 2
   */
  replicas: withDefault(int({ min: 1, max: 5 }), 2),
  /**
   * `hard`: two replicas never share a node (with fewer nodes than replicas, one stays Pending and
   * PrometheusReplicaDown says so); `soft`: the scheduler prefers other nodes but may co-locate.
   * Hard by default: a pair on one node dies with it. @default 'hard'
   */
  antiAffinity: antiAffinity('hard'),
  /** How often every target is scraped. @default '15s' (the seed's scrape interval) */
  scrapeInterval: withDefault(promDuration({ safeMax: '2m', why: 'Prometheus marks a series stale after 5m without a sample, and rate() needs two samples in its window' }), CLAIM_DEFAULTS.scrapeInterval),
  /** How often alerting and recording rules are evaluated; at least the scrape interval. @default '15s' */
  evaluationInterval: withDefault(promDuration({ safeMax: '2m', why: "an alert's `for` and its notification lag by up to one evaluation interval" }), '15s'),
  /** Time-based retention. @default '30d' (the seed's) */
  retention: withDefault(promDuration({ safeMin: '1d', why: 'a retention under a day leaves no history to compare against, and Prometheus keeps 2-3h in its head block anyway' }), CLAIM_DEFAULTS.retention),
  /**
   * Size-based retention as a share of the claim. Prometheus's own docs advise at most 80-85% of
   * the disk: the WAL and compaction need headroom, and a full disk crash-loops the server.
   * @default 0.8
   */
  retentionSizeRatio: withDefault(num({ min: 0.5, max: 0.9 }), CLAIM_DEFAULTS.retentionSizeRatio),
  /**
   * Series one Prometheus server holds (`prometheus_tsdb_head_series` once it runs): with the
   * scrape interval, the retention and the bytes per sample measured on this stack's data, it
   * says how large the claim must be, and a smaller `storage.size` is refused. The default is the
   * documented production cardinality, scraped and recorded (docs/performance.md).
   * @default 12954
   */
  expectedSeries: withDefault(int({ min: 100, max: 50_000_000 }), DOCUMENTED_SERIES),
  /**
   * The `prometheus-data` claim. The default is three times what the documented cardinality needs
   * for the default 30 days at 15s (charts/prometheus/sizing.ts): room for the backend to double
   * its routes and its pods.
   * @default 15Gi
   */
  storage: volume(defaultPrometheusClaim(CLAIM_DEFAULTS)),
  /**
   * Seconds Prometheus may take to become ready after a start before liveness applies: a WAL
   * replay of a full head block on a slow network disk takes minutes, and killing it mid-replay
   * only starts it over. @default 900
   */
  startupSeconds: withDefault(int({ min: 60, max: 3600 }), 900),
  /**
   * How often Prometheus checks its configuration and rule files for changes and reloads them
   * (`--config.auto-reload-interval`). @default '30s'
   */
  reloadInterval: withDefault(promDuration(), '30s'),
  resources: resources({ cpu: '500m', memory: '2Gi', cpuLimit: '2', memoryLimit: '4Gi' }),
  alerts: obj({
    /**
     * Share of the notification queue's capacity that alerts (PrometheusNotificationQueueFilling):
     * a queue that full drops alerts as soon as the next burst arrives. @default 0.8
     */
    notificationQueueRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.8),
    /**
     * Share of alerts sent to one Alertmanager that fail (PrometheusAlertmanagerErrors): the
     * upstream mixin's 1%; every Alertmanager receives every alert, so one failing is a warning.
     * @default 0.01
     */
    alertmanagerErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.01),
  }),
});
export type PrometheusSettings = Infer<typeof prometheusSettings>;

/** Settings that contradict each other; paths are relative to `prometheus`. */
export function prometheusChecks(s: PrometheusSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (durationToSeconds(s.evaluationInterval) < durationToSeconds(s.scrapeInterval)) {
    issues.push({
      path: 'evaluationInterval',
      message: `is ${show(s.evaluationInterval)}, shorter than scrapeInterval ${show(s.scrapeInterval)}: rules would evaluate the same samples twice`,
      fix: 'set evaluationInterval to at least the scrape interval',
    });
  }
  // Too small a claim for the retention: size retention would delete history the time retention
  // promises, and the WAL and compaction would run the volume full.
  const need = prometheusClaimNeed({ series: s.expectedSeries, scrapeInterval: s.scrapeInterval, retention: s.retention, retentionSizeRatio: s.retentionSizeRatio });
  if (sizeToBytes(s.storage.size) < need.claim) {
    issues.push(
      danger(
        'storage.size',
        `is ${show(s.storage.size)}, smaller than the ${claimSize(need.claim)} that ${s.retention} of prometheus.expectedSeries ${s.expectedSeries} every ${s.scrapeInterval} needs (blocks, WAL and head, compaction room, at retentionSizeRatio ${s.retentionSizeRatio}; docs/performance.md)`,
        `set prometheus.storage.size to at least '${claimSize(need.claim)}', shorten prometheus.retention, or set prometheus.expectedSeries to the series the stack holds (prometheus_tsdb_head_series)`,
      ),
    );
  }
  return issues;
}

/** What the chart and its rules and dashboards are built from. */
export type PrometheusProps = ComponentProps<PrometheusSettings>;
