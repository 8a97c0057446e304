/**
 * Metrics Alertmanager v0.34 exposes on /metrics that the stack's alerts read (names checked against
 * the release's notify/metrics.go and config/coordinator.go).
 */
import { MetricDef } from '../lib/metric';

export const ALERTMANAGER_METRICS = {
  notifications: {
    name: 'alertmanager_notifications_total',
    type: 'counter',
    help: 'Notifications attempted, per integration (email, slack, pagerduty, webhook, ...).',
    labels: ['integration'],
    source: 'alertmanager',
  },
  notificationsFailed: {
    name: 'alertmanager_notifications_failed_total',
    type: 'counter',
    help: 'Notifications that failed after all retries, per integration and failure reason.',
    labels: ['integration', 'reason'],
    source: 'alertmanager',
  },
  configLastReloadSuccessful: {
    name: 'alertmanager_config_last_reload_successful',
    type: 'gauge',
    help: '1 when the last configuration load succeeded, 0 when it failed (the old one stays in use).',
    labels: [],
    source: 'alertmanager',
  },
} as const satisfies Record<string, MetricDef>;
