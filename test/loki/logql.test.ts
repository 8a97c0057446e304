import { ERROR_LEVELS, LEVEL_VALUES } from '../../charts/contracts/logs';
import { assertLogQL, matchesSelector, parseLogQL, streamSelector } from '../../charts/loki/logql';

describe('parseLogQL (Grafana lezer-logql grammar)', () => {
  test.each([
    '{app="backend"}',
    '{namespace="love-parser", app="backend"} |= "timeout" != "healthcheck"',
    '{app="backend"} | json | status_code >= 500 | line_format "{{.message}}"',
    '{app="backend", level=~"error|fatal"} | request_id="req-42"',
    'sum by (level) (count_over_time({app="backend"} | json [5m]))',
    'sum(rate({app="postgresql", level=~"error|fatal|panic"}[5m])) by (pod) > 0',
    'quantile_over_time(0.95, {app="backend"} | json | unwrap duration_ms [5m]) by (route)',
    'topk(5, sum by (route) (rate({app="backend"} | json [1h])))',
  ])('accepts %s', (q) => {
    expect(parseLogQL(q)).toEqual([]);
  });

  test.each([
    ['an unclosed selector', '{app="backend"'],
    ['an unquoted value', '{app=backend}'],
    ['a range without unit', 'count_over_time({app="x"}[5])'],
    ['a bad duration unit', 'rate({app="x"}[5x])'],
    ['a dangling grouping', 'sum(rate({app="x"}[5m])) by ('],
    ['an unknown function', 'frobnicate({app="x"}[5m])'],
    ['a filter without string', '{app="x"} |= '],
    ['an empty selector', '{}'],
    ['an empty expression', '   '],
    ['PromQL, not LogQL', 'rate(http_requests_total[5m])'],
  ])('rejects %s', (_what, q) => {
    const errors = parseLogQL(q);
    expect(errors.length).toBeGreaterThan(0);
    expect(() => assertLogQL(q)).toThrow(/invalid LogQL/);
  });

  test('rejects a selector whose every matcher also matches nothing (Loki refuses it)', () => {
    expect(parseLogQL('{app=~".*"}')[0].message).toMatch(/does not match the empty string/);
    expect(parseLogQL('{app!="x"}')).toHaveLength(1);
    expect(parseLogQL('{app=~".+"}')).toEqual([]);
  });

  test('accepts dashboard queries with Grafana variables only when asked to substitute them', () => {
    const q = 'sum by (level) (count_over_time({namespace="$namespace", app=~"${app:regex}"} [$__auto]))';
    expect(parseLogQL(q).length).toBeGreaterThan(0);
    expect(parseLogQL(q, { grafanaVariables: true })).toEqual([]);
  });
});

describe('stream selectors', () => {
  test('reads matchers, escapes included', () => {
    expect(streamSelector('{app="backend", level=~"error|fatal", x!="a\\"b"}')).toEqual([
      { name: 'app', op: '=', value: 'backend' },
      { name: 'level', op: '=~', value: 'error|fatal' },
      { name: 'x', op: '!=', value: 'a"b' },
    ]);
    expect(() => streamSelector('{app="x"} |= "y"')).toThrow(/not a bare stream selector/);
  });

  test('matches like Loki: anchored regexes, absent labels are empty', () => {
    const m = streamSelector('{app=~"back.*", level!~"debug|silly", env=""}');
    expect(matchesSelector(m, { app: 'backend', level: 'error' })).toBe(true);
    expect(matchesSelector(m, { app: 'xbackend', level: 'error' })).toBe(false);
    expect(matchesSelector(m, { app: 'backend', level: 'debug' })).toBe(false);
    expect(matchesSelector(m, { app: 'backend', env: 'prod' })).toBe(false);
  });

  test('the level values dashboards and alerts select on are all shippable values', () => {
    const errors = streamSelector(`{level=~"${ERROR_LEVELS.join('|')}"}`);
    for (const level of ERROR_LEVELS) {
      expect(LEVEL_VALUES).toContain(level);
      expect(matchesSelector(errors, { level })).toBe(true);
    }
    expect(matchesSelector(errors, { level: 'info' })).toBe(false);
  });
});
