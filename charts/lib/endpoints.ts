/**
 * A Service of the stack: its name, namespace, port and the labels of the pods behind it. The stack's
 * endpoints are computed once (`charts/contracts/endpoints.ts`); components take these objects
 * instead of typing DNS names, ports or pod labels by hand (kube-prometheus style).
 */
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

  /**
   * The headless Service that governs the endpoint's StatefulSet: per-pod DNS names, and DNS
   * answers (A and SRV records) listing every pod, which is how peers and Prometheus find them
   * without the Kubernetes API.
   */
  get headlessName(): string {
    return `${this.name}-headless`;
  }

  /** Cluster DNS name of the headless Service. */
  get headlessHost(): string {
    return `${this.headlessName}.${this.namespace}.svc`;
  }

  /** Stable DNS name of the StatefulSet pod with this ordinal (`<name>-<i>.<name>-headless.<ns>.svc`). */
  podHost(ordinal: number): string {
    return `${this.name}-${ordinal}.${this.headlessHost}`;
  }

  /** The SRV name of a named TCP port of the headless Service (`_<port>._tcp.<headless host>`). */
  srvName(portName: string = this.portName): string {
    return `_${portName}._tcp.${this.headlessHost}`;
  }

  /** Labels that select the pods behind the Service. */
  get podLabels(): Record<string, string> {
    return selectorLabels({ name: this.name });
  }
}
