/** Every alert case of the stack, per component. */
import { AlertCase, CaseContext } from '../harness';
import { backendCases } from './backend';
import { nodeCases, postgresCases, postgresReplicationCases, redisCases } from './exporters';
import { sloCases } from './slo';
import { backendKubernetesCases, blackboxCases, kubeStateMetricsCases, kubeletCases } from './kubernetes';
import { alertmanagerCases, grafanaCases, logShipperCases, lokiCases, prometheusCases } from './stack';
import { thanosCases } from './thanos';
import { lokiScalableCases } from './loki-scalable';

export function allCases(ctx: CaseContext): Record<string, AlertCase[]> {
  return {
    backend: backendCases(ctx),
    slo: sloCases(ctx),
    postgres: postgresCases(ctx),
    redis: redisCases(ctx),
    node: nodeCases(ctx),
    prometheus: prometheusCases(ctx),
    alertmanager: alertmanagerCases(ctx),
    loki: lokiCases(ctx),
    'backend-kubernetes': backendKubernetesCases(ctx),
    'kube-state-metrics': kubeStateMetricsCases(ctx),
    kubelet: kubeletCases(ctx),
    'blackbox-exporter': blackboxCases(ctx),
    logShipper: logShipperCases(ctx),
    grafana: grafanaCases(ctx),
  };
}

/**
 * Cases of alerts behind a switch that is off in production, by component, with the committed
 * environment that turns the switch on: they run against that environment's synthesized rules
 * (scripts/checks/30-promtool-test-rules extracts it too) and are written for its configuration.
 * Where no committed environment turns it on, `overrides` turn it on in the named environment: its
 * rules are then synthesized in memory (test/alerts/promtool-tests.ts writes them out).
 */
export const SWITCHED_CASES: Readonly<
  Record<
    string,
    {
      readonly environment: string;
      readonly overrides?: Record<string, unknown>;
      /**
       * Alerts production has too, whose expressions the switch changes (Loki's, over the jobs of
       * its targets): they count as the set's own, and its cases must fire and stay quiet for them.
       */
      readonly changes?: readonly string[];
      readonly cases: (ctx: CaseContext) => AlertCase[];
    }
  >
> = {
  thanos: { environment: 'staging', cases: thanosCases },
  // loki.mode simple-scalable (on in staging): the same Loki alerts over the three targets' jobs.
  'loki-scalable': { environment: 'staging', changes: ['LokiDown', 'LokiRequestErrors', 'LokiSamplesDiscarded', 'LokiRetentionNotApplied'], cases: lokiScalableCases },
  // No committed environment watches a replica; production with the switch on, synthesized in
  // memory by the same code as every environment.
  'postgres-replication': { environment: 'production', overrides: { postgresExporter: { replication: { enabled: true } } }, cases: postgresReplicationCases },
};
