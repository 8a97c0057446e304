/**
 * How every alert rule of the stack is built: names, runbook links, the common shape, annotation templates.
 *
 * One shape for every alert (monitoring-mixin style): a `<Component><Symptom>` name, a severity from
 * the closed set, a summary, a description that carries the value, the first step of the fix
 * (`remediation`, the first step of the Remediation of its RUNBOOK.md section, shown in every
 * notification), a `runbook_url` pointing at the alert's own heading in RUNBOOK.md, a `service` label
 * for grouping and `notify_sms="true"` where a text message must wake someone. The expressions come from `promql.ts`.
 */
import { ServiceEndpoint } from './endpoints';
import { AlertRule, RuleGroup, Severity } from './monitoring';
import { jobDown } from './promql';
import { durationToSeconds, singleUnit } from './schema';

// ---- names -------------------------------------------------------------------------------------

/**
 * Components an alert name starts with (`<Component><Symptom>`, e.g. `RedisMemoryHigh`). `Kube` is
 * Kubernetes' view of any workload of the stack (kube-state-metrics, the kubelet), named as
 * kube-prometheus names them (`KubePersistentVolumeFillingUp`); `Blackbox` the probes from outside.
 */
export const ALERT_COMPONENTS = ['Backend', 'Postgres', 'Redis', 'Node', 'Prometheus', 'Alertmanager', 'Loki', 'LogShipper', 'Grafana', 'Kube', 'Blackbox', 'Thanos'] as const;
export type AlertComponent = (typeof ALERT_COMPONENTS)[number];

/**
 * Names kept as operators already know them: the original stack's `HighErrorRate` and
 * `<Queue>QueueStuck` (`BroadcastQueueStuck`), and the dead-man's switch's conventional `Watchdog`.
 */
const CONVENTIONAL_NAMES = [/^HighErrorRate$/, /^[A-Z][A-Za-z0-9]*QueueStuck$/, /^Watchdog$/];

const COMPONENT_NAME = new RegExp(`^(${ALERT_COMPONENTS.join('|')})[A-Z][A-Za-z0-9]+$`);

/** The always-firing alert of the dead-man's switch; Alertmanager routes it to the heartbeat receiver. */
export const WATCHDOG = 'Watchdog';

/** Whether an alert name follows the naming rule (or is one of the conventional names). */
export function isValidAlertName(name: string): boolean {
  return COMPONENT_NAME.test(name) || CONVENTIONAL_NAMES.some((re) => re.test(name));
}

/** `broadcast` -> `Broadcast`, `bulk-import` -> `BulkImport`: a queue name as part of an alert name. */
export function pascalCase(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

// ---- runbook links -----------------------------------------------------------------------------

/** The anchor GitHub gives a Markdown heading: lowercase, punctuation dropped, spaces to hyphens. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * The web URL of a git remote: `git@host:org/repo.git`, `ssh://git@host[:port]/org/repo.git` and
 * `https://host/org/repo.git` all become `https://host/org/repo`; undefined for any other form.
 */
export function browsableRepoUrl(gitUrl: string): string | undefined {
  const scp = /^[^@/\s]+@([^:/\s]+):(.+)$/.exec(gitUrl);
  const ssh = /^ssh:\/\/(?:[^@/\s]+@)?([^:/\s]+)(?::[0-9]+)?\/(.+)$/.exec(gitUrl);
  const https = /^https:\/\/([^/\s]+)\/(.+)$/.exec(gitUrl);
  const m = scp ?? ssh ?? https;
  if (!m) return undefined;
  return `https://${m[1]}/${m[2].replace(/\.git$/, '').replace(/\/+$/, '')}`;
}

/** What every rule builder of a component needs from the stack: shared by all, set in config `rules`. */
export interface RuleContext {
  /** Window of rate() in ratio and latency rules. */
  readonly rateWindow: string;
  /** Where RUNBOOK.md is browsable; every alert links to its own heading there. */
  readonly runbookDocUrl: string;
  /** The `for` the configuration sets for named alerts (`rules.alertFor`), replacing the rule's own. */
  readonly alertFor?: ReadonlyMap<string, string>;
  /** How often every rule group is evaluated (`prometheus.evaluationInterval`): one recorded sample stands for this long. */
  readonly evaluationInterval: string;
}

/**
 * A `for` that outlasts one event counted by `rate()`/`increase()` over `window`: a single failure
 * keeps such an expression true for up to the window, so the window and a minute more needs the
 * failures to recur (5m -> 6m).
 */
export function outlastsOneFailure(window: string): string {
  return singleUnit(durationToSeconds(window) + 60);
}

/** The `for` an alert runs with: the configuration's for that name, else the rule's own. */
export function effectiveFor(ctx: RuleContext, name: string, own: string): string {
  return ctx.alertFor?.get(name) ?? own;
}

/** The runbook_url of an alert: its own heading (the alert name) in RUNBOOK.md. */
export function runbookUrl(ctx: RuleContext, alertName: string): string {
  return `${ctx.runbookDocUrl}#${githubAnchor(alertName)}`;
}

// ---- the alert shape ---------------------------------------------------------------------------

export interface AlertSpec {
  /** `<Component><Symptom>`, or one of the conventional names. */
  readonly name: string;
  readonly severity: Severity;
  readonly expr: string;
  /** Chosen per alert; the caller says why in a comment. */
  readonly for: string;
  /** One line, with the labels that say what is affected. */
  readonly summary: string;
  /** Carries the value (`{{ $value | humanize... }}`) and the threshold it crossed. */
  readonly description: string;
  /**
   * What to do first: the first step of the **Remediation** of the alert's RUNBOOK.md section (its
   * first bullet, or the first sentence when it is a paragraph) as plain text; a test keeps the two
   * equal (test/alerts/runbook.test.ts). Slack, email and PagerDuty show it above the runbook link,
   * so whoever is paged knows the first move without opening anything.
   */
  readonly remediation: string;
  /**
   * Groups notifications (Alertmanager groups by alertname and service). Leave it out only when the
   * expression itself yields a `service` label (one alert covering every target).
   */
  readonly service?: string;
  /** Also text the on-call engineer (the `sms-escalation` route). @default false */
  readonly notifySms?: boolean;
}

/** Builds an alert rule of the common shape; throws on a name that breaks the naming rule. */
export function alertRule(ctx: RuleContext, s: AlertSpec): AlertRule {
  if (!isValidAlertName(s.name)) {
    throw new Error(`alert name '${s.name}' must be <Component><Symptom> with a component of ${ALERT_COMPONENTS.join(', ')}`);
  }
  if (s.remediation.trim() === '' || s.remediation.includes('{{')) {
    throw new Error(`alert '${s.name}': remediation must be the first step of its runbook section, as plain text without templates`);
  }
  return {
    alert: s.name,
    expr: s.expr,
    for: effectiveFor(ctx, s.name, s.for),
    labels: { severity: s.severity, ...(s.service !== undefined ? { service: s.service } : {}), ...(s.notifySms ? { notify_sms: 'true' as const } : {}) },
    annotations: { summary: s.summary, description: s.description, remediation: s.remediation, runbook_url: runbookUrl(ctx, s.name) },
  };
}

/** The rule group of a component's alerts (one group per component keeps rule files readable). */
export function alertGroup(component: string, rules: readonly AlertRule[]): RuleGroup {
  return { name: `${component}-alerts`, rules };
}

// ---- annotation templates ----------------------------------------------------------------------

/** Go-template pieces Prometheus renders into annotations. */
export const tmpl = {
  label: (name: string) => `{{ $labels.${name} }}`,
  number: '{{ $value | humanize }}',
  percent: '{{ $value | humanizePercentage }}',
  duration: '{{ $value | humanizeDuration }}',
  bytes: '{{ $value | humanize1024 }}B',
} as const;

/** A ratio written for people: 0.05 -> `5%`. */
export function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}

/**
 * The absence guard of an exporter: no target of its job can be scraped (or it has none at all), so
 * every alert on what it watches is blind. Critical, for 5m: a rollout of an exporter takes seconds.
 */
export function exporterDownRule(
  ctx: RuleContext,
  o: { name: string; remediation: string; service: string; exporter: ServiceEndpoint; watched: string; blind: string },
): AlertRule {
  return alertRule(ctx, {
    name: o.name,
    remediation: o.remediation,
    severity: 'critical',
    service: o.service,
    expr: jobDown(o.exporter),
    for: '5m',
    summary: `No ${o.exporter.name.replace(/-/g, ' ')} can be scraped: ${o.watched} unwatched`,
    description: `Prometheus has reached no ${o.exporter.name} target for ${effectiveFor(ctx, o.name, '5m')}; ${o.blind}.`,
  });
}
