import { defaultVariables, panelTiming, promDuration, relativeSeconds, roundInterval, substituteVariables } from '../../bench/lib/grafana';
import { expandRecorded, ruleLevels } from '../../bench/lib/promql-expand';

describe('the step and intervals Grafana picks (bench/lib/grafana.ts)', () => {
  test('raw intervals round to the nice one of their bracket', () => {
    expect(roundInterval(21_600)).toBe(20_000); // 6h over 1000 px: 21.6s
    expect(roundInterval(86_400)).toBe(60_000); // 24h: 86.4s
    expect(roundInterval(604_800)).toBe(600_000); // 7d: 604.8s
    expect(roundInterval(2_592_000)).toBe(1_800_000); // 30d: 43.2m
    expect(roundInterval(12_400)).toBe(10_000);
    expect(roundInterval(12_500)).toBe(15_000);
  });

  test('the step never goes below the scrape interval, and $__rate_interval covers four scrapes', () => {
    expect(panelTiming(3600, { maxDataPoints: 1000, scrapeIntervalSeconds: 15 })).toEqual({ stepSeconds: 15, rateIntervalSeconds: 60, rangeSeconds: 3600 });
    expect(panelTiming(6 * 3600)).toEqual({ stepSeconds: 20, rateIntervalSeconds: 60, rangeSeconds: 21600 });
    expect(panelTiming(30 * 86400)).toEqual({ stepSeconds: 1800, rateIntervalSeconds: 1815, rangeSeconds: 2592000 });
    // A narrow panel: fewer points, a longer step.
    expect(panelTiming(6 * 3600, { maxDataPoints: 300 }).stepSeconds).toBe(60);
  });

  test('Prometheus never gets more than 11,000 points', () => {
    const t = panelTiming(30 * 86400, { maxDataPoints: 100_000, scrapeIntervalSeconds: 15 });
    expect(30 * 86400 / t.stepSeconds).toBeLessThanOrEqual(11_000);
  });

  test('dashboard times and durations', () => {
    expect(relativeSeconds('now-6h')).toBe(21600);
    expect(relativeSeconds('now-7d')).toBe(604800);
    expect(() => relativeSeconds('now/d')).toThrow(/unsupported dashboard time/);
    expect(promDuration(1815)).toBe('30m15s');
    expect(promDuration(86400)).toBe('1d');
  });

  test('variables become what Grafana sends, and an unknown one is refused', () => {
    const t = panelTiming(86400);
    expect(substituteVariables('sum(rate(x[$__rate_interval])) / increase(y[$__range]) + ${__range_s}', t)).toBe('sum(rate(x[1m15s])) / increase(y[1d]) + 86400') // 1m step + 15s scrape;
    expect(substituteVariables('x{namespace=~"$namespace"}', t, { namespace: '(a|b)' })).toBe('x{namespace=~"(a|b)"}');
    expect(() => substituteVariables('x{pod="$pod"}', t)).toThrow(/no value for the Grafana variable '\$pod'/);
  });

  test('variables default to their current value; All becomes .*', () => {
    expect(
      defaultVariables({
        templating: {
          list: [
            { name: 'namespace', type: 'query', current: { value: ['a', 'b'] } },
            { name: 'pod', type: 'query', current: { value: '$__all' } },
            { name: 'ds', type: 'datasource', current: { value: 'love-prom' } },
            { name: 'threshold', type: 'constant', query: '0.5' },
          ],
        },
      }),
    ).toEqual({ namespace: '(a|b)', pod: '.*', threshold: '0.5' });
  });
});

describe('raw expressions in place of recorded series (bench/lib/promql-expand.ts)', () => {
  const rules = [
    { record: 'job_route:req:rate5m', expr: 'sum by (job, route) (rate(req_total{job="backend"}[5m]))' },
    { record: 'job:req:rate5m', expr: 'sum by (job) (job_route:req:rate5m{job="backend"})' },
    { record: 'job:lat:quantile', expr: 'histogram_quantile(0.5, b{job="backend"})', labels: { quantile: '0.5' } },
    { record: 'job:lat:quantile', expr: 'histogram_quantile(0.99, b{job="backend"})', labels: { quantile: '0.99' } },
  ];

  test('recursively down to scraped series', () => {
    expect(expandRecorded('job:req:rate5m{job="backend"} * 2', rules, '15s')).toBe('(sum by (job) ((sum by (job, route) (rate(req_total{job="backend"}[5m]))))) * 2');
  });

  test('only the rules whose static labels agree, with those labels put back', () => {
    expect(expandRecorded('job:lat:quantile{quantile="0.99"}', rules, '15s')).toBe('label_replace((histogram_quantile(0.99, b{job="backend"})), "quantile", "0.99", "", "")');
    expect(expandRecorded('job:lat:quantile', rules, '15s')).toContain(' or ');
  });

  test('a range over a recorded series becomes a subquery at the evaluation interval', () => {
    expect(expandRecorded('sum_over_time(job:req:rate5m[1d])', rules, '15s')).toBe('sum_over_time((sum by (job) ((sum by (job, route) (rate(req_total{job="backend"}[5m])))))[1d:15s])');
  });

  test('a query without recorded series is left alone; levels follow what each rule reads', () => {
    expect(expandRecorded('up{job="backend"}', rules, '15s')).toBe('up{job="backend"}');
    expect(ruleLevels(rules)).toEqual([0, 1, 0, 0]);
  });
});
