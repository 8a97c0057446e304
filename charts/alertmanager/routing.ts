/**
 * alertmanager.yml, built from config: which receivers exist, which alerts reach them, and what a
 * critical alert silences. Receivers that config disables are not written at all, and routes are
 * built from the receivers that exist, so a route can never name a missing receiver.
 *
 * Every credential is read by Alertmanager from a file of the receivers Secret, mounted read-only at
 * `secretsDir`: Slack `api_url_file`, SMTP `auth_password_file`, PagerDuty `routing_key_file`,
 * OpsGenie `api_key_file`, the SMS webhook's `url_file` and bearer `credentials_file`, the
 * heartbeat's `url_file`. v0.34 reads every
 * one of them from a file, so no secret ever enters the ConfigMap.
 */
import { AlertmanagerSettings, heartbeatRepeat } from './settings';
import { WATCHDOG } from '../lib/alert-rules';

/** Receiver names: the original stack's, so existing runbooks and habits still apply. */
export const RECEIVERS = {
  slack: 'slack-notifications',
  email: 'email-critical',
  pagerduty: 'pagerduty-critical',
  sms: 'sms-escalation',
  opsgenie: 'opsgenie-escalation',
  heartbeat: 'heartbeat',
  /** No integrations: the Watchdog lands here when no heartbeat service is configured. */
  none: 'null',
} as const;
export type ReceiverName = (typeof RECEIVERS)[keyof typeof RECEIVERS];

/** Alerts are grouped per symptom and per service; `cluster` is the external label Prometheus adds. */
export const GROUP_BY = ['alertname', 'service', 'cluster'];

/**
 * Labels that must be equal for a critical alert to inhibit a warning: the same alert name on the
 * same thing. `instance` and `mountpoint` keep node A's critical disk alert from hiding node B's
 * warning. `route` is left out on purpose: the service-wide critical HighErrorRate inhibits the
 * per-route warnings of the same service (a label missing on both sides counts as equal).
 */
export const INHIBIT_EQUAL = ['alertname', 'cluster', 'service', 'instance', 'mountpoint'];

/** The notification template file, loaded from beside alertmanager.yml. */
export const TEMPLATE_FILE = 'love-parser.tmpl';

/**
 * Shared by Slack, email and PagerDuty: a title naming the alert, service and cluster; a body with,
 * for every alert, its summary and description, the first step of the fix (the `remediation`
 * annotation every rule carries, the first step of its RUNBOOK.md section) and the runbook link.
 * Email renders `love.email.html` through Go's html/template, which escapes every value.
 */
export const NOTIFICATION_TEMPLATE = `{{ define "love.title" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}
{{- with .CommonLabels.service }} ({{ . }}){{ end }}{{ with .CommonLabels.cluster }} in {{ . }}{{ end }}
{{- end }}

{{ define "love.text" -}}
{{ range .Alerts -}}
*{{ .Labels.severity | toUpper }}* {{ .Annotations.summary }}
{{ .Annotations.description }}
{{ with .Annotations.remediation }}First step: {{ . }}
{{ end -}}
Runbook: {{ .Annotations.runbook_url }}
{{ end -}}
{{- end }}

{{ define "love.email.html" -}}
<h3>{{ template "love.title" . }}</h3>
{{ range .Alerts -}}
<p><b>{{ .Labels.severity | toUpper }}</b> {{ .Annotations.summary }}<br>
{{ .Annotations.description }}<br>
{{ with .Annotations.remediation }}<b>First step:</b> {{ . }}<br>
{{ end -}}
<a href="{{ .Annotations.runbook_url }}">Runbook</a></p>
{{ end -}}
{{- end }}
`;

/** A file of the receivers Secret: where Alertmanager reads it, and what goes in it. */
export interface SecretFile {
  readonly key: string;
  readonly path: string;
  /** What the value is, for people filling in the Secret (`npm run secrets-template`). */
  readonly what: string;
}

export interface RoutingOptions {
  /** Directory the receivers Secret is mounted at. */
  readonly secretsDir: string;
}

function file(dir: string, key: string, what = ''): SecretFile {
  return { key, path: `${dir}/${key}`, what };
}

/** The Secret keys the enabled receivers read; the volume mounts exactly these (a missing key fails the pod loudly). */
export function secretFiles(am: AlertmanagerSettings, o: RoutingOptions): SecretFile[] {
  return [
    ...(am.slack.enabled ? [file(o.secretsDir, am.slack.webhookUrlKey, 'Slack incoming-webhook URL (https://hooks.slack.com/services/...)')] : []),
    ...(am.email.enabled ? [file(o.secretsDir, am.email.passwordKey, `SMTP password of ${am.email.username ?? 'alertmanager.email.username'} on ${am.email.smarthost ?? 'alertmanager.email.smarthost'}`)] : []),
    ...(am.pagerduty.enabled ? [file(o.secretsDir, am.pagerduty.routingKeyKey, 'PagerDuty Events API v2 integration (routing) key of the service')] : []),
    ...(am.sms.enabled
      ? [
          file(o.secretsDir, am.sms.urlKey, 'URL the SMS webhook receiver posts Alertmanager\'s webhook JSON to (your adapter, see docs/alerting.md)'),
          file(o.secretsDir, am.sms.tokenKey, 'token the webhook sends as "Authorization: Bearer <token>"'),
        ]
      : []),
    ...(am.opsgenie.enabled ? [file(o.secretsDir, am.opsgenie.apiKeyKey, 'OpsGenie API key of an API integration (Settings > Integrations > API)')] : []),
    ...(am.heartbeat.enabled ? [file(o.secretsDir, am.heartbeat.urlKey, 'heartbeat (dead-man\'s switch) ping URL, e.g. https://hc-ping.com/<uuid>')] : []),
  ];
}

/** SMTP port of the smarthost, for the egress policy. */
export function smtpPort(am: AlertmanagerSettings): number | undefined {
  const host = am.email.enabled ? am.email.smarthost : undefined;
  return host ? Number(host.split(':')[1]) : undefined;
}

type Receiver = { name: ReceiverName; [integration: string]: unknown };
type Route = { receiver: ReceiverName; matchers: string[]; continue?: boolean; [field: string]: unknown };

function receivers(am: AlertmanagerSettings, o: RoutingOptions): Receiver[] {
  const path = (key: string) => file(o.secretsDir, key).path;
  const out: Receiver[] = [];
  if (am.slack.enabled) {
    out.push({
      name: RECEIVERS.slack,
      slack_configs: [
        {
          api_url_file: path(am.slack.webhookUrlKey),
          channel: am.slack.channel,
          send_resolved: true,
          title: '{{ template "love.title" . }}',
          text: '{{ template "love.text" . }}',
        },
      ],
    });
  }
  if (am.email.enabled) {
    out.push({
      name: RECEIVERS.email,
      email_configs: [
        {
          // Alertmanager's `to` is one header value: addresses separated by commas.
          to: am.email.to?.join(', '),
          from: am.email.from,
          smarthost: am.email.smarthost,
          auth_username: am.email.username,
          auth_password_file: path(am.email.passwordKey),
          // STARTTLS is mandatory (port 465 uses implicit TLS); TLS 1.2 at least.
          require_tls: true,
          tls_config: { min_version: 'TLS12' },
          send_resolved: true,
          headers: { Subject: '{{ template "love.title" . }}' },
          html: '{{ template "love.email.html" . }}',
        },
      ],
    });
  }
  if (am.pagerduty.enabled) {
    out.push({
      name: RECEIVERS.pagerduty,
      pagerduty_configs: [
        {
          routing_key_file: path(am.pagerduty.routingKeyKey),
          send_resolved: true,
          severity: 'critical',
          description: '{{ template "love.title" . }}',
          // Added to Alertmanager's default details (firing, resolved, counts): the incident shows
          // the first step. Alerts are grouped by alertname, so they share it (CommonAnnotations).
          details: { remediation: '{{ .CommonAnnotations.remediation }}' },
          links: [{ href: '{{ (index .Alerts 0).Annotations.runbook_url }}', text: 'Runbook' }],
        },
      ],
    });
  }
  if (am.sms.enabled) {
    out.push({
      name: RECEIVERS.sms,
      webhook_configs: [
        {
          url_file: path(am.sms.urlKey),
          http_config: { authorization: { type: 'Bearer', credentials_file: path(am.sms.tokenKey) } },
          // A text wakes someone for new trouble; the resolution reaches them by email and Slack.
          send_resolved: false,
          // A text message holds a few alerts, not a storm.
          max_alerts: 5,
        },
      ],
    });
  }
  if (am.opsgenie.enabled) {
    out.push({
      name: RECEIVERS.opsgenie,
      opsgenie_configs: [
        {
          api_key_file: path(am.opsgenie.apiKeyKey),
          ...(am.opsgenie.apiUrl ? { api_url: am.opsgenie.apiUrl } : {}),
          // OpsGenie cuts the message at 130 characters: the title fits, the rest goes to the description.
          message: '{{ template "love.title" . }}',
          description: '{{ template "love.text" . }}',
          priority: '{{ if eq .CommonLabels.severity "critical" }}P1{{ else }}P3{{ end }}',
          details: { remediation: '{{ .CommonAnnotations.remediation }}', runbook_url: '{{ (index .Alerts 0).Annotations.runbook_url }}' },
          // Resolved alerts close the OpsGenie alert, so nobody is called for what has recovered.
          send_resolved: true,
        },
      ],
    });
  }
  if (am.heartbeat.enabled) {
    out.push({ name: RECEIVERS.heartbeat, webhook_configs: [{ url_file: path(am.heartbeat.urlKey), send_resolved: false }] });
  } else {
    out.push({ name: RECEIVERS.none });
  }
  return out;
}

/** Chains routes to the same alerts: every one but the last continues, so none steals the alert. */
function fanOut(matchers: string[], names: ReceiverName[]): Route[] {
  return names.map((receiver, i) => ({ receiver, matchers: [...matchers], ...(i < names.length - 1 ? { continue: true } : {}) }));
}

function routes(am: AlertmanagerSettings, present: Set<ReceiverName>): Route[] {
  const has = (r: ReceiverName) => present.has(r);
  const out: Route[] = [];
  // First, and final: the Watchdog must reach the heartbeat (or nobody), never Slack or a pager.
  out.push({
    receiver: has(RECEIVERS.heartbeat) ? RECEIVERS.heartbeat : RECEIVERS.none,
    matchers: [`alertname="${WATCHDOG}"`],
    group_wait: '0s',
    group_interval: am.heartbeat.interval,
    repeat_interval: heartbeatRepeat(am.heartbeat.interval),
  });
  // SMS and OpsGenie in addition to the alert's normal receivers: `continue` lets the routes below still match.
  if (has(RECEIVERS.sms)) out.push({ receiver: RECEIVERS.sms, matchers: ['notify_sms="true"'], continue: true });
  if (has(RECEIVERS.opsgenie)) out.push({ receiver: RECEIVERS.opsgenie, matchers: ['notify_sms="true"'], continue: true });
  const critical = [RECEIVERS.email, RECEIVERS.pagerduty].filter(has);
  // Without email and PagerDuty, critical alerts fall through to the default (Slack): never dropped.
  out.push(...fanOut(['severity="critical"'], critical));
  if (has(RECEIVERS.slack)) out.push({ receiver: RECEIVERS.slack, matchers: ['severity="warning"'] });
  return out;
}

/** The content of alertmanager.yml for this config (serialized as is). */
export function alertmanagerConfig(am: AlertmanagerSettings, o: RoutingOptions) {
  const rs = receivers(am, o);
  const present = new Set(rs.map((r) => r.name));
  // The catch-all: anything without a routed severity still reaches people. Config guarantees one of the two.
  const fallback = present.has(RECEIVERS.slack) ? RECEIVERS.slack : RECEIVERS.email;
  if (!present.has(fallback)) throw new Error('alertmanager: neither slack nor email is enabled (crossChecks should have refused this config)');
  return {
    route: {
      receiver: fallback,
      group_by: GROUP_BY,
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: routes(am, present),
    },
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: INHIBIT_EQUAL }],
    receivers: rs,
    // Relative to alertmanager.yml's directory, where the ConfigMap puts it too.
    templates: [TEMPLATE_FILE],
  };
}
