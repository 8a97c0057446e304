import { MetricDef } from '../lib/metric';

/**
 * Prometheus v3.14's own metrics that its alerts (./alerts.ts) read. Each name was checked against
 * the pinned module's source (github.com/prometheus/prometheus@v0.314.0: rules/group.go,
 * notifier/metric.go, tsdb/db.go, tsdb/head.go, scrape/metrics.go, cmd/prometheus/main.go), and the
 * end-to-end run finds each one in the live scrape of the two Prometheus servers.
 */
export const PROMETHEUS_SELF_METRICS = {
  ruleEvaluationFailures: {
    name: 'prometheus_rule_evaluation_failures_total',
    type: 'counter',
    help: 'Rule evaluations that failed, per rule group (`rule_group` is "<file>;<group>").',
    labels: ['rule_group'],
    source: 'prometheus (rules/group.go)',
  },
  configLastReloadSuccessful: {
    name: 'prometheus_config_last_reload_successful',
    type: 'gauge',
    help: '1 when the last configuration (and rule file) load succeeded, 0 when it failed.',
    labels: [],
    source: 'prometheus (cmd/prometheus/main.go)',
  },
  ruleGroupLastDuration: {
    name: 'prometheus_rule_group_last_duration_seconds',
    type: 'gauge',
    help: 'How long the last evaluation of a rule group took.',
    labels: ['rule_group'],
    source: 'prometheus (rules/group.go)',
  },
  ruleGroupInterval: {
    name: 'prometheus_rule_group_interval_seconds',
    type: 'gauge',
    help: 'The evaluation interval of a rule group.',
    labels: ['rule_group'],
    source: 'prometheus (rules/group.go)',
  },
  ruleGroupIterationsMissed: {
    name: 'prometheus_rule_group_iterations_missed_total',
    type: 'counter',
    help: 'Evaluations of a rule group skipped because the previous one was still running.',
    labels: ['rule_group'],
    source: 'prometheus (rules/group.go)',
  },
  notificationsQueueLength: {
    name: 'prometheus_notifications_queue_length',
    type: 'gauge',
    help: 'Alerts waiting in the queue to one Alertmanager (v3 keeps a queue per Alertmanager).',
    labels: ['alertmanager'],
    source: 'prometheus (notifier/metric.go)',
  },
  notificationsQueueCapacity: {
    name: 'prometheus_notifications_queue_capacity',
    type: 'gauge',
    help: 'Capacity of the notification queue (--alertmanager.notification-queue-capacity).',
    labels: [],
    source: 'prometheus (notifier/metric.go)',
  },
  notificationsDropped: {
    name: 'prometheus_notifications_dropped_total',
    type: 'counter',
    help: 'Alerts dropped on the way to one Alertmanager: sending failed after retries, or its queue was full.',
    labels: ['alertmanager'],
    source: 'prometheus (notifier/metric.go)',
  },
  notificationsErrors: {
    name: 'prometheus_notifications_errors_total',
    type: 'counter',
    help: 'Alerts whose sending to one Alertmanager failed, per Alertmanager (its alerts URL).',
    labels: ['alertmanager'],
    source: 'prometheus (notifier/metric.go)',
  },
  notificationsSent: {
    name: 'prometheus_notifications_sent_total',
    type: 'counter',
    help: 'Alerts sent, per Alertmanager (its alerts URL).',
    labels: ['alertmanager'],
    source: 'prometheus (notifier/metric.go)',
  },
  alertmanagersDiscovered: {
    name: 'prometheus_notifications_alertmanagers_discovered',
    type: 'gauge',
    help: 'Alertmanagers discovered and active.',
    labels: [],
    source: 'prometheus (notifier/metric.go)',
  },
  compactionsFailed: {
    name: 'prometheus_tsdb_compactions_failed_total',
    type: 'counter',
    help: 'TSDB compactions that failed.',
    labels: [],
    source: 'prometheus (tsdb/db.go)',
  },
  headTruncationsFailed: {
    name: 'prometheus_tsdb_head_truncations_failed_total',
    type: 'counter',
    help: 'Truncations of the in-memory head block that failed.',
    labels: [],
    source: 'prometheus (tsdb/head.go)',
  },
  walCorruptions: {
    name: 'prometheus_tsdb_wal_corruptions_total',
    type: 'counter',
    help: 'Write-ahead log corruptions found (and repaired, losing what followed them).',
    labels: [],
    source: 'prometheus (tsdb/head.go)',
  },
  samplesOutOfOrder: {
    name: 'prometheus_target_scrapes_sample_out_of_order_total',
    type: 'counter',
    help: 'Scraped samples rejected because they were older than the series\' last sample.',
    labels: [],
    source: 'prometheus (scrape/metrics.go)',
  },
  samplesDuplicateTimestamp: {
    name: 'prometheus_target_scrapes_sample_duplicate_timestamp_total',
    type: 'counter',
    help: 'Scraped samples rejected because they repeated a timestamp with another value.',
    labels: [],
    source: 'prometheus (scrape/metrics.go)',
  },
} as const satisfies Record<string, MetricDef>;
