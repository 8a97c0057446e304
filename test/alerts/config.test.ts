/** The alerting settings of charts/config.ts: defaults, and the cross-checks that keep twins in order. */
import { issuesOf, testConfig } from '../util';

describe('alerting config', () => {
  test('defaults', () => {
    const c = testConfig();
    expect(c.rules).toEqual({ rateWindow: '5m' });
    expect(c.backend.alerts).toMatchObject({ routeMinRequestRate: 0.1, paymentWindow: '30m' });
    expect(c.nodeExporter.alerts).toMatchObject({ diskFreeCriticalRatio: 0.05, diskFillLookback: '6h', diskFillWarningWithin: '24h', diskFillCriticalWithin: '4h' });
    expect(c.rules.runbookUrl).toBeUndefined();
    expect(c.alertmanager.heartbeat).toEqual({ enabled: false, urlKey: 'heartbeat-url', interval: '5m' });
  });

  test('the critical disk threshold must be below the warning one, and its horizon shorter', () => {
    const issues = issuesOf({ nodeExporter: { alerts: { diskFreeRatio: 0.1, diskFreeCriticalRatio: 0.2, diskFillWarningWithin: '4h', diskFillCriticalWithin: '1d' } } });
    expect(issues.map((i) => i.path).sort()).toEqual(['nodeExporter.alerts.diskFillCriticalWithin', 'nodeExporter.alerts.diskFreeCriticalRatio']);
    expect(issues.find((i) => i.path === 'nodeExporter.alerts.diskFreeCriticalRatio')!.message).toContain('0.2');
  });

  test('runbookUrl must be an https URL without an anchor', () => {
    expect(issuesOf({ rules: { runbookUrl: 'http://wiki/RUNBOOK.md' } }).map((i) => i.path)).toEqual(['rules.runbookUrl']);
    expect(issuesOf({ rules: { runbookUrl: 'https://wiki.example.org/RUNBOOK.md#top' } }).map((i) => i.path)).toEqual(['rules.runbookUrl']);
  });

  test('a mistyped heartbeat setting is named with its fix', () => {
    const [issue] = issuesOf({ alertmanager: { heartbeat: { enable: true } } });
    expect(issue.path).toBe('alertmanager.heartbeat.enable');
    expect(issue.fix).toContain('alertmanager.heartbeat.enabled');
  });
});
