/**
 * kube-state-metrics cannot run here (its Go module is not served by the module proxy), so what the
 * stack reads from it is held to the release's own documentation instead: the ground truth file
 * lists every metric of v2.20.0's docs/metrics tables with its type and labels. Every synthesized
 * rule (alerts and recording rules) and every provisioned panel is parsed with Prometheus's PromQL
 * grammar; a `kube_*` metric the release does not have, or a label of it the release does not put
 * on it (in a matcher, a `by`/`without`, an `on`/`ignoring` or a `group_left`/`group_right`), fails.
 */
import type { LRParser } from '@lezer/lr';
import type { SyntaxNode } from '@lezer/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { stackEndpoints } from '../../charts/contracts/endpoints';
import { KUBE_STATE_METRICS } from '../../charts/contracts/kubernetes-metrics';
import { ksmAllowlist, ksmResources, kubeStateMetricsArgs } from '../../charts/kube-state-metrics/kube-state-metrics';
import { RuleGroup } from '../../charts/lib/monitoring';
import { IMAGES } from '../../charts/versions';
import { provisioned } from '../dashboards/queries';
import { ROOT, find, synthStack, testConfig } from '../util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

const FILE = 'kube-state-metrics-v2.20.0.tsv';
const committed = path.join(ROOT, 'charts', 'kube-state-metrics', 'ground-truth', FILE);
const shared = path.join(ROOT, '..', 'shared', 'ground-truth', FILE);

interface Truth {
  readonly type: string;
  readonly labels: ReadonlySet<string>;
  readonly status: string;
  readonly optIn: boolean;
}

/** The TSV: `metric  type  labels  status  opt_in  doc`, `#` comments first. */
export function readGroundTruth(text: string): Map<string, Truth> {
  const out = new Map<string, Truth>();
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const [header, ...rows] = lines;
  expect(header.split('\t')).toEqual(['metric', 'type', 'labels', 'status', 'opt_in', 'doc']);
  for (const row of rows) {
    const [metric, type, labels, status, optIn] = row.split('\t');
    out.set(metric, { type, labels: new Set(labels.split(',').filter(Boolean)), status, optIn: optIn === 'opt-in' });
  }
  return out;
}

const truth = readGroundTruth(fs.readFileSync(committed, 'utf8'));

/** Labels Prometheus's scrape of kube-state-metrics adds (kubeStateMetricsJob): they are on every series. */
const TARGET_LABELS = new Set(['job', 'instance', 'service']);

export interface LabelProblem {
  readonly expr: string;
  readonly problem: string;
}

/** The `kube_*` selectors under a node, or undefined when the node also reads anything else (its labels are then not only kube-state-metrics'). */
function kubeSelectorsOnly(node: SyntaxNode, expr: string): string[] | undefined {
  const names: string[] = [];
  let other = false;
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.from >= end) break;
    if (cursor.name === 'VectorSelector') {
      const id = cursor.node.getChild('Identifier');
      const name = id ? expr.slice(id.from, id.to) : '';
      if (name.startsWith('kube_')) names.push(name);
      else other = true;
    }
    // label_replace makes new labels; vector() and time() add none but are not kube-state-metrics either.
    if (cursor.name === 'FunctionIdentifier' && /^label_(replace|join)$/.test(expr.slice(cursor.from, cursor.to))) other = true;
  } while (cursor.next());
  return other || names.length === 0 ? undefined : names;
}

function labelsOf(node: SyntaxNode | null, expr: string): string[] {
  return node ? node.getChildren('LabelName').map((l) => expr.slice(l.from, l.to)) : [];
}

/** Every `kube_*` metric and label an expression reads that the ground truth does not list. */
export function kubeProblems(expr: string, known: Map<string, Truth> = truth): string[] {
  const problems: string[] = [];
  const tree = parser.parse(expr);
  const allowed = (names: string[]) => new Set([...TARGET_LABELS, ...names.flatMap((n) => [...(known.get(n)?.labels ?? [])])]);
  const check = (labels: string[], names: string[] | undefined, where: string) => {
    if (!names) return;
    const ok = allowed(names);
    for (const l of labels) if (!ok.has(l)) problems.push(`label '${l}' in ${where} is not a label of ${names.join(', ')}`);
  };
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) problems.push(`does not parse at ${n.from}`);
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        const name = id ? expr.slice(id.from, id.to) : '';
        if (!name.startsWith('kube_')) return;
        const t = known.get(name);
        if (!t) {
          problems.push(`metric '${name}' is not in kube-state-metrics v2.20.0`);
          return;
        }
        if (t.optIn) problems.push(`metric '${name}' is opt-in in v2.20.0`);
        for (const m of n.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          const label = labelsOf(m, expr)[0];
          if (label && label !== '__name__' && !t.labels.has(label) && !TARGET_LABELS.has(label)) problems.push(`label '${label}' is not a label of ${name}`);
        }
      }
      if (n.name === 'AggregateExpr') {
        const body = n.node.getChild('FunctionCallBody');
        const modifier = n.node.getChild('AggregateModifier');
        if (body && modifier) check(labelsOf(modifier.getChild('GroupingLabels'), expr), kubeSelectorsOnly(body, expr), `'${expr.slice(modifier.from, modifier.to)}'`);
      }
      if (n.name === 'BinaryExpr') {
        const clause = n.node.getChild('MatchingModifierClause');
        if (!clause) return;
        const [left, right] = [n.node.firstChild!, n.node.lastChild!];
        const groups = clause.getChildren('GroupingLabels');
        const on = labelsOf(groups[0] ?? null, expr);
        const where = `'${expr.slice(clause.from, clause.to)}'`;
        check(on, kubeSelectorsOnly(left, expr), where);
        check(on, kubeSelectorsOnly(right, expr), where);
        if (groups[1]) {
          // group_left takes labels from the right ("one") side, group_right from the left.
          const one = clause.getChild('GroupLeft') ? right : left;
          check(labelsOf(groups[1], expr), kubeSelectorsOnly(one, expr), where);
        }
      }
    },
  });
  return problems;
}

describe('kube-state-metrics v2.20.0 ground truth', () => {
  test('the committed file is the release the image pins, and lists the resources the chart enables', () => {
    expect(IMAGES.kubeStateMetrics.tag).toBe('v2.20.0');
    expect(truth.size).toBeGreaterThan(300);
    for (const m of Object.values(KUBE_STATE_METRICS)) expect(m.name.startsWith(`kube_${m.resource.replace(/s$/, '')}`)).toBe(true);
  });

  // In CI and in development the shared material sits beside the clone; elsewhere there is nothing to compare.
  (fs.existsSync(shared) ? test : test.skip)('it is byte-identical to ../shared/ground-truth/', () => {
    expect(fs.readFileSync(committed, 'utf8')).toBe(fs.readFileSync(shared, 'utf8'));
  });

  test.each(Object.entries(KUBE_STATE_METRICS))('contract %s: name, type and labels are the release\'s, and not opt-in', (_k, m) => {
    const t = truth.get(m.name);
    expect({ metric: m.name, listed: t !== undefined }).toEqual({ metric: m.name, listed: true });
    expect({ metric: m.name, type: t!.type }).toEqual({ metric: m.name, type: m.type });
    expect({ metric: m.name, optIn: t!.optIn }).toEqual({ metric: m.name, optIn: false });
    for (const l of m.labels) expect({ metric: m.name, label: l, listed: t!.labels.has(l) }).toEqual({ metric: m.name, label: l, listed: true });
  });

  const config = testConfig();
  const { stack } = synthStack(config);
  const ruleExprs = Object.values(stack.prometheus.ruleFiles).flatMap((f) =>
    (YAML.parse(f).groups as RuleGroup[]).flatMap((g) => g.rules.map((r) => ({ where: `rule ${'alert' in r ? r.alert : r.record}`, expr: r.expr }))),
  );
  const panelExprs = provisioned(config).queries.filter((q) => q.datasourceUid === 'love-prom').map((q) => ({ where: `panel ${q.dashboard}/${q.panel}`, expr: q.expr }));
  const kubeExprs = [...ruleExprs, ...panelExprs].filter((e) => /\bkube_/.test(e.expr));

  test('rules and panels read kube-state-metrics at all (the check below checks something)', () => {
    expect(kubeExprs.filter((e) => e.where.startsWith('rule')).length).toBeGreaterThanOrEqual(8);
    expect(kubeExprs.filter((e) => e.where.startsWith('panel')).length).toBeGreaterThanOrEqual(5);
  });

  test.each(kubeExprs.map((e) => [e.where, e.expr]))('%s reads only metrics and labels of v2.20.0', (where, expr) => {
    expect({ where, problems: kubeProblems(expr) }).toEqual({ where, problems: [] });
  });

  test('the check catches a wrong metric, a wrong matcher, a wrong by, on and group_left label', () => {
    expect(kubeProblems('kube_pod_status_ready_total{job="kube-state-metrics"}')).toEqual(["metric 'kube_pod_status_ready_total' is not in kube-state-metrics v2.20.0"]);
    expect(kubeProblems('kube_pod_status_ready{reason="x"}')).toEqual(["label 'reason' is not a label of kube_pod_status_ready"]);
    expect(kubeProblems('sum by (deployment) (kube_pod_status_ready)')).toHaveLength(1);
    expect(kubeProblems('kube_pod_status_ready * on (namespace, pod) group_left (nodename) kube_pod_info')).toEqual([
      "label 'nodename' in 'on (namespace, pod) group_left (nodename)' is not a label of kube_pod_info",
    ]);
    expect(kubeProblems('kube_pod_status_ready * on (statefulset) kube_pod_info')).toHaveLength(2);
    expect(kubeProblems('kube_pod_nodeselectors')).toEqual(["metric 'kube_pod_nodeselectors' is opt-in in v2.20.0"]);
    // Labels made by label_replace, and labels of other metrics in the same expression, are not judged here.
    expect(kubeProblems('label_replace(kube_pod_info, "service", "$1", "pod", "(.*)") * on (service) up')).toEqual([]);
  });

  test('the deployment passes exactly the contract: resources, metric allowlist, the stack namespaces', () => {
    const deployment = find(synthStack(config).charts['kube-state-metrics'], 'Deployment', 'kube-state-metrics');
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    const ns = config.namespaces;
    expect(args).toEqual(kubeStateMetricsArgs(stackEndpoints(ns).kubeStateMetrics, [ns.monitoring, ns.agents, ns.backend]));
    expect(args).toContain(`--resources=${ksmResources().join(',')}`);
    expect(args).toContain(`--metric-allowlist=${ksmAllowlist().join(',')}`);
    expect(args).toContain('--namespaces=love-parser,monitoring,monitoring-agents');
    expect(ksmResources()).toEqual(['daemonsets', 'deployments', 'endpoints', 'pods', 'statefulsets']);
  });
});
