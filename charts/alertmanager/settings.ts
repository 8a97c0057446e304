/**
 * Alertmanager's slice of the configuration (`alertmanager:` in config/<environment>.yaml): its
 * receivers (credentials only as keys of an existing Secret), routing timings, and the threshold
 * of the alert on its own failing notifications.
 */
import { ConfigIssue, Infer, Schema, bool, cidr, dnsSubdomain, durationToMillis, durationToSeconds, hostName, int, list, num, obj, optional, port, promDuration, refine, secretKey, show, str, withDefault } from '../lib/schema';
import { distinctSecretKeys, resources, volume } from '../lib/settings';
import { antiAffinity } from '../lib/ha';
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
    json: (ctx) => ({ anyOf: [one.json(ctx), many.json(ctx)] }),
  };
}

export const alertmanagerSettings = obj({
  /**
   * Alertmanagers gossiping in one cluster: every Prometheus sends every alert to each of them,
   * they share silences and the notification log, and one of them sends each notification. Three
   * keep the cluster whole through one node drain plus one crash. @default 3
   */
  replicas: withDefault(int({ min: 1, max: 7 }), 3),
  /**
   * Soft by default: any one Alertmanager alone still notifies, so two of three on one node cost
   * little, while hard anti-affinity would leave the third Pending on a two-node cluster.
   * @default 'soft'
   */
  antiAffinity: antiAffinity('soft'),
  /**
   * How long a replica waits per position in the cluster before sending what the replicas before
   * it should have sent (`--cluster.peer-timeout`): the first sends at once, the second checks the
   * gossiped notification log after this, the third after twice this. (replicas - 1) x this must
   * stay below groupInterval and the heartbeat's repeat, or the last replica sends stale or doubled
   * notifications (docs/alerting.md). @default '15s' (upstream's)
   */
  peerTimeout: withDefault(promDuration(), '15s'),
  /** Existing Secret holding every receiver credential, mounted read-only as files. */
  secretName: withDefault(dnsSubdomain(), 'alertmanager-receivers'),
  /** How long a new group of alerts waits for more alerts of the group before the first notification. @default '30s' */
  groupWait: withDefault(promDuration(), '30s'),
  /** How long a group waits before notifying about alerts added to it. @default '5m' */
  groupInterval: withDefault(promDuration(), '5m'),
  /** How long before a notification that was already sent is sent again while the alert still fires. @default '4h' */
  repeatInterval: withDefault(promDuration(), '4h'),
  /**
   * Addresses Alertmanager may reach its receivers at (Slack, PagerDuty, the SMTP relay, the SMS
   * webhook, the heartbeat service), on their ports only. A NetworkPolicy cannot name hosts, so
   * anywhere by default; narrow it to an egress proxy or NAT range when all notifications leave
   * through one. @default ['0.0.0.0/0']
   */
  receiverCidrs: withDefault(list(cidr('203.0.113.0/24'), { minItems: 1, unique: true }), ['0.0.0.0/0']),
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
    /**
     * Where critical alerts go: one address or a list (every address gets the same message).
     * Required when email is enabled.
     */
    to: optional(emailList('oncall@example.org')),
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
    /**
     * Alertmanager's generic webhook for alerts labelled notify_sms="true": it POSTs Alertmanager's
     * own JSON (version 4) with `Authorization: Bearer <token>`. Twilio's API takes form fields and
     * basic auth, so it needs an adapter in between (docs/alerting.md); for OpsGenie use the native
     * `opsgenie` receiver below. @default false
     */
    enabled: withDefault(bool(), false),
    urlKey: withDefault(secretKey(), 'sms-webhook-url'),
    tokenKey: withDefault(secretKey(), 'sms-webhook-token'),
    /**
     * Port of the webhook's URL (the URL itself is a secret, so synthesis cannot read it): the
     * NetworkPolicy lets Alertmanager reach it. An adapter inside the cluster often listens on
     * 8080. @default 443
     */
    port: withDefault(port(), 443),
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
    /** Critical alerts to PagerDuty (Events API v2). @default false */
    enabled: withDefault(bool(), false),
    routingKeyKey: withDefault(secretKey(), 'pagerduty-routing-key'),
  }),
  heartbeat: obj({
    /**
     * Dead-man's switch: the always-firing Watchdog alert is posted to an external heartbeat
     * service (healthchecks.io, Dead Man's Snitch, ...) that alarms when the posts stop, i.e. when
     * Prometheus, Alertmanager or the path between them is dead. Disabled, the Watchdog goes to a
     * receiver without integrations (visible in the UI, sent nowhere). An environment that pages
     * anyone (email, PagerDuty, SMS or OpsGenie enabled) must turn it on, or say why not in
     * `disabledReason`. @default false
     */
    enabled: withDefault(bool(), false),
    /**
     * Why an environment that pages people runs without a dead-man's switch, e.g. 'the cluster's
     * own monitoring watches this Alertmanager (ticket OPS-123)'. Required then; refused when the
     * heartbeat is on. @default none
     */
    disabledReason: optional(str({ minLength: 10, expects: 'a sentence saying why the heartbeat is off on purpose' })),
    /** Key of the heartbeat URL in the receivers Secret (the URL usually embeds its token). */
    urlKey: withDefault(secretKey(), 'heartbeat-url'),
    /** Port of the heartbeat URL, for the NetworkPolicy (the URL is a secret). @default 443 */
    port: withDefault(port(), 443),
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
    /**
     * How long members may disagree on the cluster's size, or run different configurations,
     * before it alerts: a rollout restarts one replica at a time and a new member needs a
     * push-pull round (1m) to be seen everywhere. @default '15m' (the upstream mixin's)
     */
    clusterFor: withDefault(promDuration(), '15m'),
  }),
});
export type AlertmanagerSettings = Infer<typeof alertmanagerSettings>;

/**
 * The heartbeat's repeat_interval: a tenth below its group_interval. Alertmanager re-sends at a
 * group_interval tick only when the last send is older than repeat_interval; the last send happened
 * a moment after the previous tick, so with both equal every other tick is skipped and the
 * heartbeat arrives at twice its interval (the end-to-end run measured exactly that).
 */
export function heartbeatRepeat(interval: string): string {
  return `${Math.floor(durationToSeconds(interval) * 0.9)}s`;
}

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
  // The last replica waits (replicas - 1) x peerTimeout, then checks the gossiped log against the
  // alerts it saw when its group flushed. Alertmanager assumes that wait ends before the group's next
  // flush: if the first replica has already sent that next notification (a resolution), the late
  // one finds its own snapshot newer than the log and sends it again (a firing after the resolved,
  // then a second resolved). The end-to-end run measured exactly that with 5s against 2 x 5s.
  const lastWait = (s.replicas - 1) * durationToSeconds(s.peerTimeout);
  const shown = `${s.replicas - 1} x ${show(s.peerTimeout)}`;
  if (s.replicas > 1 && lastWait >= durationToSeconds(s.groupInterval)) {
    issues.push({
      path: 'peerTimeout',
      message: `is ${show(s.peerTimeout)}: the last of ${s.replicas} replicas waits ${shown} before it sends, not shorter than alertmanager.groupInterval ${show(s.groupInterval)}, so it sends stale notifications (a firing after the resolution)`,
      fix: `keep (replicas - 1) x peerTimeout below groupInterval: lower peerTimeout below ${+(durationToSeconds(s.groupInterval) / (s.replicas - 1)).toFixed(1)}s, or raise groupInterval`,
    });
  }
  // The heartbeat repeats at 0.9 x its interval (heartbeatRepeat): a late replica past that sends a second one.
  if (s.replicas > 1 && s.heartbeat.enabled && lastWait >= durationToSeconds(heartbeatRepeat(s.heartbeat.interval))) {
    issues.push({
      path: 'peerTimeout',
      message: `is ${show(s.peerTimeout)}: the last of ${s.replicas} replicas waits ${shown}, not shorter than the heartbeat's repeat of ${heartbeatRepeat(s.heartbeat.interval)} (alertmanager.heartbeat.interval ${show(s.heartbeat.interval)}), so every heartbeat would be sent twice`,
      fix: 'lower peerTimeout, or raise alertmanager.heartbeat.interval',
    });
  }
  // Every enabled receiver reads its own key of the one receivers Secret.
  issues.push(
    ...distinctSecretKeys(s.secretName, {
      ...(s.slack.enabled ? { 'slack.webhookUrlKey': s.slack.webhookUrlKey } : {}),
      ...(s.email.enabled ? { 'email.passwordKey': s.email.passwordKey } : {}),
      ...(s.sms.enabled ? { 'sms.urlKey': s.sms.urlKey, 'sms.tokenKey': s.sms.tokenKey } : {}),
      ...(s.pagerduty.enabled ? { 'pagerduty.routingKeyKey': s.pagerduty.routingKeyKey } : {}),
      ...(s.opsgenie.enabled ? { 'opsgenie.apiKeyKey': s.opsgenie.apiKeyKey } : {}),
      ...(s.heartbeat.enabled ? { 'heartbeat.urlKey': s.heartbeat.urlKey } : {}),
    }),
  );
  const pages = [s.email.enabled && 'email', s.pagerduty.enabled && 'pagerduty', s.sms.enabled && 'sms', s.opsgenie.enabled && 'opsgenie'].filter(Boolean) as string[];
  if (pages.length > 0 && !s.heartbeat.enabled && s.heartbeat.disabledReason === undefined) {
    issues.push({
      path: 'heartbeat.enabled',
      message: `is false while ${pages.map((p) => `alertmanager.${p}`).join(', ')} page people: if Prometheus or Alertmanager dies, nobody is told`,
      fix: "set alertmanager.heartbeat.enabled: true and the 'heartbeat-url' key of the receivers Secret (docs/alerting.md), or set alertmanager.heartbeat.disabledReason to why it is off on purpose",
    });
  }
  if (s.heartbeat.enabled && s.heartbeat.disabledReason !== undefined) {
    issues.push({
      path: 'heartbeat.disabledReason',
      message: 'is set while alertmanager.heartbeat.enabled is true',
      fix: 'remove disabledReason, or set enabled to false',
    });
  }
  return issues;
}

/** What the chart and its rules and dashboards are built from. */
export type AlertmanagerProps = ComponentProps<AlertmanagerSettings>;
