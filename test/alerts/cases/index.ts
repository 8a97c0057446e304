/** Every alert case of the stack, per component. */
import { AlertCase, CaseContext } from '../harness';
import { backendCases } from './backend';
import { nodeCases, postgresCases, redisCases } from './exporters';
import { alertmanagerCases, grafanaCases, logShipperCases, lokiCases, prometheusCases } from './stack';

export function allCases(ctx: CaseContext): Record<string, AlertCase[]> {
  return {
    backend: backendCases(ctx),
    postgres: postgresCases(ctx),
    redis: redisCases(ctx),
    node: nodeCases(ctx),
    prometheus: prometheusCases(ctx),
    alertmanager: alertmanagerCases(ctx),
    loki: lokiCases(ctx),
    logShipper: logShipperCases(ctx),
    grafana: grafanaCases(ctx),
  };
}
