/**
 * The synthesized production stack as the benchmarks read it: its recording rules and rule groups,
 * its provisioned dashboards and its scrape and evaluation intervals (what `npm run synth` writes
 * to dist/, synthesized in memory).
 */
import * as YAML from 'yaml';
import { durationToSeconds } from '../../charts/lib/schema';
import { environmentConfig, synthStack } from '../../scripts/environment';
import { Rule } from './promql-expand';

export interface Stack {
  readonly rules: Rule[];
  /** Rule groups as Prometheus loads them (name, interval, rules). */
  readonly groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[];
  readonly dashboards: { uid: string; model: Record<string, any> }[];
  readonly scrapeSeconds: number;
  readonly evaluationInterval: string;
}

export function productionStack(): Stack {
  const config = environmentConfig('production');
  const { stack } = synthStack(config);
  const groups = Object.values(stack.prometheus.ruleFiles).flatMap((f) => YAML.parse(f).groups as Stack['groups']);
  const rules = groups.flatMap((g) => g.rules).filter((r) => typeof r.record === 'string') as unknown as Rule[];
  return {
    rules,
    groups,
    dashboards: stack.grafana.provisioned.map((d) => ({ uid: d.model.uid, model: d.model as Record<string, any> })),
    scrapeSeconds: durationToSeconds(config.prometheus.scrapeInterval),
    evaluationInterval: config.prometheus.evaluationInterval,
  };
}
