/**
 * Child processes, ports and bounded waits for the end-to-end run. Every process writes its output
 * to a log file in the run's directory and is stopped by `Processes.stopAll()` (called from a
 * `finally`); scripts/checks/70-e2e/run.sh also kills the whole process group on exit, so nothing
 * outlives a run that was itself killed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * Ports handed out by this process: the kernel may give a closed port again to the next bind, and
 * stacks that start side by side ask before their servers listen.
 */
const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is released for the caller to bind), never one handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value other than undefined/false, at most `timeoutMs`. Throws
 * with `what` and the last error when the time is up.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** GET a URL with a timeout; resolves to the response (any status), rejects on a network error. */
export async function get(url: string, timeoutMs = 2000): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
}

/** Sends JSON and returns the parsed answer; throws on a non-2xx status. */
export async function sendJson(method: string, url: string, body?: unknown, timeoutMs = 5000): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export interface ProcOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Run as this user (PostgreSQL refuses root). */
  readonly uid?: number;
  readonly gid?: number;
  /** The signal that asks for a clean, prompt shutdown. @default 'SIGTERM' */
  readonly stopSignal?: NodeJS.Signals;
}

/** One child process and its log file. */
export class Proc {
  private child?: ChildProcess;
  private exit?: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly command: string,
    readonly args: readonly string[],
    readonly logFile: string,
    private readonly opts: ProcOptions = {},
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): this {
    if (this.running) throw new Error(`${this.name} is already running`);
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n--- ${new Date().toISOString()} ${this.command} ${this.args.join(' ')}\n`);
    const child = spawn(this.command, [...this.args], {
      cwd: this.opts.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.opts.env },
      stdio: ['ignore', log, log],
      ...(this.opts.uid !== undefined ? { uid: this.opts.uid, gid: this.opts.gid } : {}),
    });
    fs.closeSync(log);
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', (e) => {
        fs.appendFileSync(this.logFile, `spawn error: ${e.message}\n`);
        resolve(-1);
      });
    });
    return this;
  }

  /** Runs to completion (a one-shot command); throws with the log's tail unless it exits 0 within `timeoutMs`. */
  async run(timeoutMs: number): Promise<void> {
    this.start();
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const code = await this.exit;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`${this.name} failed (exit ${code}):\n${this.tail()}`);
  }

  /** The stop signal (SIGTERM unless configured), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(this.opts.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Rejects if the process exits while `p` is pending: a crashed server fails fast, with its log. */
  async whileRunning<T>(p: Promise<T>): Promise<T> {
    const crashed = this.exit!.then((code) => {
      throw new Error(`${this.name} exited (code ${code}) during startup:\n${this.tail()}`);
    });
    return Promise.race([p, crashed]);
  }

  /** The last lines of the log, for failure messages. */
  tail(lines = 20): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    | ${l}`).join('\n');
    } catch {
      return '    | (no log)';
    }
  }
}

/** Every process of a run, stopped together in reverse start order. */
export class Processes {
  private readonly procs: Proc[] = [];

  constructor(readonly logDir: string) {}

  add(name: string, command: string, args: readonly string[], opts?: ProcOptions): Proc {
    const p = new Proc(name, command, args, path.join(this.logDir, `${name}.log`), opts);
    this.procs.push(p);
    return p;
  }

  /** The process added under `name` (a scenario stops and restarts one). */
  find(name: string): Proc | undefined {
    return this.procs.find((p) => p.name === name);
  }

  async stopAll(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop().catch(() => undefined);
  }
}
