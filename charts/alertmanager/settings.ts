/**
 * Alertmanager's slice of the configuration (`alertmanager:` in config/<environment>.yaml): its
 * receivers (credentials only as keys of an existing Secret), routing timings, and the threshold
 * of the alert on its own failing notifications.
 */
import { ConfigIssue, Infer, bool, dnsSubdomain, durationToMillis, hostName, num, obj, optional, port, promDuration, refine, secretKey, show, str, withDefault } from '../lib/schema';
import { distinctSecretKeys, resources, volume } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

const email = (example: string) => str({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expects: `an email address such as '${example}'` });

export const alertmanagerSettings = obj({
  /** Existing Secret holding every receiver credential, mounted read-only as files. */
  secretName: withDefault(dnsSubdomain(), 'alertmanager-receivers'),
  /** How long a new group of alerts waits for more alerts of the group before the first notification. @default '30s' */
  groupWait: withDefault(promDuration(), '30s'),
  /** How long a group waits before notifying about alerts added to it. @default '5m' */
  groupInterval: withDefault(promDuration(), '5m'),
  /** How long before a notification that was already sent is sent again while the alert still fires. @default '4h' */
  repeatInterval: withDefault(promDuration(), '4h'),
  slack: obj({
    /** Warnings (and critical alerts) to Slack. @default true */
    enabled: withDefault(bool(), true),
    /** Channel the webhook posts to. @default '#ops-love-parser' */
    channel: withDefault(str({ pattern: /^#[a-z0-9][a-z0-9_-]{0,79}$/, expects: "a Slack channel starting with '#', e.g. '#ops-love-parser'" }), '#ops-love-parser'),
    /** Key of the Slack incoming-webhook URL in the receivers Secret. */
    webhookUrlKey: withDefault(secretKey(), 'slack-webhook-url'),
  }),
  email: obj({
    /** Critical alerts by email (STARTTLS). @default true */
    enabled: withDefault(bool(), true),
    /** Where critical alerts go. Required when email is enabled. */
    to: optional(email('oncall@example.org')),
    from: optional(email('alertmanager@example.org')),
    /** SMTP server as host:port; STARTTLS is required. */
    smarthost: optional(
      refine(str({ pattern: /^[a-z0-9.-]+:[0-9]{1,5}$/, expects: "host:port such as 'smtp.example.org:587'" }), (v, path) => {
        const [host, p] = v.split(':');
        const issues: ConfigIssue[] = [];
        hostName().parse(host, path, issues);
        port().parse(Number(p), path, issues);
        // Said about the whole value, so the problem names what was written.
        return issues.length ? [{ path, message: `is ${show(v)}: ${issues.map((i) => i.message).join('; ')}`, fix: "write host:port with a port from 1 to 65535, such as 'smtp.example.org:587'" }] : [];
      }),
    ),
    username: optional(str({ minLength: 1, expects: 'an SMTP user name' })),
    /** Key of the SMTP password in the receivers Secret. */
    passwordKey: withDefault(secretKey(), 'smtp-password'),
  }),
  sms: obj({
    /** A generic webhook (Twilio, OpsGenie, ...) for alerts labelled notify_sms="true". @default false */
    enabled: withDefault(bool(), false),
    urlKey: withDefault(secretKey(), 'sms-webhook-url'),
    tokenKey: withDefault(secretKey(), 'sms-webhook-token'),
  }),
  pagerduty: obj({
    /** Critical alerts to PagerDuty (Events API v2). @default false */
    enabled: withDefault(bool(), false),
    routingKeyKey: withDefault(secretKey(), 'pagerduty-routing-key'),
  }),
  heartbeat: obj({
    /**
     * Dead-man's switch: the always-firing Watchdog alert is posted to an external heartbeat
     * service (healthchecks.io, Dead Man's Snitch, ...) that alarms when the posts stop, i.e. when
     * Prometheus, Alertmanager or the path between them is dead. Disabled, the Watchdog goes to a
     * receiver without integrations (visible in the UI, sent nowhere). @default false
     */
    enabled: withDefault(bool(), false),
    /** Key of the heartbeat URL in the receivers Secret (the URL usually embeds its token). */
    urlKey: withDefault(secretKey(), 'heartbeat-url'),
    /**
     * Time between two posts; the heartbeat service's grace period must be longer. Above an hour a
     * dead monitoring stack goes unnoticed for that long. @default '5m'
     */
    interval: withDefault(promDuration({ safeMin: '1m', safeMax: '1h', why: 'the heartbeat service alarms only after a missed post: an hour is the longest outage of monitoring worth tolerating, under a minute floods it' }), '5m'),
  }),
  /** Silences and the notification log. @default 2Gi */
  storage: volume('2Gi'),
  resources: resources({ cpu: '50m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '256Mi' }),
  alerts: obj({
    /**
     * Share of one Alertmanager integration's notifications failing that alerts. Alertmanager retries
     * before it counts a failure, so even 1% means notifications are being lost. @default 0.01
     */
    notificationFailureRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.01),
  }),
});
export type AlertmanagerSettings = Infer<typeof alertmanagerSettings>;

/** Receivers that leave alerts with nobody, or lack what they need; paths are relative to `alertmanager`. */
export function alertmanagerChecks(s: AlertmanagerSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!s.slack.enabled && !s.email.enabled) {
    issues.push({
      path: '',
      message: 'has both slack and email disabled: warnings and critical alerts would reach nobody',
      fix: 'enable alertmanager.slack or alertmanager.email',
    });
  }
  if (s.email.enabled) {
    for (const key of ['to', 'from', 'smarthost', 'username'] as const) {
      if (s.email[key] === undefined) {
        issues.push({
          path: `email.${key}`,
          message: 'is required when alertmanager.email.enabled is true',
          fix: `set alertmanager.email.${key}, or set alertmanager.email.enabled to false`,
        });
      }
    }
  }
  if (durationToMillis(s.repeatInterval)! < durationToMillis(s.groupInterval)!) {
    issues.push({
      path: 'repeatInterval',
      message: `is ${show(s.repeatInterval)}, shorter than alertmanager.groupInterval ${show(s.groupInterval)}: Alertmanager repeats at group intervals only`,
      fix: 'set repeatInterval to at least groupInterval',
    });
  }
  // Every enabled receiver reads its own key of the one receivers Secret.
  issues.push(
    ...distinctSecretKeys(s.secretName, {
      ...(s.slack.enabled ? { 'slack.webhookUrlKey': s.slack.webhookUrlKey } : {}),
      ...(s.email.enabled ? { 'email.passwordKey': s.email.passwordKey } : {}),
      ...(s.sms.enabled ? { 'sms.urlKey': s.sms.urlKey, 'sms.tokenKey': s.sms.tokenKey } : {}),
      ...(s.pagerduty.enabled ? { 'pagerduty.routingKeyKey': s.pagerduty.routingKeyKey } : {}),
      ...(s.heartbeat.enabled ? { 'heartbeat.urlKey': s.heartbeat.urlKey } : {}),
    }),
  );
  return issues;
}

/** What the chart and its rules and dashboards are built from. */
export type AlertmanagerProps = ComponentProps<AlertmanagerSettings>;
