/**
 * What the `alertmanager-data` claim holds, measured: the pinned Alertmanager keeps two files on
 * it, the notification log (`nflog`: one entry per alert group and receiver it notified) and the
 * silences (`silences`), both snapshotted at shutdown and kept for `--data.retention` (120h, the
 * default the chart keeps). The benchmark fills both through the real API and reads the bytes. A
 * measurement that prints tables; it never fails on a number.
 *
 *   npm run bench:alertmanager-disk -- [--groups 500] [--silences 500]
 *
 * 1. Starts a webhook sink on 127.0.0.1 that answers every POST with 200 (bounded: it stops
 *    counting past what the run can send).
 * 2. Starts the pinned Alertmanager (127.0.0.1, no cluster) with four webhook receivers routed to
 *    with `continue`, as production notifies Slack, email, SMS and PagerDuty for a page.
 * 3. Posts `--groups` alert groups of 3 alerts each with labels as long as the stack's, waits until
 *    every group reached every receiver, posts `--silences` silences with a comment, stops
 *    Alertmanager (SIGTERM writes the snapshots) and reads the files.
 *
 * Needs the pinned Alertmanager (`bash scripts/setup-tools.sh alertmanager`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, freePort, sleep } from './lib/tsdb';

const RECEIVERS = ['slack', 'email', 'sms', 'pagerduty'];
/** Alertmanager's default `--data.retention`, which the chart keeps. */
const RETENTION_HOURS = 120;

function parseArgs(argv: string[]): { groups: number; silences: number } {
  let groups = 500;
  let silences = 500;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--groups' && argv[i + 1]) groups = Number(argv[++i]);
    else if (argv[i] === '--silences' && argv[i + 1]) silences = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; usage: alertmanager-disk.ts [--groups N] [--silences N]`);
  }
  if (!(Number.isInteger(groups) && groups >= 10 && groups <= 5000)) throw new Error('--groups must be a whole number from 10 to 5000');
  if (!(Number.isInteger(silences) && silences >= 10 && silences <= 5000)) throw new Error('--silences must be a whole number from 10 to 5000');
  return { groups, silences };
}

function config(sinkPort: number): string {
  const receivers = RECEIVERS.map((r) => `  - name: ${r}\n    webhook_configs:\n      - url: http://127.0.0.1:${sinkPort}/${r}\n        send_resolved: true`).join('\n');
  const routes = RECEIVERS.map((r) => `    - receiver: ${r}\n      continue: true`).join('\n');
  return `route:
  receiver: ${RECEIVERS[0]}
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
${routes}
receivers:
${receivers}
`;
}

async function post(url: string, body: unknown): Promise<void> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST ${url}: ${r.status} ${await r.text()}`);
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const bin = path.join(ROOT, '.tools', 'alertmanager', 'bin', 'alertmanager');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`bash scripts/setup-tools.sh alertmanager\` first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-alertmanager-disk-'));
  const data = path.join(work, 'data');
  fs.mkdirSync(data);

  // The sink counts notifications per receiver; the loop is bounded by what the run can send.
  const limit = a.groups * RECEIVERS.length * 4;
  const received = new Map<string, Set<string>>(RECEIVERS.map((r) => [r, new Set()]));
  let requests = 0;
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (requests++ < limit) {
        const r = (req.url ?? '').slice(1);
        const group = JSON.parse(body || '{}').groupKey;
        if (typeof group === 'string') received.get(r)?.add(group);
      }
      res.writeHead(200).end();
    });
  });
  const sinkPort = await freePort();
  await new Promise<void>((r) => sink.listen(sinkPort, '127.0.0.1', r));

  const port = await freePort();
  fs.writeFileSync(path.join(work, 'alertmanager.yml'), config(sinkPort));
  const log = fs.openSync(path.join(work, 'alertmanager.log'), 'w');
  const proc = spawn(bin, [`--config.file=${path.join(work, 'alertmanager.yml')}`, `--storage.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], {
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (i === 60) throw new Error(`alertmanager did not become ready in 30 s; see ${work}/alertmanager.log`);
      if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
      await sleep(500);
    }
    const t0 = Date.now();
    // Labels about as long as the stack's alerts carry (alertname, service, severity, namespace,
    // pod, job, instance), annotations with a summary, a description and a runbook link.
    const alerts = Array.from({ length: a.groups }, (_, g) =>
      Array.from({ length: 3 }, (_, k) => ({
        labels: { alertname: `BenchAlert${g % 60}`, service: `service-${Math.floor(g / 60)}`, severity: 'critical', namespace: 'love-parser', pod: `backend-7d9f8c6b5-${g}x${k}`, job: 'backend', instance: `10.0.${g % 250}.${k}:3000` },
        annotations: { summary: 'The backend answers more than 5% of requests with a server error', description: `Route /api/v1/item/${g} answered ${k}% with 5xx over 5m.`, runbook_url: 'https://git.example.org/ops/monitoring/-/blob/main/RUNBOOK.md#benchalert' },
      })),
    ).flat();
    for (let i = 0; i < alerts.length; i += 200) await post(`${url}/api/v2/alerts`, alerts.slice(i, i + 200));
    const deadline = Date.now() + 120_000;
    const notified = () => Math.min(...[...received.values()].map((s) => s.size));
    while (notified() < a.groups && Date.now() < deadline) await sleep(500);
    const notifySeconds = (Date.now() - t0) / 1000;
    const now = Date.now();
    for (let i = 0; i < a.silences; i++) {
      await post(`${url}/api/v2/silences`, {
        matchers: [
          { name: 'alertname', value: `BenchAlert${i % 60}`, isRegex: false, isEqual: true },
          { name: 'service', value: `service-${i % 9}`, isRegex: false, isEqual: true },
        ],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 4 * 3600_000).toISOString(),
        createdBy: 'oncall@example.org',
        comment: `Maintenance window for service-${i % 9}: database migration, ticket OPS-${1000 + i}`,
      });
    }
    await stop(proc);
    const nflog = fs.statSync(path.join(data, 'nflog')).size;
    const silences = fs.statSync(path.join(data, 'silences')).size;
    const entries = [...received.values()].reduce((n, s) => n + s.size, 0);

    console.log(`Pinned Alertmanager, ${RECEIVERS.length} receivers with continue, ${a.groups} groups of 3 alerts, ${a.silences} silences`);
    console.log(`  every group notified on every receiver: ${notified() >= a.groups ? 'yes' : `no (${notified()} of ${a.groups})`}, in ${notifySeconds.toFixed(1)} s\n`);
    console.log('| file on the claim | bytes | entries | bytes per entry |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| nflog (one per group and receiver) | ${nflog.toLocaleString('en')} | ${entries.toLocaleString('en')} | ${(nflog / entries).toFixed(0)} |`);
    console.log(`| silences | ${silences.toLocaleString('en')} | ${a.silences.toLocaleString('en')} | ${(silences / a.silences).toFixed(0)} |`);
    // Far above what the stack's rules can fire in the retention: 10,000 distinct groups, each on
    // every receiver (an entry per group and receiver is replaced at each notification, not
    // appended), and 1,000 silences.
    const storm = (nflog / entries) * 10_000 * RECEIVERS.length + (silences / a.silences) * 1000;
    console.log(`\nWithin the ${RETENTION_HOURS}h retention, 10,000 distinct alert groups on all ${RECEIVERS.length} receivers and 1,000 silences: ${(storm / 1024 ** 2).toFixed(1)} MiB`);
  } finally {
    await stop(proc);
    fs.closeSync(log);
    sink.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
