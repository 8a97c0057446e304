/**
 * The WAL and the head chunks on disk while Prometheus ingests, measured: the pinned Prometheus
 * scrapes a local exporter that serves the stack's series at the documented cardinality
 * (bench/lib/stack-series.ts, the same specs and value shapes bench/dashboards.ts writes), and
 * the benchmark reads the sizes of `wal/` and `chunks_head/` against the samples appended. A
 * measurement that prints tables; it never fails on a number.
 *
 *   npm run bench:wal -- [--minutes 6] [--scrape 1s]
 *
 * It scrapes every second, not every 15s, so that head chunks (cut at 120 samples) fill and are
 * written to `chunks_head/` within minutes instead of half an hour; per sample, the WAL (one record
 * per scrape, whatever the interval) and the chunks (regular timestamps, the same value shapes)
 * cost about the same as at 15s. The production window (the WAL and head span up to 3h of
 * samples before a block is cut and the WAL truncated) is then computed from the measured bytes
 * per sample, and says so.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenMetricsWriter } from './lib/openmetrics';
import { stackSources } from './lib/stack-series';
import { dirSize, freePort, gib, mib, requirePrometheusTools, sleep, startPrometheus } from './lib/tsdb';

function parseArgs(argv: string[]): { minutes: number; scrapeSeconds: number } {
  let minutes = 6;
  let scrapeSeconds = 1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--minutes' && argv[i + 1]) minutes = Number(argv[++i]);
    else if (argv[i] === '--scrape' && argv[i + 1]) scrapeSeconds = Number(argv[++i].replace(/s$/, ''));
    else throw new Error(`unknown argument ${argv[i]}; usage: wal-head.ts [--minutes N] [--scrape Ns]`);
  }
  if (!(minutes >= 3 && scrapeSeconds >= 1)) throw new Error('--minutes must be at least 3 and --scrape at least 1s');
  return { minutes, scrapeSeconds };
}

/** A counter or gauge value from Prometheus's own /metrics text. */
async function selfMetric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`Prometheus does not expose ${name}`);
  return Number(line.split(' ').pop());
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  requirePrometheusTools();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wal-'));
  const writer = new OpenMetricsWriter(
    stackSources().flatMap((s) => s.specs),
    Math.floor(Date.now() / 1000),
    a.scrapeSeconds,
  );
  let scrapes = 0;
  const exporter = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(writer.scrape(scrapes++));
  });
  const port = await freePort();
  await new Promise<void>((r) => exporter.listen(port, '127.0.0.1', r));
  const dataDir = path.join(work, 'data');
  // honor_labels: the series carry their own job and instance, as the stack's targets do.
  const config = `global:\n  scrape_interval: ${a.scrapeSeconds}s\n  scrape_timeout: ${a.scrapeSeconds}s\nscrape_configs:\n  - job_name: stack\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`;
  const prom = await startPrometheus({ dataDir, workDir: work, config });
  try {
    console.log(`Scraping ${writer.series.toLocaleString('en')} series every ${a.scrapeSeconds}s for ${a.minutes} minutes (pinned Prometheus, WAL compression at its default)\n`);
    console.log('| minute | samples appended | head series | wal/ | chunks_head/ | WAL bytes per sample |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    let last = { samples: 0, wal: 0, series: 0 };
    for (let m = 1; m <= a.minutes; m++) {
      await sleep(60_000);
      const samples = await selfMetric(prom.url, 'prometheus_tsdb_head_samples_appended_total');
      const series = await selfMetric(prom.url, 'prometheus_tsdb_head_series');
      const wal = dirSize(path.join(dataDir, 'wal'));
      const chunks = fs.existsSync(path.join(dataDir, 'chunks_head')) ? dirSize(path.join(dataDir, 'chunks_head')) : 0;
      console.log(`| ${m} | ${samples.toLocaleString('en')} | ${series.toLocaleString('en')} | ${mib(wal)} | ${mib(chunks)} | ${(wal / samples).toFixed(2)} |`);
      last = { samples, wal, series };
    }
    // chunks_head/ is written through a buffer of a few MiB: stopping Prometheus flushes it. Only
    // full chunks (120 samples) are on disk; each series' open chunk is in memory (and in the WAL).
    await prom.stop();
    const chunks = dirSize(path.join(dataDir, 'chunks_head'));
    const perSeries = last.samples / last.series;
    const inFullChunks = last.series * Math.floor(perSeries / 120) * 120;
    const walPerSample = last.wal / last.samples;
    const chunkPerSample = inFullChunks > 0 ? chunks / inFullChunks : NaN;
    console.log(`\nAfter Prometheus stopped (its chunk buffer flushed): chunks_head/ ${mib(chunks)}`);
    console.log(`\n| measured | value |`);
    console.log('| --- | --- |');
    console.log(`| WAL bytes per sample | ${walPerSample.toFixed(2)} |`);
    console.log(`| head chunk bytes per sample (full chunks on disk: ${inFullChunks.toLocaleString('en')} samples) | ${chunkPerSample.toFixed(2)} |`);
    const perSecond = writer.series / 15;
    const window = 3 * 3600;
    console.log(`\nAt the documented cardinality and production's 15s scrape (${perSecond.toFixed(0)} samples/s), over the up to 3h the WAL and head span before a block is cut:\n`);
    console.log('| production, computed from the measured bytes per sample | size |');
    console.log('| --- | --- |');
    console.log(`| WAL: 3h of samples | ${mib(perSecond * window * walPerSample)} |`);
    console.log(`| head chunks on disk: 3h of samples | ${mib(perSecond * window * chunkPerSample)} |`);
    console.log(`| both | ${gib(perSecond * window * (walPerSample + chunkPerSample))} |`);
  } finally {
    await prom.stop();
    exporter.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
