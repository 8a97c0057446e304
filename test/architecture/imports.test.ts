/**
 * The layering of charts/ holds (docs/architecture.md): lib imports only lib; contracts import lib
 * and contracts; a component (collectors included) imports lib, contracts and its own folder; only
 * the stack files compose everything. A new import across these lines fails here.
 */
import { ROOT } from '../util';
import { chartSources, importsOf, placement, violations } from './imports';

describe('import rules of charts/', () => {
  const tree = chartSources(ROOT);

  test('the tree has files on every floor, so the rules are not vacuous', () => {
    const floors = new Set([...tree.keys()].map((f) => placement(f.slice('charts/'.length)).floor));
    expect([...floors].sort()).toEqual(['component', 'contracts', 'lib', 'stack']);
    const imports = [...tree.values()].flatMap(importsOf);
    expect(imports.length).toBeGreaterThan(200);
  });

  test('no file of charts/ breaks them', () => {
    expect(violations(tree)).toEqual([]);
  });

  test('each kind of wrong import is caught, naming the file and the fix', () => {
    const wrong = new Map([
      // A component reaching into another component.
      ['charts/backend/dashboards.ts', "import { nodeRecords } from '../node-exporter/recording-rules';"],
      // A component importing a collector.
      ['charts/redis-exporter/redis-exporter.ts', "import { podScrapeJob } from '../prometheus/scrape';"],
      // lib reaching up to the configuration.
      ['charts/lib/pod.ts', "import { Resources } from '../config';"],
      // A contract importing a component.
      ['charts/contracts/logs.ts', "import { LOKI_UID } from '../loki/loki';"],
      // Charts importing the tests.
      ['charts/grafana/grafana.ts', "import { testConfig } from '../../test/util';"],
    ]);
    expect(violations(wrong)).toEqual([
      "charts/backend/dashboards.ts: imports charts/node-exporter/recording-rules, another component's folder; move what both need into charts/contracts/ (or charts/lib/ if it is not about the stack)",
      'charts/contracts/logs.ts: imports charts/loki/loki, on the component floor above its own (contracts)',
      'charts/grafana/grafana.ts: imports test/util, outside charts/ (only the generated imports/ may be imported)',
      'charts/lib/pod.ts: imports charts/config, on the stack floor above its own (lib)',
      "charts/redis-exporter/redis-exporter.ts: imports charts/prometheus/scrape, another component's folder; move what both need into charts/contracts/ (or charts/lib/ if it is not about the stack)",
    ]);
  });

  test('what is allowed stays allowed', () => {
    const fine = new Map([
      ['charts/backend/alerts.ts', "import { sel } from '../lib/promql';\nimport { BACKEND_METRICS } from '../contracts/backend-metrics';\nimport { BackendProps } from './settings';"],
      ['charts/contracts/recorded.ts', "import { recordName } from '../lib/recording-rules';"],
      ['charts/argocd/application.ts', "import { Application } from '../../imports/argocd-argoproj.io';"],
      ['charts/stack.ts', "import { BackendChart } from './backend/backend';"],
    ]);
    expect(violations(fine)).toEqual([]);
  });
});
