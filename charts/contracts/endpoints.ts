/**
 * Where every Service of the stack lives: name, namespace, port. Computed once from the namespaces;
 * a component serves on its own endpoint and reaches another component only through these objects,
 * so a port or a name is never typed twice.
 */
import { ServiceEndpoint } from '../lib/endpoints';
import { LOKI_PORTS } from './logs';
import { THANOS_PORTS } from './long-term';
import { Namespaces } from './shared';

export type StackEndpoints = ReturnType<typeof stackEndpoints>;

export function stackEndpoints(ns: Namespaces) {
  const { monitoring, agents, backend } = ns;
  return {
    backend: new ServiceEndpoint('backend', backend, 3000),
    prometheus: new ServiceEndpoint('prometheus', monitoring, 9090),
    alertmanager: new ServiceEndpoint('alertmanager', monitoring, 9093),
    grafana: new ServiceEndpoint('grafana', monitoring, 3000),
    loki: new ServiceEndpoint('loki', monitoring, LOKI_PORTS.http),
    // Loki's simple scalable deployment (loki.mode simple-scalable): one Service per target.
    lokiWrite: new ServiceEndpoint('loki-write', monitoring, LOKI_PORTS.http),
    lokiRead: new ServiceEndpoint('loki-read', monitoring, LOKI_PORTS.http),
    lokiBackend: new ServiceEndpoint('loki-backend', monitoring, LOKI_PORTS.http),
    postgresExporter: new ServiceEndpoint('postgres-exporter', monitoring, 9187),
    redisExporter: new ServiceEndpoint('redis-exporter', monitoring, 9121),
    nodeExporter: new ServiceEndpoint('node-exporter', agents, 9100, 'metrics'),
    logShipper: new ServiceEndpoint('log-shipper', agents, 9080),
    kubeStateMetrics: new ServiceEndpoint('kube-state-metrics', monitoring, 8080),
    blackboxExporter: new ServiceEndpoint('blackbox-exporter', monitoring, 9115),
    // Long-term metrics (thanos.enabled). The sidecar is no Service of its own: it is a second
    // container of every Prometheus pod, reached on the pod's stable DNS name and the headless
    // Service's `sidecar-grpc` SRV record, so its endpoint carries Prometheus's name and pods.
    thanosSidecar: new ServiceEndpoint('prometheus', monitoring, THANOS_PORTS.http, THANOS_PORTS.sidecarHttpName),
    thanosQuery: new ServiceEndpoint('thanos-query', monitoring, THANOS_PORTS.http),
    thanosStore: new ServiceEndpoint('thanos-store', monitoring, THANOS_PORTS.http),
    thanosCompactor: new ServiceEndpoint('thanos-compactor', monitoring, THANOS_PORTS.http),
  };
}
