/**
 * An https:// site on 127.0.0.1 for the blackbox exporter to probe, standing in for an external URL
 * of the configuration (the public API, the payment callback URL). Its certificates come from their
 * own CA made with openssl: one valid for 90 days (healthy, no alert) and one that expires in two
 * days, which `expire()` swaps in without a restart, so the probe keeps succeeding while its
 * certificate changes, as a renewal gone wrong would look from outside.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { makeCa, makeLeaf } from '../receivers';

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
    const ca = makeCa(dir, 400, 'love-parser e2e probe CA');
    const leaf = (name: string, days: number) => {
      const c = makeLeaf(dir, ca, name, days);
      return { cert: fs.readFileSync(c.certFile), key: fs.readFileSync(c.keyFile) };
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
    return new ProbeSite(server, port, ca.certFile, certs);
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
