/**
 * The package gives exactly the contract's metrics (names, types, labels, buckets, help), the
 * Fastify hook labels by route template, the queue collector samples depth at scrape time and
 * never hangs the scrape, and the package builds to JavaScript and declarations on its own.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_METRICS, ContractMetricDef, createContractMetrics, instrumentQueues, parseExposition } from '../../packages/metrics-contract/src/index';
import { ROOT } from '../util';
import { METRICS_PATH, conformingText, fakeQueue, instrumentedBackend } from './fixture';

const CONTRACT = Object.values(BACKEND_METRICS as Record<string, ContractMetricDef>);

describe('createContractMetrics', () => {
  test('registers every contract metric with its type, help, labels and buckets, and nothing it names differently', async () => {
    const { registry } = createContractMetrics();
    const byName = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    for (const m of CONTRACT) {
      const got = byName.get(m.name);
      expect(got?.type).toBe(m.type);
      if (m.source === 'application' || m.source === 'fastify-metrics') expect(got?.help).toBe(m.help);
    }
    const families = parseExposition(await registry.metrics()).families;
    const request = BACKEND_METRICS.httpRequestDuration;
    const h = createContractMetrics({ defaultMetrics: false });
    h.httpRequestDuration.observe({ route: '/r', method: 'GET', status_code: '200' }, 0.2);
    const les = parseExposition(await h.registry.metrics()).families.get(request.name)!.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le);
    expect(les).toEqual([...request.buckets.map(String), '+Inf']);
    expect(families.get(BACKEND_METRICS.dbPoolMax.name)?.type).toBe('gauge');
  });

  test('counters with a closed label set start at zero for every value', async () => {
    const { registry } = createContractMetrics({ defaultMetrics: false });
    const f = parseExposition(await registry.metrics()).families.get(BACKEND_METRICS.paymentCallbacks.name)!;
    expect(f.samples.map((s) => [s.labels.outcome, s.value])).toEqual(BACKEND_METRICS.paymentCallbacks.values.outcome.map((o) => [o, 0]));
  });

  test('a gauge whose sampler cannot answer exposes no series (not a stale one), and the scrape still works', async () => {
    let answer = true;
    const m = createContractMetrics({ defaultMetrics: false, samplers: { dbPool: () => (answer ? { total: 3, idle: 1, waiting: 0, max: 10 } : undefined) } });
    const pool = async () => parseExposition(await m.registry.metrics()).families.get(BACKEND_METRICS.dbPoolConnections.name)!.samples.length;
    expect(await pool()).toBe(3);
    answer = false;
    expect(await pool()).toBe(0);
  });
});

describe('instrumentFastify', () => {
  test('observes by route template, method and status; leaves out /metrics and excluded routes; unmatched URLs share one label', async () => {
    const { app, metrics, request } = await instrumentedBackend();
    for (const [method, p] of [['GET', '/api/users/7'], ['GET', '/api/users/8'], ['GET', '/api/broken'], ['PUT', '/__faults/errors'], ['GET', '/wp-login.php']]) await request(method, p);
    const res = await request('GET', METRICS_PATH);
    await app.close();
    expect(res.contentType).toBe(metrics.registry.contentType);
    const counts = parseExposition(res.body).families.get(BACKEND_METRICS.httpRequestDuration.name)!.samples.filter((s) => s.name.endsWith('_count'));
    expect(counts.map((s) => [s.labels.route, s.labels.method, s.labels.status_code, s.value]).sort()).toEqual([
      ['/api/broken', 'GET', '500', 1],
      ['/api/users/:id', 'GET', '200', 2],
      ['unmatched', 'GET', '404', 1],
    ]);
  });
});

describe('the BullMQ collector', () => {
  test('samples every queue and state at scrape time; each queue starts with zeroed counters', async () => {
    const text = await conformingText();
    const f = parseExposition(text).families;
    const depth = f.get(BACKEND_METRICS.queueJobs.name)!.samples;
    expect(depth).toHaveLength(2 * BACKEND_METRICS.queueJobs.values.state.length);
    expect(depth.find((s) => s.labels.queue === 'broadcast' && s.labels.state === 'waiting')?.value).toBe(2);
    expect(depth.find((s) => s.labels.queue === 'parsing' && s.labels.state === 'paused')?.value).toBe(0);
    expect(f.get(BACKEND_METRICS.queueJobsCompleted.name)!.samples.map((s) => [s.labels.queue, s.value]).sort()).toEqual([
      ['broadcast', 1],
      ['parsing', 0],
    ]);
    const duration = f.get(BACKEND_METRICS.queueJobDuration.name)!.samples.find((s) => s.name.endsWith('_sum'));
    expect(duration).toMatchObject({ labels: { queue: 'broadcast', outcome: 'completed' }, value: 2 });
    expect(f.get(BACKEND_METRICS.queueLastCompleted.name)!.samples.find((s) => s.labels.queue === 'broadcast')?.value).toBe(3);
  });

  test('a failed attempt that will be retried is not a failed job; the last attempt is', async () => {
    const { worker, metrics, app } = await instrumentedBackend();
    await app.close();
    worker.emit('failed', { attemptsMade: 1, opts: { attempts: 3 } });
    worker.emit('failed', { attemptsMade: 3, opts: { attempts: 3 }, processedOn: 0, finishedOn: 500 });
    const failed = parseExposition(await metrics.registry.metrics()).families.get(BACKEND_METRICS.queueJobsFailed.name)!.samples;
    expect(failed.find((s) => s.labels.queue === 'broadcast')?.value).toBe(1);
  });

  test('Redis not answering: the depth is left out of the scrape, the scrape does not hang', async () => {
    const m = createContractMetrics({ defaultMetrics: false });
    instrumentQueues(m, [fakeQueue('broadcast', 'hang')], { timeoutMs: 50 });
    const f = parseExposition(await m.registry.metrics()).families;
    expect(f.get(BACKEND_METRICS.queueJobs.name)!.samples).toEqual([]);
    expect(f.get(BACKEND_METRICS.queueJobsCompleted.name)!.samples).toHaveLength(1);
  });
});

describe('the package builds on its own', () => {
  test('to JavaScript and declarations with the repository TypeScript; the built contract loads without prom-client', () => {
    // Inside the repository (.scratch/ is git-ignored), so that the built modules resolve the peer
    // dependencies from its node_modules, as they would from a backend's.
    fs.mkdirSync(path.join(ROOT, '.scratch'), { recursive: true });
    const out = fs.mkdtempSync(path.join(ROOT, '.scratch', 'metrics-contract-build-'));
    try {
      const pkg = path.join(ROOT, 'packages', 'metrics-contract');
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(pkg, 'tsconfig.build.json'), '--outDir', out], { cwd: pkg, stdio: 'pipe' });
      const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
      // Every entry point the package.json exports exists, with its declarations.
      for (const [sub, target] of Object.entries<any>(manifest.exports)) {
        if (typeof target === 'string') continue;
        for (const file of [target.default, target.types]) expect([sub, fs.existsSync(path.join(out, path.basename(file)))]).toEqual([sub, true]);
      }
      const built = require(path.join(out, 'index.js'));
      expect(typeof built.createContractMetrics).toBe('function');
      expect(typeof built.instrumentFastify).toBe('function');
      expect(typeof built.checkExposition).toBe('function');
      expect(built.BACKEND_METRICS).toEqual(BACKEND_METRICS);
      expect(fs.readFileSync(path.join(out, 'contract.js'), 'utf8')).not.toMatch(/require\(/);
      // fastify and bullmq are types only: the built modules never load them.
      for (const f of ['fastify.js', 'bullmq.js']) expect(fs.readFileSync(path.join(out, f), 'utf8')).not.toMatch(/require\("(fastify|bullmq)"\)/);
      expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['bullmq', 'fastify', 'prom-client']);
      expect(manifest.dependencies).toBeUndefined();
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
