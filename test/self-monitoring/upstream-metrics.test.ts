/**
 * Loki, Promtail, Alloy and Grafana cannot run in this project's checks, so the metrics their
 * alerts read cannot be found in a live scrape (Thanos can, and scripts/checks/45-thanos does; its
 * names are listed here as well, read from its source at the pinned tag). What can be held instead: every definition in
 * their contracts is a line of the committed reference list (ground-truth/upstream-metrics.tsv,
 * read from their source at the pinned releases), with the same type, and only labels that the
 * source declares; and the release each line names is the one the manifests run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GRAFANA_METRICS } from '../../charts/grafana/metrics';
import { MetricDef } from '../../charts/lib/metric';
import { SHIPPER_METRICS } from '../../charts/log-shipper/metrics';
import { LOKI_METRICS } from '../../charts/loki/metrics';
import { THANOS_METRICS } from '../../charts/thanos/metrics';
import { IMAGES } from '../../charts/versions';
import { ROOT } from '../util';

interface Row {
  readonly project: string;
  readonly release: string;
  readonly metric: string;
  readonly type: string;
  readonly labels: string[];
}

function readReference(): Row[] {
  const text = fs.readFileSync(path.join(ROOT, 'ground-truth', 'upstream-metrics.tsv'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const [header, ...rows] = lines;
  expect(header.split('\t').slice(0, 5)).toEqual(['project', 'release', 'metric', 'type', 'labels']);
  return rows.map((l) => {
    const [project, release, metric, type, labels] = l.split('\t');
    return { project, release, metric, type, labels: labels ? labels.split(',') : [] };
  });
}

const reference = readReference();
const byProject: Record<string, readonly MetricDef[]> = {
  loki: Object.values(LOKI_METRICS),
  promtail: Object.values(SHIPPER_METRICS.promtail),
  alloy: Object.values(SHIPPER_METRICS.alloy),
  grafana: Object.values(GRAFANA_METRICS),
  thanos: Object.values(THANOS_METRICS),
};
const pinned: Record<string, string> = {
  loki: IMAGES.loki.tag,
  promtail: IMAGES.promtail.tag,
  alloy: IMAGES.alloy.tag,
  grafana: IMAGES.grafana.tag,
  thanos: IMAGES.thanos.tag,
};

describe('metrics of the servers that cannot run here are in the committed upstream reference', () => {
  test('the reference lists each project at the release the manifests pin', () => {
    for (const [project, tag] of Object.entries(pinned)) {
      const rows = reference.filter((r) => r.project === project);
      expect({ project, rows: rows.length > 0 }).toEqual({ project, rows: true });
      for (const r of rows) expect({ metric: r.metric, release: r.release }).toEqual({ metric: r.metric, release: tag });
    }
  });

  test.each(Object.entries(byProject).flatMap(([project, defs]) => defs.map((d) => [project, d.name, d] as const)))('%s: %s', (project, name, def) => {
    const row = reference.find((r) => r.project === project && r.metric === name);
    expect({ name, listed: row !== undefined }).toEqual({ name, listed: true });
    expect(row!.type).toBe(def.type);
    // The contract may name fewer labels than the source declares, never one it does not.
    expect(def.labels.filter((l) => !row!.labels.includes(l))).toEqual([]);
  });

  test('a made-up name is not found (the lookup can fail)', () => {
    expect(reference.find((r) => r.metric === 'loki_made_up_metric_total')).toBeUndefined();
  });
});
