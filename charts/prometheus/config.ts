/**
 * prometheus.yml and the rule files, generated from what the components contribute. Pure functions
 * of the config and the sources: the chart mounts their output, the tests and promtool read it.
 */
import * as YAML from 'yaml';
import { ServiceEndpoint } from '../lib/endpoints';
import { RuleGroup, ScrapeJob } from '../lib/monitoring';
import { sizeToBytes } from '../lib/schema';
import { PrometheusSettings } from './settings';

/** Where the configuration ConfigMap is mounted; prometheus.yml and the rule files sit side by side. */
export const PROMETHEUS_CONFIG_DIR = '/etc/prometheus/config';
export const CONFIG_FILE = 'prometheus.yml';
/** Rule files are named `<group>.rules.yml`; prometheus.yml loads them relative to its own directory. */
export const RULE_FILE_SUFFIX = '.rules.yml';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * `storage.tsdb.retention.size` for a claim: `ratio` of it, in Prometheus's base-2 units (its `GB`
 * is GiB), rounded down to a whole MB. Size retention counts the WAL and the head chunks with the
 * blocks but deletes only blocks, and not the room compaction needs to write a new block before it
 * deletes the ones merged; the docs advise keeping it at 80-85% of the disk at most so the volume
 * never fills up. ./sizing.ts says how large the claim must be for the time retention to decide.
 */
export function retentionSize(claimSize: string, ratio: number): string {
  const bytes = Math.floor(sizeToBytes(claimSize) * ratio);
  return bytes % GIB === 0 ? `${bytes / GIB}GB` : `${Math.floor(bytes / MIB)}MB`;
}

/** A ConfigMap key for a rule group (keys allow only letters, digits, '-', '_' and '.'). */
export function ruleFileName(group: string): string {
  return `${group.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '')}${RULE_FILE_SUFFIX}`;
}

/** One rule file per group, keyed by file name. Duplicate group (or file) names are refused. */
export function renderRuleFiles(groups: readonly RuleGroup[]): Record<string, string> {
  const files: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const g of groups) {
    const file = ruleFileName(g.name);
    const clash = seen.get(file);
    if (clash !== undefined) {
      throw new Error(`rule groups '${clash}' and '${g.name}' share the rule file ${file}; fix: give every rule group its own name`);
    }
    seen.set(file, g.name);
    files[file] = YAML.stringify({ groups: [g] }, { lineWidth: 0 });
  }
  return files;
}

/**
 * The external label that tells the replicas of the pair apart. Its value is the pod name, which
 * Prometheus expands from the environment when it loads the file (`${VAR}` in external label values
 * is expanded by config.Load in v3.14, without a feature flag); the pod gets it from the downward API.
 */
export const REPLICA_LABEL = 'replica';
export const POD_NAME_ENV = 'POD_NAME';

export interface PrometheusConfigInput {
  readonly settings: PrometheusSettings;
  /** The `cluster` and `environment` external labels. */
  readonly externalLabels: { readonly cluster: string; readonly environment: string };
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly alertmanager: ServiceEndpoint;
}

/**
 * One Alertmanager set: every Alertmanager pod, not the Service (Alertmanager's HA design expects
 * each alert at every replica), found by DNS: the SRV records of the headless Service's `http`
 * port name each pod by its stable DNS name. No Kubernetes API is involved, so no RBAC and no
 * egress to the API server, which some CNIs cannot express as an ipBlock anyway.
 */
export function alertmanagerSet(am: ServiceEndpoint): Record<string, unknown> {
  return { api_version: 'v2', dns_sd_configs: [{ names: [am.srvName()], type: 'SRV' }] };
}

/**
 * The alerting section. The replicas' alerts differ only in the `replica` external label; dropping
 * it makes them identical, so Alertmanager deduplicates them into one notification.
 */
export function alertingSection(am: ServiceEndpoint): Record<string, unknown> {
  return {
    alert_relabel_configs: [{ action: 'labeldrop', regex: REPLICA_LABEL }],
    alertmanagers: [alertmanagerSet(am)],
  };
}

/** prometheus.yml as an object. */
export function prometheusConfig(i: PrometheusConfigInput): Record<string, unknown> {
  const p = i.settings;
  const names = new Set<string>();
  for (const j of i.scrapeJobs) {
    if (names.has(j.job_name)) throw new Error(`two scrape jobs are named '${j.job_name}'; fix: give every job its own job_name`);
    names.add(j.job_name);
  }
  return {
    global: {
      scrape_interval: p.scrapeInterval,
      evaluation_interval: p.evaluationInterval,
      external_labels: { cluster: i.externalLabels.cluster, environment: i.externalLabels.environment, [REPLICA_LABEL]: `\${${POD_NAME_ENV}}` },
    },
    // Retention lives here, not in the deprecated --storage.tsdb.retention.* flags: changes to it are
    // applied by a reload like any other setting (docs/prometheus.md).
    storage: { tsdb: { retention: { time: p.retention, size: retentionSize(p.storage.size, p.retentionSizeRatio) } } },
    rule_files: [`*${RULE_FILE_SUFFIX}`],
    alerting: alertingSection(i.alertmanager),
    scrape_configs: i.scrapeJobs,
  };
}

export function renderPrometheusConfig(cfg: Record<string, unknown>): string {
  return YAML.stringify(cfg, { lineWidth: 0 });
}
