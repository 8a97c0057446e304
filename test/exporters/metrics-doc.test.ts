import * as fs from 'node:fs';
import { METRICS_DOC, renderMetricsDoc } from '../../scripts/gen-metrics-doc';
import { BACKEND_METRICS } from '../../charts/contracts/backend-metrics';
import { POSTGRES_METRICS } from '../../charts/postgres-exporter/metrics';
import { REDIS_METRICS } from '../../charts/redis-exporter/metrics';
import { NODE_METRICS } from '../../charts/node-exporter/metrics';

describe('docs/metrics.md', () => {
  const doc = renderMetricsDoc();

  test('is up to date with the metric contracts (run `npx ts-node scripts/gen-metrics-doc.ts` and commit)', () => {
    expect(fs.readFileSync(METRICS_DOC, 'utf8')).toBe(doc);
  });

  test('lists every metric of every contract, and what the database needs', () => {
    for (const m of [...Object.values(BACKEND_METRICS), ...Object.values(POSTGRES_METRICS), ...Object.values(REDIS_METRICS), ...Object.values(NODE_METRICS)]) {
      expect(doc).toContain(`| \`${m.name}\` |`);
    }
    expect(doc).toContain("shared_preload_libraries = 'pg_stat_statements'");
    expect(doc).toContain('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    expect(doc).toContain('IN ROLE pg_monitor');
  });
});
