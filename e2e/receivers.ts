/**
 * Local stand-ins for the notification services Alertmanager talks to in production, recording what
 * arrives: one HTTP server for the Slack incoming webhook, the PagerDuty Events API v2 and the SMS
 * webhook, and an SMTP server that requires STARTTLS and AUTH like a real relay. All listen on
 * 127.0.0.1; bodies and the number of records are bounded.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { SMTPServer } from 'smtp-server';

export type Sink = 'slack' | 'pagerduty' | 'sms' | 'email' | 'heartbeat';
export type NotificationStatus = 'firing' | 'resolved';

export interface Notification {
  readonly sink: Sink;
  /** Arrival, ms since the epoch. */
  readonly at: number;
  readonly status: NotificationStatus;
  readonly alertnames: readonly string[];
  /** Everything a person would read, for content assertions. */
  readonly text: string;
  /** Sink-specific facts the scenarios assert (channel, routing key, bearer token, SMTP user, TLS). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** HTTP paths of the sinks (the test secret values point Alertmanager at them). */
export const SINK_PATHS = { slack: '/slack/webhook', pagerduty: '/pagerduty/v2/enqueue', sms: '/sms/webhook', heartbeat: '/heartbeat/ping' } as const;

const MAX_BODY = 1024 * 1024;
const MAX_RECORDS = 5000;

/** The entities Go's html/template writes (`&#39;`, `&#34;`, `&lt;`...), back to their characters. */
export function decodeHtmlEntities(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return html.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return named[e.toLowerCase()] ?? m;
  });
}

/** `[FIRING:2] AlertName (service) in cluster` -> status and alert name: the title template's shape. */
function parseTitle(title: string): { status: NotificationStatus; alertname: string } | undefined {
  const m = /^\[(FIRING|RESOLVED)(?::\d+)?\]\s+(\S+)/.exec(title.trim());
  return m ? { status: m[1] === 'FIRING' ? 'firing' : 'resolved', alertname: m[2] } : undefined;
}

/** Quoted-printable (RFC 2045) to text: soft line breaks removed, =XX decoded. */
function decodeQuotedPrintable(s: string): string {
  return Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A throwaway CA made with openssl, valid for `days`. */
export function makeCa(dir: string, days: number, cn: string): { certFile: string; keyFile: string } {
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  ossl(['req', '-x509', ...EC_KEY, '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', `/CN=${cn}`]);
  return { certFile, keyFile };
}

/** A server certificate for 127.0.0.1 signed by `ca`, valid for `days`, as `<dir>/<name>.crt` and `.key`. */
export function makeLeaf(dir: string, ca: { certFile: string; keyFile: string }, name: string, days: number): { certFile: string; keyFile: string } {
  const f = (ext: string) => path.join(dir, `${name}.${ext}`);
  ossl(['req', ...EC_KEY, '-keyout', f('key'), '-out', f('csr'), '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(f('ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ossl(['x509', '-req', '-in', f('csr'), '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', f('crt'), '-days', String(days), '-extfile', f('ext')]);
  return { certFile: f('crt'), keyFile: f('key') };
}

/** A throwaway CA and a certificate for 127.0.0.1 signed by it, made with openssl. */
export function makeTlsCertificate(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const ca = makeCa(dir, 2, 'love-parser e2e test CA');
  return { caFile: ca.certFile, ...makeLeaf(dir, ca, 'smtp', 2) };
}

export interface SmtpCredentials {
  readonly username: string;
  readonly password: string;
}

export class Receivers {
  readonly received: Notification[] = [];
  /** Requests a sink refused (unknown path, bad JSON, failed SMTP auth): always a test failure. */
  readonly rejected: string[] = [];
  private http?: http.Server;
  private smtp?: SMTPServer;
  httpPort = 0;
  smtpPort = 0;

  constructor(
    private readonly tls: { certFile: string; keyFile: string },
    private readonly smtpAuth: SmtpCredentials,
  ) {}

  url(sink: keyof typeof SINK_PATHS): string {
    return `http://127.0.0.1:${this.httpPort}${SINK_PATHS[sink]}`;
  }

  async start(): Promise<void> {
    this.http = http.createServer((req, res) => this.onHttp(req, res));
    this.httpPort = await listen(this.http);
    this.smtp = new SMTPServer({
      secure: false, // plain on connect, then STARTTLS (port 587 style), which Alertmanager requires
      key: fs.readFileSync(this.tls.keyFile),
      cert: fs.readFileSync(this.tls.certFile),
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: false, // AUTH only after STARTTLS, as a real relay
      size: MAX_BODY,
      logger: false,
      banner: 'love-parser e2e SMTP sink',
      onAuth: (auth, _session, cb) => {
        if (auth.username === this.smtpAuth.username && auth.password === this.smtpAuth.password) return cb(null, { user: auth.username });
        this.reject(`smtp: AUTH refused for user '${auth.username}'`);
        return cb(new Error('invalid username or password'));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.onMail(Buffer.concat(chunks).toString('utf8'), {
            secure: session.secure,
            user: session.user,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          cb();
        });
      },
    });
    this.smtp.on('error', (e) => this.reject(`smtp: ${e.message}`));
    this.smtpPort = await listen(this.smtp.server as net.Server);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.smtp ? this.smtp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    this.http?.closeAllConnections();
  }

  /** Notifications that match, in arrival order. */
  find(filter: { sink?: Sink; status?: NotificationStatus; alertname?: string; since?: number }): Notification[] {
    return this.received.filter(
      (n) =>
        (filter.sink === undefined || n.sink === filter.sink) &&
        (filter.status === undefined || n.status === filter.status) &&
        (filter.alertname === undefined || n.alertnames.includes(filter.alertname)) &&
        (filter.since === undefined || n.at >= filter.since),
    );
  }

  private record(n: Notification): void {
    if (this.received.length < MAX_RECORDS) this.received.push(n);
  }

  private reject(why: string): void {
    if (this.rejected.length < MAX_RECORDS) this.rejected.push(why);
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const at = Date.now();
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.reject(`${req.method} ${req.url}: body is not JSON`);
        res.writeHead(400).end();
        return;
      }
      const answer = this.onJson(req, body, at);
      // Slack's incoming webhooks answer a plain-text `ok`; the JSON APIs answer JSON.
      if (typeof answer.body === 'string') res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
      else res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  }

  private onJson(req: http.IncomingMessage, body: any, at: number): { status: number; body: unknown } {
    if (req.method !== 'POST') {
      this.reject(`${req.method} ${req.url}: only POST is expected`);
      return { status: 405, body: {} };
    }
    switch (req.url) {
      case SINK_PATHS.slack: {
        const attachment = body.attachments?.[0] ?? {};
        const t = parseTitle(String(attachment.title ?? ''));
        if (!t) {
          this.reject(`slack: title '${attachment.title}' does not start with [FIRING|RESOLVED] <alertname>`);
          return { status: 400, body: {} };
        }
        this.record({ sink: 'slack', at, status: t.status, alertnames: [t.alertname], text: `${attachment.title}\n${attachment.text}`, meta: { channel: body.channel } });
        return { status: 200, body: 'ok' };
      }
      case SINK_PATHS.pagerduty: {
        const action = body.event_action;
        const t = parseTitle(String(body.payload?.summary ?? ''));
        if ((action !== 'trigger' && action !== 'resolve') || !t) {
          this.reject(`pagerduty: event_action '${action}', summary '${body.payload?.summary}'`);
          return { status: 400, body: { status: 'invalid event' } };
        }
        this.record({
          sink: 'pagerduty',
          at,
          status: action === 'trigger' ? 'firing' : 'resolved',
          alertnames: [t.alertname],
          text: `${body.payload.summary}\n${JSON.stringify(body.links ?? [])}\n${JSON.stringify(body.payload.custom_details ?? {})}`,
          meta: { routingKey: body.routing_key, severity: body.payload.severity, dedupKey: body.dedup_key },
        });
        return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: body.dedup_key } };
      }
      case SINK_PATHS.sms: {
        const alerts: any[] = Array.isArray(body.alerts) ? body.alerts : [];
        this.record({
          sink: 'sms',
          at,
          status: body.status === 'resolved' ? 'resolved' : 'firing',
          alertnames: [...new Set(alerts.map((a) => String(a.labels?.alertname)))],
          text: alerts.map((a) => `${a.annotations?.summary}\n${a.annotations?.remediation}\n${a.annotations?.runbook_url}`).join('\n'),
          meta: { authorization: req.headers.authorization, alerts: alerts.length, truncated: body.truncatedAlerts ?? 0 },
        });
        return { status: 200, body: {} };
      }
      case SINK_PATHS.heartbeat: {
        // The dead man's switch: an outside heartbeat service takes any POST; the body is Alertmanager's webhook JSON.
        const alerts: any[] = Array.isArray(body.alerts) ? body.alerts : [];
        this.record({
          sink: 'heartbeat',
          at,
          status: body.status === 'resolved' ? 'resolved' : 'firing',
          alertnames: [...new Set(alerts.map((a) => String(a.labels?.alertname)))],
          text: JSON.stringify(body.commonLabels ?? {}),
          meta: { alerts: alerts.length },
        });
        return { status: 200, body: {} };
      }
      default:
        this.reject(`POST ${req.url}: no sink there`);
        return { status: 404, body: {} };
    }
  }

  private onMail(raw: string, session: { secure: boolean; user: unknown; from?: string; to: string[] }): void {
    const [head, ...rest] = raw.split(/\r?\n\r?\n/);
    const headers = head.replace(/\r?\n[ \t]+/g, ' '); // unfold
    const subject = /^Subject:\s*(.*)$/im.exec(headers)?.[1] ?? '';
    const t = parseTitle(subject);
    if (!t) {
      this.reject(`email: subject '${subject}' does not start with [FIRING|RESOLVED] <alertname>`);
      return;
    }
    this.record({
      sink: 'email',
      at: Date.now(),
      status: t.status,
      alertnames: [t.alertname],
      // The HTML body, its entities decoded: what the reader sees.
      text: `${subject}\n${decodeHtmlEntities(decodeQuotedPrintable(rest.join('\n\n')))}`,
      meta: { secure: session.secure, user: session.user, from: session.from, to: session.to },
    });
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
