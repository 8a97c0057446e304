/**
 * What the TSDB benchmarks share: the pinned Prometheus and promtool, block directories, a free
 * port on 127.0.0.1 and a Prometheus started on a data directory (no scrape jobs unless given).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PROMETHEUS_BIN = path.join(ROOT, '.tools', 'prometheus', 'bin');
export const PROMTOOL = path.join(PROMETHEUS_BIN, 'promtool');

/** Throws with the command that builds them when the pinned Prometheus or promtool is missing. */
export function requirePrometheusTools(): void {
  for (const bin of ['prometheus', 'promtool']) {
    if (!fs.existsSync(path.join(PROMETHEUS_BIN, bin))) throw new Error(`no pinned ${bin}: run bash scripts/setup-tools.sh prometheus`);
  }
}

export function dirSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

export interface BlockInfo {
  readonly id: string;
  readonly hours: number;
  readonly bytes: number;
  readonly samples: number;
  readonly series: number;
}

/**
 * Block directories (ULIDs) of a TSDB directory with their span, size and sample count. A running
 * compactor deletes blocks while this reads them: those are left out.
 */
export function blocks(dir: string): BlockInfo[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((d) => {
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, d, 'meta.json'), 'utf8'));
      return [
        {
          id: d,
          hours: (meta.maxTime - meta.minTime) / 3_600_000,
          bytes: dirSize(path.join(dir, d)),
          samples: Number(meta.stats?.numSamples ?? 0),
          series: Number(meta.stats?.numSeries ?? 0),
        },
      ];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw e;
    }
  });
}

/** Moves every block of `from` into the TSDB directory `to` (both on the same file system). */
export function moveBlocks(from: string, to: string): number {
  const moved = blocks(from);
  for (const b of moved) fs.renameSync(path.join(from, b.id), path.join(to, b.id));
  return moved.length;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** The TSDB directory. */
  readonly dataDir: string;
  /** Where prometheus.yml and the log go. */
  readonly workDir: string;
  /** prometheus.yml; @default no scrape jobs, 15s intervals, 400 days of retention (old test data stays). */
  readonly config?: string;
  readonly extraArgs?: readonly string[];
  /** How long to wait for /-/ready. @default 10 minutes (loading many blocks takes a while) */
  readonly readyTimeoutMs?: number;
}

/** Starts the pinned Prometheus on 127.0.0.1 and waits until it is ready. */
export async function startPrometheus(o: PrometheusOptions): Promise<RunningPrometheus> {
  const config = path.join(o.workDir, 'prometheus.yml');
  fs.writeFileSync(config, o.config ?? 'global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n');
  const port = await freePort();
  const log = fs.openSync(path.join(o.workDir, 'prometheus.log'), 'a');
  const proc = spawn(
    path.join(PROMETHEUS_BIN, 'prometheus'),
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${o.dataDir}`,
      '--storage.tsdb.retention.time=400d',
      `--web.listen-address=127.0.0.1:${port}`,
      ...(o.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', log] },
  );
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const done = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await done;
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 600_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`prometheus exited while starting; see ${path.join(o.workDir, 'prometheus.log')}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) return { url, proc, stop };
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  await stop();
  throw new Error(`prometheus not ready after ${(o.readyTimeoutMs ?? 600_000) / 1000}s`);
}

/**
 * Waits until the compactor has nothing left to merge: the block count unchanged for 60s (the
 * compactor runs every minute and never takes the newest block). Returns the milliseconds waited.
 */
export async function waitForCompaction(dataDir: string, limitMs: number): Promise<number> {
  const started = Date.now();
  let previous = -1;
  let stable = 0;
  while (Date.now() - started < limitMs) {
    await sleep(5000);
    const n = blocks(dataDir).length;
    stable = n === previous ? stable + 1 : 0;
    previous = n;
    if (stable >= 12) break;
  }
  return Date.now() - started;
}

/** Runs promtool with its output shown; throws when it fails. */
export function promtool(args: readonly string[]): void {
  execFileSync(PROMTOOL, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}
