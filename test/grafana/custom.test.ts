/**
 * dashboards/custom/: what an "Export for sharing externally" file becomes, and the error an
 * operator gets for each way such a file can be wrong (file, field, fix), all problems at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { CUSTOM_DASHBOARDS_DIR, loadCustomDashboards, resolveExport } from '../../charts/grafana/custom';
import { GrafanaChart } from '../../charts/grafana/grafana';
import { FOLDERS } from '../../charts/lib/panels';
import { ConfigError } from '../../charts/lib/schema';
import { BackendChart } from '../../charts/backend/backend';
import { find, propsOf, synthStack, testConfig } from '../util';

const EXAMPLE = path.join(CUSTOM_DASHBOARDS_DIR, 'payments-drilldown.json');
const example = () => JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));

/** Every scratch directory of this file, removed after its tests. */
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

/** A scratch dashboards/custom/ with the given files; returns the directory. */
function customDir(files: Record<string, unknown>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custom-dashboards-'));
  scratch.push(root);
  const dir = path.join(root, 'dashboards', 'custom');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

/** The issues loading a directory reports (fails the test when it loads cleanly). */
function problems(files: Record<string, unknown>): ConfigError['issues'] {
  try {
    loadCustomDashboards(customDir(files));
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected the directory to be rejected');
}

/** The example with a change applied. */
function variant(change: (d: any) => void): any {
  const d = example();
  change(d);
  return d;
}

describe('custom dashboards', () => {
  test('the example export resolves: inputs become love-prom / love-loki, export-only fields and the id go', () => {
    const [d] = loadCustomDashboards(customDir({ 'payments.json': example() }));
    expect(d.folder).toBe(FOLDERS.custom);
    expect(d.source).toBe(path.join('dashboards', 'custom', 'payments.json'));
    const m = d.model as any;
    expect(m.uid).toBe('custom-payments-drilldown');
    for (const key of ['__inputs', '__requires', '__elements', 'id']) expect(key in m).toBe(false);
    expect(m.panels[0].datasource).toEqual({ type: 'prometheus', uid: 'love-prom' });
    expect(m.panels[0].targets[0].datasource).toEqual({ type: 'prometheus', uid: 'love-prom' });
    expect(m.panels[1].targets[0].datasource).toEqual({ type: 'loki', uid: 'love-loki' });
    expect(JSON.stringify(m)).not.toContain('${DS_');
  });

  test('the committed example is picked up by synth into the Custom folder', () => {
    const { charts } = synthStack();
    const cm = find(charts.grafana, 'ConfigMap', 'grafana-dashboards-custom-1');
    expect(Object.keys(cm.data)).toEqual(['custom-payments-drilldown.json']);
    expect(JSON.parse(cm.data['custom-payments-drilldown.json']).panels[0].datasource.uid).toBe('love-prom');
  });

  test('pre-8.3 string data source inputs and constant inputs are resolved too', () => {
    const d = variant((x) => {
      x.panels[0].datasource = '${DS_PROMETHEUS}';
      x.__inputs.push({ name: 'VAR_JOB', type: 'constant', label: 'job', value: 'backend' });
      x.panels[0].targets[0].expr = 'sum(rate(love_parser_payments_total{job="${VAR_JOB}"}[5m]))';
    });
    const { model, issues } = resolveExport(d, 'x.json');
    expect(issues).toEqual([]);
    expect((model as any).panels[0].datasource).toEqual({ type: 'prometheus', uid: 'love-prom' });
    expect((model as any).panels[0].targets[0].expr).toBe('sum(rate(love_parser_payments_total{job="backend"}[5m]))');
  });

  test('a missing uid names the file and the field', () => {
    const [issue] = problems({ 'no-uid.json': variant((d) => delete d.uid) });
    expect(issue.path).toBe(path.join('dashboards', 'custom', 'no-uid.json') + ': uid');
    expect(issue.fix).toMatch(/fixed "uid"/);
  });

  test('an input for a data source this Grafana does not provision', () => {
    const issues = problems({ 'mysql.json': variant((d) => d.__inputs.push({ name: 'DS_MYSQL', type: 'datasource', pluginId: 'mysql' })) });
    expect(issues.map((i) => i.path)).toContain(path.join('dashboards', 'custom', 'mysql.json') + ': __inputs[2].pluginId');
    expect(issues[0].message).toMatch(/'mysql'.*prometheus \(love-prom\) and loki \(love-loki\)/);
  });

  test('an input used but never declared (a hand-edited export)', () => {
    const issues = problems({ 'undeclared.json': variant((d) => (d.__inputs = [d.__inputs[1]])) });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/panels\[0\]\.datasource\.uid: is the unresolved input '\$\{DS_PROMETHEUS\}'/),
      expect.stringMatching(/panels\[0\]\.targets\[0\]\.datasource\.uid: is the unresolved input/),
    ]);
  });

  test('an unknown data source uid (exported without "for sharing externally")', () => {
    const [issue] = problems({ 'raw.json': variant((d) => (d.panels[0].targets[0].datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' })) });
    expect(issue.path).toMatch(/raw\.json: panels\[0\]\.targets\[0\]\.datasource\.uid$/);
    expect(issue.message).toMatch(/'P1809F7CD0C75ACF3'/);
    expect(issue.fix).toMatch(/love-prom.*love-loki/);
  });

  test('a data source variable of the dashboard is accepted; an undefined one is not', () => {
    const withVar = variant((d) => {
      d.templating.list.push({ name: 'ds', type: 'datasource', query: 'prometheus' });
      d.panels[0].datasource = { type: 'prometheus', uid: '${ds}' };
    });
    expect(loadCustomDashboards(customDir({ 'var.json': withVar }))).toHaveLength(1);
    const [issue] = problems({ 'novar.json': variant((d) => (d.panels[0].datasource = { type: 'prometheus', uid: '$nope' })) });
    expect(issue.message).toMatch(/no data source variable/);
  });

  test('schema versions outside what the pinned Grafana loads', () => {
    expect(problems({ 'new.json': variant((d) => (d.schemaVersion = 43)) })[0]).toMatchObject({ path: expect.stringMatching(/new\.json: schemaVersion$/), message: expect.stringMatching(/13 to 42/) });
    expect(problems({ 'old.json': variant((d) => (d.schemaVersion = 10)) })[0].fix).toMatch(/migrates old versions/);
    expect(problems({ 'none.json': variant((d) => delete d.schemaVersion) })[0].path).toMatch(/schemaVersion$/);
  });

  test('a v2 (dynamic) dashboard resource, library panels, invalid JSON', () => {
    expect(problems({ 'v2.json': { apiVersion: 'dashboard.grafana.app/v2beta1', kind: 'Dashboard', spec: { elements: {} } } })[0].message).toMatch(/v2/);
    expect(problems({ 'lib.json': variant((d) => (d.__elements = { abc: { name: 'shared', kind: 1 } })) })[0].fix).toMatch(/Unlink library panel/);
    expect(problems({ 'broken.json': '{"uid": "x",' })[0]).toMatchObject({ path: path.join('dashboards', 'custom', 'broken.json'), message: expect.stringMatching(/not valid JSON/) });
  });

  test('every problem of every file at once, in file order', () => {
    const issues = problems({
      'a.json': variant((d) => delete d.uid),
      'b.json': variant((d) => (d.schemaVersion = 99)),
      'c.json': example(),
    });
    expect(issues.map((i) => i.path.split(':')[0])).toEqual([path.join('dashboards', 'custom', 'a.json'), path.join('dashboards', 'custom', 'b.json')]);
    expect(() => loadCustomDashboards(customDir({ 'a.json': variant((d) => delete d.uid), 'b.json': variant((d) => (d.schemaVersion = 99)) }))).toThrow(
      /2 problems; nothing was written/,
    );
  });

  test('non-JSON files are ignored; a missing directory means no custom dashboards', () => {
    expect(loadCustomDashboards(customDir({ 'README.md': '# notes' }))).toEqual([]);
    expect(loadCustomDashboards(path.join(os.tmpdir(), 'no-such-dir-for-custom-dashboards'))).toEqual([]);
  });

  test('a custom dashboard reusing a generated uid or title is refused by the Grafana chart, naming the file', () => {
    const config = testConfig();
    const app = new App();
    const backend = new BackendChart(app, 'backend', { ...propsOf(config, 'backend'), nodeMemoryAvailableRatio: 0.1 });
    const grafana = propsOf(config, 'grafana');
    const clash = loadCustomDashboards(customDir({ 'clash.json': variant((d) => (d.uid = 'love-backend')) }));
    let n = 0;
    const build = () => new GrafanaChart(app, `grafana-${++n}`, { ...grafana, sources: [backend], customDashboards: clash });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/dashboards\/custom\/clash\.json: uid: 'love-backend' is already the uid of dashboard 'love-backend' \(generated\)/);
    const sameTitle = loadCustomDashboards(customDir({ 'title.json': variant((d) => (d.title = 'Backend Observability')) }));
    // Another folder: the same title is allowed (Grafana keeps titles unique per folder).
    expect(() => new GrafanaChart(app, `grafana-${++n}`, { ...grafana, sources: [backend], customDashboards: sameTitle })).not.toThrow();
    const twins = loadCustomDashboards(customDir({ 'one.json': example(), 'two.json': variant((d) => (d.uid = 'custom-twin')) }));
    expect(() => new GrafanaChart(app, `grafana-${++n}`, { ...grafana, sources: [backend], customDashboards: twins })).toThrow(
      /two\.json: title: 'Payments drill-down \(example\)' is already the title of dashboards\/custom\/one\.json in folder 'Custom'/,
    );
  });
});
