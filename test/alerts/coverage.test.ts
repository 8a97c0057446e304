/**
 * Every alert is unit-tested: for each rule in the synthesized rule files there is a promtool case
 * where it fires with exactly that severity, and for each alert name a case where it stays quiet.
 * A new alert without both fails here; scripts/checks/30-promtool-test-rules/run.sh runs the cases.
 */
import { alertRules as alertmanagerAlerts } from '../../charts/alertmanager/alerts';
import { alertRules as backendAlerts } from '../../charts/backend/alerts';
import { WATCHDOG } from '../../charts/lib/alert-rules';
import { stackEndpoints } from '../../charts/contracts/endpoints';
import { RuleGroup, isAlert } from '../../charts/lib/monitoring';
import { alertRules as lokiAlerts } from '../../charts/loki/alerts';
import { alertRules as logShipperAlerts } from '../../charts/log-shipper/alerts';
import { alertRules as grafanaAlerts } from '../../charts/grafana/alerts';
import { alertRules as nodeAlerts } from '../../charts/node-exporter/alerts';
import { alertRules as postgresAlerts } from '../../charts/postgres-exporter/alerts';
import { alertRules as prometheusAlerts } from '../../charts/prometheus/alerts';
import { alertRules as redisAlerts } from '../../charts/redis-exporter/alerts';
import { propsOf, testConfig } from '../util';
import { SWITCHED_CASES, allCases } from './cases';
import { AlertCase } from './harness';
import { CASES_ENVIRONMENT } from './promtool-tests';
import { ruleKey, synthesizedAlerts } from './synthesized';

const config = testConfig({}, CASES_ENVIRONMENT);
const endpoints = stackEndpoints(config.namespaces);
const productionRules = synthesizedAlerts(config);
// Alerts behind a switch that is off in production, from the environment that turns it on, with
// the cases written for that environment (SWITCHED_CASES).
const switched = Object.values(SWITCHED_CASES).map((set) => {
  const env = testConfig(set.overrides ?? {}, set.environment);
  const known = new Set(productionRules.map(ruleKey));
  const own = synthesizedAlerts(env).filter((r) => !known.has(ruleKey(r)) || (set.changes ?? []).includes(r.alert));
  return { rules: own, cases: set.cases({ config: env, endpoints: stackEndpoints(env.namespaces) }) };
});
const rules = [...productionRules, ...switched.flatMap((s) => s.rules)];
const cases: AlertCase[] = [...Object.values(allCases({ config, endpoints })).flat(), ...switched.flatMap((s) => s.cases)];

describe('every alert has promtool unit tests', () => {
  test('there are alerts and cases to compare', () => {
    expect(rules.length).toBeGreaterThan(20);
    // Every switched set brings alerts production lacks, and its cases test only those.
    for (const s of switched) {
      expect(s.rules.length).toBeGreaterThan(0);
      const own = new Set(s.rules.map((r) => r.alert));
      expect(s.cases.filter((k) => !own.has(k.alert)).map((k) => k.alert)).toEqual([]);
    }
    expect(cases.length).toBeGreaterThan(rules.length);
  });

  test.each(rules.map((r) => [ruleKey(r)]))('%s has a case where it fires with that severity', (key) => {
    const firing = cases.filter((k) => k.kind === 'fires' && k.expect.some((e) => `${e.labels.alertname}/${e.labels.severity}` === key));
    expect({ key, firing: firing.length > 0 }).toEqual({ key, firing: true });
  });

  // The Watchdog is the one alert that must never be quiet; its cases show it firing without data.
  test.each([...new Set(rules.map((r) => r.alert))].filter((n) => n !== WATCHDOG).map((n) => [n]))('%s has a case where it stays quiet', (name) => {
    expect({ name, quiet: cases.some((k) => k.kind === 'quiet' && k.alert === name) }).toEqual({ name, quiet: true });
  });

  test('every case tests an alert that exists, and expects only alerts of its own name', () => {
    const names = new Set(rules.map((r) => r.alert));
    for (const k of cases) {
      expect({ case: k.title, alert: k.alert, exists: names.has(k.alert) }).toEqual({ case: k.title, alert: k.alert, exists: true });
      for (const e of k.expect) expect(e.labels.alertname).toBe(k.alert);
    }
  });

  test('every expected alert states its rule labels and all four annotations', () => {
    const byKey = new Map(rules.map((r) => [ruleKey(r), r]));
    for (const k of cases) {
      for (const e of k.expect) {
        const rule = byKey.get(`${e.labels.alertname}/${e.labels.severity}`);
        expect({ case: k.title, rule: rule !== undefined }).toEqual({ case: k.title, rule: true });
        for (const [label, value] of Object.entries(rule!.labels)) expect({ case: k.title, label, value: e.labels[label] }).toEqual({ case: k.title, label, value });
        expect(Object.keys(e.annotations).sort()).toEqual(['description', 'remediation', 'runbook_url', 'summary']);
      }
    }
  });
});

describe('every component alerts.ts reaches the synthesized rule files', () => {
  const sources: Record<string, () => RuleGroup[]> = {
    backend: () => backendAlerts({ ...propsOf(config, 'backend'), nodeMemoryAvailableRatio: config.nodeExporter.alerts.memoryAvailableRatio }),
    postgres: () => postgresAlerts({ ...propsOf(config, 'postgresExporter'), backendDbPoolRatio: config.backend.alerts.dbPoolRatio }),
    redis: () => redisAlerts(propsOf(config, 'redisExporter')),
    node: () => nodeAlerts(propsOf(config, 'nodeExporter')),
    prometheus: () => prometheusAlerts(propsOf(config, 'prometheus')),
    alertmanager: () => alertmanagerAlerts(propsOf(config, 'alertmanager')),
    loki: () => lokiAlerts(propsOf(config, 'loki')),
    logShipper: () => logShipperAlerts(propsOf(config, 'logs')),
    grafana: () => grafanaAlerts(propsOf(config, 'grafana')),
  };
  test.each(Object.entries(sources))('%s', (_name, alertRules) => {
    const synthesized = new Set(rules.map(ruleKey));
    const own = alertRules().flatMap((g) => g.rules.filter(isAlert)).map(ruleKey);
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((k) => !synthesized.has(k))).toEqual([]);
  });
});
