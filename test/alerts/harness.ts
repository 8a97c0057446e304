/**
 * Unit-test cases for alert rules, written in TypeScript and rendered to `promtool test rules` files.
 *
 * A case is one promtool test group with one alert_rule_test: input series (named from the metric
 * modules), an evaluation time, and the exact alerts expected then (labels and rendered
 * annotations), or none. Every alert has a case where it fires and one where it stays quiet;
 * test/alerts/coverage.test.ts enforces that, and scripts/checks/30-promtool-test-rules/run.sh runs
 * them.
 */
import { StackConfig } from '../../charts/config';
import { StackEndpoints } from '../../charts/contracts/endpoints';
import { Matchers, sel } from '../../charts/lib/promql';

export interface InputSeries {
  readonly series: string;
  /** promtool's expanding notation: `0+60x30` is 0, 60, ... 1800; `5x30` is 5 repeated; `_` is a gap. */
  readonly values: string;
}

export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AlertCase {
  /** The alert name under test (promtool checks every alert of that name at `at`). */
  readonly alert: string;
  /** `fires`: `expect` lists the alerts; `quiet`: nothing of that name fires. */
  readonly kind: 'fires' | 'quiet';
  /** What the case shows, in words; also the promtool test group name. */
  readonly title: string;
  /** Spacing of the input samples. @default '1m' */
  readonly interval?: string;
  readonly input: readonly InputSeries[];
  /** Evaluation time, from the first sample. */
  readonly at: string;
  readonly expect: readonly ExpectedAlert[];
}

export interface CaseContext {
  readonly config: StackConfig;
  readonly endpoints: StackEndpoints;
}

/** A series in promtool's input notation (the same syntax as an exact-match selector). */
export function series(metric: string, labels: Readonly<Record<string, string>>, values: string): InputSeries {
  return { series: sel(metric, labels as Matchers), values };
}

export function fires(alert: string, title: string, o: { input: InputSeries[]; at: string; expect: ExpectedAlert[]; interval?: string }): AlertCase {
  if (o.expect.length === 0) throw new Error(`fires case '${title}' of ${alert} expects no alert`);
  return { alert, kind: 'fires', title, ...o };
}

export function quiet(alert: string, title: string, o: { input: InputSeries[]; at: string; interval?: string }): AlertCase {
  return { alert, kind: 'quiet', title, expect: [], ...o };
}

/** The promtool test file running `cases` against `ruleFiles`. */
export function promtoolTestFile(ruleFiles: readonly string[], evaluationInterval: string, cases: readonly AlertCase[]) {
  return {
    rule_files: ruleFiles,
    evaluation_interval: evaluationInterval,
    tests: cases.map((k) => ({
      name: `${k.alert} ${k.kind}: ${k.title}`,
      interval: k.interval ?? '1m',
      input_series: k.input.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: [
        {
          eval_time: k.at,
          alertname: k.alert,
          exp_alerts: k.expect.map((e) => ({ exp_labels: { ...e.labels }, exp_annotations: { ...e.annotations } })),
        },
      ],
    })),
  };
}
