/**
 * A throwaway PostgreSQL 15 (Debian's) for the run: its own cluster in a temp dir, listening on
 * 127.0.0.1 only, with what the postgres exporter docs ask of a production database:
 * `pg_stat_statements` preloaded and created, and a monitoring role that has `pg_monitor` and
 * nothing else. The backend gets its own owner role and database.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { Proc, Processes, freePort, waitFor } from './proc';

const PG_BIN = '/usr/lib/postgresql/15/bin';

export const DATABASE = 'love_parser';
const APP_ROLE = 'love_parser';
const MONITOR_ROLE = 'monitor';

/** PostgreSQL refuses to run as root; under root the cluster belongs to Debian's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error("running as root needs Debian's 'postgres' user (package postgresql): run scripts/setup-system.sh");
  }
}

export class Postgres {
  readonly appPassword = randomBytes(12).toString('hex');
  readonly monitorPassword = randomBytes(12).toString('hex');
  private proc?: Proc;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The backend's DATABASE_URL. */
  get appUrl(): string {
    return `postgresql://${APP_ROLE}:${this.appPassword}@127.0.0.1:${this.port}/${DATABASE}`;
  }

  /** The exporter's DSN (the production Secret holds the same shape). */
  get monitorDsn(): string {
    return `postgresql://${MONITOR_ROLE}:${this.monitorPassword}@127.0.0.1:${this.port}/${DATABASE}?sslmode=disable`;
  }

  static async start(procs: Processes, dir: string): Promise<Postgres> {
    const pg = new Postgres(dir, await freePort());
    const user = runAs();
    const data = path.join(dir, 'data');
    fs.mkdirSync(dir, { recursive: true });
    if (user) fs.chownSync(dir, user.uid, user.gid);

    await procs
      .add('initdb', `${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync'], user)
      .run(60_000);
    fs.appendFileSync(
      path.join(data, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${pg.port}`,
        `unix_socket_directories = '${dir}'`,
        `shared_preload_libraries = 'pg_stat_statements'`,
        `max_connections = 50`,
        // A throwaway cluster: durability costs time and buys nothing here.
        `fsync = off`,
        `synchronous_commit = off`,
        `full_page_writes = off`,
        '',
      ].join('\n'),
    );
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to leave.
    pg.proc = procs.add('postgres', `${PG_BIN}/postgres`, ['-D', data], { ...user, stopSignal: 'SIGINT' });
    await pg.startServer();
    await pg.bootstrap();
    return pg;
  }

  private async startServer(): Promise<void> {
    this.proc!.start();
    await this.proc!.whileRunning(waitFor('PostgreSQL to accept connections', () => this.superuser((c) => c.query('SELECT 1')).then(() => true), 30_000));
  }

  /** Runs `fn` on a superuser connection over the cluster's Unix socket (trust, local only). */
  async superuser<T>(fn: (c: Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const c = new Client({ host: this.dir, port: this.port, user: 'postgres', database, connectionTimeoutMillis: 2000 });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  private async bootstrap(): Promise<void> {
    await this.superuser(async (c) => {
      await c.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${this.appPassword}'`);
      await c.query(`CREATE DATABASE ${DATABASE} OWNER ${APP_ROLE}`);
      // What docs/metrics.md asks for the exporter: a login role with pg_monitor, nothing more.
      await c.query(`CREATE ROLE ${MONITOR_ROLE} LOGIN PASSWORD '${this.monitorPassword}'`);
      await c.query(`GRANT pg_monitor TO ${MONITOR_ROLE}`);
    });
    await this.superuser((c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'), DATABASE);
  }

  /** Client connections by role: the DB pool scenario reads it to show the exhaustion is real. */
  async connectionsOf(role: string): Promise<number> {
    return this.superuser(async (c) => {
      const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1', [role]);
      return Number(r.rows[0].n);
    });
  }

  get appRole(): string {
    return APP_ROLE;
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** Starts the stopped server again on the same data directory and port (the backend-not-ready scenario). */
  async restart(): Promise<void> {
    await this.startServer();
  }
}
