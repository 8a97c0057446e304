/**
 * The worked example of docs/metrics.md (way 3: map existing names with recording rules) is real
 * PromQL that writes the contract's name, labels and values: it parses with Prometheus's grammar,
 * and the pinned promtool evaluates it when scripts/setup-tools.sh has built it (skipped otherwise,
 * saying so; npm test builds it before jest needs it on a warm machine).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { BACKEND_METRICS as M } from '../../charts/contracts/backend-metrics';
import { MAPPING_EXAMPLE } from '../../scripts/gen-metrics-doc';
import { promql } from '../alerts/known-metrics';
import { ROOT } from '../util';

const PROMTOOL = path.join(ROOT, '.tools', 'prometheus', 'bin', 'promtool');

describe('docs/metrics.md: the recording-rule mapping example', () => {
  test('parses, reads the backend job and writes the contract metric', () => {
    expect(promql(MAPPING_EXAMPLE.expr)).toEqual({ ok: true, metrics: ['payment_webhook_total', 'payment_webhook_total'] });
    expect(MAPPING_EXAMPLE.record).toBe(M.paymentCallbacks.name);
    for (const v of M.paymentCallbacks.values.outcome) expect(MAPPING_EXAMPLE.expr).toContain(`"outcome", "${v}"`);
  });

  (fs.existsSync(PROMTOOL) ? test : test.skip)('promtool: each webhook status becomes one outcome series, with the pod labels kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-example-'));
    try {
      fs.writeFileSync(path.join(dir, 'rules.yml'), YAML.stringify({ groups: [{ name: 'mapping', rules: [{ record: MAPPING_EXAMPLE.record, expr: MAPPING_EXAMPLE.expr }] }] }));
      const pod = 'job="backend",instance="10.0.1.10:3000",pod="backend-a"';
      fs.writeFileSync(
        path.join(dir, 'test.yml'),
        YAML.stringify({
          rule_files: ['rules.yml'],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [
                { series: `payment_webhook_total{${pod},status="success"}`, values: '0+4x10' },
                { series: `payment_webhook_total{${pod},status="error"}`, values: '0+1x10' },
              ],
              promql_expr_test: [
                {
                  expr: `rate(${M.paymentCallbacks.name}[5m])`,
                  eval_time: '10m',
                  exp_samples: [
                    { labels: `{${pod},outcome="ok"}`, value: 4 / 60 },
                    { labels: `{${pod},outcome="failed"}`, value: 1 / 60 },
                  ],
                },
              ],
            },
          ],
        }),
      );
      const out = execFileSync(PROMTOOL, ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
