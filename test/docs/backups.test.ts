/** docs/backups.md names the claims to snapshot: they must be the claims the stack really creates. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, synthStack } from '../util';

/** Every PVC name of the manifests: claim templates as `<template>-<statefulset>-0`, and plain claims. */
function claimNames(all: any[]): string[] {
  return all.flatMap((m) => {
    if (m.kind === 'PersistentVolumeClaim') return [m.metadata.name];
    if (m.kind === 'StatefulSet') return (m.spec.volumeClaimTemplates ?? []).map((t: any) => `${t.metadata.name}-${m.metadata.name}-0`);
    return [];
  });
}

describe('docs/backups.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'backups.md'), 'utf8');
  const claims = claimNames(synthStack().all);

  test('the claims of prometheus-data and loki-data it names exist, and every claim it names is one of the stack', () => {
    expect(claims).toEqual(expect.arrayContaining(['prometheus-data-prometheus-0', 'loki-data-loki-0']));
    // A StatefulSet's claim ends in its ordinal; Grafana's is a plain claim.
    const named = [...new Set([...doc.matchAll(/\b([a-z0-9-]+-[a-z]+-0|grafana-data)\b/g)].map((m) => m[1]))];
    expect(named).toEqual(expect.arrayContaining(['prometheus-data-prometheus-0', 'loki-data-loki-0', 'data-alertmanager-0', 'grafana-data']));
    expect(named.filter((n) => !claims.includes(n))).toEqual([]);
  });

  test('it says why the snapshot API is off, and the flag is indeed not set', () => {
    const prom = synthStack().all.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'prometheus');
    expect(prom.spec.template.spec.containers[0].args).not.toContain('--web.enable-admin-api');
    expect(doc).toContain('--web.enable-admin-api');
  });
});
