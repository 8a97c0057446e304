/**
 * Checks a dashboard model (generated or dropped in dashboards/custom/) against what the pinned
 * Grafana and this stack's provisioning accept, and reports every problem with the field and the fix.
 */
import { ConfigIssue } from '../lib/schema';
import { Dashboard } from '../lib/monitoring';
import { KNOWN_DATASOURCE_UIDS, LOKI_DS, PROMETHEUS_DS } from '../lib/datasources';

/**
 * Dashboard schema versions the pinned Grafana (versions.ts: 13.2.0) loads. Below `oldest` its
 * migrator refuses the dashboard ("cannot be migrated to latest version"); 42 is the last schema
 * version of the classic (v1) dashboard model, the one file provisioning and "Export for sharing
 * externally" use, and the version the Foundation SDK emits.
 */
export const GRAFANA_SCHEMA_VERSIONS = { oldest: 13, newest: 42 } as const;

/** Grafana's rule for dashboard and folder uids. */
export const UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** `${DS_PROMETHEUS}`: a data source input of an exported dashboard that was never resolved. */
const UNRESOLVED_INPUT = /\$\{(DS_[A-Za-z0-9_]+|VAR_[A-Za-z0-9_]+)\}/;

/** `$ds`, `${ds}`, `[[ds]]`: a reference to a dashboard variable. */
const VARIABLE_REF = /^(?:\$\{?([A-Za-z0-9_]+)(?::[^}]*)?\}?|\[\[([A-Za-z0-9_]+)\]\])$/;

const FIX_DATASOURCE = `use '${PROMETHEUS_DS.uid}' (Prometheus) or '${LOKI_DS.uid}' (Loki), e.g. "datasource": {"type": "${PROMETHEUS_DS.type}", "uid": "${PROMETHEUS_DS.uid}"}`;

type Json = unknown;

function isObject(x: Json): x is Record<string, Json> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Panels of a dashboard, rows' nested panels included, with their JSON path. */
export function panelsOf(model: Record<string, Json>): { path: string; panel: Record<string, Json> }[] {
  const out: { path: string; panel: Record<string, Json> }[] = [];
  const walk = (panels: Json, path: string) => {
    if (!Array.isArray(panels)) return;
    panels.forEach((p, i) => {
      if (!isObject(p)) return;
      out.push({ path: `${path}[${i}]`, panel: p });
      walk(p.panels, `${path}[${i}].panels`);
    });
  };
  walk(model.panels, 'panels');
  return out;
}

/** Every query of every panel, with its JSON path and the data source it runs on (its own, else the panel's). */
export function targetsOf(model: Record<string, Json>): { path: string; panelTitle: string; target: Record<string, Json>; datasource: Json }[] {
  return panelsOf(model).flatMap(({ path, panel }) =>
    (Array.isArray(panel.targets) ? panel.targets : []).flatMap((t, i) =>
      isObject(t) ? [{ path: `${path}.targets[${i}]`, panelTitle: String(panel.title ?? ''), target: t, datasource: t.datasource ?? panel.datasource }] : [],
    ),
  );
}

/** Names of the dashboard's variables of type `datasource` (a reference to one is resolved by Grafana). */
function datasourceVariables(model: Record<string, Json>): Set<string> {
  const list = isObject(model.templating) && Array.isArray(model.templating.list) ? model.templating.list : [];
  return new Set(list.filter((v) => isObject(v) && v.type === 'datasource' && typeof v.name === 'string').map((v) => (v as { name: string }).name));
}

function checkDatasource(ref: Json, path: string, variables: Set<string>, issue: (path: string, message: string, fix: string) => void): void {
  if (ref === undefined || ref === null) return; // the default data source: love-prom
  const uid = typeof ref === 'string' ? ref : isObject(ref) ? ref.uid : undefined;
  const uidPath = typeof ref === 'string' ? path : `${path}.uid`;
  if (uid === undefined || uid === null) return; // {type} only: Grafana picks the default of that type
  if (typeof uid !== 'string') {
    issue(uidPath, `must be a data source uid string, got ${JSON.stringify(uid)}`, FIX_DATASOURCE);
    return;
  }
  if (KNOWN_DATASOURCE_UIDS.includes(uid)) return;
  const variable = VARIABLE_REF.exec(uid);
  if (variable) {
    const name = variable[1] ?? variable[2];
    if (variables.has(name) || name.startsWith('__')) return;
    const unresolved = UNRESOLVED_INPUT.test(uid);
    issue(
      uidPath,
      unresolved ? `is the unresolved input '${uid}'` : `references '${uid}', which is no data source variable of this dashboard`,
      unresolved ? `declare the input in "__inputs" (re-export with "Export for sharing externally"), or ${FIX_DATASOURCE}` : FIX_DATASOURCE,
    );
    return;
  }
  issue(uidPath, `names the data source uid '${uid}', which this Grafana does not provision`, FIX_DATASOURCE);
}

/**
 * Problems of one dashboard model. `where` prefixes every path (a file name, or the dashboard's
 * code location).
 */
export function validateDashboardModel(model: Json, where: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const issue = (path: string, message: string, fix: string) => issues.push({ path: path ? `${where}: ${path}` : where, message, fix });
  if (!isObject(model)) {
    issue('', 'is not a JSON object', 'export the dashboard with Share > Export > Export for sharing externally');
    return issues;
  }
  if ('apiVersion' in model || 'kind' in model || (isObject(model.spec) && 'elements' in model.spec)) {
    issue(
      '',
      'is a v2 (dynamic) dashboard resource; file provisioning loads the classic JSON model',
      'export it again with the classic JSON model (Export > Export as JSON, with the v2 resource option off), or rebuild it without dynamic layouts',
    );
    return issues;
  }
  if (typeof model.uid !== 'string' || !UID_PATTERN.test(model.uid)) {
    issue(
      'uid',
      `must be 1 to 40 letters, digits, '-' or '_', got ${JSON.stringify(model.uid ?? null)}`,
      'set a fixed "uid" (e.g. "custom-payments"): without one Grafana makes up a new uid on every start and links break',
    );
  }
  if (typeof model.title !== 'string' || model.title.trim() === '') {
    issue('title', 'is missing', 'set a "title"');
  }
  const v = model.schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < GRAFANA_SCHEMA_VERSIONS.oldest || v > GRAFANA_SCHEMA_VERSIONS.newest) {
    issue(
      'schemaVersion',
      `is ${JSON.stringify(v ?? null)}; the pinned Grafana loads ${GRAFANA_SCHEMA_VERSIONS.oldest} to ${GRAFANA_SCHEMA_VERSIONS.newest}`,
      v !== undefined && typeof v === 'number' && v > GRAFANA_SCHEMA_VERSIONS.newest
        ? 'export the dashboard from the Grafana this stack runs (versions.ts), in the classic JSON model'
        : 'open the dashboard in the Grafana this stack runs (it migrates old versions), then export it again',
    );
  }
  if (model.panels !== undefined && !Array.isArray(model.panels)) {
    issue('panels', 'must be a list', 'export the dashboard again; "panels" is a list of panels');
  }
  for (const key of ['__inputs', '__requires', '__elements']) {
    if (key in model) issue(key, 'is still present (only an exported file has it)', 'remove it; dashboards/custom/ files are resolved before provisioning');
  }
  const variables = datasourceVariables(model);
  for (const { path, panel } of panelsOf(model)) {
    checkDatasource(panel.datasource, `${path}.datasource`, variables, issue);
    if (isObject(panel.libraryPanel)) {
      issue(`${path}.libraryPanel`, 'is a library panel, which file provisioning cannot create', 'unlink the library panel in Grafana (panel menu > More > Unlink library panel), then export again');
    }
    (Array.isArray(panel.targets) ? panel.targets : []).forEach((t, i) => {
      if (isObject(t)) checkDatasource(t.datasource, `${path}.targets[${i}].datasource`, variables, issue);
    });
  }
  for (const section of ['templating', 'annotations'] as const) {
    const s = model[section];
    const list = isObject(s) && Array.isArray(s.list) ? s.list : [];
    list.forEach((item, i) => {
      if (isObject(item)) checkDatasource(item.datasource, `${section}.list[${i}].datasource`, variables, issue);
    });
  }
  const leftover = UNRESOLVED_INPUT.exec(JSON.stringify(model));
  if (leftover && !issues.some((i) => i.message.includes(leftover[0]))) {
    issue('', `still contains the unresolved input '${leftover[0]}'`, `declare it in "__inputs" (re-export with "Export for sharing externally"), or replace it; ${FIX_DATASOURCE}`);
  }
  return issues;
}

/** uids unique across every dashboard, titles unique within a folder (Grafana refuses both duplicates). */
export function validateDashboardSet(dashboards: readonly { dashboard: Dashboard; where: string }[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const uids = new Map<string, string>();
  const titles = new Map<string, string>();
  for (const { dashboard, where } of dashboards) {
    const { uid, title } = dashboard.model;
    const seen = uids.get(uid);
    if (seen !== undefined) {
      issues.push({ path: `${where}: uid`, message: `'${uid}' is already the uid of ${seen}`, fix: 'give every dashboard its own uid' });
    } else uids.set(uid, where);
    const key = `${dashboard.folder}\u0000${title}`;
    const sameTitle = titles.get(key);
    if (sameTitle !== undefined) {
      issues.push({ path: `${where}: title`, message: `'${title}' is already the title of ${sameTitle} in folder '${dashboard.folder}'`, fix: 'give the dashboard another title' });
    } else titles.set(key, where);
  }
  return issues;
}
