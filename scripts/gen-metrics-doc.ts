/**
 * Generates docs/metrics.md from the metric contracts (the backend's: packages/metrics-contract,
 * re-exported by charts/contracts/backend-metrics.ts; and charts/<exporter>/metrics.ts), so the page
 * can never disagree with what rules and dashboards read. It opens with the three ways to
 * instrument the backend, the conformance check and what a contract change means.
 *
 *   npx ts-node scripts/gen-metrics-doc.ts          writes docs/metrics.md
 *   npx ts-node scripts/gen-metrics-doc.ts --check  exits 1 when docs/metrics.md is stale
 *
 * test/exporters/metrics-doc.test.ts fails when the committed page is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_METRICS, CONTRACT_VERSION } from '../charts/contracts/backend-metrics';
import { MetricDef, requiredFlags } from '../charts/lib/metric';
import { NODE_METRICS } from '../charts/node-exporter/metrics';
import { nodeExporterArgs } from '../charts/node-exporter/node-exporter';
import { POSTGRES_METRICS } from '../charts/postgres-exporter/metrics';
import { postgresExporterArgs } from '../charts/postgres-exporter/postgres-exporter';
import { REDIS_METRICS } from '../charts/redis-exporter/metrics';
import { redisExporterArgs } from '../charts/redis-exporter/redis-exporter';
import { IMAGES, ImageName, PinnedImage } from '../charts/versions';

const ROOT = path.resolve(__dirname, '..');
export const METRICS_DOC = path.join(ROOT, 'docs', 'metrics.md');

const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The version tools/<dir>/go.mod builds for the real-exporter check, read from the committed go.mod. */
function checkedVersion(name: ImageName): string {
  const mod = (IMAGES[name] as PinnedImage).goModule;
  if (!mod) return 'n/a';
  const file = path.join(ROOT, 'tools', mod.dir, 'go.mod');
  if (!fs.existsSync(file)) return 'not built';
  const m = new RegExp(`^\\s*${mod.path.replace(/[.]/g, '\\.')}\\s+(\\S+)`, 'm').exec(fs.readFileSync(file, 'utf8'));
  return m ? m[1] : 'not built';
}

function backendTable(): string {
  const rows = Object.values(BACKEND_METRICS as Record<string, MetricDef>).map((m) => {
    const values = Object.entries(m.values ?? {}).map(([k, vs]) => `${k}: ${vs.map(code).join(', ')}`);
    const buckets = m.buckets ? [`buckets: ${m.buckets.join(', ')}`] : [];
    const watched = m.absentUntil ? `no: absent until ${m.absentUntil}` : 'yes';
    return `| ${code(m.name)} | ${m.type} | ${m.labels.map(code).join(', ') || '—'} | ${cell([...values, ...buckets].join('; ') || '—')} | ${m.source} | ${cell(watched)} | ${cell(m.help)} |`;
  });
  return ['| metric | type | labels | values | emitted by | watched by `BackendMetricMissing` | meaning |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

/**
 * The worked example of the third way: an existing backend's payment webhook counter mapped to the
 * contract's name, labels and values. test/metrics-contract/doc.test.ts parses it with the PromQL
 * grammar and evaluates it with promtool's engine where it runs.
 */
export const MAPPING_EXAMPLE = {
  record: BACKEND_METRICS.paymentCallbacks.name,
  expr: [
    'sum without (status) (',
    '  label_replace(payment_webhook_total{job="backend", status="success"}, "outcome", "ok", "", "")',
    '  or',
    '  label_replace(payment_webhook_total{job="backend", status="error"}, "outcome", "failed", "", "")',
    ')',
  ].join('\n'),
} as const;

const INSTRUMENT = `
The contract is the package \`@love-parser/metrics-contract\` ${CONTRACT_VERSION}
([packages/metrics-contract](../packages/metrics-contract/README.md)): its definitions are the table
below, \`charts/contracts/backend-metrics.ts\` re-exports them, so the rules, the dashboards, this page
and the package cannot differ.

### Three ways to instrument the backend

| way | what you do | what it costs |
|---|---|---|
| **1. Import the package** (recommended) | \`npm install @love-parser/metrics-contract\` (with \`prom-client\`; \`fastify\` and \`bullmq\` when you use them); \`createContractMetrics()\`, \`instrumentFastify(app, metrics, { metricsPath: '/metrics' })\`, \`instrumentQueues(metrics, queues)\` and \`instrumentWorker(metrics, worker)\`; the application increments the counters it gets back (\`metrics.payments.inc({ outcome: 'succeeded' })\`, a wrong label is a type error) and gives the pool and Redis samplers | one dependency on prom-client 15 (peer); a contract change arrives as a package version (a major one is a code change, below). The end-to-end run proves exactly this path: the reference backend imports the package |
| **2. Follow the table by hand** | register each metric below with your metrics library: the exact name, type, label names, closed values and buckets; start counters with a closed label set at 0 for every value, and each queue's counters at 0 | nothing to install; every contract change is yours to notice and copy. \`npm run check-backend\` in the backend's CI is what keeps you honest |
| **3. Map existing names with recording rules** | keep what the backend already exposes and add recording rules to the backend's rule group (\`charts/backend/recording-rules.ts\`) that write the contract's names | a rule per metric to maintain in this repository; each mapped series is stored twice and lags one evaluation interval; only one-to-one mappings are safe for counters (\`rate()\` of a sum of counters misreads a reset of one of them as a drop); **histograms cannot be mapped** when their unit or bucket bounds differ (\`le\` is a string label a rule cannot rescale), so latency needs way 1 or 2; \`npm run check-backend\` on the backend's own /metrics keeps listing the mapped names as missing (that list is the mapping's to-do list) |

Worked example of way 3: the backend counts payment webhooks as \`payment_webhook_total{status="success"|"error"}\`;
the contract wants \`${MAPPING_EXAMPLE.record}{outcome="ok"|"failed"}\`. One rule maps each input series to
exactly one output series (so \`rate()\` stays right across restarts) and keeps \`job\`, \`instance\` and
\`pod\`, which the alert rules select and group by:

\`\`\`yaml
- record: ${MAPPING_EXAMPLE.record}
  expr: |
${MAPPING_EXAMPLE.expr.split('\n').map((l) => `    ${l}`).join('\n')}
\`\`\`

In \`charts/backend/recording-rules.ts\` that is one more \`{ record, expr }\` in the group \`recordingRules()\`
returns; \`BackendPaymentCallbackFailures\` then reads the mapped series like a native one.

### Check a backend against the contract

\`\`\`bash
npm run check-backend -- --url http://127.0.0.1:3000/metrics      # a running backend (port-forward in a cluster)
npm run check-backend -- --file metrics.txt --env staging          # a saved /metrics text; thresholds of that environment
\`\`\`

It reports every missing metric, wrong type, missing or extra label, label value outside its closed
set, histogram without a bucket bound at the latency thresholds (\`backend.alerts.latencyP95Seconds\`,
\`latencyP99Seconds\` of the environment: \`histogram_quantile\` only interpolates between bounds, so a
threshold between them is compared with a guess), and a unit or suffix mismatch (\`_milliseconds\`
for \`_seconds\`, a counter without \`_total\`), each with its fix. Exit status 0 when the backend agrees,
1 when it does not, 2 when it cannot check (a wrong command line, an unreachable URL). Families
declared without a series yet (no request, no finished job) are notes, not failures. In production,
the \`BackendMetricMissing\` alert watches the live backend for the metrics marked in the table.

### When the contract changes

The package's version moves with the contract: \`test/metrics-contract/version.test.ts\` fails when
the names, types, labels, closed values or buckets change without a version bump of the right size
(recorded by \`npm run contract-version\` in \`packages/metrics-contract/contract-history.json\`).

- **Minor** (a metric, a label value or a bucket bound added): a backend on the older version still
  matches everything the rules read before; the new metric is missing until it upgrades, and
  \`BackendMetricMissing\` says so once the stack's rules are deployed. Release the package first,
  then the backend, then the stack.
- **Major** (a metric renamed or removed, a type changed, a label added or removed, a value or a
  bound dropped): rules that read the old shape see nothing once the backend moves, and rules that
  read the new shape see nothing before it does. For one release the stack's rules must read both:
  a recording rule writing the new name from the old one (way 3) while pods of both versions run,
  or selectors \`new_name or old_name\`; remove it when every backend pod runs the new major version.
  An alert threshold on a renamed histogram keeps working only if its bucket bounds are kept.

Publishing the package is your decision: \`cd packages/metrics-contract && npm publish\` (it builds on
\`prepack\`; add \`--access public\` or your registry's scope settings). This repository never publishes
it; the stack and the reference backend use its source directly.
`;

function exporterTable(metrics: Record<string, MetricDef>): string {
  const rows = Object.values(metrics).map((m) => {
    const source = [m.source, m.flag ? `needs ${code(m.flag)}` : '', m.requires ? `needs ${m.requires}` : ''].filter(Boolean).join('; ');
    return `| ${code(m.name)} | ${m.type} | ${m.labels.map(code).join(', ') || '—'} | ${cell(source)} | ${cell(m.help)} |`;
  });
  return ['| metric | type | labels | from | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

function exporterSection(title: string, image: ImageName, metrics: Record<string, MetricDef>, args: string[], notes: string): string {
  const i: PinnedImage = IMAGES[image];
  const flags = requiredFlags(metrics);
  return [
    `## ${title}`,
    '',
    `Image ${code(`${i.repository}:${i.tag}`)}; checked live against the release built from ${code(`tools/${i.goModule?.dir}`)}: **${checkedVersion(image)}**.`,
    `Flags the chart passes${flags.length ? ` (the contract needs ${flags.map(code).join(', ')})` : ''}:`,
    '',
    ...args.map((a) => `- ${code(a)}`),
    '',
    notes.trim(),
    '',
    exporterTable(metrics),
    '',
  ].join('\n');
}

const POSTGRES_NOTES = `
**What the database needs.** The exporter logs in with a DSN from the Secret
\`postgresExporter.dsnSecret\` (\`postgresql://monitor:<password>@<host>:5432/<database>?sslmode=require\`;
the database in the DSN is the one whose tables are measured). On the PostgreSQL server:

1. \`shared_preload_libraries = 'pg_stat_statements'\` in postgresql.conf (or the managed service's
   parameter group), then a **restart**; without it there are no \`pg_stat_statements_*\` series.
2. In the DSN's database: \`CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\`
3. A monitoring role that can read every statistics view and no data:
   \`CREATE ROLE monitor LOGIN PASSWORD '...' IN ROLE pg_monitor;\` (\`pg_monitor\` grants
   \`pg_read_all_stats\` and \`pg_read_all_settings\`; superuser is not needed).
4. \`kubectl -n monitoring create secret generic postgres-exporter --from-literal=dsn='postgresql://monitor:...@db:5432/loveparser?sslmode=require'\`

Quirks: \`pg_stat_database_*\` counters have no \`_total\`; the \`long_running_transactions\` collector
counts open non-idle transactions of any age (a threshold label arrives after v0.20.1), and its
\`_oldest_timestamp_seconds\` is an age in seconds. \`pg_settings_*\` and \`pg_stat_activity_*\` come
from the exporter's built-in queries and carry a \`server\` label (host:port of the DSN): do not
aggregate by it.

**Upgrading to 0.20.x** (the newest upstream, v0.20.1, is one release ahead of the image, because the
module proxy does not serve it and the image stays the release the check runs). What changes:

- \`pg_replication_slot_*\` becomes \`pg_replication_slots_*\` and the collector flag
  \`--collector.replication_slot\` becomes \`--collector.replication_slots\`; this stack reads none of them
  and passes neither flag.
- \`pg_settings_*\` and \`pg_stat_activity_*\` (and \`stat_archiver\`, \`stat_replication\`) move to
  standalone collectors with the same metric names and labels, minus \`server\`; \`--metric-prefix\` and
  \`--disable-default-metrics\` stop applying to them; \`--disable-settings-metrics\` is removed
  (\`--no-collector.settings\` replaces it). The chart passes none of these flags.
- After the bump, set the contract's \`collector\` of those four metrics to \`settings\` / \`stat_activity\`
  and rerun \`scripts/checks/25-exporter-metrics/run.sh\`.
`;

const REDIS_NOTES = `
**What Redis needs.** Its address (\`redis://host:6379\`) and password come from the Secret
\`redisExporter.secretName\` (keys \`addressKey\`, \`passwordKey\`). The per-command latency histogram
needs Redis 7.0 or later. The Bull queues need \`maxmemory-policy noeviction\`: an evicted job key is a
lost job; \`redis_instance_info{maxmemory_policy}\` shows the policy in force.
`;

const NODE_NOTES = `
Runs on every node (DaemonSet, agents namespace) with the host's PID and network namespaces and the
host root read-only at \`/host\`; filesystem series exclude pseudo filesystems, tmpfs, and container or
kubelet bind mounts, so disk alerts only see real disks (docs/prometheus.md says why each privilege is kept).
`;

/** The whole page. */
export function renderMetricsDoc(): string {
  return [
    '<!-- Generated by scripts/gen-metrics-doc.ts from the metric contracts; do not edit by hand. -->',
    '# Metrics',
    '',
    'Every metric the stack\'s alert rules and dashboards read, with its type and labels: first the backend\'s',
    'contract and how to instrument against it, then the exporters\'. Rules, dashboards and tests import these',
    'names from the contracts (`charts/contracts/backend-metrics.ts`, `charts/<exporter>/metrics.ts`); nothing',
    'types them by hand.',
    '',
    '## Backend (instrument against this)',
    INSTRUMENT,
    '### The metrics',
    '',
    'Label values are bounded: `route` is the Fastify route template (`/api/users/:id`), never the raw URL;',
    '`queue` is one of `backend.queues`; `outcome` and `state` take only the values listed.',
    '',
    backendTable(),
    '',
    '## Exporters',
    '',
    '**How we know the exporter names are right:** `scripts/checks/25-exporter-metrics/run.sh` runs the',
    'exporters, built from their Go modules, with the exact flags of the synthesized manifests against a real',
    'PostgreSQL 15 and Redis 7.0, scrapes them and fails when a contract metric is missing or has another',
    'type or labels; `test/exporters/contracts.test.ts` fails when a rule or dashboard reads an exporter',
    'series that no contract names. The images are the releases the check runs: postgres_exporter v0.19.1',
    'and redis_exporter v1.88.0 are one release behind upstream (v0.20.1, v1.89.0) because the module proxy',
    'does not serve the newer ones; what the next postgres_exporter bump changes is noted below.',
    '',
    exporterSection('postgres_exporter', 'postgresExporter', POSTGRES_METRICS, postgresExporterArgs(9187), POSTGRES_NOTES),
    exporterSection('redis_exporter', 'redisExporter', REDIS_METRICS, redisExporterArgs(9121), REDIS_NOTES),
    exporterSection('node_exporter', 'nodeExporter', NODE_METRICS, nodeExporterArgs(9100), NODE_NOTES),
  ].join('\n');
}

function main(argv: string[]): void {
  const text = renderMetricsDoc();
  if (argv.includes('--check')) {
    const current = fs.existsSync(METRICS_DOC) ? fs.readFileSync(METRICS_DOC, 'utf8') : '';
    if (current !== text) {
      console.error('docs/metrics.md is stale: run `npx ts-node scripts/gen-metrics-doc.ts` and commit it');
      process.exit(1);
    }
    return;
  }
  fs.mkdirSync(path.dirname(METRICS_DOC), { recursive: true });
  fs.writeFileSync(METRICS_DOC, text);
  console.log(`wrote ${path.relative(ROOT, METRICS_DOC)}`);
}

if (require.main === module) main(process.argv.slice(2));
