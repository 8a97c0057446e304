/** Every alert case of the stack, per component. */
import { AlertCase, CaseContext } from '../harness';
import { backendCases } from './backend';
import { nodeCases, postgresCases, redisCases } from './exporters';
import { sloCases } from './slo';
import { backendKubernetesCases, blackboxCases, kubeStateMetricsCases, kubeletCases } from './kubernetes';
import { alertmanagerCases, grafanaCases, logShipperCases, lokiCases, prometheusCases } from './stack';
import { thanosCases } from './thanos';

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
 */
export const SWITCHED_CASES: Readonly<Record<string, { readonly environment: string; readonly cases: (ctx: CaseContext) => AlertCase[] }>> = {
  thanos: { environment: 'staging', cases: thanosCases },
};
