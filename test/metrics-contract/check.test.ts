/**
 * The conformance check (`npm run check-backend`): on what the package serves it reports nothing;
 * on a saved text with one kind of mismatch it reports exactly that one, with its fix; the command
 * exits 0, 1 or 2 for CI, against a live /metrics URL and against a file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requiredBucketBounds } from '../../charts/backend/settings';
import { BACKEND_METRICS as M } from '../../charts/contracts/backend-metrics';
import { checkExposition, parseExposition } from '../../packages/metrics-contract/src/index';
import { checkBackend } from '../../scripts/check-backend';
import { testConfig } from '../util';
import { METRICS_PATH, conformingText, instrumentedBackend } from './fixture';

const bounds = requiredBucketBounds(testConfig().backend);
const check = (text: string) => checkExposition(text, { requiredBounds: bounds });

/** Lines of a text without the family `name` (its HELP, TYPE and samples). */
const withoutFamily = (text: string, name: string) =>
  text
    .split('\n')
    .filter((l) => !new RegExp(`^(# (HELP|TYPE) )?${name}(_bucket|_sum|_count)?[ {]`).test(l))
    .join('\n');

describe('checkExposition', () => {
  let good: string;
  beforeAll(async () => {
    good = await conformingText();
  });

  test('what the package serves agrees with the contract: no problem', () => {
    const r = check(good);
    expect(r.problems).toEqual([]);
    expect(r.checked).toBe(Object.keys(M).length);
  });

  // Each saved text breaks the contract in one way; the check reports exactly that, with a fix.
  const mismatches: [string, (t: string) => string, { kind: string; metric: string; message: RegExp; fix: RegExp }][] = [
    ['a metric missing', (t) => withoutFamily(t, M.redisConnections.name), { kind: 'missing', metric: M.redisConnections.name, message: /not exposed/, fix: /Gauge 'love_parser_redis_connections' with labels \[client\]/ }],
    ['a counter registered as a gauge', (t) => t.replace(`# TYPE ${M.payments.name} counter`, `# TYPE ${M.payments.name} gauge`), { kind: 'type', metric: M.payments.name, message: /served as a gauge, the contract says counter/, fix: /Counter/ }],
    [
      'a label missing',
      (t) => t.replace(new RegExp(`^${M.queueJobsCompleted.name}\\{queue="([a-z]+)"\\}`, 'gm'), M.queueJobsCompleted.name),
      { kind: 'label-missing', metric: M.queueJobsCompleted.name, message: /lacks label queue/, fix: /set queue on every observation/ },
    ],
    [
      'an extra label',
      (t) => t.replace(new RegExp(`^${M.dbPoolConnections.name}\\{`, 'gm'), `${M.dbPoolConnections.name}{pool_name="main",`),
      { kind: 'label-extra', metric: M.dbPoolConnections.name, message: /has label pool_name/, fix: /drop pool_name/ },
    ],
    ['a label value outside the closed set', (t) => t.replace(`${M.payments.name}{outcome="failed"}`, `${M.payments.name}{outcome="error"}`), { kind: 'label-value', metric: M.payments.name, message: /'error', outside the contract's succeeded, failed/, fix: /outcome="failed"/ }],
    [
      'no bucket at an alert threshold',
      (t) => t.split('\n').filter((l) => !(l.startsWith(`${M.httpRequestDuration.name}_bucket{le="2.5"`))).join('\n'),
      { kind: 'buckets', metric: M.httpRequestDuration.name, message: /no bound at the alert threshold 2\.5/, fix: /add 2\.5 to the buckets/ },
    ],
    [
      'milliseconds instead of seconds',
      (t) =>
        t
          .replaceAll(M.httpRequestDuration.name, 'http_request_duration_milliseconds')
          .replace(/le="([0-9.]+)"/g, (_m, le: string) => `le="${Number(le) * 1000}"`),
      { kind: 'unit', metric: M.httpRequestDuration.name, message: /served as http_request_duration_milliseconds, in milliseconds; the contract says seconds/, fix: /divide every value by 1000.*change the code/ },
    ],
    ['a counter without _total', (t) => t.replaceAll(M.payments.name, 'love_parser_payments'), { kind: 'unit', metric: M.payments.name, message: /without the _total suffix/, fix: /name the counter 'love_parser_payments_total'/ }],
    ['a line that is not exposition text', (t) => `${t}\nthis is not a metric line\n`, { kind: 'format', metric: expect.stringMatching(/^line \d+/) as unknown as string, message: /no value|not a number|not a sample/, fix: /text format/ }],
  ];

  test.each(mismatches)('%s: reported, and nothing else', (_what, mutate, want) => {
    const text = mutate(good);
    expect(text).not.toBe(good);
    expect(check(text).problems).toEqual([{ kind: want.kind, metric: want.metric, message: expect.stringMatching(want.message), fix: expect.stringMatching(want.fix) }]);
  });

  test('several mismatches at once are all reported', () => {
    const text = withoutFamily(good, M.redisConnections.name).replace(`# TYPE ${M.payments.name} counter`, `# TYPE ${M.payments.name} gauge`);
    expect(check(text).problems.map((p) => p.kind)).toEqual(['type', 'missing']);
  });

  test('accepted: OpenMetrics counter families, other bucket layouts that answer the thresholds, families without series yet (as notes)', async () => {
    const om = good.replace(`# TYPE ${M.payments.name} counter`, `# TYPE love_parser_payments counter`).replace(`# HELP ${M.payments.name}`, '# HELP love_parser_payments');
    expect(check(om).problems).toEqual([]);
    const fewer = good.split('\n').filter((l) => !l.startsWith(`${M.httpRequestDuration.name}_bucket{le="0.005"`)).join('\n');
    const r = check(fewer);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([expect.stringContaining("differ from the contract's")]);
    // A fresh backend: no request and no job yet; declared families are notes, not problems.
    const { app, request } = await instrumentedBackend();
    const fresh = (await request('GET', METRICS_PATH)).body;
    await app.close();
    const f = check(fresh);
    expect(f.problems).toEqual([]);
    expect(f.notes).toEqual(expect.arrayContaining([expect.stringContaining(`${M.queueJobDuration.name}: declared, but has no series yet (expected until ${M.queueJobDuration.absentUntil})`)]));
  });
});

describe('parseExposition', () => {
  test('label values with escapes, timestamps, special values; histogram series join their family', () => {
    const { families, errors } = parseExposition(
      [
        '# HELP x_seconds A help with \\\\ and \\n.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{route="/a\\"b",le="+Inf"} 3 1700000000000',
        'x_seconds_sum{route="/a\\"b"} NaN',
        'x_seconds_count{route="/a\\"b"} 3',
        'y{a="1",b="x,y}"} -Inf',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(families.get('x_seconds')).toMatchObject({ type: 'histogram', help: 'A help with \\ and \n.' });
    expect(families.get('x_seconds')!.samples.map((s) => [s.name, s.labels.route])).toEqual([
      ['x_seconds_bucket', '/a"b'],
      ['x_seconds_sum', '/a"b'],
      ['x_seconds_count', '/a"b'],
    ]);
    expect(families.get('y')!.samples[0]).toEqual({ name: 'y', labels: { a: '1', b: 'x,y}' }, value: -Infinity });
  });

  test('malformed lines are errors with their line number', () => {
    expect(parseExposition('ok 1\nbad{a=1} 2\nnovalue{a="1"}\n# TYPE z gauge\n# TYPE z counter').errors).toEqual([
      expect.stringMatching(/^line 2: label a has no ="value"/),
      expect.stringMatching(/^line 3: no value/),
      'line 5: a second TYPE line for z',
    ]);
  });
});

describe('npm run check-backend', () => {
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const code = await checkBackend(argv, (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  };

  test('--url of a live backend serving the package: exit 0', async () => {
    const { app, url, request } = await instrumentedBackend();
    try {
      await request('GET', '/api/users/1');
      const r = await run(['--url', `${url}${METRICS_PATH}`]);
      expect(r.out).toContain(`agrees with the metrics contract`);
      expect(r.code).toBe(0);
    } finally {
      await app.close();
    }
  });

  test('--file of a saved text: exit 0 when it agrees, 1 with each problem and its fix when not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-backend-'));
    try {
      const good = await conformingText();
      fs.writeFileSync(path.join(dir, 'good.txt'), good);
      fs.writeFileSync(path.join(dir, 'drifted.txt'), withoutFamily(good, M.dbPoolMax.name));
      expect((await run(['--file', path.join(dir, 'good.txt')])).code).toBe(0);
      const bad = await run(['--file', path.join(dir, 'drifted.txt'), '--env', 'staging']);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(new RegExp(`missing +${M.dbPoolMax.name}: not exposed\\n +fix: register a prom-client Gauge`));
      expect(bad.out).toContain('has 1 problem against the metrics contract');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('exit 2 when it cannot check: a wrong command line, an unreachable URL, an unknown environment', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--url', 'http://127.0.0.1:9/metrics', '--file', 'x'])).out).toContain('exactly one of --url and --file');
    expect((await run(['--url', 'http://127.0.0.1:9/metrics'])).code).toBe(2);
    expect((await run(['--file', '/nonexistent/metrics.txt'])).code).toBe(2);
    expect((await run(['--file', 'x', '--env', 'prod'])).out).toContain("'prod' has no file config/prod.yaml");
  });
});
