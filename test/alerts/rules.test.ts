/**
 * The shape every alert must have, checked on the synthesized rule files of every environment:
 * naming, severity, annotations, runbook links, notify_sms, `for`, and PromQL that parses and reads
 * only metrics defined in the metric modules.
 */
import { StackConfig, runbookDocUrl } from '../../charts/config';
import { WATCHDOG, browsableRepoUrl, githubAnchor, isValidAlertName, runbookUrl } from '../../charts/lib/alert-rules';
import { testConfig } from '../util';
import { KNOWN_SERIES, promql } from './known-metrics';
import { recordedSeries, ruleKey, synthesizedAlerts } from './synthesized';

/**
 * Alerts whose value is a 0/1 state (down, reload failed, always firing): their description states
 * the condition and its duration instead of a meaningless `0`. Every other alert carries its value.
 */
const STATE_ALERTS = new Set([
  WATCHDOG, 'BackendDown', 'BackendMetricMissing', 'LokiDown', 'PostgresDown', 'RedisDown', 'PrometheusTargetDown', 'PrometheusReplicaDown', 'PrometheusConfigReloadFailed', 'AlertmanagerConfigReloadFailed',
  'PostgresExporterDown', 'RedisExporterDown', 'NodeExporterDown', 'RedisEvictionPolicyUnsafe', 'RedisBackgroundSaveFailed', 'NodeClockNotSynchronising',
  'KubeStateMetricsDown', 'BackendNoReadyEndpoint', 'BlackboxProbeFailed', 'GrafanaDown',
  'ThanosQueryDown', 'ThanosStoreDown', 'ThanosCompactDown', 'ThanosSidecarDown', 'ThanosSidecarPrometheusUnreachable', 'ThanosCompactHalted', 'ThanosCompactNotRun',
]);

/**
 * Alerts whose series already carry `service`: every probe job sets it as a target label, to the
 * component the probed URL belongs to (charts/blackbox-exporter/probes.ts; test/blackbox-exporter/).
 */
const SERVICE_FROM_PROBE_JOBS = new Set(['BlackboxProbeFailed', 'BlackboxCertificateExpiring']);

for (const env of ['production', 'staging']) {
  describe(`alert rules (${env})`, () => {
    const config: StackConfig = testConfig({}, env);
    const rules = synthesizedAlerts(config);

    test('the seed incidents and the stack health are all covered', () => {
      const names = new Set(rules.map((r) => r.alert));
      const queues = config.backend.queues.map((q) => `${q[0].toUpperCase()}${q.slice(1)}QueueStuck`);
      for (const n of [
        'HighErrorRate', 'BackendHighLatency', 'BackendDbPoolExhausted', 'PostgresTooManyConnections', 'RedisDown', 'RedisMemoryHigh',
        'RedisEvictingKeys', ...queues, 'BackendPaymentCallbackFailures', 'NodeFilesystemSpaceLow', 'NodeFilesystemFillingUp',
        'NodeMemoryPressure', 'PrometheusTargetDown', 'PostgresDown', 'PrometheusRuleEvaluationFailures', 'PrometheusConfigReloadFailed',
        'AlertmanagerConfigReloadFailed', 'AlertmanagerNotificationsFailing', 'LokiDown', WATCHDOG,
      ]) {
        expect({ alert: n, present: names.has(n) }).toEqual({ alert: n, present: true });
      }
      expect(queues).toEqual(expect.arrayContaining(['BroadcastQueueStuck', 'ParsingQueueStuck']));
    });

    test('names are <Component><Symptom> or a conventional name; no two rules share name and severity', () => {
      for (const r of rules) expect({ alert: r.alert, valid: isValidAlertName(r.alert) }).toEqual({ alert: r.alert, valid: true });
      const keys = rules.map(ruleKey);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    });

    test('severity from the closed set; notify_sms only "true" and only on critical alerts', () => {
      for (const r of rules) {
        expect(['warning', 'critical']).toContain(r.labels.severity);
        if ('notify_sms' in r.labels) expect({ alert: r.alert, sms: r.labels.notify_sms, severity: r.labels.severity }).toEqual({ alert: r.alert, sms: 'true', severity: 'critical' });
      }
      // The incidents that must wake someone by text.
      const texted = new Set(rules.filter((r) => r.labels.notify_sms === 'true').map((r) => r.alert));
      // HighErrorRate warns: the API failing its users pages through its availability objective.
      for (const n of ['BackendAvailabilityBudgetBurn', 'BackendPaymentCallbackBudgetBurn', 'BackendDown', 'PostgresDown', 'RedisDown', 'BackendPaymentCallbackFailures']) expect(texted).toContain(n);
      expect(texted).not.toContain('HighErrorRate');
    });

    test('every alert has a service label, or an expression that yields one', () => {
      for (const r of rules) {
        const derived = /label_replace\(.*"service"/.test(r.expr) || SERVICE_FROM_PROBE_JOBS.has(r.alert);
        expect({ alert: r.alert, service: typeof r.labels.service === 'string' || derived }).toEqual({ alert: r.alert, service: true });
      }
    });

    test('summary, description, remediation and runbook_url; descriptions carry the value unless the value is a state', () => {
      for (const r of rules) {
        expect(Object.keys(r.annotations).sort()).toEqual(['description', 'remediation', 'runbook_url', 'summary']);
        expect(r.annotations.summary.length).toBeGreaterThan(10);
        if (!STATE_ALERTS.has(r.alert)) expect({ alert: r.alert, description: r.annotations.description }).toEqual({ alert: r.alert, description: expect.stringMatching(/\{\{ \$value \| humanize[A-Za-z0-9]* \}\}/) });
      }
    });

    test('runbook_url points at the heading of the alert in RUNBOOK.md of the synced revision', () => {
      for (const r of rules) {
        expect(r.annotations.runbook_url).toBe(`https://github.com/love-parser/monitoring/blob/${config.argocd.targetRevision}/RUNBOOK.md#${r.alert.toLowerCase()}`);
      }
    });

    test('every `for` is a duration chosen per alert, and only event-like alerts fire at once', () => {
      for (const r of rules) expect(r.for).toMatch(/^[0-9]+(s|m|h)$/);
      // Events that do not recur on their own (an OOM kill, an eviction, a dropped log entry, a WAL
      // corruption), and LogShipperNodeSilent, whose expression already spans its whole wait (logs.alerts.silentFor).
      expect(rules.filter((r) => /^0[smh]$/.test(r.for)).map((r) => r.alert).sort()).toEqual(
        ['BackendPodOomKilled', 'LogShipperEntriesDropped', 'LogShipperNodeSilent', 'PrometheusTSDBWALCorruptions', 'RedisEvictingKeys', WATCHDOG].sort(),
      );
    });

    test('every expression parses and reads only metrics defined in the metric modules, or series recorded by the stack', () => {
      const recorded = recordedSeries(config);
      for (const r of rules) {
        const { ok, metrics } = promql(r.expr);
        expect({ alert: r.alert, parses: ok }).toEqual({ alert: r.alert, parses: true });
        for (const m of metrics) expect({ alert: r.alert, metric: m, known: KNOWN_SERIES.has(m) || recorded.has(m) }).toEqual({ alert: r.alert, metric: m, known: true });
      }
    });

    test('thresholds come from config: changing one changes the rule', () => {
      const changed = synthesizedAlerts(testConfig({ backend: { alerts: { errorRatio: 0.2, queueStuckFor: '30m' } }, nodeExporter: { alerts: { diskFreeRatio: 0.25 } } }, env));
      const expr = (name: string, severity: string) => changed.find((r) => r.alert === name && r.labels.severity === severity)!;
      expect(expr('HighErrorRate', 'warning').expr).toContain('> 0.2\n');
      expect(expr('BroadcastQueueStuck', 'critical').for).toBe('30m');
      expect(expr('BroadcastQueueStuck', 'critical').expr).toContain('[30m]');
      expect(expr('NodeFilesystemSpaceLow', 'warning').expr).toContain('< 0.25');
    });

    test('a configured queue gets its own stuck alert, selecting only that queue', () => {
      const more = synthesizedAlerts(testConfig({ backend: { queues: ['broadcast', 'parsing', 'bulk-import'] } }, env));
      const bulk = more.find((r) => r.alert === 'BulkImportQueueStuck');
      expect(bulk).toBeDefined();
      expect(bulk!.expr).toContain('queue="bulk-import"');
      expect(bulk!.expr).not.toContain('queue="broadcast"');
    });
  });
}

describe('runbook links', () => {
  test('GitHub heading anchors', () => {
    expect(githubAnchor('HighErrorRate')).toBe('higherrorrate');
    expect(githubAnchor('Sending a test notification (amtool)')).toBe('sending-a-test-notification-amtool');
    expect(githubAnchor('  Disk: 5% free  ')).toBe('disk-5-free');
  });

  test('web URLs of https, scp-like and ssh git remotes', () => {
    expect(browsableRepoUrl('https://github.com/love-parser/monitoring.git')).toBe('https://github.com/love-parser/monitoring');
    expect(browsableRepoUrl('git@github.com:love-parser/monitoring.git')).toBe('https://github.com/love-parser/monitoring');
    expect(browsableRepoUrl('ssh://git@git.example.org:2222/ops/monitoring.git')).toBe('https://git.example.org/ops/monitoring');
  });

  test('rules.runbookUrl overrides the derived location, and a revision follows argocd.targetRevision', () => {
    const custom = testConfig({ rules: { runbookUrl: 'https://git.example.org/ops/mon/-/blob/v2/RUNBOOK.md' } });
    expect(runbookUrl({ rateWindow: '5m', runbookDocUrl: runbookDocUrl(custom)!, evaluationInterval: '15s' }, 'RedisDown')).toBe('https://git.example.org/ops/mon/-/blob/v2/RUNBOOK.md#redisdown');
    expect(runbookDocUrl(testConfig({ argocd: { targetRevision: 'release-1' } }))).toBe('https://github.com/love-parser/monitoring/blob/release-1/RUNBOOK.md');
  });
});
