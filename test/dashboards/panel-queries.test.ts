/**
 * The end-to-end check "every panel shows data" (e2e/coverage.ts, run by 70-e2e) reads the panel
 * queries out of the synthesized dashboards and fills Grafana's variables: held here without servers.
 */
import { PANELS_MAY_BE_EMPTY, PanelQuery, jobsNotStarted, panelQueries, withGrafanaVariables } from '../../e2e/coverage';
import { targetsOf } from '../../charts/grafana/validate';
import { synthStack } from '../util';

describe('panel queries of the end-to-end data check', () => {
  const { all, stack } = synthStack();
  const queries = panelQueries(all.filter((m) => m.kind === 'ConfigMap'));

  test('every query of every provisioned dashboard, each on its data source', () => {
    const expected = stack.grafana.provisioned.flatMap((d) => targetsOf(d.model as any)).filter((t) => typeof t.target.expr === 'string');
    expect(queries).toHaveLength(expected.length);
    expect(queries.filter((q) => q.datasource === 'prometheus').length).toBeGreaterThan(80);
    expect(queries.filter((q) => q.datasource === 'loki').every((q) => q.expr.startsWith('{') || /\(/.test(q.expr))).toBe(true);
    expect(queries.find((q) => q.panel === 'love-postgres: Slow queries per second')?.expr).toContain('pg_stat_statements_slow_calls');
  });

  test("Grafana's interval variables become the run's interval and range", () => {
    expect(withGrafanaVariables('sum(increase(x[$__range])) / rate(y[$__rate_interval]) + z[${__interval}] + w[$__auto]', { rangeSeconds: 400, intervalSeconds: 30 })).toBe(
      'sum(increase(x[400s])) / rate(y[30s]) + z[30s] + w[30s]',
    );
  });

  test('every panel allowed to be empty exists and says why', () => {
    const names = new Set(queries.map((q) => q.panel));
    for (const [panel, reason] of Object.entries(PANELS_MAY_BE_EMPTY)) {
      expect({ panel, exists: names.has(panel) }).toEqual({ panel, exists: true });
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  test('a query reading only jobs the run does not start is set apart, by job; any other is checked', () => {
    const jobs = new Set(['backend', 'kube-state-metrics', 'kubelet-cadvisor', 'blackbox-backend-ready']);
    const notRun = { jobsNotRun: new Set(['kube-state-metrics', 'kubelet-cadvisor']), jobs };
    const q = (panel: string): PanelQuery => {
      const found = queries.find((x) => x.panel === panel && x.datasource === 'prometheus');
      if (!found) throw new Error(`no Prometheus query in panel ${panel}`);
      return found;
    };
    expect(jobsNotStarted(q('love-kubernetes: Pods not ready'), notRun)).toEqual(['kube-state-metrics']);
    expect(jobsNotStarted(q('love-kubernetes: Memory: working set against limit'), notRun)).toEqual(['kube-state-metrics', 'kubelet-cadvisor']);
    // Probe jobs by regex: checked while one of them runs, set apart when none does.
    expect(jobsNotStarted(q('love-kubernetes: Probe success'), notRun)).toBeUndefined();
    expect(jobsNotStarted(q('love-kubernetes: Probe success'), { jobsNotRun: new Set(['blackbox-backend-ready']), jobs })).toEqual(['blackbox-backend-ready']);
    // A job that runs, and a selector without a job (a recorded series), are checked.
    expect(jobsNotStarted(q('love-postgres: Slow queries per second'), notRun)).toBeUndefined();
    expect(jobsNotStarted({ panel: 'x: y', refId: 'A', expr: 'sum(slo:error_budget_remaining:ratio) + sum(kube_pod_info{job="kube-state-metrics"})', datasource: 'prometheus' }, notRun)).toBeUndefined();
  });
});
