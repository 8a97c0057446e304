/**
 * The blackbox exporter's slice of the configuration (`blackboxExporter:` in
 * config/<environment>.yaml): the URLs it probes from outside the backend's pods, how often, and the
 * thresholds of the probe and certificate alerts.
 */
import { ConfigIssue, Infer, dnsLabel, durationToSeconds, int, list, obj, promDuration, required, show, str, withDefault } from '../lib/schema';
import { resources } from '../lib/settings';
import { ComponentProps, Namespaces } from '../contracts/shared';

/** Name of the built-in probe of the backend's readiness through its Service; no configured target may take it. */
export const BACKEND_PROBE = 'backend-ready';

export const probeTarget = obj({
  /** Names the probe: its `target` label and its scrape job (`blackbox-<name>`). */
  name: required(dnsLabel()),
  /** What is fetched: an http:// or https:// URL; https:// ones also report their certificate's expiry. */
  url: required(str({ pattern: /^\S+$/, expects: "an http(s) URL such as 'https://api.love-parser.example/health/live'" })),
  /** The component a failure is about (the `service` label Alertmanager groups by). @default 'backend' */
  service: withDefault(dnsLabel(), 'backend'),
});
export type ProbeTarget = Infer<typeof probeTarget>;

export const blackboxExporterSettings = obj({
  resources: resources({ cpu: '20m', memory: '32Mi', cpuLimit: '200m', memoryLimit: '64Mi' }),
  /**
   * URLs probed from inside the cluster the way clients reach them, besides the backend's
   * `/health/ready` through its Service (always probed): the public API, the Telegram webhook URL,
   * the payment provider's callback URL. Each https:// one also gets the certificate alerts.
   * @default [] (production's environment file lists its own)
   */
  targets: withDefault(list(probeTarget), []),
  /** How often each URL is probed (its scrape job's interval). @default '30s' */
  probeInterval: withDefault(promDuration(), '30s'),
  /** How long one probe may take, DNS to last byte; shorter than probeInterval. @default '10s' */
  probeTimeout: withDefault(promDuration(), '10s'),
  alerts: obj({
    /** A probe failing this long: longer than a rollout's readiness gap. @default '3m' */
    probeFailedFor: withDefault(promDuration(), '3m'),
    /** A certificate expiring within this many days warns (time to renew by hand). @default 21 */
    certificateWarningDays: withDefault(int({ min: 1, max: 365 }), 21),
    /** Within this many days it is critical (automatic renewal has failed). @default 7 */
    certificateCriticalDays: withDefault(int({ min: 1, max: 365 }), 7),
    /**
     * How long a certificate must be seen expiring before either alert fires. The expiry date does
     * not move between probes: this only rides out a probe that fails midway. @default '5m'
     */
    certificateFor: withDefault(promDuration(), '5m'),
  }),
});
export type BlackboxExporterSettings = Infer<typeof blackboxExporterSettings>;

/** A host name (RFC 1123, dots allowed) or an IPv4 address. */
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** The parsed URL of a target, or why it cannot be probed. */
export function parseProbeUrl(url: string): { ok: URL } | { message: string; fix: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { message: `is ${show(url)}, not a URL`, fix: "write a full URL such as 'https://api.love-parser.example/health/live'" };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { message: `is ${show(url)}, whose scheme '${u.protocol.replace(/:$/, '')}' the http prober cannot fetch`, fix: 'use an https:// (or http://) URL' };
  }
  if (u.username || u.password) {
    return { message: `is ${show(url.replace(/\/\/[^@/]*@/, '//***@'))}, with credentials in it: they would be written to the ConfigMap and git`, fix: 'probe a URL that needs no credentials (a health path)' };
  }
  if (!HOST.test(u.hostname)) {
    return { message: `is ${show(url)}, whose host '${u.hostname}' is not a host name or IPv4 address`, fix: 'use a DNS name such as api.love-parser.example' };
  }
  if (u.hash) return { message: `is ${show(url)}, with a fragment that is never sent`, fix: `drop '${u.hash}'` };
  return { ok: u };
}

/** The port a URL connects to. */
export function urlPort(u: URL): number {
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** Every problem of the slice at once; paths are relative to `blackboxExporter`. */
export function blackboxExporterChecks(s: BlackboxExporterSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Map<string, number>();
  const urls = new Map<string, number>();
  s.targets.forEach((t, i) => {
    const at = `targets[${i}]`;
    if (t.name === BACKEND_PROBE) {
      issues.push({ path: `${at}.name`, message: `is '${BACKEND_PROBE}', the built-in probe of the backend's readiness`, fix: 'give the target another name' });
    }
    const sameName = names.get(t.name);
    if (sameName !== undefined) issues.push({ path: `${at}.name`, message: `is '${t.name}', already the name of targets[${sameName}]`, fix: 'give every target its own name' });
    else names.set(t.name, i);
    const parsed = parseProbeUrl(t.url);
    if ('ok' in parsed) {
      const key = parsed.ok.href;
      const sameUrl = urls.get(key);
      if (sameUrl !== undefined) issues.push({ path: `${at}.url`, message: `is ${show(t.url)}, already probed by targets[${sameUrl}]`, fix: 'list each URL once' });
      else urls.set(key, i);
    } else {
      issues.push({ path: `${at}.url`, ...parsed });
    }
  });
  const a = s.alerts;
  if (a.certificateCriticalDays >= a.certificateWarningDays) {
    issues.push({
      path: 'alerts.certificateCriticalDays',
      message: `is ${a.certificateCriticalDays}, not below blackboxExporter.alerts.certificateWarningDays ${a.certificateWarningDays}: the critical certificate alert would fire first`,
      fix: 'keep the critical number of days below the warning number',
    });
  }
  if (durationToSeconds(s.probeTimeout) >= durationToSeconds(s.probeInterval)) {
    issues.push({
      path: 'probeTimeout',
      message: `is ${show(s.probeTimeout)}, not shorter than blackboxExporter.probeInterval ${show(s.probeInterval)}: a probe would still run when the next one starts (and Prometheus refuses a timeout longer than the interval)`,
      fix: 'set probeTimeout below probeInterval',
    });
  }
  return issues;
}

/** In-cluster targets (`<service>.<namespace>.svc[.cluster.local]`) must be in the stack's namespaces: its NetworkPolicy only opens those. */
export function blackboxNamespaceChecks(s: BlackboxExporterSettings, ns: Namespaces): ConfigIssue[] {
  const known = [ns.monitoring, ns.agents, ns.backend];
  const issues: ConfigIssue[] = [];
  s.targets.forEach((t, i) => {
    const parsed = parseProbeUrl(t.url);
    if (!('ok' in parsed)) return;
    const m = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(parsed.ok.hostname);
    if (m && !known.includes(m[1])) {
      issues.push({
        path: `targets[${i}].url`,
        message: `is ${show(t.url)}, a Service in namespace '${m[1]}', which is not one of the stack's namespaces (${known.join(', ')})`,
        fix: "probe it by its public URL, or use a namespace of the stack's `namespaces` section",
      });
    }
  });
  return issues;
}

/** What the chart and its rules are built from. */
export type BlackboxExporterProps = ComponentProps<BlackboxExporterSettings>;
