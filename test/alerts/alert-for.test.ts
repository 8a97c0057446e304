/**
 * `rules.alertFor`: a user's own `for` for named alerts. It replaces the rule's own `for` (every alert
 * of that name), and a name the stack has no alert for, or one listed twice, is refused with the
 * other problems of the synthesis, before anything is written.
 */
import { App } from 'cdk8s';
import { isAlert } from '../../charts/lib/monitoring';
import { ConfigError } from '../../charts/lib/schema';
import { buildStack } from '../../charts/stack';
import { issuesOf, synthStack, testConfig } from '../util';

function alertFors(alertFor: unknown[]): Map<string, string[]> {
  const { stack } = synthStack(testConfig({ rules: { alertFor } }));
  const out = new Map<string, string[]>();
  for (const g of stack.prometheus.evaluatedRuleGroups) for (const r of g.rules) if (isAlert(r)) out.set(r.alert, [...(out.get(r.alert) ?? []), r.for]);
  return out;
}

function buildIssues(alertFor: unknown[]) {
  try {
    buildStack(new App({ outdir: '/nonexistent' }), testConfig({ rules: { alertFor } }));
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe('rules.alertFor', () => {
  test('replaces the for of the named alert, and of no other', () => {
    const before = alertFors([]);
    const after = alertFors([{ alert: 'BackendDbPoolExhausted', for: '1m' }]);
    expect(before.get('BackendDbPoolExhausted')).toEqual(['5m']);
    expect(after.get('BackendDbPoolExhausted')).toEqual(['1m']);
    const changed = [...after].filter(([name, fors]) => JSON.stringify(fors) !== JSON.stringify(before.get(name))).map(([name]) => name);
    expect(changed).toEqual(['BackendDbPoolExhausted']);
  });

  test('every alert of the name gets it: a warning and its critical twin', () => {
    expect(alertFors([{ alert: 'BlackboxCertificateExpiring', for: '30s' }]).get('BlackboxCertificateExpiring')).toEqual(['30s', '30s']);
  });

  test('the exporter guard says the for it runs with', () => {
    const { stack } = synthStack(testConfig({ rules: { alertFor: [{ alert: 'PostgresExporterDown', for: '2m' }] } }));
    const rule = stack.prometheus.evaluatedRuleGroups.flatMap((g) => g.rules).find((r) => isAlert(r) && r.alert === 'PostgresExporterDown');
    expect(rule && isAlert(rule) ? [rule.for, rule.annotations.description] : []).toEqual(['2m', expect.stringContaining('target for 2m;')]);
  });

  test('an alert the stack does not have is refused with the field, the value and names to use', () => {
    expect(buildIssues([{ alert: 'BackendDbPoolExhaustd', for: '1m' }])).toEqual([
      {
        path: 'rules.alertFor[0].alert',
        message: "is 'BackendDbPoolExhaustd', an alert this stack does not have",
        fix: expect.stringContaining('BackendDbPoolExhausted'),
      },
    ]);
  });

  test('an alert listed twice is refused at its second place', () => {
    expect(buildIssues([{ alert: 'RedisDown', for: '1m' }, { alert: 'RedisDown', for: '2m' }]).map((i) => [i.path, i.message])).toEqual([
      ['rules.alertFor[1].alert', "is 'RedisDown', already set by rules.alertFor[0]"],
    ]);
  });

  test('a bad duration and a name that is not one are refused by the schema', () => {
    const issues = issuesOf({ rules: { alertFor: [{ alert: 'redis down', for: '5 minutes' }] } });
    expect(issues.map((i) => i.path).sort()).toEqual(['rules.alertFor[0].alert', 'rules.alertFor[0].for']);
  });
});
