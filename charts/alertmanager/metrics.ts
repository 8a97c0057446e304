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

/**
 * The cluster's metrics, checked against github.com/prometheus/alertmanager@v0.34.0
 * (cluster/delegate.go, cluster/cluster.go, config/coordinator.go); they exist only with gossip on.
 */
export const ALERTMANAGER_CLUSTER_METRICS = {
  clusterMembers: {
    name: 'alertmanager_cluster_members',
    type: 'gauge',
    help: 'Members this replica sees in its gossip cluster (itself included).',
    labels: [],
    source: 'alertmanager (cluster/delegate.go)',
  },
  clusterFailedPeers: {
    name: 'alertmanager_cluster_failed_peers',
    type: 'gauge',
    help: 'Peers this replica lost and keeps trying to reconnect to.',
    labels: [],
    source: 'alertmanager (cluster/cluster.go)',
  },
  configHash: {
    name: 'alertmanager_config_hash',
    type: 'gauge',
    help: 'Hash of the loaded configuration; replicas with the same file report the same value.',
    labels: [],
    source: 'alertmanager (config/coordinator.go)',
  },
} as const satisfies Record<string, MetricDef>;
