/**
 * The exporter metric contracts against the rest of the stack: every exporter series a rule or a
 * dashboard reads is named by a contract (so scripts/checks/25-exporter-metrics/run.sh, which runs
 * the real exporters, covers it), and every flag a contract needs is passed by its chart.
 */
import type { LRParser } from '@lezer/lr';
import * as YAML from 'yaml';
import { MetricDef, seriesNames, requiredFlags } from '../../charts/lib/metric';
import { Rule } from '../../charts/lib/monitoring';
import { NODE_METRICS } from '../../charts/node-exporter/metrics';
import { POSTGRES_METRICS } from '../../charts/postgres-exporter/metrics';
import { REDIS_METRICS } from '../../charts/redis-exporter/metrics';
import { compare, parseExposition } from '../../scripts/checks/25-exporter-metrics/compare-scrape';
import { find, synthStack } from '../util';

// An ES module that the CommonJS test build cannot `import`; its CommonJS entry is required instead.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

const CONTRACTS: [string, RegExp, Record<string, MetricDef>, string][] = [
  ['postgres', /^pg_/, POSTGRES_METRICS, 'postgres-exporter'],
  ['redis', /^redis_/, REDIS_METRICS, 'redis-exporter'],
  ['node', /^node_/, NODE_METRICS, 'node-exporter'],
];

/** Metric names a PromQL expression selects. */
export function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter(n) {
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') names.push(expr.slice(n.from, n.to));
      if (n.name === 'UnquotedLabelMatcher') {
        const m = /^__name__\s*=\s*"([^"]+)"$/.exec(expr.slice(n.from, n.to));
        if (m) names.push(m[1]);
      }
    },
  });
  return names;
}

function exprsIn(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) x.forEach((v) => exprsIn(v, out));
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === 'expr' && typeof v === 'string') out.push(v);
      else exprsIn(v, out);
    }
  }
  return out;
}

const { stack, all } = synthStack();
// What Prometheus actually loads: the rendered rule files of its ConfigMap.
const rules: Rule[] = Object.values(stack.prometheus.ruleFiles).flatMap((f) => (YAML.parse(f).groups as { rules: Rule[] }[]).flatMap((g) => g.rules));
const dashboardExprs = Object.values(stack)
  .flatMap((c: any) => (c.dashboards ?? []) as { model: unknown }[])
  .flatMap((d) => exprsIn(d.model));

describe('exporter metric contracts', () => {
  test('selectedMetrics finds the metric names of an expression', () => {
    expect(selectedMetrics('sum by (x) (rate(pg_stat_database_deadlocks{job="a"}[5m])) / on() pg_up > 0 and {__name__="redis_up"}').sort()).toEqual(
      ['pg_stat_database_deadlocks', 'pg_up', 'redis_up'].sort(),
    );
  });

  test('there are rules to check', () => {
    expect(rules.length).toBeGreaterThan(0);
  });

  for (const [exporter, prefix, contract] of CONTRACTS) {
    test(`every ${exporter} exporter series a rule or dashboard reads is in its contract`, () => {
      const known = new Set(Object.values(contract).flatMap(seriesNames));
      const read = [...rules.map((r) => r.expr), ...dashboardExprs].flatMap(selectedMetrics).filter((n) => prefix.test(n) && !n.includes(':'));
      expect(read.length).toBeGreaterThan(0);
      const unknown = [...new Set(read.filter((n) => !known.has(n)))];
      expect(unknown).toEqual([]);
    });

    test(`${exporter}: names follow the conventions (no duplicates; counters other than pg_stat_database_* end in _total)`, () => {
      const names = Object.values(contract).map((m) => m.name);
      expect(new Set(names).size).toBe(names.length);
      for (const m of Object.values(contract)) {
        expect(m.name).toMatch(prefix);
        if (m.type === 'counter' && !m.name.startsWith('pg_stat_database_')) expect(m.name).toMatch(/_total$/);
      }
    });
  }

  test('every flag a contract needs is passed by its chart', () => {
    for (const [, , contract, workload] of CONTRACTS) {
      const w = all.find((m) => ['Deployment', 'DaemonSet'].includes(m.kind) && m.metadata.name === workload);
      expect(w).toBeDefined();
      for (const flag of requiredFlags(contract)) expect(w.spec.template.spec.containers[0].args).toContain(flag);
    }
    expect(requiredFlags(POSTGRES_METRICS)).toEqual(['--collector.long_running_transactions', '--collector.stat_statements']);
    expect(find(all, 'Deployment', 'postgres-exporter')).toBeDefined();
  });

  test('the scrape comparison reports a missing metric, a wrong type and a missing label', () => {
    const contract = { a: { name: 'x_total', type: 'counter', help: '', labels: ['db'], source: 'c' }, b: { name: 'y', type: 'gauge', help: '', labels: [], source: 'c' } } as const;
    expect(compare(contract, parseExposition('# TYPE x_total counter\nx_total{db="0"} 1\n# TYPE y gauge\ny 2\n'))).toEqual([]);
    expect(compare(contract, parseExposition('# TYPE x_total gauge\nx_total 1\n'))).toEqual([
      'x_total: served as a gauge, the contract says counter',
      'x_total: served without labels, the contract says db',
      'y: not served',
    ]);
    const hist = { h: { name: 'h_usec', type: 'histogram', help: '', labels: ['cmd'], source: 'c' } } as const;
    expect(compare(hist, parseExposition('# TYPE h_usec histogram\nh_usec_bucket{cmd="get",le="1"} 1\nh_usec_sum{cmd="get"} 1\nh_usec_count{cmd="get"} 1\n'))).toEqual([]);
  });
});
