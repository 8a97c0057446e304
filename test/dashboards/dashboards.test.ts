/**
 * Every provisioned dashboard (the generated ones and dashboards/custom/) against what Grafana,
 * Prometheus and Loki will accept and what the stack's metrics contracts promise: data sources by
 * uid, PromQL and LogQL that parse with the servers' own grammars, metrics that exist, recording
 * rules that exist, schema versions the pinned Grafana loads. promtool parses the same PromQL in
 * scripts/checks/25-dashboards-promql/run.sh.
 */
import { BACKEND_METRICS } from '../../charts/contracts/backend-metrics';
import { CADVISOR_METRICS, KUBELET_METRICS, KUBERNETES_DASHBOARD_UID, KUBE_STATE_METRICS } from '../../charts/contracts/kubernetes-metrics';
import { PROBE_METRICS } from '../../charts/contracts/probe-metrics';
import { BACKEND_DASHBOARD_UIDS } from '../../charts/backend/dashboards';
import { seriesNames } from '../../charts/lib/metric';
import { UP } from '../../charts/lib/promql';
import { LOGS_DASHBOARD_UID, STREAM_LABELS } from '../../charts/contracts/logs';
import { LOKI_METRICS } from '../../charts/contracts/loki-metrics';
import { SHIPPER_METRICS } from '../../charts/log-shipper/metrics';
import { parseLogQL, streamSelector } from '../../charts/loki/logql';
import { NODE_METRICS } from '../../charts/node-exporter/metrics';
import { POSTGRES_METRICS } from '../../charts/postgres-exporter/metrics';
import { POSTGRES_DASHBOARD_UID } from '../../charts/postgres-exporter/dashboards';
import { REDIS_METRICS } from '../../charts/redis-exporter/metrics';
import { REDIS_DASHBOARD_UID } from '../../charts/redis-exporter/dashboards';
import { LOKI_DS, PROMETHEUS_DS } from '../../charts/lib/datasources';
import { FOLDERS, STACK_TAG } from '../../charts/lib/panels';
import { GRAFANA_SCHEMA_VERSIONS, UID_PATTERN, panelsOf } from '../../charts/grafana/validate';
import { asSent, metricsRead, promqlErrors, provisioned } from './queries';
import { testConfig } from '../util';

const { dashboards, queries, recordingRules } = provisioned();
const promQueries = queries.filter((q) => q.datasourceUid === PROMETHEUS_DS.uid);
const lokiQueries = queries.filter((q) => q.datasourceUid === LOKI_DS.uid);
const generated = dashboards.filter((d) => d.folder !== FOLDERS.custom);
const recorded = new Set(recordingRules.map((r) => r.record));

/**
 * Every series the contracts promise: the backend's, the pinned exporters', Kubernetes' and the
 * probes', Loki's and both log shippers' (held to ground-truth/upstream-metrics.tsv by
 * test/self-monitoring/upstream-metrics.test.ts), and Prometheus's own `up`.
 */
const CONTRACT_SERIES = new Set<string>([
  ...Object.values(BACKEND_METRICS).flatMap(seriesNames),
  ...[POSTGRES_METRICS, REDIS_METRICS, NODE_METRICS].flatMap((c) => Object.values(c).flatMap(seriesNames)),
  ...[KUBE_STATE_METRICS, CADVISOR_METRICS, KUBELET_METRICS, PROBE_METRICS].flatMap((c) => Object.values(c).flatMap(seriesNames)),
  ...[LOKI_METRICS, SHIPPER_METRICS.promtail, SHIPPER_METRICS.alloy].flatMap((c) => Object.values(c).flatMap(seriesNames)),
  UP,
]);

const where = (q: { dashboard: string; path: string }) => `${q.dashboard} ${q.path}`;

describe('dashboards', () => {
  test('the seed five, the SLO, Kubernetes and Logs pipeline dashboards and the custom example are provisioned', () => {
    const uids = dashboards.map((d) => d.model.uid);
    expect(uids).toEqual(
      expect.arrayContaining([...Object.values(BACKEND_DASHBOARD_UIDS), POSTGRES_DASHBOARD_UID, REDIS_DASHBOARD_UID, KUBERNETES_DASHBOARD_UID, LOGS_DASHBOARD_UID, 'custom-payments-drilldown']),
    );
    expect(generated.map((d) => d.model.title).sort()).toEqual([
      'Application KPIs', 'Backend Observability', 'Bull Queues', 'Database Health', 'Kubernetes: Love Parser workloads', 'Logs pipeline', 'Redis Health', 'Service Level Objectives',
    ]);
    expect(queries.length).toBeGreaterThan(50);
    expect(lokiQueries.length).toBeGreaterThan(0);
  });

  test('uids are valid and unique; titles unique per folder; every generated dashboard carries the stack tag', () => {
    const uids = dashboards.map((d) => d.model.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(UID_PATTERN);
    const titles = dashboards.map((d) => `${d.folder}/${d.model.title}`);
    expect(new Set(titles).size).toBe(titles.length);
    for (const d of generated) expect(d.model.tags).toContain(STACK_TAG);
  });

  test('the schema version is one the pinned Grafana loads (the SDK emits the newest classic one)', () => {
    for (const d of dashboards) {
      const v = d.model.schemaVersion as number;
      expect({ uid: d.model.uid, v, ok: v >= GRAFANA_SCHEMA_VERSIONS.oldest && v <= GRAFANA_SCHEMA_VERSIONS.newest }).toEqual({ uid: d.model.uid, v, ok: true });
    }
    for (const d of generated) expect(d.model.schemaVersion).toBe(GRAFANA_SCHEMA_VERSIONS.newest);
  });

  test('every panel has a unique id and every query a unique refId (the SDK sets neither)', () => {
    for (const d of dashboards) {
      const panels = panelsOf(d.model as Record<string, unknown>).map((p) => p.panel);
      const ids = panels.map((p) => p.id);
      expect({ uid: d.model.uid, ids: ids.every((i) => typeof i === 'number' && i > 0), unique: new Set(ids).size === ids.length }).toEqual({ uid: d.model.uid, ids: true, unique: true });
      for (const p of panels) {
        const refIds = ((p.targets as { refId?: string }[]) ?? []).map((t) => t.refId);
        expect(refIds.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    }
  });

  test('every query names love-prom or love-loki, with the matching type', () => {
    for (const q of queries) {
      expect({ at: where(q), uid: q.datasourceUid }).toEqual({ at: where(q), uid: expect.stringMatching(/^(love-prom|love-loki)$/) });
      expect({ at: where(q), type: q.datasourceType }).toEqual({ at: where(q), type: q.datasourceUid === PROMETHEUS_DS.uid ? PROMETHEUS_DS.type : LOKI_DS.type });
      expect({ at: where(q), expr: q.expr.trim().length > 0 }).toEqual({ at: where(q), expr: true });
    }
  });

  test('every timeseries legend is shown (the SDK hides it unless asked)', () => {
    for (const d of generated) {
      for (const { panel } of panelsOf(d.model as Record<string, unknown>)) {
        if (panel.type !== 'timeseries') continue;
        const legend = (panel.options as { legend?: { showLegend?: boolean } }).legend;
        expect({ panel: `${d.model.uid}/${panel.title}`, shown: legend?.showLegend }).toEqual({ panel: `${d.model.uid}/${panel.title}`, shown: true });
      }
    }
  });

  test('every PromQL expression parses with the Prometheus grammar (as Grafana sends it)', () => {
    expect(promQueries.length).toBeGreaterThan(40);
    for (const q of promQueries) expect({ at: where(q), expr: q.expr, errors: promqlErrors(asSent(q.expr)) }).toEqual({ at: where(q), expr: q.expr, errors: [] });
  });

  test('the PromQL check fails on broken PromQL', () => {
    expect(promqlErrors('sum by (le (rate(x[5m]))')).not.toEqual([]);
    expect(promqlErrors('rate(x[$__rate_interval])')).not.toEqual([]);
    expect(promqlErrors(asSent('rate(x[$__rate_interval])'))).toEqual([]);
  });

  test('every LogQL expression parses with Grafana\'s LogQL grammar, and selects streams by the shipper\'s labels', () => {
    for (const q of lokiQueries) {
      expect({ at: where(q), expr: q.expr, errors: parseLogQL(q.expr, { grafanaVariables: true }) }).toEqual({ at: where(q), expr: q.expr, errors: [] });
    }
    const selectors = lokiQueries.flatMap((q) => [...asSent(q.expr).matchAll(/\{[^{}]*\}/g)].map((m) => m[0]));
    expect(selectors.length).toBeGreaterThan(0);
    for (const s of selectors) for (const m of streamSelector(s)) expect(STREAM_LABELS).toContain(m.name);
  });

  test('every metric a panel reads is in a contract or is a recording rule of the stack', () => {
    const read = promQueries.flatMap((q) => metricsRead(asSent(q.expr)).map((name) => ({ at: where(q), name })));
    expect(read.length).toBeGreaterThan(40);
    for (const { at, name } of read) {
      const known = name.includes(':') ? recorded.has(name) : CONTRACT_SERIES.has(name);
      expect({ at, name, known }).toEqual({ at, name, known: true });
    }
  });

  test('heavy queries read recording rules: latency quantiles and ratios are never computed in a panel', () => {
    for (const q of promQueries.filter((x) => generated.some((d) => d.model.uid === x.dashboard))) {
      expect({ at: where(q), quantile: /histogram_quantile/.test(q.expr) }).toEqual({ at: where(q), quantile: false });
    }
    const usedRecords = new Set(promQueries.flatMap((q) => metricsRead(asSent(q.expr))).filter((n) => n.includes(':')));
    expect(usedRecords.size).toBeGreaterThan(15);
  });

  test('recording rules read only contract metrics or other recording rules, parse, and are named level:metric:operations', () => {
    expect(recordingRules.length).toBeGreaterThan(20);
    for (const r of recordingRules) {
      expect(r.record).toMatch(/^[a-z_]+:[a-zA-Z0-9_]+:[a-z0-9_]+$/);
      expect({ record: r.record, errors: promqlErrors(r.expr) }).toEqual({ record: r.record, errors: [] });
      for (const name of metricsRead(r.expr)) {
        const known = name.includes(':') ? recorded.has(name) : CONTRACT_SERIES.has(name);
        expect({ record: r.record, name, known }).toEqual({ record: r.record, name, known: true });
      }
    }
  });

  test('the metric check catches a metric nobody emits', () => {
    expect(metricsRead('sum(rate(http_requests_total{job="backend"}[5m])) / on() love_parser_nope')).toEqual(['http_requests_total', 'love_parser_nope']);
    expect(CONTRACT_SERIES.has('http_requests_total')).toBe(false);
  });

  test('rule windows follow the alert settings: a changed rate window renames the rules and the panels follow', () => {
    const other = provisioned(testConfig({ rules: { rateWindow: '10m' } }));
    const names = new Set(other.recordingRules.map((r) => r.record));
    expect(names.has('job:http_request_errors:ratio_rate10m')).toBe(true);
    expect(names.has('job:http_request_errors:ratio_rate5m')).toBe(false);
    const read = other.queries.filter((q) => q.datasourceUid === PROMETHEUS_DS.uid).flatMap((q) => metricsRead(asSent(q.expr)));
    for (const name of read.filter((n) => n.includes(':'))) expect({ name, recorded: names.has(name) }).toEqual({ name, recorded: true });
  });

  test('the SLO dashboard has a row per objective, each reading its own recorded series', () => {
    const slo = dashboards.find((d) => d.model.uid === BACKEND_DASHBOARD_UIDS.slos)!;
    const rows = (slo.model.panels as { type: string; title: string }[]).filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['API availability: 99.5% over 28d', 'API latency: 99% over 28d', 'Payment callback success: 99% over 28d', 'Queue job success: 99% over 28d', 'Queue freshness: 99% over 28d']);
    const exprs = queries.filter((q) => q.dashboard === slo.model.uid).map((q) => q.expr);
    expect(exprs).toContain('slo:error_budget_remaining:ratio{slo="api-availability"}');
    expect(exprs).toContain('slo:sli_error:ratio_rate56m{slo="api-availability"} / 0.005');
  });

  test('panel thresholds come from the alert settings', () => {
    const withRatio = (ratio: number) =>
      provisioned(testConfig({ backend: { alerts: { errorRatio: ratio } } }))
        .dashboards.find((d) => d.model.uid === BACKEND_DASHBOARD_UIDS.observability)!
        .model.panels as { title: string; fieldConfig: { defaults: { thresholds?: { steps: { value: number | null }[] } } } }[];
    const steps = (ratio: number) => withRatio(ratio).find((p) => p.title === 'Server errors')!.fieldConfig.defaults.thresholds!.steps.map((s) => s.value);
    expect(steps(0.05)).toEqual([null, 0.025, 0.05]);
    expect(steps(0.1)).toEqual([null, 0.05, 0.1]);
  });
});
