/**
 * Detection floors of every critical alert: how soon, at best, a page can leave Alertmanager after
 * an incident starts, in this stack's production settings and under kube-prometheus-stack's
 * defaults for the nearest community-mixin alert. A table, not a test: it never fails on a number.
 *
 *   npx ts-node bench/detection-floors.ts [--env production]
 *
 * The floor of an alert is `for` + one scrape interval (the first sample that shows the incident)
 * + one evaluation interval (the first evaluation that sees it) + Alertmanager's group_wait (the
 * first notification of a new group). What the incident itself needs before the expression can hold
 * (a rate window filling, a queue growing) comes on top and is measured end to end by
 * bench/detection-latency.ts.
 *
 * The anchors are the nearest alert of the community mixins (each row names its source), under
 * kube-prometheus-stack's defaults: 30s scrape, 30s evaluation, 30s group_wait. The goal is a
 * floor at most half the anchor's wherever an anchor exists.
 */
import * as YAML from 'yaml';
import { durationToSeconds } from '../charts/lib/schema';
import { environmentConfig, synthStack } from '../scripts/environment';

/** kube-prometheus-stack's defaults (values.yaml: scrapeInterval, evaluationInterval; Alertmanager's group_wait). */
const ANCHOR_SETTINGS = { scrape: 30, evaluation: 30, groupWait: 30 } as const;

interface Anchor {
  readonly alert: string;
  /** The anchor's `for`, in seconds. */
  readonly forSeconds: number;
  /** Where the anchor is defined. */
  readonly source: string;
}

/** The nearest community alert of each of this stack's critical alerts, where one exists. */
const ANCHORS: Readonly<Record<string, Anchor>> = {
  RedisDown: { alert: 'RedisDown', forSeconds: 300, source: 'redis_exporter contrib/redis-mixin' },
  PostgresDown: { alert: 'PostgreSQLDown', forSeconds: 60, source: 'postgres_exporter postgres_mixin' },
  NodeFilesystemSpaceLow: { alert: 'NodeFilesystemAlmostOutOfSpace (critical)', forSeconds: 1800, source: 'node_exporter docs/node-mixin' },
  NodeFilesystemFillingUp: { alert: 'NodeFilesystemSpaceFillingUp (critical)', forSeconds: 3600, source: 'node_exporter docs/node-mixin' },
  PrometheusRuleEvaluationFailures: { alert: 'PrometheusRuleFailures', forSeconds: 900, source: 'prometheus documentation/prometheus-mixin' },
  AlertmanagerNotificationsFailing: { alert: 'AlertmanagerClusterFailedToSendAlerts', forSeconds: 300, source: 'alertmanager doc/alertmanager-mixin' },
  BackendDown: { alert: 'TargetDown', forSeconds: 600, source: 'kube-prometheus general rules' },
  LokiDown: { alert: 'TargetDown', forSeconds: 600, source: 'kube-prometheus general rules' },
};

function parseArgs(argv: string[]): { env: string } {
  let env = 'production';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) env = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; usage: detection-floors.ts [--env <name>]`);
  }
  return { env };
}

function minutes(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${(seconds / 60).toFixed(1)}m`;
}

function main(): void {
  const { env } = parseArgs(process.argv.slice(2));
  const config = environmentConfig(env);
  const scrape = durationToSeconds(config.prometheus.scrapeInterval);
  const evaluation = durationToSeconds(config.prometheus.evaluationInterval);
  const groupWait = durationToSeconds(config.alertmanager.groupWait);
  const ruleFiles = synthStack(config).stack.prometheus.ruleFiles;
  const critical = Object.values(ruleFiles)
    .flatMap((text) => (YAML.parse(text).groups as { rules: any[] }[]).flatMap((g) => g.rules))
    .filter((r) => r.alert !== undefined && r.labels?.severity === 'critical');
  // One row per alert name: where an alert has several critical rules, the fastest one.
  const byName = new Map<string, number>();
  for (const r of critical) {
    const s = durationToSeconds(r.for === '0m' || r.for === undefined ? '0s' : r.for);
    byName.set(r.alert, Math.min(byName.get(r.alert) ?? Infinity, s));
  }
  const anchorExtra = ANCHOR_SETTINGS.scrape + ANCHOR_SETTINGS.evaluation + ANCHOR_SETTINGS.groupWait;
  console.log(`Critical alerts of '${env}': scrape ${scrape}s, evaluation ${evaluation}s, group_wait ${groupWait}s`);
  console.log(`Anchors: kube-prometheus-stack defaults (scrape 30s, evaluation 30s, group_wait 30s) and the mixin's for\n`);
  console.log('| alert | for | floor | anchor (source) | anchor for | anchor floor | ratio | goal <= 0.5 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  let met = 0;
  let anchored = 0;
  for (const [name, forSeconds] of [...byName].sort((a, b) => a[0].localeCompare(b[0]))) {
    const floor = forSeconds + scrape + evaluation + groupWait;
    const a = ANCHORS[name];
    if (a === undefined) {
      console.log(`| ${name} | ${minutes(forSeconds)} | ${minutes(floor)} | none in the community mixins | | | | |`);
      continue;
    }
    anchored++;
    const anchorFloor = a.forSeconds + anchorExtra;
    const ratio = floor / anchorFloor;
    if (ratio <= 0.5) met++;
    console.log(`| ${name} | ${minutes(forSeconds)} | ${minutes(floor)} | ${a.alert} (${a.source}) | ${minutes(a.forSeconds)} | ${minutes(anchorFloor)} | ${ratio.toFixed(2)} | ${ratio <= 0.5 ? 'yes' : 'no'} |`);
  }
  console.log(`\n${byName.size} critical alerts, ${anchored} with an anchor, ${met} at most half the anchor's floor`);
}

main();
