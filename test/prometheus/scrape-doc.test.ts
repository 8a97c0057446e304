import * as fs from 'node:fs';
import * as YAML from 'yaml';
import { BEGIN, END, PROMETHEUS_DOC, productionScrapeTable, scrapeTable, withTable } from '../../scripts/gen-scrape-table';
import { synthStack } from '../util';

describe("docs/prometheus.md's scrape-job table", () => {
  const doc = fs.readFileSync(PROMETHEUS_DOC, 'utf8');

  test('is the one generated from the synthesized prometheus.yml (run `npx ts-node --transpile-only scripts/gen-scrape-table.ts` and commit)', () => {
    expect(doc).toBe(withTable(doc, productionScrapeTable()));
  });

  test('has a row for every scrape job, saying whether it goes through pods or a Service address', () => {
    const jobs = YAML.parse(synthStack().stack.prometheus.configYaml).scrape_configs as any[];
    const table = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END));
    expect(jobs.length).toBeGreaterThan(5);
    for (const j of jobs) {
      const row = table.split('\n').find((l) => l.startsWith(`| \`${j.job_name}\` |`));
      expect({ job: j.job_name, row: row !== undefined }).toEqual({ job: j.job_name, row: true });
      expect(row).toContain(j.kubernetes_sd_configs ? (j.kubernetes_sd_configs[0].role === 'node' ? 'each node' : 'each pod') : j.static_configs[0].targets[0]);
    }
  });

  test('the renderer tells the two kinds apart (the drift the page once had: Alertmanager by pods, Grafana by its Service)', () => {
    const yml = YAML.stringify({
      scrape_configs: [
        {
          job_name: 'a',
          kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['ns'] }, selectors: [{ role: 'pod', label: 'app=a' }] }],
          relabel_configs: [{ source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'http', action: 'keep' }, { target_label: 'service', replacement: 'a' }],
        },
        { job_name: 'b', static_configs: [{ targets: ['b.ns.svc:80'], labels: { service: 'b' } }] },
      ],
    });
    const t = scrapeTable(yml, new Map([['a', 1234]]));
    expect(t).toContain('| `a` | each pod (pod discovery in `ns`, `app=a`) | container port `http` (1234), `/metrics` | `service=a` |');
    expect(t).toContain('| `b` | its Service address | `b.ns.svc:80`, `/metrics` | `service=b` |');
  });
});
