/**
 * A throwaway Redis 7.0 (Debian's) for the run: 127.0.0.1 only, a password, nothing persisted, and
 * the settings production needs for Bull (`noeviction`: an evicted job key is a lost job). It can
 * be stopped and started again on the same port (the Redis-down scenario).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Proc, Processes, freePort, waitFor } from './proc';

export class Redis {
  readonly password = randomBytes(12).toString('hex');
  private readonly proc: Proc;

  private constructor(
    procs: Processes,
    readonly dir: string,
    readonly port: number,
  ) {
    const conf = path.join(dir, 'redis.conf');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      conf,
      [
        `bind 127.0.0.1`,
        `port ${this.port}`,
        `requirepass ${this.password}`,
        `dir ${dir}`,
        `save ""`,
        `appendonly no`,
        `maxmemory 256mb`,
        `maxmemory-policy noeviction`,
        `daemonize no`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    this.proc = procs.add('redis', '/usr/bin/redis-server', [conf]);
  }

  static async start(procs: Processes, dir: string): Promise<Redis> {
    const r = new Redis(procs, dir, await freePort());
    await r.start();
    return r;
  }

  /** `redis://127.0.0.1:port`, the address form the exporter's Secret holds. */
  get address(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The backend's REDIS_URL. */
  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc.start();
    await this.proc.whileRunning(waitFor('Redis to answer PING', () => this.ping(), 15_000));
  }

  async stop(): Promise<void> {
    await this.proc.stop();
  }

  /** `CONFIG SET key value` at runtime, as an operator's redis-cli would (the eviction policy scenario). */
  configSet(key: string, value: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.port, '127.0.0.1');
      let buf = '';
      s.setTimeout(2000, () => {
        s.destroy();
        reject(new Error(`CONFIG SET ${key} ${value}: no answer`));
      });
      s.on('error', reject);
      s.on('connect', () => s.write(`AUTH ${this.password}\r\nCONFIG SET ${key} ${value}\r\n`));
      s.on('data', (d) => {
        buf += d.toString();
        if (buf.includes('-')) {
          s.destroy();
          reject(new Error(`CONFIG SET ${key} ${value}: ${buf.trim()}`));
        } else if ((buf.match(/\+OK/g) ?? []).length >= 2) {
          s.destroy();
          resolve();
        }
      });
    });
  }

  /** AUTH + PING over a raw socket (no client library needed for a health check). */
  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect(this.port, '127.0.0.1');
      let buf = '';
      const done = (ok: boolean) => {
        s.destroy();
        resolve(ok);
      };
      s.setTimeout(1000, () => done(false));
      s.on('error', () => done(false));
      s.on('connect', () => s.write(`AUTH ${this.password}\r\nPING\r\n`));
      s.on('data', (d) => {
        buf += d.toString();
        if (buf.includes('+PONG')) done(true);
        else if (buf.includes('-')) done(false);
      });
    });
  }
}
