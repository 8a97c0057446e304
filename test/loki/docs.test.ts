/** docs/logs.md stays true to the code: its LogQL parses, and its label table is the label set. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STREAM_LABELS } from '../../charts/contracts/logs';
import { parseLogQL } from '../../charts/loki/logql';
import { ROOT } from '../util';

const doc = fs.readFileSync(path.join(ROOT, 'docs', 'logs.md'), 'utf8');
const queries = [...doc.matchAll(/```logql\n([\s\S]*?)```/g)].map((m) => m[1].trim());

describe('docs/logs.md', () => {
  test('has LogQL examples', () => {
    expect(queries.length).toBeGreaterThanOrEqual(5);
  });

  test.each(queries)('example parses as LogQL: %s', (q) => {
    expect(parseLogQL(q)).toEqual([]);
  });

  test('its label table lists exactly the labels a stream can carry', () => {
    const table = doc.slice(doc.indexOf('| Label | Value |'), doc.indexOf('Loki adds `service_name`'));
    const documented = [...table.matchAll(/^\| ((?:`[a-z_]+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([a-z_]+)`/g)].map((x) => x[1]));
    expect(documented.sort()).toEqual([...STREAM_LABELS].sort());
  });
});
