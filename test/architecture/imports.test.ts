/**
 * The layering of charts/ holds (docs/architecture.md): lib imports only lib; contracts import lib
 * and contracts; a component (collectors included) imports lib, contracts and its own folder; only
 * the stack files compose everything. A new import across these lines fails here.
 */
import { ROOT } from '../util';
import { CONTRACT_MODULE, chartSources, importsOf, packageSources, packageViolations, placement, violations } from './imports';

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
      'charts/grafana/grafana.ts: imports test/util, outside charts/ (only the generated imports/ and packages/metrics-contract/src/contract may be imported)',
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
      // The one import from outside charts/: the package's definitions, re-exported by contracts.
      ['charts/contracts/backend-metrics.ts', "import { BACKEND_METRICS } from '../../packages/metrics-contract/src/contract';"],
    ]);
    expect(violations(fine)).toEqual([]);
  });

  test('the metrics contract package: only contracts import it, only its contract module, and the real tree does', () => {
    const wrong = new Map([
      // A component going around charts/contracts/.
      ['charts/backend/alerts.ts', "import { BACKEND_METRICS } from '../../packages/metrics-contract/src/contract';"],
      // contracts loading prom-client through the package's other modules.
      ['charts/contracts/backend-metrics.ts', "import { createContractMetrics } from '../../packages/metrics-contract/src/prometheus';"],
      // lib reaching for it.
      ['charts/lib/metric.ts', "import { ContractMetricDef } from '../../packages/metrics-contract/src/contract';"],
    ]);
    expect(violations(wrong)).toEqual([
      'charts/backend/alerts.ts: imports packages/metrics-contract/src/contract: only charts/contracts/ may import the metrics contract package; import charts/contracts/backend-metrics instead',
      'charts/contracts/backend-metrics.ts: imports packages/metrics-contract/src/prometheus: charts/ may import only packages/metrics-contract/src/contract of the package (the rest loads prom-client, Fastify or BullMQ, which synthesis must not need)',
      'charts/lib/metric.ts: imports packages/metrics-contract/src/contract: only charts/contracts/ may import the metrics contract package; import charts/contracts/backend-metrics instead',
    ]);
    const used = [...tree].filter(([, src]) => importsOf(src).some((s) => s.endsWith(CONTRACT_MODULE)));
    expect(used.map(([f]) => f)).toEqual(['charts/contracts/backend-metrics.ts']);
  });

  test('the package imports nothing outside its folder (it is published on its own)', () => {
    const pkg = packageSources(ROOT);
    expect(pkg.size).toBeGreaterThanOrEqual(5);
    expect(packageViolations(pkg)).toEqual([]);
    // Its contract module imports nothing at all: synthesis reads it without the peer dependencies.
    expect(importsOf(pkg.get(`${CONTRACT_MODULE}.ts`)!)).toEqual([]);
    expect(pkg.get(`${CONTRACT_MODULE}.ts`)).not.toMatch(/\bfrom\s+['"]/);
    expect(packageViolations(new Map([['packages/metrics-contract/src/prometheus.ts', "import { MetricDef } from '../../../charts/lib/metric';"]]))).toEqual([
      'packages/metrics-contract/src/prometheus.ts: imports charts/lib/metric, outside the package; it is published on its own',
    ]);
  });
});
