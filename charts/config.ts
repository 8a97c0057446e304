/**
 * The one configuration of the stack, composed of the slices each component owns (its schema,
 * documented defaults and checks live in its folder, `charts/<component>/settings.ts`), the shared
 * settings (`charts/contracts/shared-settings.ts`), and the checks that span components.
 *
 * An environment file (`config/<environment>.yaml`) overrides any default; `charts/load-config.ts`
 * reads it. The defaults reproduce the original docker compose stack.
 */
import { alertmanagerChecks, alertmanagerSettings } from './alertmanager/settings';
import { argocdSettings } from './argocd/settings';
import { backendChecks, backendSettings, backendSloChecks } from './backend/settings';
import { blackboxExporterChecks, blackboxExporterSettings, blackboxNamespaceChecks } from './blackbox-exporter/settings';
import { namespacesChecks, namespacesSettings, networkSettings, priorityClassesChecks, priorityClassesSettings, rulesSettings } from './contracts/shared';
import { grafanaChecks, grafanaSettings } from './grafana/settings';
import { kubeStateMetricsSettings } from './kube-state-metrics/settings';
import { kubeletChecks, kubeletSettings } from './kubelet/settings';
import { browsableRepoUrl } from './lib/alert-rules';
import { ConfigError, ConfigIssue, Infer, applyOverrides, danger, dnsLabel, list, obj, parseAll, refine, required, show, str, withDefault } from './lib/schema';
import { Resources, resourceChecks } from './lib/settings';
import { logsSettings } from './log-shipper/settings';
import { lokiChecks, lokiSettings } from './loki/settings';
import { nodeExporterChecks, nodeExporterSettings } from './node-exporter/settings';
import { postgresExporterSettings } from './postgres-exporter/settings';
import { prometheusChecks, prometheusSettings } from './prometheus/settings';
import { redisExporterChecks, redisExporterSettings } from './redis-exporter/settings';
import { thanosChecks, thanosSettings } from './thanos/settings';

/** One accepted danger: `{ path: 'prometheus.scrapeInterval', reason: '...' }`. */
const overrideEntry = obj({
  /** The field whose value is kept, as the problem names it, e.g. `loki.storage.size`. */
  path: required(str({ pattern: /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*|\[[0-9]+\])*$/, expects: "a setting's path such as 'loki.storage.size'" })),
  /** Why the value is intended, for the next reader: at least a short sentence. */
  reason: required(
    refine(str({ minLength: 15, maxLength: 500, expects: 'a reason of 15 to 500 characters' }), (v, path) =>
      v.trim().length < 15 ? [{ path, message: `is ${show(v)}, too short to say why`, fix: 'say in a sentence why the value is intended' }] : [],
    ),
  ),
}, { expects: "{ path: '<a setting>', reason: '<why>' }" });

export const stackSchema = obj({
  /** Name of the environment; set from the file name by `loadConfig`. @default 'production' */
  environment: withDefault(dnsLabel(), 'production'),
  /** Value of the `cluster` external label on every series and alert. @default 'love-parser' */
  cluster: withDefault(dnsLabel(), 'love-parser'),
  /** The three namespaces of the stack; their Pod Security levels differ, so they must differ. */
  namespaces: namespacesSettings,
  /** What the NetworkPolicies need to know about the cluster's network: the API server, the nodes, DNS. */
  network: networkSettings,
  /** What every alert rule shares: the rate window and where the runbook is. */
  rules: rulesSettings,
  priorityClasses: priorityClassesSettings,
  backend: backendSettings,
  prometheus: prometheusSettings,
  alertmanager: alertmanagerSettings,
  grafana: grafanaSettings,
  loki: lokiSettings,
  logs: logsSettings,
  postgresExporter: postgresExporterSettings,
  redisExporter: redisExporterSettings,
  nodeExporter: nodeExporterSettings,
  kubeStateMetrics: kubeStateMetricsSettings,
  kubelet: kubeletSettings,
  blackboxExporter: blackboxExporterSettings,
  argocd: argocdSettings,
  /** Long-term, deduplicated metrics on object storage (Thanos); off unless an environment turns it on. */
  thanos: thanosSettings,
  /**
   * Values that are valid but refused as dangerous (a sub-second interval, a volume under its floor,
   * two settings reading one Secret key, ...), kept on purpose: each entry names the field and says
   * why. An override that accepts nothing is refused too, so none outlives its reason.
   * @default []
   */
  overrides: withDefault(list(overrideEntry, { unique: true }), []),
});

export type StackConfig = Infer<typeof stackSchema>;

/** Each slice's own checks, by the section they are about. */
const SLICE_CHECKS: { readonly [K in keyof StackConfig]?: (slice: StackConfig[K]) => ConfigIssue[] } = {
  namespaces: namespacesChecks,
  priorityClasses: priorityClassesChecks,
  backend: backendChecks,
  prometheus: prometheusChecks,
  alertmanager: alertmanagerChecks,
  grafana: grafanaChecks,
  redisExporter: redisExporterChecks,
  loki: lokiChecks,
  nodeExporter: nodeExporterChecks,
  kubelet: kubeletChecks,
  blackboxExporter: blackboxExporterChecks,
  thanos: thanosChecks,
};

/**
 * Settings that moved when each component took its own slice: the old key is refused with the new
 * one as the fix, so an environment file written for an earlier version fails loudly, never silently.
 */
export const MOVED_SETTINGS: Readonly<Record<string, string>> = {
  'alerts.runbookUrl': 'rules.runbookUrl',
  'alerts.rateWindow': 'rules.rateWindow',
  ...Object.fromEntries(
    ['errorRatio', 'errorFor', 'latencyP95Seconds', 'latencyP99Seconds', 'latencyFor', 'dbPoolRatio', 'queueStuckFor', 'paymentCallbackFailureRatio', 'routeMinRequestRate', 'paymentWindow'].map(
      (k) => [`alerts.${k}`, `backend.alerts.${k}`],
    ),
  ),
  ...Object.fromEntries(
    ['diskFreeRatio', 'diskFreeCriticalRatio', 'diskFillLookback', 'diskFillWarningWithin', 'diskFillCriticalWithin', 'memoryAvailableRatio'].map((k) => [
      `alerts.${k}`,
      `nodeExporter.alerts.${k}`,
    ]),
  ),
  'alerts.pgConnectionsRatio': 'postgresExporter.alerts.connectionsRatio',
  'alerts.redisMemoryRatio': 'redisExporter.alerts.memoryRatio',
  'alerts.notificationFailureRatio': 'alertmanager.alerts.notificationFailureRatio',
  'grafana.slowQuerySeconds': 'postgresExporter.slowQuerySeconds',
  'exporters.postgres.dsnSecret': 'postgresExporter.dsnSecret',
  'exporters.postgres.resources': 'postgresExporter.resources',
  'exporters.redis.secretName': 'redisExporter.secretName',
  'exporters.redis.addressKey': 'redisExporter.addressKey',
  'exporters.redis.passwordKey': 'redisExporter.passwordKey',
  'exporters.redis.resources': 'redisExporter.resources',
  'exporters.node.nodeCidrs': 'network.nodeCidrs',
  'exporters.node.resources': 'nodeExporter.resources',
};

/** Sections that held only moved settings, refused as a whole when they hold anything else. */
const RETIRED_SECTIONS: Readonly<Record<string, string>> = {
  alerts: "each component's own `alerts` section (backend.alerts, nodeExporter.alerts, ...) and `rules`",
  exporters: 'postgresExporter, redisExporter and nodeExporter',
  'exporters.postgres': 'postgresExporter',
  'exporters.redis': 'redisExporter',
  'exporters.node': 'nodeExporter and network.nodeCidrs',
};

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Takes moved settings out of the input, each reported with where it lives now; what remains goes
 * to the schema. Returns the input without them (the caller's object is left as it was).
 */
export function takeMovedSettings(input: unknown, issues: ConfigIssue[]): unknown {
  if (!isMap(input)) return input;
  const walk = (node: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const moved = MOVED_SETTINGS[path];
      if (moved !== undefined) {
        issues.push({ path, message: `has moved to ${moved} (got ${show(value)})`, fix: `write it as ${moved}` });
        continue;
      }
      const retired = RETIRED_SECTIONS[path];
      if (retired !== undefined) {
        if (!isMap(value)) {
          issues.push({ path, message: `is no longer a section (got ${show(value)})`, fix: `its settings now live in ${retired}` });
          continue;
        }
        const rest = walk(value, path);
        for (const left of Object.keys(rest)) {
          if (RETIRED_SECTIONS[`${path}.${left}`] !== undefined) continue; // reported by the walk below it
          issues.push({ path: `${path}.${left}`, message: 'is not a known setting', fix: `the settings of '${path}' now live in ${retired}` });
        }
        continue;
      }
      out[key] = isMap(value) && Object.keys(MOVED_SETTINGS).some((m) => m.startsWith(`${path}.`)) ? walk(value, path) : value;
    }
    return out;
  };
  return walk(input, '');
}

/** Where RUNBOOK.md is browsable: `rules.runbookUrl`, or the repository's file at the synced revision. */
export function runbookDocUrl(c: Pick<StackConfig, 'rules' | 'argocd'>): string | undefined {
  if (c.rules.runbookUrl !== undefined) return c.rules.runbookUrl;
  const repo = browsableRepoUrl(c.argocd.repoURL);
  return repo === undefined ? undefined : `${repo}/blob/${c.argocd.targetRevision}/RUNBOOK.md`;
}

/**
 * A slice's issue under its section's path. The override an overridable issue's fix offers names
 * the field too, and `overrides` matches the full path: it moves with the path.
 */
function within(section: string, i: ConfigIssue): ConfigIssue {
  const path = i.path ? `${section}.${i.path}` : section;
  return { ...i, path, fix: i.overridable ? i.fix.replace(`path: '${i.path}'`, `path: '${path}'`) : i.fix };
}

/** Checks that need several components' settings at once, then each slice's own. */
export function crossChecks(c: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [section, check] of Object.entries(SLICE_CHECKS) as [keyof StackConfig, (s: unknown) => ConfigIssue[]][]) {
    for (const i of check(c[section])) issues.push(within(section, i));
  }
  // The burn-rate windows of the backend's objectives must hold several of Prometheus's scrapes.
  for (const i of backendSloChecks(c.backend, c.prometheus.scrapeInterval)) issues.push(within('backend', i));
  if (runbookDocUrl(c) === undefined) {
    issues.push({
      path: 'argocd.repoURL',
      message: `is ${show(c.argocd.repoURL)}, from which no web address of RUNBOOK.md can be derived for the alerts' runbook links`,
      fix: "set rules.runbookUrl to where RUNBOOK.md is browsable, e.g. 'https://git.example.org/ops/monitoring/-/blob/main/RUNBOOK.md'",
    });
  }
  for (const i of blackboxNamespaceChecks(c.blackboxExporter, c.namespaces)) issues.push(within('blackboxExporter', i));
  for (const [path, r] of resourceEntries(c)) issues.push(...resourceChecks(path, r));
  // Prometheus and the log shipper hold API tokens: in production, egress on the API server's
  // ports to any address is a decision, said on purpose (narrowed, or overridden with the reason).
  if (c.environment === 'production' && c.network.apiServerCidrs.includes('0.0.0.0/0')) {
    issues.push(
      danger(
        'network.apiServerCidrs',
        `is ${show(c.network.apiServerCidrs)}: Prometheus and the log shipper, which hold API tokens, may reach any address on ports ${c.network.apiServerPorts.join(', ')}`,
        "set the control plane's addresses (docs/networking.md says how to find them), such as ['10.0.0.1/32']",
      ),
    );
  }
  // The sidecar runs in the Prometheus pods, which hold an API token: its object-store egress opens
  // those pods too. In production, egress to any address is a decision said on purpose.
  if (c.environment === 'production' && c.thanos.enabled && c.thanos.objectStorage.cidrs.includes('0.0.0.0/0')) {
    issues.push(
      danger(
        'thanos.objectStorage.cidrs',
        `is ${show(c.thanos.objectStorage.cidrs)}: the Thanos sidecar runs in the Prometheus pods, which hold an API token and could then reach any address on ports ${c.thanos.objectStorage.ports.join(', ')}`,
        "set the object store's addresses (an in-cluster store's pod CIDR, a private endpoint's), such as ['10.20.0.0/16']",
      ),
    );
  }
  // Plain http to Loki's object store carries the S3 credentials and every log line in clear.
  if (c.environment === 'production' && c.loki.mode === 'simple-scalable' && c.loki.objectStorage.insecure) {
    issues.push(
      danger(
        'loki.objectStorage.insecure',
        'is true in production: the S3 credentials and every log line would cross the network unencrypted',
        'use https (insecure: false; insecureSkipVerify for a self-signed in-cluster store)',
      ),
    );
  }
  if (new Set([c.network.postgresPort, c.network.redisPort]).size < 2) {
    issues.push({ path: 'network.redisPort', message: `is ${c.network.redisPort}, the same as network.postgresPort`, fix: 'set the port each server listens on' });
  }
  return issues;
}

/** Every `resources` setting of every slice, by its path. */
function resourceEntries(c: StackConfig): [string, Resources][] {
  const out: [string, Resources][] = [];
  for (const [section, slice] of Object.entries(c) as [string, unknown][]) {
    if (isMap(slice) && isMap(slice.resources)) out.push([`${section}.resources`, slice.resources as unknown as Resources]);
  }
  return out;
}

/** Validates raw input (already merged from the environment file) into a StackConfig, or throws a ConfigError. */
export function parseConfig(input: unknown): StackConfig {
  const issues: ConfigIssue[] = [];
  const rest = takeMovedSettings(input, issues);
  const { value, issues: found } = parseAll(stackSchema, rest);
  issues.push(...found);
  if (value !== undefined) issues.push(...crossChecks(value));
  // The overrides are read on their own, so they apply even when another part of the file is invalid.
  const overrides = parseAll(stackSchema.shape.overrides.schema, isMap(rest) ? rest.overrides ?? [] : []).value ?? [];
  const left = applyOverrides(issues, overrides, { reportUnused: value !== undefined });
  if (left.length > 0 || value === undefined) throw new ConfigError(left);
  return value;
}
