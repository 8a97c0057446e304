/**
 * Secret files cannot be committed by accident: every file name README.md, RUNBOOK.md and docs/
 * tell people to create and fill with a credential is ignored by .gitignore, and the files the
 * repository needs (templates without values, the Go tools' build flags) are not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../util';
import { ignoredBy } from './git';

/** The documents a new user follows. */
function documents(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return ['README.md', 'RUNBOOK.md', ...docs];
}

/**
 * Files a document tells people to fill with secrets: the files of `kubectl create secret
 * --from-env-file=<file>` and `--from-file=[key=]<file>`, and every `secrets/...` path.
 */
export function secretFileNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/--from-env-file[= ]([^\s`'"\\)]+)/g)) names.add(m[1]);
  for (const m of text.matchAll(/--from-file[= ](?:[A-Za-z0-9._-]+=)?([^\s`'"\\)]+)/g)) names.add(m[1]);
  for (const m of text.matchAll(/(?<![\w/.-])((?:\.\/)?secrets\/[A-Za-z0-9._<>/-]*[A-Za-z0-9_>-])/g)) names.add(m[1]);
  // `<env>` in a documented path stands for an environment name; `...` is an elision, not a file.
  return [...names].filter((n) => !/^\.+$/.test(n)).map((n) => n.replace(/^\.\//, '').replace(/<[^>]+>/g, 'production'));
}

describe('.gitignore covers the secret files the docs name', () => {
  const found = documents().flatMap((doc) => secretFileNames(fs.readFileSync(path.join(ROOT, doc), 'utf8')).map((name) => ({ doc, name })));

  test('the docs name secret files (the scan finds them, so the next test is not vacuous)', () => {
    const names = new Set(found.map((f) => f.name));
    // README's own examples: the receivers' env file and the templates' directory.
    expect([...names].some((n) => /alertmanager\.env$/.test(n))).toBe(true);
    expect(names.size).toBeGreaterThanOrEqual(3);
  });

  test('every one of them is ignored', () => {
    const ignored = ignoredBy(found.map((f) => f.name));
    const notIgnored = found.filter((f) => !ignored.get(f.name));
    expect(notIgnored).toEqual([]);
  });

  test('the usual names of .env files are ignored wherever they are', () => {
    const names = ['.env', '.env.production', 'alertmanager.env', 'backend/.env', 'config/staging.env', 'grafana-admin.env.local', 'secrets/production/smtp-password'];
    const ignored = ignoredBy(names);
    expect(names.filter((n) => !ignored.get(n))).toEqual([]);
  });

  test('what the repository needs is not ignored: value-free templates and the tools\' build flags', () => {
    const names = ['.env.example', 'alertmanager.env.example', 'tools/prometheus/build.env', 'tools/a-new-tool/build.env', 'config/production.yaml'];
    const ignored = ignoredBy(names);
    expect(names.filter((n) => ignored.get(n))).toEqual([]);
  });

  test('the scan itself: it reads each form of the documented commands', () => {
    const text = [
      'kubectl create secret generic a --from-env-file=secrets/production/alertmanager.env',
      'kubectl create secret generic b --from-file=admin-password=./grafana-admin-password',
      'kubectl create secret generic c --from-file ./dsn',
      'cp secrets/<env>/backend.env.example secrets/<env>/backend.env',
    ].join('\n');
    expect(secretFileNames(text).sort()).toEqual(
      ['dsn', 'grafana-admin-password', 'secrets/production/alertmanager.env', 'secrets/production/backend.env', 'secrets/production/backend.env.example'].sort(),
    );
  });
});
