/** The alerting settings of charts/config.ts: defaults, and the cross-checks that keep twins in order. */
import { issuesOf, testConfig } from '../util';

describe('alerting config', () => {
  test('defaults', () => {
    const c = testConfig();
    expect(c.rules).toEqual({ rateWindow: '5m', alertFor: [] });
    expect(c.backend.alerts).toMatchObject({ routeMinRequestRate: 0.1, paymentWindow: '30m' });
    expect(c.nodeExporter.alerts).toMatchObject({ diskFreeCriticalRatio: 0.05, diskFillLookback: '6h', diskFillWarningWithin: '24h', diskFillCriticalWithin: '4h' });
    expect(c.rules.runbookUrl).toBeUndefined();
    // Production pages people, so it turns the dead-man's switch on (config/production.yaml).
    expect(c.alertmanager.heartbeat).toEqual({ enabled: true, urlKey: 'heartbeat-url', port: 443, interval: '5m' });
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

describe("the dead-man's switch is required where people are paged", () => {
  test('production (email, PagerDuty, SMS) without the heartbeat is refused, naming the pagers and both fixes', () => {
    const issues = issuesOf({ alertmanager: { heartbeat: { enabled: false } } });
    expect(issues.map((i) => i.path)).toEqual(['alertmanager.heartbeat.enabled']);
    expect(issues[0].message).toContain('alertmanager.email, alertmanager.pagerduty, alertmanager.sms');
    expect(issues[0].fix).toContain('heartbeat-url');
    expect(issues[0].fix).toContain('alertmanager.heartbeat.disabledReason');
  });

  test('off on purpose, with the reason written down, is accepted', () => {
    const c = testConfig({ alertmanager: { heartbeat: { enabled: false, disabledReason: 'the platform team watches this Alertmanager from outside (OPS-123)' } } });
    expect(c.alertmanager.heartbeat.enabled).toBe(false);
  });

  test('a reason while the heartbeat is on is a contradiction', () => {
    expect(issuesOf({ alertmanager: { heartbeat: { disabledReason: 'it is off on purpose, really' } } }).map((i) => i.path)).toEqual(['alertmanager.heartbeat.disabledReason']);
  });

  test('staging pages nobody (Slack only) and needs no heartbeat', () => {
    expect(testConfig({}, 'staging').alertmanager.heartbeat.enabled).toBe(false);
  });
});

describe('priority classes', () => {
  test('host agents above Prometheus and Alertmanager by default', () => {
    const p = testConfig().priorityClasses;
    expect(p.hostAgents.value).toBeGreaterThan(p.alerting.value);
    expect(p.alerting.value).toBeGreaterThan(0);
  });

  test('agents at or below the alerting class, or one name for both, are refused', () => {
    expect(issuesOf({ priorityClasses: { hostAgents: { value: 10 }, alerting: { value: 10 } } }).map((i) => i.path)).toEqual(['priorityClasses.hostAgents.value']);
    expect(issuesOf({ priorityClasses: { hostAgents: { name: 'same' }, alerting: { name: 'same' } } }).map((i) => i.path)).toEqual(['priorityClasses.alerting.name']);
  });
});
