/**
 * Every query of every provisioned dashboard, and the PromQL helpers the dashboard tests and the
 * promtool check share: Grafana's variables replaced the way Grafana sends the query, PromQL parsed
 * with Prometheus's own grammar (@prometheus-io/lezer-promql, the pinned release line).
 */
import type { LRParser } from '@lezer/lr';
import { StackConfig } from '../../charts/config';
import * as YAML from 'yaml';
import { Dashboard, RecordingRule, RuleGroup, isAlert } from '../../charts/lib/monitoring';
import { substituteGrafanaVariables } from '../../charts/loki/logql';
import { synthesizeInMemory } from '../../charts/synth';
import { targetsOf } from '../../charts/grafana/validate';
import { testConfig } from '../util';

// An ES module whose CommonJS entry is what the CommonJS test build can load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly path: string;
  /** uid of the data source the query runs on (its own, else its panel's). */
  readonly datasourceUid: string | undefined;
  readonly datasourceType: string | undefined;
  readonly expr: string;
}

/** Queries of one dashboard model. */
export function queriesOf(d: Dashboard): PanelQuery[] {
  return targetsOf(d.model as Record<string, unknown>).map((t) => {
    const ds = t.datasource as { uid?: string; type?: string } | undefined;
    return {
      dashboard: d.model.uid,
      panel: t.panelTitle,
      path: t.path,
      datasourceUid: ds?.uid,
      datasourceType: ds?.type,
      expr: String(t.target.expr ?? ''),
    };
  });
}

export interface Provisioned {
  readonly dashboards: readonly Dashboard[];
  readonly queries: readonly PanelQuery[];
  /** Every recording rule the stack gives Prometheus. */
  readonly recordingRules: readonly RecordingRule[];
}

/** The dashboards Grafana provisions (generated and custom) and the recording rules Prometheus runs. */
export function provisioned(config: StackConfig = testConfig()): Provisioned {
  const { stack } = synthesizeInMemory(config);
  const dashboards = stack.grafana.provisioned;
  // What Prometheus actually loads: the rule files of its ConfigMap, not what the components meant to give.
  const recordingRules = Object.values(stack.prometheus.ruleFiles)
    .flatMap((f) => (YAML.parse(f).groups as RuleGroup[]).flatMap((g) => g.rules))
    .filter((r): r is RecordingRule => !isAlert(r));
  return { dashboards, queries: dashboards.flatMap(queriesOf), recordingRules };
}

/** A dashboard query as Grafana sends it: `$__rate_interval` and friends become a duration, variables a word. */
export function asSent(expr: string): string {
  return substituteGrafanaVariables(expr);
}

/** Syntax errors of a PromQL expression (an empty list when the grammar accepts it). */
export function promqlErrors(expr: string): string[] {
  if (expr.trim() === '') return ['empty expression'];
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError) errors.push(`syntax error at offset ${n.from} near '${expr.slice(n.from, n.from + 20)}'`);
    },
  });
  return errors;
}

/** Metric names a PromQL expression reads: selector identifiers and `{__name__="..."}` matchers. */
export function metricsRead(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') names.push(expr.slice(n.from, n.to));
      if (n.name === 'UnquotedLabelMatcher') {
        const m = /^__name__\s*=\s*"([^"]+)"$/.exec(expr.slice(n.from, n.to));
        if (m) names.push(m[1]);
      }
    },
  });
  return [...new Set(names)];
}
