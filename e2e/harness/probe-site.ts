/**
 * An https:// site on 127.0.0.1 for the blackbox exporter to probe, standing in for an external URL
 * of the configuration (the public API, the payment callback URL). Its certificates come from their
 * own CA made with openssl: one valid for 90 days (healthy, no alert) and one that expires in two
 * days, which `expire()` swaps in without a restart, so the probe keeps succeeding while its
 * certificate changes, as a renewal gone wrong would look from outside.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';

/** Days the healthy certificate lasts: above every certificate threshold of the config's range that matters here (21 and 7). */
export const HEALTHY_DAYS = 90;
/** Days the expiring one lasts: under the critical threshold, so both certificate alerts fire. */
export const EXPIRING_DAYS = 2;

export class ProbeSite {
  private constructor(
    private readonly server: https.Server,
    readonly port: number,
    /** The CA that signed both certificates: the blackbox exporter trusts it (SSL_CERT_FILE). */
    readonly caFile: string,
    private readonly certs: Record<'healthy' | 'expiring', { cert: Buffer; key: Buffer }>,
  ) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}/`;
  }

  static async start(dir: string): Promise<ProbeSite> {
    fs.mkdirSync(dir, { recursive: true });
    const f = (n: string) => path.join(dir, n);
    const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    ossl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '400', '-subj', '/CN=love-parser e2e probe CA']);
    fs.writeFileSync(f('site.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    const leaf = (name: string, days: number) => {
      ossl(['req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', '/CN=127.0.0.1']);
      ossl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', String(days), '-extfile', f('site.ext')]);
      return { cert: fs.readFileSync(f(`${name}.crt`)), key: fs.readFileSync(f(`${name}.key`)) };
    };
    const certs = { healthy: leaf('healthy', HEALTHY_DAYS), expiring: leaf('expiring', EXPIRING_DAYS) };
    const server = https.createServer({ ...certs.healthy }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    return new ProbeSite(server, port, f('ca.crt'), certs);
  }

  /** New TLS handshakes get the certificate that expires in two days. */
  expire(): void {
    this.server.setSecureContext(this.certs.expiring);
  }

  /** Back to the 90-day certificate (a successful renewal). */
  renew(): void {
    this.server.setSecureContext(this.certs.healthy);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
