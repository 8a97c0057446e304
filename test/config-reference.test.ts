/**
 * config/schema.json (for editors) and docs/config.md (the reference) are generated from the schema
 * objects and the settings' TSDoc comments (scripts/config-reference.ts), committed, and must equal a
 * fresh generation. The JSON Schema agrees with the validator on the committed files and on bad input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { environments } from '../charts/load-config';
import { configReference, settingDocs, settingRows } from '../scripts/config-reference';
import { ROOT, merge, rawEnvironment } from './util';

const fresh = configReference();

describe('the configuration reference', () => {
  test.each(Object.keys(fresh))('%s has no drift (run `npm run synth` and commit)', (file) => {
    expect(fs.readFileSync(path.join(ROOT, file), 'utf8')).toBe(fresh[file]);
  });

  test('every setting has a description (a TSDoc comment beside it in its settings.ts)', () => {
    expect(settingRows().missing).toEqual([]);
  });

  test('descriptions are the comments of the settings, followed through builders and imports', () => {
    const docs = settingDocs();
    expect(docs.get('alertmanager.heartbeat.interval')?.text).toContain("heartbeat service's grace period");
    expect(docs.get('prometheus.storage.size')?.text).toContain('Size of the PersistentVolumeClaim'); // volume() in lib/settings.ts
    expect(docs.get('backend.resources.limits.memory')?.text).toContain('Memory ceiling'); // resources() in lib/settings.ts
    expect(docs.get('rules.runbookUrl')?.defaultText).toContain('derived from argocd.repoURL');
  });

  test('the reference lists every setting with its type and default', () => {
    const md = fresh['docs/config.md'];
    expect(md).toContain("| `prometheus.retention` | a duration such as '15s', '5m', '1h30m' or '30d' | `\"30d\"` |");
    expect(md).toContain('| `backend.image.repository` |');
    expect(md).toContain('**required**');
  });

  test('every environment file names the schema for the YAML language server', () => {
    for (const env of environments()) {
      expect({ env, first: fs.readFileSync(path.join(ROOT, 'config', `${env}.yaml`), 'utf8').split('\n')[0] }).toEqual({ env, first: '# yaml-language-server: $schema=./schema.json' });
    }
  });
});

describe('the JSON Schema agrees with the validator', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(fresh['config/schema.json']));

  test('every committed environment file is valid', () => {
    for (const env of environments()) {
      const ok = validate(rawEnvironment(env));
      expect({ env, errors: ok ? [] : validate.errors }).toEqual({ env, errors: [] });
    }
  });

  test.each([
    ['a misspelled key', { backend: { replcias: 3 } }, '/backend'],
    ['a floating tag', { backend: { image: { tag: 'latest' } } }, '/backend/image/tag'],
    ['a repository with a port and no path', { backend: { image: { repository: 'backend:100' } } }, '/backend/image/repository'],
    ['a fractional duration', { rules: { rateWindow: '1.5h' } }, '/rules/rateWindow'],
    ['units out of order', { prometheus: { retention: '30m1h' } }, '/prometheus/retention'],
    ['a storage size in GB', { loki: { storage: { size: '50GB' } } }, '/loki/storage/size'],
    ["a Secret key '..'", { alertmanager: { slack: { webhookUrlKey: '..' } } }, '/alertmanager/slack/webhookUrlKey'],
    ['a word where a number goes', { backend: { replicas: 'two' } }, '/backend/replicas'],
    ['an unknown shipper', { logs: { shipper: 'fluentd' } }, '/logs/shipper'],
    ['a missing backend image', { backend: { image: null } }, '/backend'],
  ])('%s is flagged in the editor too', (_, set, where) => {
    const input = JSON.parse(JSON.stringify(merge(rawEnvironment('production'), set), (_k, v) => (v === null ? undefined : v)));
    expect(validate(input)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain(where);
  });

  test('compound durations and pinned digests are accepted', () => {
    const input = merge(rawEnvironment('production'), { backend: { image: { tag: `1.0.0@sha256:${'0'.repeat(64)}` } }, prometheus: { retention: '30d12h' } });
    expect(validate(YAML.parse(YAML.stringify(input)))).toBe(true);
  });
});
