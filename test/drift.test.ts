/**
 * dist/ (and every other synthesized directory) is committed and must equal a fresh synthesis byte for
 * byte: a code or config change without `npm run synth` fails here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../charts/synth';
import { ROOT } from './util';

function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return files;
}

describe('committed outputs equal a fresh synthesis', () => {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
  let written: string[] = [];
  beforeAll(() => {
    written = synthesize({ root: fresh });
  });
  afterAll(() => fs.rmSync(fresh, { recursive: true, force: true }));

  test('synthesis writes dist/, dist-staging/ and argocd/', () => {
    expect(written).toEqual(['dist', 'dist-staging', 'argocd']);
  });

  test.each(['dist', 'dist-staging', 'argocd'])('%s/ has no drift (run `npm run synth` and commit)', (dir) => {
    const expected = tree(path.join(fresh, dir));
    const actual = tree(path.join(ROOT, dir));
    expect(expected.size).toBeGreaterThan(0);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) {
      // Compare per file so a failure names the file that drifted.
      expect({ file, content: actual.get(file) }).toEqual({ file, content });
    }
  });

  test('synthesis is deterministic', () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-again-'));
    try {
      synthesize({ root: again });
      for (const dir of written) expect(tree(path.join(again, dir))).toEqual(tree(path.join(fresh, dir)));
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });
});
