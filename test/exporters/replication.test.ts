/** Replication lag is config-gated: measured on a replica, it means nothing for the primary the default exporter watches. */
import { synthesizedAlerts } from '../alerts/synthesized';
import { testConfig } from '../util';

test('PostgresReplicationLag exists only with postgresExporter.replication.enabled, with its threshold', () => {
  expect(synthesizedAlerts(testConfig()).some((r) => r.alert === 'PostgresReplicationLag')).toBe(false);
  const on = synthesizedAlerts(testConfig({ postgresExporter: { replication: { enabled: true, lagSeconds: 90 } } })).filter((r) => r.alert === 'PostgresReplicationLag');
  expect(on.map((r) => [r.labels.severity, r.for])).toEqual([['warning', '5m']]);
  expect(on[0].expr).toBe('pg_replication_lag_seconds{job="postgres-exporter"} > 90\nand on (instance)\npg_replication_is_replica{job="postgres-exporter"} == 1');
});
