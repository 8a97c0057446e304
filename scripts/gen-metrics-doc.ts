/**
 * Generates docs/metrics.md from the metric contracts (charts/contracts/backend-metrics.ts and
 * charts/<exporter>/metrics.ts), so the page can never disagree with what rules and dashboards read.
 *
 *   npx ts-node scripts/gen-metrics-doc.ts          writes docs/metrics.md
 *   npx ts-node scripts/gen-metrics-doc.ts --check  exits 1 when docs/metrics.md is stale
 *
 * test/exporters/metrics-doc.test.ts fails when the committed page is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_METRICS } from '../charts/contracts/backend-metrics';
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
    return `| ${code(m.name)} | ${m.type} | ${m.labels.map(code).join(', ') || '—'} | ${cell([...values, ...buckets].join('; ') || '—')} | ${m.source} | ${cell(m.help)} |`;
  });
  return ['| metric | type | labels | values | emitted by | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

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
    'Every metric the stack\'s alert rules and dashboards read, with its type and labels. Rules, dashboards',
    'and tests import these names from the contracts (`charts/contracts/backend-metrics.ts`,',
    '`charts/<exporter>/metrics.ts`); nothing types them by hand.',
    '',
    '**How we know the exporter names are right:** `scripts/checks/25-exporter-metrics/run.sh` runs the',
    'exporters, built from their Go modules, with the exact flags of the synthesized manifests against a real',
    'PostgreSQL 15 and Redis 7.0, scrapes them and fails when a contract metric is missing or has another',
    'type or labels; `test/exporters/contracts.test.ts` fails when a rule or dashboard reads an exporter',
    'series that no contract names. The images are the releases the check runs: postgres_exporter v0.19.1',
    'and redis_exporter v1.88.0 are one release behind upstream (v0.20.1, v1.89.0) because the module proxy',
    'does not serve the newer ones; what the next postgres_exporter bump changes is noted below.',
    '',
    '## Backend (instrument against this)',
    '',
    'Label values are bounded: `route` is the Fastify route template (`/api/users/:id`), never the raw URL;',
    '`queue` is one of `backend.queues`; `outcome` and `state` take only the values listed.',
    '',
    backendTable(),
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
