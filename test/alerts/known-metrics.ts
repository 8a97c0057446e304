/** Every series name the metric modules define, and PromQL parsing: what alert expressions and runbook queries may read. */
import type { LRParser } from '@lezer/lr';
import { ALERTMANAGER_CLUSTER_METRICS, ALERTMANAGER_METRICS } from '../../charts/alertmanager/metrics';
import { GRAFANA_METRICS } from '../../charts/grafana/metrics';
import { SHIPPER_METRICS } from '../../charts/log-shipper/metrics';
import { LOKI_METRICS } from '../../charts/loki/metrics';
import { BACKEND_METRICS } from '../../charts/contracts/backend-metrics';
import { CADVISOR_METRICS, KUBELET_METRICS, KUBE_STATE_METRICS } from '../../charts/contracts/kubernetes-metrics';
import { PROBE_METRICS } from '../../charts/contracts/probe-metrics';
import { UP } from '../../charts/lib/promql';
import { seriesNames } from '../../charts/lib/metric';
import { NODE_METRICS } from '../../charts/node-exporter/metrics';
import { POSTGRES_METRICS } from '../../charts/postgres-exporter/metrics';
import { PROMETHEUS_SELF_METRICS } from '../../charts/prometheus/metrics';
import { REDIS_METRICS } from '../../charts/redis-exporter/metrics';
import { THANOS_METRICS } from '../../charts/thanos/metrics';

// The packages' typings are ES module only; their CommonJS builds are what `require` loads under jest.
const promqlParser = (require('@prometheus-io/lezer-promql') as { parser: LRParser }).parser;
const logqlParser = (require('@grafana/lezer-logql') as { parser: LRParser }).parser;

export const KNOWN_SERIES: ReadonlySet<string> = new Set<string>([
  UP,
  ...Object.values(BACKEND_METRICS).flatMap(seriesNames),
  ...[POSTGRES_METRICS, REDIS_METRICS, NODE_METRICS].flatMap((m) => Object.values(m).flatMap(seriesNames)),
  ...[KUBE_STATE_METRICS, CADVISOR_METRICS, KUBELET_METRICS, PROBE_METRICS].flatMap((m) => Object.values(m).flatMap(seriesNames)),
  ...Object.values(ALERTMANAGER_METRICS).map((m) => m.name),
  ...Object.values(ALERTMANAGER_CLUSTER_METRICS).map((m) => m.name),
  ...Object.values(PROMETHEUS_SELF_METRICS).map((m) => m.name),
  ...[LOKI_METRICS, GRAFANA_METRICS, SHIPPER_METRICS.promtail, SHIPPER_METRICS.alloy, THANOS_METRICS].flatMap((m) => Object.values(m).flatMap(seriesNames)),
]);

/** Whether a PromQL expression parses, and the metric names it selects. */
export function promql(expr: string): { ok: boolean; metrics: string[] } {
  let ok = true;
  const metrics: string[] = [];
  promqlParser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(n.from, n.to));
    },
  });
  return { ok, metrics };
}

/** Whether a LogQL expression parses (Grafana's grammar, generated from Loki's). */
export function logqlParses(expr: string): boolean {
  let ok = true;
  logqlParser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
    },
  });
  return ok;
}
