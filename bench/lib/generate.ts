/**
 * Days of synthetic samples turned into TSDB blocks with the pinned promtool: OpenMetrics text
 * written window by window (bench/lib/openmetrics.ts) while promtool turns the previous window
 * into blocks (`tsdb create-blocks-from openmetrics`), so at most two windows of text exist at once.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpenMetricsWriter, Spec } from './openmetrics';
import { PROMTOOL } from './tsdb';

/** One OpenMetrics file per 6h window: promtool holds a window in memory while it writes blocks. */
export const WINDOW_SECONDS = 6 * 3600;

export function runPromtool(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p: ChildProcess = spawn(PROMTOOL, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`promtool ${args.slice(0, 3).join(' ')} exited ${code}`))));
  });
}

export interface GenerateOptions {
  readonly specs: readonly Spec[];
  /** The TSDB directory the blocks go to. */
  readonly dataDir: string;
  /** Where the OpenMetrics windows are written (and deleted once promtool has read them). */
  readonly workDir: string;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
  /** promtool's `--max-block-duration`. @default '6h' (one block per window) */
  readonly maxBlockDuration?: string;
}

/** Writes samples every `stepSeconds` from `start` to `end` as blocks; returns what was written. */
export async function generateBlocks(o: GenerateOptions): Promise<{ series: number; samples: number; textBytes: number }> {
  const { start, end, stepSeconds: step } = o;
  const writer = new OpenMetricsWriter(o.specs, start, step);
  const totalSteps = Math.floor((end - start) / step) + 1;
  let samples = 0;
  let textBytes = 0;
  let pending: Promise<void> | undefined;
  let fromStep = 0;
  let k = 0;
  while (fromStep < totalSteps) {
    // Windows on the 6h grid, so promtool reads each file once.
    const windowEnd = (Math.floor((start + fromStep * step) / WINDOW_SECONDS) + 1) * WINDOW_SECONDS;
    const toStep = Math.min(totalSteps, Math.ceil((windowEnd - start) / step));
    const file = path.join(o.workDir, `window-${k++ % 2}.om`);
    samples += writer.writeWindow(file, fromStep, toStep);
    textBytes += fs.statSync(file).size;
    await pending;
    pending = runPromtool(['tsdb', 'create-blocks-from', `--max-block-duration=${o.maxBlockDuration ?? '6h'}`, 'openmetrics', '--quiet', file, o.dataDir]).then(() => fs.rmSync(file));
    process.stderr.write(`  generated ${((toStep * step) / 86400).toFixed(2)} of ${((end - start) / 86400).toFixed(0)} days\r`);
    fromStep = toStep;
  }
  await pending;
  process.stderr.write('\n');
  return { series: writer.series, samples, textBytes };
}
