/**
 * docs/from-compose.md maps each file of the original compose stack to where its content lives now:
 * every file it names must exist, every ConfigMap and Secret it names must be one the stack
 * synthesizes or reads, and every file of the original stack must have its row.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { secretsOf } from '../../scripts/secrets';
import { ROOT, synthStack, testConfig } from '../util';

const DOC = path.join(ROOT, 'docs', 'from-compose.md');

/** The files of the original stack (its README names them), each needing a row. */
const ORIGINAL_FILES = [
  'docker-compose.yml',
  'prometheus/prometheus.yml',
  'prometheus/rules/alerts.yml',
  'alertmanager/alertmanager.yml',
  'grafana/provisioning/datasources/*.yml',
  'grafana/provisioning/dashboards/dashboards.yml',
  'grafana/provisioning/dashboards/*.json',
  'logging/promtail-config.yml',
  'logging/loki-local-config.yaml',
  '.env',
  'backend/.env.example',
  'RUNBOOK.md',
];

describe('docs/from-compose.md', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
  const codeSpans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

  test('has a row for every file of the original stack, the love-parser-production group named in its row', () => {
    for (const f of ORIGINAL_FILES) expect({ file: f, row: rows.some((r) => r.startsWith(`| \`${f}\``)) }).toEqual({ file: f, row: true });
    expect(rows.find((r) => r.startsWith('| `prometheus/rules/alerts.yml`'))).toContain('love-parser-production');
  });

  test('every repository path it names exists', () => {
    const paths = rows
      .flatMap((r) => codeSpans(r.split(' | ').slice(1).join(' | ')))
      .filter((s) => /^(charts|config|dashboards|scripts|test|docs)\//.test(s) || s === 'RUNBOOK.md')
      .map((s) => s.replace(/\/<[^>]+>\/.*$/, '/').replace(/<[^>]+>.*$/, ''));
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((p) => !fs.existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  test('every ConfigMap and Secret it names is synthesized or read by the stack', () => {
    const config = testConfig();
    const configMaps = new Set(synthStack(config).all.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name));
    const secrets = new Set(secretsOf(config).map((s) => s.name));
    const named = (kind: string) => rows.flatMap((r) => [...r.matchAll(new RegExp(`${kind}s? ((?:\`[a-z0-9-]+\`(?:, | and )?)+)`, 'g'))].flatMap((m) => codeSpans(m[1])));
    const cms = named('ConfigMap');
    const ss = named('Secret');
    expect(cms.length).toBeGreaterThanOrEqual(6);
    expect(ss.length).toBeGreaterThanOrEqual(5);
    expect(cms.filter((n) => !configMaps.has(n))).toEqual([]);
    expect(ss.filter((n) => !secrets.has(n))).toEqual([]);
  });

  test('the rule groups it lists are the synthesized alert groups', () => {
    const groups = Object.keys(synthStack().all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'prometheus-config').data)
      .map((k) => k.replace(/\.rules\.yml$/, ''))
      .filter((g) => g.endsWith('-alerts'));
    const row = rows.find((r) => r.startsWith('| `prometheus/rules/alerts.yml`'))!;
    expect(groups.filter((g) => !row.includes(`\`${g}\``))).toEqual([]);
  });
});
