/**
 * `npm run secrets-template` writes, per environment, the exact `.env`-style templates of the
 * Secrets its workloads read: held here against the synthesized manifests, parsed by the rules
 * `kubectl create secret --from-env-file` applies, and run as a command.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { environments } from '../../charts/load-config';
import { envTemplate, pullSecretCommand, pullSecretsOf, registryOf, secretsOf } from '../../scripts/secrets';
import { ROOT, synthStack, testConfig, workloads } from '../util';
import { ignoredBy } from './git';

/** Keys of an env file, by kubectl's rules (k8s.io/kubectl pkg/cmd/util/env_file.go): `#` lines and blank lines skipped, key before the first '='. */
function envFileKeys(text: string): string[] {
  const keys: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    // validation.IsEnvVarName: kubectl refuses any other key.
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) throw new Error(`kubectl would refuse the key '${key}'`);
    if (eq < 0) throw new Error(`'${line}' has no '=': kubectl would read it from its own environment`);
    keys.push(key);
  }
  return keys;
}

/** Secret name -> the keys the workloads of the manifests read ('*' for envFrom: every key). */
function referencedSecrets(manifests: any[]): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const add = (ns: string, name: string, key: string) => {
    const id = `${ns}/${name}`;
    if (!refs.has(id)) refs.set(id, new Set());
    refs.get(id)!.add(key);
  };
  for (const w of workloads(manifests)) {
    const ns = w.metadata.namespace;
    const spec = w.spec.template.spec;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) add(ns, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      for (const e of c.envFrom ?? []) if (e.secretRef) add(ns, e.secretRef.name, '*');
    }
    for (const v of spec.volumes ?? []) {
      const secrets = [v.secret ? { name: v.secret.secretName, items: v.secret.items } : undefined, ...(v.projected?.sources ?? []).map((s: any) => s.secret)].filter(Boolean);
      for (const s of secrets) {
        if (!s.items) throw new Error(`${w.metadata.name}: secret volume ${s.name ?? s.secretName} mounts every key; list them so the template can`);
        for (const i of s.items) add(ns, s.name ?? s.secretName, i.key);
      }
    }
  }
  return refs;
}

describe.each(environments())('secrets of %s', (env) => {
  const config = testConfig({}, env);
  const needs = secretsOf(config);

  test('the templates name exactly the Secrets and keys the workloads read', () => {
    const refs = referencedSecrets(synthStack(config).all);
    const fromTemplates = new Map(needs.map((s) => [`${s.namespace}/${s.name}`, new Set(s.open ? ['*'] : s.keys.map((k) => k.key))]));
    expect(fromTemplates).toEqual(refs);
  });

  test.each(needs.map((s) => [s.file, s] as const))('%s.env.example is read by kubectl as exactly its required keys; filled in, as all of them', (_f, s) => {
    const text = envTemplate(s, env);
    expect(envFileKeys(text)).toEqual(s.keys.filter((k) => !k.optional).map((k) => k.key));
    // What a user does: fill every value and uncomment the optional lines.
    const filled = text.replace(/^# ([-._a-zA-Z][-._a-zA-Z0-9]*)=$/gm, '$1=').replace(/^([-._a-zA-Z][-._a-zA-Z0-9]*)=$/gm, '$1=some value');
    expect(envFileKeys(filled)).toEqual(s.keys.map((k) => k.key));
    expect(text).toContain(`kubectl -n ${s.namespace} create secret generic ${s.name} --from-env-file=secrets/${env}/${s.file}.env`);
  });
});

describe('receivers decide the alertmanager template', () => {
  const keysOf = (env: string, overrides: Record<string, unknown> = {}) => secretsOf(testConfig(overrides, env)).find((s) => s.file === 'alertmanager')!.keys.map((k) => k.key);

  test('production enables SMS, PagerDuty and the heartbeat, so its template has their keys (Alertmanager does not start without them)', () => {
    expect(keysOf('production')).toEqual(['slack-webhook-url', 'smtp-password', 'pagerduty-routing-key', 'sms-webhook-url', 'sms-webhook-token', 'heartbeat-url']);
  });

  test('staging has Slack only; a heartbeat adds its URL', () => {
    expect(keysOf('staging')).toEqual(['slack-webhook-url']);
    expect(keysOf('staging', { alertmanager: { heartbeat: { enabled: true } } })).toEqual(['slack-webhook-url', 'heartbeat-url']);
  });
});

describe('npm run secrets-template', () => {
  test('writes one template per Secret into --out, never touching a filled-in .env there', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-template-'));
    try {
      fs.writeFileSync(path.join(dir, 'alertmanager.env'), 'slack-webhook-url=keep me\n');
      const out = execFileSync('npx', ['ts-node', '--transpile-only', 'scripts/secrets-template.ts', '--env', 'staging', '--out', dir], { cwd: ROOT, encoding: 'utf8' });
      const written = fs.readdirSync(dir).sort();
      expect(written).toEqual(['alertmanager.env', ...secretsOf(testConfig({}, 'staging')).map((s) => `${s.file}.env.example`)].sort());
      expect(fs.readFileSync(path.join(dir, 'alertmanager.env'), 'utf8')).toBe('slack-webhook-url=keep me\n');
      expect(envFileKeys(fs.readFileSync(path.join(dir, 'alertmanager.env.example'), 'utf8'))).toEqual(['slack-webhook-url']);
      expect(out).toContain('alertmanager.env.example: Secret alertmanager-receivers in monitoring');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown environment is refused with the known ones, and nothing is written', () => {
    const dir = path.join(os.tmpdir(), `secrets-template-none-${process.pid}`);
    let err: any;
    try {
      execFileSync('npx', ['ts-node', '--transpile-only', 'scripts/secrets-template.ts', '--env', 'prod', '--out', dir], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      err = e;
    }
    expect(err?.status).toBe(1);
    expect(err.stderr).toContain("'prod' has no file config/prod.yaml");
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('the default directory and the files you fill in are git-ignored', () => {
    const names = secretsOf(testConfig()).flatMap((s) => [`secrets/production/${s.file}.env.example`, `secrets/production/${s.file}.env`]);
    const ignored = ignoredBy(names);
    expect(names.filter((n) => !ignored.get(n))).toEqual([]);
  });

  test("README's Secrets table lists every Secret production needs, and uses the command", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const s of secretsOf(testConfig())) expect({ secret: s.name, listed: readme.includes(`| \`${s.name}\` (\`${s.namespace}\`)`) }).toEqual({ secret: s.name, listed: true });
    expect(readme).toContain('npm run secrets-template -- --env production');
  });
});

describe('image pull Secrets (backend.imagePullSecrets)', () => {
  test('the command names every pull Secret the backend pod references, with its registry', () => {
    const config = testConfig({ backend: { imagePullSecrets: ['ghcr-pull'] } });
    const pod = synthStack(config).all.find((m) => m.kind === 'Deployment' && m.metadata.name === 'backend').spec.template.spec;
    expect(pullSecretsOf(config).map((p) => ({ name: p.name }))).toEqual(pod.imagePullSecrets);
    expect(pullSecretsOf(config)).toEqual([{ name: 'ghcr-pull', namespace: 'love-parser', server: 'ghcr.io' }]);
    expect(pullSecretCommand(pullSecretsOf(config)[0])).toBe(
      'kubectl -n love-parser create secret docker-registry ghcr-pull --docker-server=ghcr.io --docker-username=<user> --docker-password="$(cat secrets/<env>/ghcr-pull.token)"',
    );
    expect(pullSecretsOf(testConfig())).toEqual([]);
  });

  test('the registry is the host the repository names, Docker Hub otherwise', () => {
    expect(registryOf('ghcr.io/love-parser/backend')).toBe('ghcr.io');
    expect(registryOf('registry.example.org:5000/backend')).toBe('registry.example.org:5000');
    expect(registryOf('loveparser/backend')).toBe('https://index.docker.io/v1/');
  });

  test('the token file it reads is git-ignored', () => {
    expect(ignoredBy(['secrets/production/ghcr-pull.token']).get('secrets/production/ghcr-pull.token')).toBe(true);
  });
});
