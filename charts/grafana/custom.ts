/**
 * Custom dashboards: JSON exported from Grafana ("Share > Export > Export for sharing externally")
 * and dropped in dashboards/custom/ is picked up by the next synth. An export replaces every data
 * source by an input (`"uid": "${DS_PROMETHEUS}"`, declared in `__inputs`); here each input is
 * resolved to the provisioned data source of its plugin (love-prom, love-loki), then the result is
 * validated like the generated dashboards. Every problem of every file is reported at once, with
 * the file, the field and the fix, and nothing is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ConfigIssue } from '../lib/schema';
import { Dashboard, DashboardModel } from '../lib/monitoring';
import { PROVISIONED_DATASOURCES } from '../lib/datasources';
import { FOLDERS } from '../lib/panels';
import { panelsOf, validateDashboardModel } from './validate';

/** A dashboard read from dashboards/custom/, with the file it came from. */
export interface CustomDashboard extends Dashboard {
  /** The file, relative to the repository root (`dashboards/custom/payments.json`). */
  readonly source: string;
}

/** Where exported dashboards are dropped. */
export const CUSTOM_DASHBOARDS_DIR = path.join(__dirname, '..', '..', 'dashboards', 'custom');

type Json = unknown;

function isObject(x: Json): x is Record<string, Json> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Replaces `${NAME}` in every string of a JSON value. */
function substitute(value: Json, values: ReadonlyMap<string, string>): Json {
  if (typeof value === 'string') return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => values.get(name) ?? whole);
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  return value;
}

/** `"datasource": "love-prom"` (the pre-8.3 string form) becomes the `{type, uid}` reference Grafana writes today. */
function normalizeRef(holder: Record<string, Json>): void {
  const ref = holder.datasource;
  if (typeof ref !== 'string') return;
  const ds = Object.values(PROVISIONED_DATASOURCES).find((d) => d.uid === ref);
  if (ds) holder.datasource = { type: ds.type, uid: ds.uid };
}

/**
 * Resolves an exported dashboard: its data source inputs become the provisioned uids, constant
 * inputs their exported value; the export-only fields and the instance-specific `id` go.
 */
export function resolveExport(raw: Json, where: string): { model: Json; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (!isObject(raw)) return { model: raw, issues };
  const values = new Map<string, string>();
  const inputs = raw.__inputs ?? [];
  if (!Array.isArray(inputs)) {
    issues.push({ path: `${where}: __inputs`, message: 'must be a list', fix: 'export the dashboard again with "Export for sharing externally"' });
  } else {
    inputs.forEach((input, i) => {
      const at = `${where}: __inputs[${i}]`;
      if (!isObject(input) || typeof input.name !== 'string') {
        issues.push({ path: at, message: 'has no name', fix: 'export the dashboard again with "Export for sharing externally"' });
        return;
      }
      if (input.type === 'datasource') {
        const ds = typeof input.pluginId === 'string' ? PROVISIONED_DATASOURCES[input.pluginId] : undefined;
        if (ds) values.set(input.name, ds.uid);
        else {
          issues.push({
            path: `${at}.pluginId`,
            message: `asks for a '${String(input.pluginId)}' data source (input ${input.name}); this Grafana provisions only ${Object.values(PROVISIONED_DATASOURCES)
              .map((d) => `${d.type} (${d.uid})`)
              .join(' and ')}`,
            fix: 'remove the panels that query it, or point them at love-prom or love-loki before exporting',
          });
        }
      } else if (input.type === 'constant') {
        values.set(input.name, String(input.value ?? ''));
      } else {
        issues.push({ path: `${at}.type`, message: `is '${String(input.type)}'; only datasource and constant inputs can be resolved`, fix: 'replace the input by a value in the dashboard before exporting' });
      }
    });
  }
  const elements = raw.__elements;
  if (isObject(elements) && Object.keys(elements).length > 0) {
    issues.push({
      path: `${where}: __elements`,
      message: `holds library panels (${Object.keys(elements).length}), which file provisioning cannot create`,
      fix: 'unlink every library panel in Grafana (panel menu > More > Unlink library panel), then export again',
    });
  }
  const model = substitute(raw, values) as Record<string, Json>;
  delete model.__inputs;
  delete model.__requires;
  delete model.__elements;
  // The id is the database row of the exporting Grafana; provisioning assigns its own.
  delete model.id;
  for (const { panel } of panelsOf(model)) {
    normalizeRef(panel);
    if (Array.isArray(panel.targets)) for (const t of panel.targets) if (isObject(t)) normalizeRef(t);
  }
  for (const section of ['templating', 'annotations'] as const) {
    const s = model[section];
    if (isObject(s) && Array.isArray(s.list)) for (const item of s.list) if (isObject(item)) normalizeRef(item);
  }
  return { model, issues };
}

/** Problems with a file before it is a dashboard at all. */
function readJson(file: string, where: string): { json?: Json; issue?: ConfigIssue } {
  try {
    return { json: JSON.parse(fs.readFileSync(file, 'utf8')) };
  } catch (e) {
    return { issue: { path: where, message: `is not valid JSON (${(e as Error).message})`, fix: 'export the dashboard again with Share > Export > Export for sharing externally > Save to file' } };
  }
}

/**
 * Reads, resolves and validates every `*.json` in `dir`, in name order. Throws a ConfigError with
 * every problem of every file. A missing directory means no custom dashboards.
 */
export function loadCustomDashboards(dir: string = CUSTOM_DASHBOARDS_DIR): CustomDashboard[] {
  if (!fs.existsSync(dir)) return [];
  const root = path.resolve(dir, '..', '..');
  const issues: ConfigIssue[] = [];
  const dashboards: CustomDashboard[] = [];
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => e.name)
    .sort();
  for (const name of files) {
    const file = path.join(dir, name);
    const where = path.relative(root, file);
    const { json, issue } = readJson(file, where);
    if (issue) {
      issues.push(issue);
      continue;
    }
    const resolved = resolveExport(json, where);
    const problems = [...resolved.issues, ...validateDashboardModel(resolved.model, where)];
    issues.push(...problems);
    if (problems.length === 0) dashboards.push({ folder: FOLDERS.custom, model: resolved.model as DashboardModel, source: where });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return dashboards;
}
