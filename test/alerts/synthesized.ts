/** The alert rules as synthesized: read back from the rule files of the prometheus-config ConfigMap. */
import * as YAML from 'yaml';
import { StackConfig } from '../../charts/config';
import { AlertRule, Rule, isAlert } from '../../charts/lib/monitoring';
import { RULE_FILE_SUFFIX } from '../../charts/prometheus/config';
import { find, synthStack, testConfig } from '../util';

export interface SynthesizedAlert extends AlertRule {
  readonly file: string;
  readonly group: string;
}

export function synthesizedAlerts(config: StackConfig = testConfig()): SynthesizedAlert[] {
  const cm = find(synthStack(config).charts.prometheus, 'ConfigMap', 'prometheus-config');
  return Object.entries<string>(cm.data)
    .filter(([file]) => file.endsWith(RULE_FILE_SUFFIX))
    .flatMap(([file, text]) =>
      (YAML.parse(text).groups as { name: string; rules: Rule[] }[]).flatMap((g) =>
        g.rules.filter(isAlert).map((r) => ({ ...r, file, group: g.name })),
      ),
    );
}

/** `name/severity`: what tells two rules of one alert name apart. */
export function ruleKey(r: { alert: string; labels: { severity: string } }): string {
  return `${r.alert}/${r.labels.severity}`;
}

/**
 * Names of the series the synthesized recording rules write: alerts on service level objectives
 * read these (each recording rule in turn reads contract metrics, which the dashboards test checks).
 */
export function recordedSeries(config: StackConfig = testConfig()): Set<string> {
  const cm = find(synthStack(config).charts.prometheus, 'ConfigMap', 'prometheus-config');
  return new Set(
    Object.entries<string>(cm.data)
      .filter(([file]) => file.endsWith(RULE_FILE_SUFFIX))
      .flatMap(([, text]) => (YAML.parse(text).groups as { rules: Rule[] }[]).flatMap((g) => g.rules.filter((r) => !isAlert(r)).map((r) => (r as { record: string }).record))),
  );
}
