/** Loki's slice of the configuration (`loki:` in config/<environment>.yaml): retention and ingestion limits. */
import { ConfigIssue, Infer, danger, durationToMillis, int, num, obj, promDuration, show, sizeToBytes, withDefault } from '../lib/schema';
import { resources, volume } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const lokiSettings = obj({
  /** Log retention, enforced by the compactor. @default '30d' (like Prometheus) */
  retention: withDefault(promDuration(), '30d'),
  /** The `loki-data` claim. @default 50Gi */
  storage: volume('50Gi'),
  /** Per-tenant ingestion rate in MiB/s; one backend writes far less. @default 8 */
  ingestionRateMb: withDefault(int({ min: 1, max: 1024 }), 8),
  /** Burst above the rate, in MiB. @default 16 */
  ingestionBurstMb: withDefault(int({ min: 1, max: 2048 }), 16),
  /**
   * Rate of one stream (one container's lines of one level) in MiB/s; above it Loki answers 429
   * for that stream only. Loki's own default. @default 3
   */
  perStreamRateMb: withDefault(int({ min: 1, max: 1024 }), 3),
  /** Burst of one stream above its rate, in MiB. Loki's own default. @default 15 */
  perStreamBurstMb: withDefault(int({ min: 1, max: 2048 }), 15),
  /**
   * Active streams the single tenant may hold: about pods x containers x levels x 2 (stdout and
   * stderr). One backend with Postgres and the monitoring stack uses a few hundred. @default 10000
   */
  maxStreams: withDefault(int({ min: 100, max: 1000000 }), 10000),
  /**
   * Oldest line Loki accepts. A shipper catching up after an outage longer than this loses what is
   * older; keep it at or below the retention. @default '7d'
   */
  rejectOlderThan: withDefault(promDuration(), '7d'),
  resources: resources({ cpu: '200m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' }),
  alerts: obj({
    /**
     * Share of one Loki route's requests answered 5xx that alerts (LokiRequestErrors): pushes
     * that fail are logs the shipper must retry or lose, queries that fail are an incident nobody
     * can read. @default 0.05
     */
    requestErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /**
     * How long without a successful retention run before LokiRetentionNotApplied: the compactor
     * tries every 10 minutes, so six hours is dozens of failed runs while the claim fills.
     * @default '6h'
     */
    retentionStaleAfter: withDefault(promDuration(), '6h'),
  }),
});
export type LokiSettings = Infer<typeof lokiSettings>;

/** How much smaller Loki's compressed chunks are than the log lines they hold (conservative: 5-10x is typical). */
export const LOKI_COMPRESSION = 5;

/** Loki settings that contradict each other or Loki's own rules (docs/logs.md); paths are relative to `loki`. */
export function lokiChecks(l: LokiSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (l.ingestionBurstMb < l.ingestionRateMb) {
    issues.push({ path: 'ingestionBurstMb', message: `is ${l.ingestionBurstMb}, below loki.ingestionRateMb ${l.ingestionRateMb}`, fix: 'set the burst to at least the rate' });
  }
  const day = 86400000n;
  // Exact milliseconds (BigInt): a retention of '99999999999999999999d' is whole days too.
  const retention = durationToMillis(l.retention)!;
  // The compactor deletes whole index tables of 24h: a retention that is not whole days is refused.
  if (retention < day || retention % day !== 0n) {
    issues.push({
      path: 'retention',
      message: `is ${show(l.retention)}; Loki's retention must be whole days (its index period is 24h)`,
      fix: "use days, such as '30d' or '7d'",
    });
  }
  if (durationToMillis(l.rejectOlderThan)! > retention) {
    issues.push({
      path: 'rejectOlderThan',
      message: `is ${show(l.rejectOlderThan)}, beyond loki.retention ${show(l.retention)}: such lines would be deleted on arrival`,
      fix: 'keep rejectOlderThan at or below the retention',
    });
  }
  if (l.perStreamBurstMb < l.perStreamRateMb) {
    issues.push({ path: 'perStreamBurstMb', message: `is ${l.perStreamBurstMb}, below loki.perStreamRateMb ${l.perStreamRateMb}`, fix: 'set the burst to at least the rate' });
  }
  if (l.perStreamRateMb > l.ingestionRateMb) {
    issues.push({
      path: 'perStreamRateMb',
      message: `is ${l.perStreamRateMb}, above the whole tenant's loki.ingestionRateMb ${l.ingestionRateMb}`,
      fix: 'keep the per-stream rate at or below the ingestion rate',
    });
  }
  // At the tenant's ingestion limit, how long until the volume is full: Loki's chunks compress
  // logs about 5x (docs/logs.md), and the volume must hold at least an hour of the worst case so
  // the disk alerts have time to be acted on before writes fail.
  const bytesPerSecond = l.ingestionRateMb * 1024 * 1024;
  const fillSeconds = (sizeToBytes(l.storage.size) * LOKI_COMPRESSION) / bytesPerSecond;
  if (fillSeconds < 3600) {
    issues.push(
      danger(
        'storage.size',
        `is ${show(l.storage.size)}, which loki.ingestionRateMb ${l.ingestionRateMb} MiB/s fills in ${Math.floor(fillSeconds)} s (at ${LOKI_COMPRESSION}x compression)`,
        `give the volume at least an hour of the limit (${Math.ceil((3600 * bytesPerSecond) / LOKI_COMPRESSION / 1024 ** 3)}Gi), or lower loki.ingestionRateMb`,
      ),
    );
  }
  return issues;
}

/** What the chart and its rules and dashboards are built from. */
export type LokiProps = ComponentProps<LokiSettings>;
