/**
 * RUNBOOK.md and the alert rules agree one to one: every alert has a section under the heading its
 * runbook_url points at, and every section is an alert's. Each section has the five parts, and its
 * commands are real: PromQL and LogQL parse, PromQL reads only known metrics, kubectl names the
 * stack's namespaces, and links inside the runbook land on a heading.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { githubAnchor } from '../../charts/lib/alert-rules';
import { ROOT, testConfig } from '../util';
import { KNOWN_SERIES, logqlParses, promql } from './known-metrics';
import { recordedSeries, synthesizedAlerts } from './synthesized';
import { firstRemediationSteps } from './remediation';

interface Section {
  readonly heading: string;
  readonly body: string;
  readonly blocks: readonly { lang: string; code: string }[];
}

const text = fs.readFileSync(path.join(ROOT, 'RUNBOOK.md'), 'utf8');

/** The `###` sections (alerts) and the anchors of every heading. */
function parse(md: string): { sections: Section[]; anchors: Set<string> } {
  const sections: Section[] = [];
  const anchors = new Set<string>();
  let current: { heading: string; lines: string[] } | undefined;
  let fence = false;
  const flush = () => {
    if (!current) return;
    const body = current.lines.join('\n');
    const blocks = [...body.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2] }));
    sections.push({ heading: current.heading, body, blocks });
  };
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const h = fence ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (h) {
      anchors.add(githubAnchor(h[2]));
      if (h[1].length <= 3) {
        flush();
        current = h[1] === '###' ? { heading: h[2].trim(), lines: [] } : undefined;
        continue;
      }
    }
    current?.lines.push(line);
  }
  flush();
  return { sections, anchors };
}

const { sections, anchors } = parse(text);
const config = testConfig();
// Alerts behind a switch that is off by default have their sections too: the switch turned on.
const alerts = [
  ...synthesizedAlerts(config),
  ...synthesizedAlerts(testConfig({ postgresExporter: { replication: { enabled: true } } })).filter((a) => a.alert === 'PostgresReplicationLag'),
  // Thanos's alerts, from staging, where it is on.
  ...synthesizedAlerts(testConfig({}, 'staging')).filter((a) => a.alert.startsWith('Thanos')),
];
const recorded = recordedSeries(config);
const names = [...new Set(alerts.map((a) => a.alert))].sort();
const PARTS = ['Meaning', 'Impact', 'Triage', 'Remediation', 'Escalation'];

describe('RUNBOOK.md', () => {
  test('has a section for every alert, and every section is an alert', () => {
    expect(sections.map((s) => s.heading).sort()).toEqual(names);
  });

  test("every alert's remediation annotation is the first step of its section's Remediation", () => {
    const steps = firstRemediationSteps(text);
    const wrong = alerts
      .filter((a) => a.annotations.remediation !== steps.get(a.alert))
      .map((a) => ({ alert: a.alert, annotation: a.annotations.remediation, runbook: steps.get(a.alert) }));
    expect(wrong).toEqual([]);
    expect(alerts.length).toBeGreaterThan(20);
  });

  test('the first step is read as documented: a bullet with its continuation lines, or a first sentence, as plain text', () => {
    const md = [
      '### A',
      '**Remediation.**',
      '- Roll back: `kubectl rollout undo`, see [B](#b).',
      '  Then tell the team.',
      '- Second step.',
      '',
      '**Escalation.** x',
      '### B',
      '**Remediation.** Find the pod; restart it. Pods without limits are the usual culprits.',
      '',
      '**Escalation.** y',
    ].join('\n');
    expect(Object.fromEntries(firstRemediationSteps(md))).toEqual({
      A: 'Roll back: kubectl rollout undo, see B. Then tell the team.',
      B: 'Find the pod; restart it.',
    });
  });

  test('each section is where the alert runbook_url points', () => {
    for (const a of alerts) {
      const anchor = a.annotations.runbook_url.split('#')[1];
      expect({ alert: a.alert, anchor, heading: anchors.has(anchor) }).toEqual({ alert: a.alert, anchor, heading: true });
    }
  });

  test.each(sections.map((s) => [s.heading, s]))('%s: meaning, impact, triage, remediation, escalation, in that order', (_h, s) => {
    const at = PARTS.map((p) => s.body.indexOf(`**${p}.**`));
    expect({ parts: PARTS.filter((_, i) => at[i] < 0) }).toEqual({ parts: [] });
    expect([...at].sort((x, y) => x - y)).toEqual(at);
  });

  test.each(sections.map((s) => [s.heading, s]))('%s: triage has kubectl, PromQL and LogQL that are valid', (_h, s) => {
    const langs = new Set(s.blocks.map((b) => b.lang));
    expect([...langs].sort()).toEqual(['bash', 'logql', 'promql']);
    const namespaces = new Set(Object.values(config.namespaces));
    for (const b of s.blocks) {
      for (const line of b.code.split('\n').filter((l) => l.trim())) {
        if (b.lang === 'bash') {
          expect(line).toMatch(/^kubectl /);
          const ns = / -n ([a-z0-9-]+)/.exec(line)?.[1];
          if (ns) expect({ line, namespace: namespaces.has(ns) }).toEqual({ line, namespace: true });
        }
        if (b.lang === 'promql') {
          const { ok, metrics } = promql(line);
          expect({ line, parses: ok }).toEqual({ line, parses: true });
          for (const m of metrics) expect({ line, metric: m, known: KNOWN_SERIES.has(m) || recorded.has(m) || m === 'ALERTS' }).toEqual({ line, metric: m, known: true });
        }
        if (b.lang === 'logql') expect({ line, parses: logqlParses(line) }).toEqual({ line, parses: true });
      }
    }
  });

  test('every link inside the runbook lands on a heading', () => {
    const links = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect({ link: l, heading: anchors.has(l) }).toEqual({ link: l, heading: true });
  });
});
