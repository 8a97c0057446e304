import { MetricDef } from '../lib/metric';

/** Prometheus v3.14's own metrics that its alerts (./alerts.ts) read. */
export const PROMETHEUS_SELF_METRICS = {
  ruleEvaluationFailures: {
    name: 'prometheus_rule_evaluation_failures_total',
    type: 'counter',
    help: 'Rule evaluations that failed, per rule group (`rule_group` is "<file>;<group>").',
    labels: ['rule_group'],
    source: 'prometheus',
  },
  configLastReloadSuccessful: {
    name: 'prometheus_config_last_reload_successful',
    type: 'gauge',
    help: '1 when the last configuration (and rule file) load succeeded, 0 when it failed.',
    labels: [],
    source: 'prometheus',
  },
} as const satisfies Record<string, MetricDef>;
