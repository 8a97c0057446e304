/**
 * Metrics Alertmanager v0.34 exposes on /metrics that the stack's alerts read (names checked against
 * the release's notify/metrics.go and config/coordinator.go).
 */
export interface AlertmanagerMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly labels: readonly string[];
}

export const ALERTMANAGER_METRICS = {
  notifications: {
    name: 'alertmanager_notifications_total',
    type: 'counter',
    help: 'Notifications attempted, per integration (email, slack, pagerduty, webhook, ...).',
    labels: ['integration'],
  },
  notificationsFailed: {
    name: 'alertmanager_notifications_failed_total',
    type: 'counter',
    help: 'Notifications that failed after all retries, per integration and failure reason.',
    labels: ['integration', 'reason'],
  },
  configLastReloadSuccessful: {
    name: 'alertmanager_config_last_reload_successful',
    type: 'gauge',
    help: '1 when the last configuration load succeeded, 0 when it failed (the old one stays in use).',
    labels: [],
  },
} as const satisfies Record<string, AlertmanagerMetric>;
