import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../charts/config';
import { environments, loadConfig, parseEnvironment } from '../charts/load-config';
import { ConfigError } from '../charts/lib/schema';
import { synthesize } from '../charts/synth';
import { issuesOf, merge, rawEnvironment, testConfig } from './util';

describe('defaults reproduce the original stack', () => {
  const c = testConfig();
  test('15s scrape and evaluation, 30 days of retention on a prometheus-data volume', () => {
    expect(c.prometheus.scrapeInterval).toBe('15s');
    expect(c.prometheus.evaluationInterval).toBe('15s');
    expect(c.prometheus.retention).toBe('30d');
  });
  test('slack to #ops-love-parser, email for critical alerts, sms and pagerduty optional', () => {
    const plain = parseConfig(merge(rawEnvironment(), { alertmanager: { sms: { enabled: false }, pagerduty: { enabled: false } } }));
    expect(plain.alertmanager.slack).toMatchObject({ enabled: true, channel: '#ops-love-parser' });
    expect(plain.alertmanager.email.enabled).toBe(true);
    expect(parseConfig(merge(rawEnvironment(), {})).alertmanager.sms.enabled).toBe(true); // production turns it on
  });
  test('the namespaces and the backend defaults', () => {
    expect(c.namespaces).toEqual({ monitoring: 'monitoring', agents: 'monitoring-agents', backend: 'love-parser' });
    expect(c.backend.replicas).toBe(2);
    expect(c.loki.retention).toBe('30d');
  });
  test('every environment file in config/ is valid, and production and staging exist', () => {
    expect(environments()).toEqual(expect.arrayContaining(['production', 'staging']));
    for (const env of environments()) expect(loadConfig(env).environment).toBe(env);
  });
});

describe('bad input is reported all at once, naming the field, the value and the fix', () => {
  const bad = {
    backend: {
      replicas: 'two', // wrong type
      replcias: 3, // unknown key (a typo)
      image: { repository: 'ghcr.io/love-parser/backend', tag: 'latest' }, // floating tag
    },
    namespaces: { monitoring: 'Monitoring_NS' }, // invalid name
    prometheus: { storage: { size: '50GB' } }, // invalid size
    alertmanager: { slack: { channel: 'ops-love-parser' } },
  };
  const issues = issuesOf(bad);
  const byPath = (p: string) => issues.find((i) => i.path === p);

  test('reports every problem in one error', () => {
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'alertmanager.slack.channel',
        'backend.image.tag',
        'backend.replcias',
        'backend.replicas',
        'namespaces.monitoring',
        'prometheus.storage.size',
      ].sort(),
    );
  });
  test('a wrong type names the value and what is expected', () => {
    expect(byPath('backend.replicas')).toMatchObject({ message: "expected a whole number from 1 to 50, got 'two'" });
  });
  test('an unknown key suggests the known one', () => {
    expect(byPath('backend.replcias')?.fix).toBe("did you mean 'backend.replicas'?");
  });
  test('an invalid name, size, tag and channel each say what to write', () => {
    expect(byPath('namespaces.monitoring')?.message).toContain("got 'Monitoring_NS'");
    expect(byPath('namespaces.monitoring')?.fix).toContain('DNS label');
    expect(byPath('prometheus.storage.size')?.fix).toContain("'50Gi'");
    expect(byPath('backend.image.tag')?.fix).toContain("not 'latest'");
    expect(byPath('alertmanager.slack.channel')?.fix).toContain("starting with '#'");
  });
  test('the error message lists them one per line with the fix', () => {
    expect(() => testConfig(bad)).toThrow(/^configuration has 6 problems; nothing was written:\n/);
    expect(() => testConfig(bad)).toThrow("\n  - backend.replcias: is not a known setting; fix: did you mean 'backend.replicas'?");
  });

  test('a missing required value', () => {
    const raw = rawEnvironment();
    delete (raw.backend as any).image.tag;
    try {
      parseEnvironment('production', raw);
      throw new Error('no error');
    } catch (e) {
      expect((e as ConfigError).issues).toEqual([
        { path: 'backend.image.tag', message: 'is required and missing', fix: expect.stringContaining("a released image tag such as '1.4.2'") },
      ]);
    }
  });

  test.each([
    [{ backend: { replicas: 2, minAvailable: 2 } }, 'backend.minAvailable', 'set backend.minAvailable below 2'],
    [{ backend: { alerts: { latencyP95Seconds: 3, latencyP99Seconds: 2 } } }, 'backend.alerts.latencyP95Seconds', 'below the p99'],
    // histogram_quantile only answers exactly at a bucket bound of the contract's request histogram.
    [{ backend: { alerts: { latencyP95Seconds: 0.8 } } }, 'backend.alerts.latencyP95Seconds', 'use one of the bounds, or add 0.8 to the buckets of the metrics contract'],
    [{ backend: { alerts: { latencyP99Seconds: 3 } } }, 'backend.alerts.latencyP99Seconds', 'add 3 to the buckets'],
    [{ namespaces: { agents: 'monitoring' } }, 'namespaces', 'own namespace'],
    [{ alertmanager: { slack: { enabled: false }, email: { enabled: false } } }, 'alertmanager', 'enable alertmanager.slack'],
    [{ loki: { ingestionRateMb: 10, ingestionBurstMb: 5 } }, 'loki.ingestionBurstMb', 'at least the rate'],
    [{ prometheus: { resources: { requests: { memory: '8Gi' } } } }, 'prometheus.resources.requests.memory', 'at or below limits'],
    [{ prometheus: { scrapeInterval: '30s', evaluationInterval: '15s' } }, 'prometheus.evaluationInterval', 'at least the scrape interval'],
  ])('contradicting settings %#: %j', (overrides, path, fix) => {
    const found = issuesOf(overrides).find((i) => i.path === path);
    expect(found?.fix).toContain(fix);
  });

  test('email enabled without its server names each missing field', () => {
    const raw = rawEnvironment();
    delete (raw.alertmanager as any).email;
    const paths = (() => {
      try {
        parseEnvironment('production', raw);
      } catch (e) {
        return (e as ConfigError).issues.map((i) => i.path);
      }
      return [];
    })();
    expect(paths).toEqual(['alertmanager.email.to', 'alertmanager.email.from', 'alertmanager.email.smarthost', 'alertmanager.email.username']);
  });

  test('an environment without a file lists the known ones', () => {
    expect(() => loadConfig('prod')).toThrow(/'prod' has no file config\/prod.yaml; fix: use one of 'production', 'staging'/);
  });

  test('a file that sets a different environment name is refused', () => {
    expect(() => parseEnvironment('staging', { ...rawEnvironment('staging'), environment: 'production' })).toThrow(/the file name sets it/);
  });
});

describe('nothing is written when the configuration is bad', () => {
  test('synthesis leaves existing outputs untouched and reports problems of every environment', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bad-'));
    const configDir = path.join(root, 'config');
    fs.mkdirSync(configDir);
    fs.copyFileSync(path.join(__dirname, '..', 'config', 'production.yaml'), path.join(configDir, 'production.yaml'));
    fs.writeFileSync(path.join(configDir, 'staging.yaml'), 'backend:\n  replicas: 0\n');
    fs.mkdirSync(path.join(root, 'dist'));
    fs.writeFileSync(path.join(root, 'dist', 'marker.yaml'), 'kept: true\n');
    try {
      let error: unknown;
      try {
        synthesize({ root, configDir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const paths = (error as ConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['[staging] backend.replicas', '[staging] backend.image', '[staging] argocd.repoURL']));
      expect(fs.readdirSync(root).sort()).toEqual(['config', 'dist']);
      expect(fs.readdirSync(path.join(root, 'dist'))).toEqual(['marker.yaml']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
