/**
 * Alertmanager's slice of the configuration (`alertmanager:` in config/<environment>.yaml): its
 * receivers (credentials only as keys of an existing Secret), routing timings, and the threshold
 * of the alert on its own failing notifications.
 */
import { ConfigIssue, Infer, Schema, bool, dnsSubdomain, list, num, obj, optional, promDuration, secretKey, str, withDefault } from '../lib/schema';
import { resources, volume } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

const email = (example: string) => str({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expects: `an email address such as '${example}'` });

/** One address or a list of them, always read as a list (`to: oncall@x` stays valid). */
function emailList(example: string): Schema<string[]> {
  const one = email(example);
  const many = list(one, { minItems: 1, unique: true });
  return {
    expects: `an email address such as '${example}', or a list of them`,
    parse: (v, path, issues) => {
      if (typeof v !== 'string') return many.parse(v, path, issues);
      const r = one.parse(v, path, issues);
      return typeof r === 'string' ? [r] : r;
    },
  };
}

export const alertmanagerSettings = obj({
  /** Existing Secret holding every receiver credential, mounted read-only as files. */
  secretName: withDefault(dnsSubdomain(), 'alertmanager-receivers'),
  /** @default '30s' */
  groupWait: withDefault(promDuration(), '30s'),
  /** @default '5m' */
  groupInterval: withDefault(promDuration(), '5m'),
  /** @default '4h' */
  repeatInterval: withDefault(promDuration(), '4h'),
  slack: obj({
    enabled: withDefault(bool(), true),
    /** @default '#ops-love-parser' */
    channel: withDefault(str({ pattern: /^#[a-z0-9][a-z0-9_-]{0,79}$/, expects: "a Slack channel starting with '#', e.g. '#ops-love-parser'" }), '#ops-love-parser'),
    /** Key of the Slack incoming-webhook URL in the receivers Secret. */
    webhookUrlKey: withDefault(secretKey(), 'slack-webhook-url'),
  }),
  email: obj({
    enabled: withDefault(bool(), true),
    /**
     * Where critical alerts go: one address or a list (every address gets the same message).
     * Required when email is enabled.
     */
    to: optional(emailList('oncall@example.org')),
    from: optional(email('alertmanager@example.org')),
    /** SMTP server as host:port; STARTTLS is required. */
    smarthost: optional(str({ pattern: /^[a-z0-9.-]+:[0-9]{1,5}$/, expects: "host:port such as 'smtp.example.org:587'" })),
    username: optional(str({ minLength: 1, expects: 'an SMTP user name' })),
    /** Key of the SMTP password in the receivers Secret. */
    passwordKey: withDefault(secretKey(), 'smtp-password'),
  }),
  sms: obj({
    /**
     * Alertmanager's generic webhook for alerts labelled notify_sms="true": it POSTs Alertmanager's
     * own JSON (version 4) with `Authorization: Bearer <token>`. Twilio's API takes form fields and
     * basic auth, so it needs an adapter in between (docs/alerting.md); for OpsGenie use the native
     * `opsgenie` receiver below. @default false
     */
    enabled: withDefault(bool(), false),
    urlKey: withDefault(secretKey(), 'sms-webhook-url'),
    tokenKey: withDefault(secretKey(), 'sms-webhook-token'),
  }),
  opsgenie: obj({
    /**
     * Alertmanager's native OpsGenie integration, for alerts labelled notify_sms="true" (in addition
     * to their other receivers): OpsGenie texts or calls whoever is on call. Resolved alerts close
     * the OpsGenie alert. @default false
     */
    enabled: withDefault(bool(), false),
    /** Key of the OpsGenie API key (an API integration's key) in the receivers Secret. */
    apiKeyKey: withDefault(secretKey(), 'opsgenie-api-key'),
    /** The API of your OpsGenie region: the EU instance is 'https://api.eu.opsgenie.com/'. @default Alertmanager's, 'https://api.opsgenie.com/' */
    apiUrl: optional(str({ pattern: /^https:\/\/[a-z0-9.-]+(:[0-9]+)?\/?$/, expects: "an https URL such as 'https://api.eu.opsgenie.com/'" })),
  }),
  pagerduty: obj({
    /** @default false */
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
    /** Time between two posts; the heartbeat service's grace period must be longer. @default '5m' */
    interval: withDefault(promDuration(), '5m'),
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
  return issues;
}

/** What the chart and its rules and dashboards are built from. */
export type AlertmanagerProps = ComponentProps<AlertmanagerSettings>;
