/**
 * Where every Service of the stack lives, computed once from the configuration. Components take
 * these objects instead of typing DNS names, ports or pod labels by hand (kube-prometheus style).
 */
import { StackConfig } from '../config';
import { selectorLabels } from './labels';

export class ServiceEndpoint {
  constructor(
    /** Service name; also the app.kubernetes.io/name of its pods. */
    readonly name: string,
    readonly namespace: string,
    readonly port: number,
    /** Name of the container and Service port. @default 'http' */
    readonly portName = 'http',
  ) {}

  /** Cluster DNS name of the Service. */
  get host(): string {
    return `${this.name}.${this.namespace}.svc`;
  }

  /** `host:port`, the form Prometheus static targets use. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get url(): string {
    return `http://${this.address}`;
  }

  /** Labels that select the pods behind the Service. */
  get podLabels(): Record<string, string> {
    return selectorLabels({ name: this.name });
  }
}

export type StackEndpoints = ReturnType<typeof stackEndpoints>;

export function stackEndpoints(c: StackConfig) {
  const { monitoring, agents, backend } = c.namespaces;
  return {
    backend: new ServiceEndpoint('backend', backend, 3000),
    prometheus: new ServiceEndpoint('prometheus', monitoring, 9090),
    alertmanager: new ServiceEndpoint('alertmanager', monitoring, 9093),
    grafana: new ServiceEndpoint('grafana', monitoring, 3000),
    loki: new ServiceEndpoint('loki', monitoring, 3100),
    postgresExporter: new ServiceEndpoint('postgres-exporter', monitoring, 9187),
    redisExporter: new ServiceEndpoint('redis-exporter', monitoring, 9121),
    nodeExporter: new ServiceEndpoint('node-exporter', agents, 9100, 'metrics'),
    logShipper: new ServiceEndpoint('log-shipper', agents, 9080),
  };
}
