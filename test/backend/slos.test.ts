/**
 * The backend's objectives (backend.slos): bad input reported as field, value and fix, all at once;
 * the objectives built from the contract; and the generic burn-rate math of charts/lib/slo.ts.
 */
import { backendObjectives, leMatcher } from '../../charts/backend/slos';
import { BACKEND_METRICS } from '../../charts/contracts/backend-metrics';
import { ConfigError, ConfigIssue } from '../../charts/lib/schema';
import { WORKBOOK_WINDOWS, formatDuration, isDerivedWindow, scaleWindows, sloAlertRules, sloProblems, sloRecordingRules, tierCondition, windowsOf } from '../../charts/lib/slo';
import { propsOf, testConfig } from '../util';

function issuesOf(overrides: Record<string, unknown>): ConfigIssue[] {
  try {
    testConfig(overrides);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ConfigError, got a valid config');
}

describe('backend.slos: bad input', () => {
  test('targets outside (0, 1), both at once', () => {
    expect(issuesOf({ backend: { slos: { availability: { target: 1 }, paymentCallbacks: { target: 0 } } } })).toEqual([
      { path: 'backend.slos.availability.target', message: 'expected a number greater than 0 and less than 1, got 1', fix: 'set a number greater than 0 and less than 1' },
      { path: 'backend.slos.paymentCallbacks.target', message: 'expected a number greater than 0 and less than 1, got 0', fix: 'set a number greater than 0 and less than 1' },
    ]);
  });

  test('a period too short for its windows and a latency threshold between buckets, at once', () => {
    const issues = issuesOf({ backend: { slos: { queueJobs: { period: '1d' }, latency: { thresholdSeconds: 0.75 } } } });
    const by = (path: string) => issues.find((i) => i.path === path);
    // 1d scales the 5m window to 10s: under four 15s scrapes.
    expect(by('backend.slos.queueJobs.period')).toEqual({
      path: 'backend.slos.queueJobs.period',
      message: "is '1d', which scales the shortest burn-rate window to 10s, less than four scrapes (1m at prometheus.scrapeInterval 15s)",
      fix: 'set a period of at least 6d, or scrape more often',
    });
    expect(by('backend.slos.latency.thresholdSeconds')).toEqual({
      path: 'backend.slos.latency.thresholdSeconds',
      message: `is 0.75, which is no bucket bound of http_request_duration_seconds (${BACKEND_METRICS.httpRequestDuration.buckets.join(', ')}): the share of requests under it cannot be read from the histogram`,
      fix: 'use a bucket bound, e.g. 0.5 or 1, or add 0.75 to the buckets of the metrics contract (and to the backend\'s instrumentation)',
    });
    expect(issues).toHaveLength(2);
  });

  test('a short period works when scrapes are frequent enough (the e2e runs 2d at 2s scrapes)', () => {
    const c = testConfig({ prometheus: { scrapeInterval: '2s', evaluationInterval: '2s', retention: '2d' }, backend: { slos: { availability: { period: '2d' } } } });
    const o = backendObjectives({ ...propsOf(c, 'backend'), nodeMemoryAvailableRatio: 0.1 }).find((x) => x.name === 'api-availability')!;
    expect(o.windows.map((w) => [w.long, w.short])).toEqual([['4m', '20s'], ['24m', '2m'], ['96m', '8m'], ['288m', '24m']]);
  });
});

describe('the objectives, from the contract', () => {
  const c = testConfig();
  const objectives = backendObjectives({ ...propsOf(c, 'backend'), nodeMemoryAvailableRatio: 0.1 });

  test('five objectives, 28d windows, the latency threshold read from its bucket', () => {
    expect(objectives.map((o) => [o.name, o.target, o.period])).toEqual([
      ['api-availability', 0.995, '28d'], ['api-latency', 0.99, '28d'], ['payment-callbacks', 0.99, '28d'], ['queue-jobs', 0.99, '28d'], ['queue-freshness', 0.99, '28d'],
    ]);
    const latency = objectives[1].indicator.errors('5m');
    expect(latency).toContain('http_request_duration_seconds_bucket{job="backend",le=~"1(\\\\.0)?"}');
  });

  test('le matches both spellings of a bound (Prometheus 3 stores 1 as 1.0)', () => {
    const re = (b: number) => new RegExp(`^(?:${leMatcher(b).re})$`);
    expect(['1', '1.0'].map((v) => re(1).test(v))).toEqual([true, true]);
    expect(['0.5', '0x5', '0.50'].map((v) => re(0.5).test(v))).toEqual([true, false, false]);
  });
});

describe('charts/lib/slo.ts', () => {
  test('the workbook windows at 30d are themselves; at 28d each is 28/30 of it, in whole seconds', () => {
    expect(scaleWindows(WORKBOOK_WINDOWS, '30d').map((w) => `${w.long}/${w.short}`)).toEqual(['1h/5m', '6h/30m', '24h/2h', '72h/6h']);
    expect(scaleWindows(WORKBOOK_WINDOWS, '28d').map((w) => `${w.long}/${w.short}`)).toEqual(['56m/280s', '336m/28m', '1344m/112m', '4032m/336m']);
    expect(formatDuration(4032 * 60)).toBe('2d19h12m');
  });

  test('each tier spends the same share of the budget whatever the period (factor x long / period)', () => {
    for (const period of ['7d', '28d', '30d', '90d']) {
      const spent = scaleWindows(WORKBOOK_WINDOWS, period).map((w) => Math.round((w.factor * durationSeconds(w.long) * 1000) / durationSeconds(period)) / 10);
      expect({ period, spent }).toEqual({ period, spent: [2, 5, 10, 10] });
    }
  });

  test('problems: target, window order, windows against the period and the scrape floor', () => {
    const bad = sloProblems({ target: 1.2, period: '2h', windows: [{ severity: 'critical', factor: 14.4, long: '3h', short: '5s' }, { severity: 'warning', factor: 0, long: '5m', short: '10m' }], minWindowSeconds: 60 });
    expect(bad).toEqual([
      'target 1.2 is not between 0 and 1 (exclusive)',
      'the long window 3h is not shorter than the period 2h',
      'the short window 5s holds less than 1m',
      'the short window 10m is not shorter than its long window 5m',
      'burn factor 0 is not positive',
    ]);
    expect(sloProblems({ target: 0.999, period: '28d', windows: scaleWindows(WORKBOOK_WINDOWS, '28d'), minWindowSeconds: 60 })).toEqual([]);
  });

  const objective = {
    name: 'checkout',
    title: 'Checkout',
    target: 0.999,
    period: '30d',
    indicator: { errors: (w: string) => `sum(rate(bad[${w}]))`, events: (w: string) => `sum(rate(all[${w}]))` },
    windows: WORKBOOK_WINDOWS,
    minEvents: 50,
    alert: 'BackendCheckoutBudgetBurn',
    remediation: 'Roll back the release.',
    service: 'shop',
  };

  test('recording rules: errors (0 when absent), events and their ratio per window; the target; the budget from the shortest window', () => {
    const rules = sloRecordingRules(objective, '15s');
    expect(windowsOf(objective)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(rules).toHaveLength(7 * 3 + 2);
    expect(rules[0]).toEqual({ record: 'slo:sli_errors:rate5m', expr: '(sum(rate(bad[5m])))\n  or\n(sum(rate(all[5m]))) * 0', labels: { slo: 'checkout' } });
    expect(rules.at(-1)!.expr).toBe('1 - (\n  sum_over_time(slo:sli_errors:rate5m{slo="checkout"}[30d])\n  /\n  sum_over_time(slo:sli_events:rate5m{slo="checkout"}[30d])\n)\n/ 0.001');
  });

  test('windows of 60 times the shortest and more (6h, 1d, 3d) are summed from the shortest window\'s records, the others read raw', () => {
    const byName = new Map(sloRecordingRules(objective, '15s').map((r) => [r.record, r.expr]));
    expect(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].filter((w) => isDerivedWindow(objective, w))).toEqual(['6h', '1d', '3d']);
    expect(byName.get('slo:sli_errors:rate2h')).toBe('(sum(rate(bad[2h])))\n  or\n(sum(rate(all[2h]))) * 0');
    expect(byName.get('slo:sli_events:rate3d')).toBe('sum_over_time(slo:sli_events:rate5m{slo="checkout"}[3d]) * 15 / 259200');
    expect(byName.get('slo:sli_errors:rate6h')).toBe('sum_over_time(slo:sli_errors:rate5m{slo="checkout"}[6h]) * 15 / 21600');
    // The evaluation interval is what one recorded sample stands for.
    expect(new Map(sloRecordingRules(objective, '1m').map((r) => [r.record, r.expr])).get('slo:sli_events:rate1d')).toBe('sum_over_time(slo:sli_events:rate5m{slo="checkout"}[1d]) * 60 / 86400');
    // No raw read of a long window is left: the rules read the raw counters over 2h at most.
    for (const r of sloRecordingRules(objective, '15s')) expect(r.expr).not.toMatch(/rate\((bad|all)\[(6h|1d|3d)\]\)/);
  });

  test('a tier: both windows above the factor, enough events in the long one; labelled with its long window', () => {
    expect(tierCondition(objective, WORKBOOK_WINDOWS[0])).toBe(
      'label_replace(\n  slo:sli_error:ratio_rate1h{slo="checkout"} / 0.001 > 14.4\n  and\n  slo:sli_error:ratio_rate5m{slo="checkout"} / 0.001 > 14.4\n  and\n  slo:sli_events:rate1h{slo="checkout"} * 3600 >= 50,\n  "long_window", "1h", "", ""\n)',
    );
    expect(tierCondition({ ...objective, minEvents: 0 }, WORKBOOK_WINDOWS[0])).not.toContain('sli_events');
  });

  test('one alert rule per severity; for is a fifth of its fastest short window', () => {
    const rules = sloAlertRules({ rateWindow: '5m', runbookDocUrl: 'https://x.example/RUNBOOK.md', evaluationInterval: '15s' }, { ...objective, notifySms: true });
    expect(rules.map((r) => [r.labels.severity, r.for, r.labels.notify_sms])).toEqual([['critical', '1m', 'true'], ['warning', '24m', undefined]]);
    expect(rules[0].expr.split('\nor\n')).toHaveLength(2);
  });
});

function durationSeconds(d: string): number {
  const m = /^([0-9]+)(s|m|h|d)$/.exec(d)!;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's'];
}
