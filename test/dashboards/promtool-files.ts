/**
 * Writes what scripts/checks/25-dashboards-promql/run.sh hands to the pinned promtool:
 *
 * - dashboards.rules.yaml: every PromQL query of every provisioned dashboard (custom ones included),
 *   as Grafana sends it, wrapped as a recording rule named after its dashboard and panel, so
 *   `promtool check rules` parses each with the real PromQL parser and names the panel that fails;
 * - recording.rules.yaml: the recording rule groups the dashboards read, as the components give them;
 * - recording.test.yaml: `promtool test rules` cases showing those rules compute what the panels
 *   claim (ratios that read 0 rather than nothing, quantiles, per-CPU load) on known input series.
 *
 * Usage: ts-node test/dashboards/promtool-files.ts <output directory>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { BACKEND_METRICS as B } from '../../charts/contracts/backend-metrics';
import { backendRecords } from '../../charts/backend/recording-rules';
import { StackConfig } from '../../charts/config';
import { RuleGroup, isAlert } from '../../charts/lib/monitoring';
import { NODE_METRICS as N } from '../../charts/node-exporter/metrics';
import { nodeRecords } from '../../charts/contracts/recorded';
import { POSTGRES_METRICS as P } from '../../charts/postgres-exporter/metrics';
import { CLIENT_BACKEND, postgresRecords } from '../../charts/postgres-exporter/recording-rules';
import { REDIS_METRICS as R } from '../../charts/redis-exporter/metrics';
import { redisRecords } from '../../charts/redis-exporter/recording-rules';
import { PROMETHEUS_DS } from '../../charts/lib/datasources';
import { synthesizeInMemory } from '../../charts/synth';
import { asSent, queriesOf } from './queries';
import { testConfig } from '../util';

/** Each dashboard query as a recording rule; the rule name says where it comes from. */
export function dashboardRuleFile(config: StackConfig): string {
  const { stack } = synthesizeInMemory(config);
  const groups = stack.grafana.provisioned.map((d) => ({
    name: `dashboard ${d.model.uid}`,
    rules: queriesOf(d)
      .filter((q) => q.datasourceUid === PROMETHEUS_DS.uid)
      .map((q, i) => ({
        record: `dashboard:${d.model.uid.replace(/[^A-Za-z0-9_]/g, '_')}:query_${i + 1}`,
        expr: asSent(q.expr),
        labels: { panel: q.panel, path: q.path },
      })),
  }));
  return YAML.stringify({ groups }, { lineWidth: 0 });
}

/** The recording rule groups of the components (what the dashboards read). */
export function recordingRuleFile(config: StackConfig): string {
  const { stack } = synthesizeInMemory(config);
  const groups: RuleGroup[] = [stack.backend, stack.postgresExporter, stack.redisExporter, stack.nodeExporter]
    .flatMap((s) => s.ruleGroups)
    .map((g) => ({ ...g, rules: g.rules.filter((r) => !isAlert(r)) }))
    .filter((g) => g.rules.length > 0);
  return YAML.stringify({ groups }, { lineWidth: 0 });
}

type Labels = Record<string, string>;

function series(name: string, labels: Labels, values: string): { series: string; values: string } {
  const ls = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return { series: `${name}{${ls}}`, values };
}

/** Expected samples of a recorded series at 10m (`filter` narrows the query to some of them). */
function expect(record: string, samples: [Labels, number][], filter: Labels = {}): Record<string, unknown> {
  const selector = (l: Labels) => `{${Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
  return {
    expr: Object.keys(filter).length ? `${record}${selector(filter)}` : record,
    eval_time: '10m',
    exp_samples: samples.map(([labels, value]) => ({ labels: `${record}${selector(labels)}`, value })),
  };
}

/**
 * Unit tests of the recording rules on series with one sample a minute: `0+60x20` grows by 60 a
 * minute, a rate of 1/s over any window. Written for the default windows (5m rate, 30m payments).
 */
export function recordingTestFile(config: StackConfig): string {
  const w = config.rules.rateWindow;
  if (w !== '5m' || config.backend.alerts.paymentWindow !== '30m') throw new Error('the test cases assume the default 5m and 30m windows');
  const b = backendRecords(w, config.backend.alerts.paymentWindow);
  const n = nodeRecords(w);
  const p = postgresRecords(w);
  const r = redisRecords(w);
  const backend = { job: 'backend' };
  const pod = { ...backend, pod: 'backend-1', namespace: 'love-parser' };
  const count = `${B.httpRequestDuration.name}_count`;
  const bucket = `${B.httpRequestDuration.name}_bucket`;
  const ok = { ...pod, method: 'GET', status_code: '200' };

  const tests = [
    {
      name: 'HTTP: error ratios read 0 for a route that never failed; quantiles from the summed buckets',
      interval: '1m',
      input_series: [
        series(count, { ...ok, route: '/a' }, '0+60x20'),
        series(count, { ...pod, method: 'GET', status_code: '500', route: '/a' }, '0+6x20'),
        series(count, { ...ok, route: '/b' }, '0+30x20'),
        // Route /a: 0.5/s within 0.5s, 1/s within 1s: p50 is 0.5s, p95 0.95s (exact in binary floats).
        series(bucket, { ...ok, route: '/a', le: '0.5' }, '0+30x20'),
        series(bucket, { ...ok, route: '/a', le: '1' }, '0+60x20'),
        series(bucket, { ...ok, route: '/a', le: '+Inf' }, '0+60x20'),
      ],
      promql_expr_test: [
        expect(b.routeRequests, [
          [{ ...backend, route: '/a' }, 1.1],
          [{ ...backend, route: '/b' }, 0.5],
        ]),
        expect(b.routeErrors, [
          [{ ...backend, route: '/a' }, 0.1],
          [{ ...backend, route: '/b' }, 0],
        ]),
        expect(b.routeErrorRatio, [
          [{ ...backend, route: '/a' }, 0.1 / 1.1],
          [{ ...backend, route: '/b' }, 0],
        ]),
        expect(b.errorRatio, [[backend, 0.1 / 1.6]]),
        expect(b.latency, [[{ ...backend, quantile: '0.5' }, 0.5]], { quantile: '0.5' }),
        expect(b.latency, [[{ ...backend, quantile: '0.95' }, 0.95]], { quantile: '0.95' }),
        expect(b.routeLatency, [[{ ...backend, route: '/a', quantile: '0.5' }, 0.5]], { quantile: '0.5' }),
      ],
    },
    {
      name: 'Queues: the failure ratio is 0 for a queue without failures, and nothing for a queue without jobs',
      interval: '1m',
      input_series: [
        series(B.queueJobsCompleted.name, { ...pod, queue: 'broadcast' }, '0+60x20'),
        series(B.queueJobsFailed.name, { ...pod, queue: 'broadcast' }, '0+20x20'),
        series(B.queueJobsCompleted.name, { ...pod, queue: 'parsing' }, '0+60x20'),
        series(B.queueJobsCompleted.name, { ...pod, queue: 'idle' }, '0x20'),
      ],
      promql_expr_test: [
        expect(b.queueFailureRatio, [
          [{ ...backend, queue: 'broadcast' }, 0.25],
          [{ ...backend, queue: 'parsing' }, 0],
        ]),
      ],
    },
    {
      name: 'Payments and the database pool',
      interval: '1m',
      input_series: [
        series(B.payments.name, { ...pod, outcome: 'succeeded' }, '0+57x40'),
        series(B.payments.name, { ...pod, outcome: 'failed' }, '0+3x40'),
        series(B.dbPoolConnections.name, { ...pod, state: 'total' }, '8x40'),
        series(B.dbPoolConnections.name, { ...pod, state: 'idle' }, '2x40'),
        series(B.dbPoolMax.name, pod, '10x40'),
      ],
      promql_expr_test: [
        { ...expect(b.paymentSuccessRatio, [[backend, 0.95]]), eval_time: '35m' },
        expect(b.dbPoolUsage, [[{ ...backend, pod: 'backend-1' }, 0.6]]),
      ],
    },
    {
      name: 'Nodes: CPU utilisation, load per CPU, memory',
      interval: '1m',
      input_series: [
        series(N.cpuSeconds.name, { job: 'node-exporter', instance: 'node-1', cpu: '0', mode: 'idle' }, '0+30x20'),
        series(N.cpuSeconds.name, { job: 'node-exporter', instance: 'node-1', cpu: '1', mode: 'idle' }, '0+45x20'),
        series(N.cpuSeconds.name, { job: 'node-exporter', instance: 'node-1', cpu: '0', mode: 'user' }, '0+30x20'),
        series(N.load1.name, { job: 'node-exporter', instance: 'node-1' }, '3x20'),
        series(N.memoryAvailable.name, { job: 'node-exporter', instance: 'node-1' }, '25x20'),
        series(N.memoryTotal.name, { job: 'node-exporter', instance: 'node-1' }, '100x20'),
      ],
      promql_expr_test: [
        expect(n.cpus, [[{ job: 'node-exporter', instance: 'node-1' }, 2]]),
        expect(n.cpuUtilisation, [[{ job: 'node-exporter', instance: 'node-1' }, 0.375]]),
        expect(n.load1PerCpu, [[{ job: 'node-exporter', instance: 'node-1' }, 1.5]]),
        expect(n.memoryUtilisation, [[{ job: 'node-exporter', instance: 'node-1' }, 0.75]]),
      ],
    },
    {
      name: 'Postgres: connections against max_connections, slow statements',
      interval: '1m',
      input_series: [
        series(P.activityCount.name, { job: 'postgres-exporter', datname: 'love', state: 'active', backend_type: CLIENT_BACKEND }, '20x20'),
        series(P.activityCount.name, { job: 'postgres-exporter', datname: 'love', state: 'idle', backend_type: CLIENT_BACKEND }, '40x20'),
        series(P.activityCount.name, { job: 'postgres-exporter', datname: '', state: '', backend_type: 'autovacuum launcher' }, '1x20'),
        series(P.maxConnections.name, { job: 'postgres-exporter' }, '100x20'),
        series(P.superuserReservedConnections.name, { job: 'postgres-exporter' }, '3x20'),
        // Statement 1: 1 call/s of 1s each (slow); statement 2: 10 calls/s of 10ms each.
        series(P.statementCalls.name, { job: 'postgres-exporter', datname: 'love', user: 'app', queryid: '1' }, '0+60x20'),
        series(P.statementSeconds.name, { job: 'postgres-exporter', datname: 'love', user: 'app', queryid: '1' }, '0+60x20'),
        series(P.statementCalls.name, { job: 'postgres-exporter', datname: 'love', user: 'app', queryid: '2' }, '0+600x20'),
        series(P.statementSeconds.name, { job: 'postgres-exporter', datname: 'love', user: 'app', queryid: '2' }, '0+6x20'),
      ],
      promql_expr_test: [
        expect(p.connectionsUsage, [[{ job: 'postgres-exporter' }, 60 / 97]]),
        expect(p.slowCalls, [[{ job: 'postgres-exporter', datname: 'love' }, 1]]),
        expect(p.meanDuration, [[{ job: 'postgres-exporter', datname: 'love' }, 1.1 / 11]]),
      ],
    },
    {
      name: 'Postgres: no statement slow is 0 slow calls per database, not no data',
      interval: '1m',
      input_series: [
        // 10 calls/s of 10ms each in one database; a second database idle (no calls at all).
        series(P.statementCalls.name, { job: 'postgres-exporter', datname: 'love', user: 'app', queryid: '2' }, '0+600x20'),
        series(P.statementSeconds.name, { job: 'postgres-exporter', datname: 'love', user: 'app', queryid: '2' }, '0+6x20'),
        series(P.statementCalls.name, { job: 'postgres-exporter', datname: 'idle', user: 'app', queryid: '3' }, '5x20'),
        series(P.statementSeconds.name, { job: 'postgres-exporter', datname: 'idle', user: 'app', queryid: '3' }, '9x20'),
      ],
      promql_expr_test: [
        expect(p.slowCalls, [
          [{ job: 'postgres-exporter', datname: 'idle' }, 0],
          [{ job: 'postgres-exporter', datname: 'love' }, 0],
        ]),
      ],
    },
    {
      name: 'Redis: hit ratio, memory against maxmemory (none without a limit)',
      interval: '1m',
      input_series: [
        series(R.keyspaceHits.name, { job: 'redis-exporter' }, '0+90x20'),
        series(R.keyspaceMisses.name, { job: 'redis-exporter' }, '0+30x20'),
        series(R.memoryUsed.name, { job: 'redis-exporter', instance: 'limited' }, '50x20'),
        series(R.memoryMax.name, { job: 'redis-exporter', instance: 'limited' }, '100x20'),
        series(R.memoryUsed.name, { job: 'redis-exporter', instance: 'unlimited' }, '50x20'),
        series(R.memoryMax.name, { job: 'redis-exporter', instance: 'unlimited' }, '0x20'),
      ],
      promql_expr_test: [
        expect(r.hitRatio, [[{ job: 'redis-exporter' }, 0.75]]),
        expect(r.memoryUsage, [[{ job: 'redis-exporter', instance: 'limited' }, 0.5]]),
      ],
    },
  ];
  return YAML.stringify({ rule_files: ['recording.rules.yaml'], evaluation_interval: '1m', tests }, { lineWidth: 0 });
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: ts-node test/dashboards/promtool-files.ts <output directory>');
  const config = testConfig();
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'dashboards.rules.yaml'), dashboardRuleFile(config));
  fs.writeFileSync(path.join(out, 'recording.rules.yaml'), recordingRuleFile(config));
  fs.writeFileSync(path.join(out, 'recording.test.yaml'), recordingTestFile(config));
}
