/**
 * Compares what a real exporter served with its metrics contract: every metric the contract names
 * must be in the scrape, of the declared type, with at least the declared labels.
 *
 *   npx ts-node --transpile-only scripts/checks/25-exporter-metrics/compare-scrape.ts \
 *     <postgres|redis|node> <scrape.txt>
 *
 * Used by run.sh, beside it, on the output of the real exporters; exits 1 and lists every mismatch.
 * test/exporters/contracts.test.ts tests the comparison itself.
 */
import * as fs from 'node:fs';
import { MetricDef } from '../../../charts/lib/metric';
import { NODE_METRICS } from '../../../charts/node-exporter/metrics';
import { POSTGRES_METRICS } from '../../../charts/postgres-exporter/metrics';
import { REDIS_METRICS } from '../../../charts/redis-exporter/metrics';

export const CONTRACTS: Record<string, Record<string, MetricDef>> = {
  postgres: POSTGRES_METRICS,
  redis: REDIS_METRICS,
  node: NODE_METRICS,
};

export interface ScrapedFamily {
  type?: string;
  /** Label names seen on any of its samples (le and quantile excluded). */
  labels: Set<string>;
  samples: number;
}

/** Parses the Prometheus text format into families: TYPE lines and the label names of samples. */
export function parseExposition(text: string): Map<string, ScrapedFamily> {
  const families = new Map<string, ScrapedFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { labels: new Set(), samples: 0 }));
    return f;
  };
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) {
      types.set(t[1], t[2]);
      family(t[1]).type = t[2];
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    let name = m[1];
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (base !== name && types.get(base) === 'histogram') name = base;
    const f = family(name);
    f.samples++;
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) if (l[1] !== 'le' && l[1] !== 'quantile') f.labels.add(l[1]);
  }
  return families;
}

/** Every way the scrape disagrees with the contract; empty when it agrees. */
export function compare(contract: Record<string, MetricDef>, scraped: Map<string, ScrapedFamily>): string[] {
  const problems: string[] = [];
  for (const m of Object.values(contract)) {
    const f = scraped.get(m.name);
    if (!f || f.samples === 0) {
      problems.push(`${m.name}: not served${m.flag ? ` (needs ${m.flag})` : ''}`);
      continue;
    }
    if (f.type !== undefined && f.type !== 'untyped' && f.type !== m.type) problems.push(`${m.name}: served as a ${f.type}, the contract says ${m.type}`);
    const missing = m.labels.filter((l) => !f.labels.has(l));
    if (missing.length > 0 && f.labels.size > 0) problems.push(`${m.name}: lacks label(s) ${missing.join(', ')} (served: ${[...f.labels].join(', ')})`);
    else if (missing.length > 0) problems.push(`${m.name}: served without labels, the contract says ${m.labels.join(', ')}`);
  }
  return problems;
}

function main(argv: string[]): void {
  const [which, file] = argv;
  const contract = CONTRACTS[which];
  if (!contract || !file) throw new Error('usage: compare-scrape.ts <postgres|redis|node> <scrape.txt>');
  const scraped = parseExposition(fs.readFileSync(file, 'utf8'));
  const problems = compare(contract, scraped);
  const n = Object.keys(contract).length;
  if (problems.length > 0) {
    console.error(`${which}: ${problems.length} of ${n} contract metrics disagree with the real exporter:`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`${which}: all ${n} contract metrics served with their type and labels (${scraped.size} families scraped)`);
}

if (require.main === module) main(process.argv.slice(2));
