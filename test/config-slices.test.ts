/**
 * Each component owns its slice of the configuration (charts/<component>/settings.ts); settings that
 * moved there are refused under their old keys with the new key as the fix; and every problem a
 * user's input can cause at synthesis (config, cross-checks, runbook links, custom dashboards) comes
 * back as one report of field, value and fix, before anything is written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MOVED_SETTINGS, stackSchema } from '../charts/config';
import { ConfigError, show } from '../charts/lib/schema';
import { synthesize } from '../charts/synth';
import { ROOT, issuesOf, merge, rawEnvironment, testConfig } from './util';

/** `{a: {b: v}}` for the path `a.b`. */
function nested(dotted: string, value: unknown): Record<string, unknown> {
  return dotted
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** A value the new key accepts (the default, or an example where there is none), so the moved key is refused for moving alone. */
function defaultAt(dotted: string): unknown {
  const examples: Record<string, unknown> = { 'rules.runbookUrl': 'https://wiki.example.org/RUNBOOK.md' };
  return examples[dotted] ?? dotted.split('.').reduce<any>((o, k) => o?.[k], testConfig());
}

describe('moved settings', () => {
  test.each(Object.entries(MOVED_SETTINGS))('%s is refused with %s as the fix', (old, now) => {
    const value = defaultAt(now);
    expect(value).toBeDefined();
    const issues = issuesOf(nested(old, value));
    expect(issues).toEqual([{ path: old, message: `has moved to ${now} (got ${show(value)})`, fix: `write it as ${now}` }]);
    // The new key takes the same value.
    expect(() => testConfig(nested(now, value))).not.toThrow();
  });

  test('every moved key names a setting that exists', () => {
    const known = (dotted: string): boolean => {
      const parts = dotted.split('.');
      let shape: any = stackSchema;
      for (const p of parts) {
        shape = shape?.shape?.[p];
        if (shape === undefined) return false;
        shape = shape.schema ?? shape;
      }
      return true;
    };
    for (const now of Object.values(MOVED_SETTINGS)) expect({ now, known: known(now) }).toEqual({ now, known: true });
  });

  test('an old section with a setting that never existed is refused too, pointing to the new sections', () => {
    const issues = issuesOf({ alerts: { errorRatio: 0.05, bogus: 1 }, exporters: { redis: { port: 6380 } } });
    expect(issues.map((i) => i.path)).toEqual(['alerts.errorRatio', 'alerts.bogus', 'exporters.redis.port']);
    expect(issues[1].fix).toContain('backend.alerts');
    expect(issues[2].fix).toContain('redisExporter');
  });

  test('several moved keys are all reported at once, with other problems', () => {
    const issues = issuesOf({ alerts: { rateWindow: '5m', redisMemoryRatio: 0.9 }, grafana: { slowQuerySeconds: 1 }, backend: { replicas: 0 } });
    expect(issues.map((i) => i.path)).toEqual(['alerts.rateWindow', 'alerts.redisMemoryRatio', 'grafana.slowQuerySeconds', 'backend.replicas']);
  });
});

describe('each component owns its slice', () => {
  test('the top-level sections are the shared ones and one per component folder', () => {
    const sections = Object.keys(testConfig());
    expect(sections.sort()).toEqual(
      [
        'alertmanager', 'argocd', 'backend', 'blackboxExporter', 'cluster', 'environment', 'grafana', 'kubeStateMetrics', 'kubelet', 'logs', 'loki',
        'namespaces', 'network', 'nodeExporter', 'overrides', 'postgresExporter', 'priorityClasses', 'prometheus', 'redisExporter', 'rules', 'thanos',
      ].sort(),
    );
    expect(stackSchema.expects).toBe('a map');
  });

  test('thresholds sit next to the alerts that use them', () => {
    const c = testConfig();
    expect(c.backend.alerts.errorRatio).toBe(0.05);
    expect(c.postgresExporter.alerts.connectionsRatio).toBe(0.8);
    expect(c.redisExporter.alerts.memoryRatio).toBe(0.9);
    expect(c.nodeExporter.alerts.diskFreeRatio).toBe(0.1);
    expect(c.alertmanager.alerts.notificationFailureRatio).toBe(0.01);
    expect(c.postgresExporter.slowQuerySeconds).toBe(0.5);
  });

  test("a slice's own checks report paths under its section", () => {
    const issues = issuesOf({ nodeExporter: { alerts: { diskFreeRatio: 0.05, diskFreeCriticalRatio: 0.1 } }, loki: { ingestionRateMb: 4, ingestionBurstMb: 2, perStreamRateMb: 2 } });
    expect(issues.map((i) => i.path).sort()).toEqual(['loki.ingestionBurstMb', 'nodeExporter.alerts.diskFreeCriticalRatio']);
  });
});

describe('one error channel', () => {
  test('a repository URL on a host the runbook links cannot be derived from is a config problem, with the fix', () => {
    const issues = issuesOf({ argocd: { repoURL: 'ssh://git.example.org' } });
    expect(issues).toEqual([
      expect.objectContaining({ path: 'argocd.repoURL', message: expect.stringContaining("'ssh://git.example.org'"), fix: expect.stringContaining('rules.runbookUrl') }),
    ]);
    // Setting the runbook location explicitly resolves it.
    expect(() => testConfig({ argocd: { repoURL: 'ssh://git.example.org' }, rules: { runbookUrl: 'https://wiki.example.org/RUNBOOK.md' } })).not.toThrow();
  });

  test('config problems, cross-field problems and custom dashboard problems arrive in one report; nothing is written', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-channel-'));
    const configDir = path.join(root, 'config');
    const dashboardsDir = path.join(root, 'dashboards', 'custom');
    fs.mkdirSync(configDir);
    fs.mkdirSync(dashboardsDir, { recursive: true });
    const production = merge(rawEnvironment(), { argocd: { repoURL: 'ssh://git.example.org' }, backend: { minAvailable: 2 } });
    fs.writeFileSync(path.join(configDir, 'production.yaml'), JSON.stringify(production));
    fs.writeFileSync(path.join(dashboardsDir, 'broken.json'), '{ "title": ');
    try {
      let error: unknown;
      try {
        synthesize({ root, configDir, dashboardsDir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.path)).toEqual(['backend.minAvailable', 'argocd.repoURL', 'dashboards/custom/broken.json']);
      expect(fs.readdirSync(root).sort()).toEqual(['config', 'dashboards']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a wrong command line is one line and exit status 2, not a stack trace', () => {
    const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'main.ts', '--frobnicate'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("unknown argument '--frobnicate'; usage: npm run synth [-- --env <name> ...] [--root <dir>] [--config <dir>]");
  });
});
