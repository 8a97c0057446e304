/**
 * What a component contributes to the collectors: Prometheus gathers scrape jobs and rule groups,
 * Grafana gathers dashboards. Shapes follow prometheus.yml and the rule file format exactly, so
 * they are serialized as they are.
 */

/** One entry of prometheus.yml `scrape_configs`. */
export interface ScrapeJob {
  readonly job_name: string;
  readonly [field: string]: unknown;
}

/** The closed set of severities Alertmanager routes on. */
export type Severity = 'warning' | 'critical';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** Chosen on purpose for each alert: long enough to ride out a blip, short enough to matter. */
  readonly for: string;
  readonly labels: { readonly severity: Severity; readonly notify_sms?: 'true'; readonly [label: string]: string | undefined };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
    readonly [annotation: string]: string;
  };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export function isAlert(r: Rule): r is AlertRule {
  return 'alert' in r;
}

/** A Grafana dashboard model (the JSON Grafana stores), with the fields the stack relies on. */
export interface DashboardModel {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly [field: string]: unknown;
}

/** A dashboard and the folder it is provisioned into. */
export interface Dashboard {
  readonly folder: string;
  readonly model: DashboardModel;
}

/** Anything the collectors gather from. Every field is optional: an exporter has no dashboards of its own, say. */
export interface MonitoringSource {
  readonly scrapeJobs?: readonly ScrapeJob[];
  readonly ruleGroups?: readonly RuleGroup[];
  readonly dashboards?: readonly Dashboard[];
}
