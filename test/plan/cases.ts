/**
 * The fixtures of `npm run plan` (test/plan/fixtures/<case>/before.yaml, after.yaml): one case per
 * change the API server refuses in place (or ignores), and `in-place`, what apply does by itself.
 * The jest tests hold the plan of each; scripts/checks/86-plan applies them to a real API server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Manifest } from '../../scripts/plan/diff';
import { parseManifests } from '../../scripts/plan/read';

export const FIXTURES = path.join(__dirname, 'fixtures');

export interface Case {
  readonly name: string;
  readonly before: Manifest[];
  readonly after: Manifest[];
  readonly afterFile: string;
}

export function loadCase(name: string): Case {
  const read = (f: string) => parseManifests(fs.readFileSync(path.join(FIXTURES, name, f), 'utf8'), `${name}/${f}`);
  return { name, before: read('before.yaml'), after: read('after.yaml'), afterFile: path.join(FIXTURES, name, 'after.yaml') };
}

export function caseNames(): string[] {
  return fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory()).sort();
}
