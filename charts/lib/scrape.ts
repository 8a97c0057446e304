/**
 * Scrape jobs as components write them: every pod behind a Service endpoint, found by Kubernetes
 * discovery in the endpoint's namespace. Prometheus derives its RBAC and NetworkPolicy from the
 * jobs (`charts/prometheus/reach.ts`), so adding a scrape target is one change: a job in the
 * component's `scrapeJobs` (docs/prometheus.md).
 */
import { ServiceEndpoint } from './endpoints';
import { ScrapeJob } from './monitoring';

/** The Kubernetes service-discovery roles that stay inside namespaces (a namespaced Role suffices). */
export type NamespacedSdRole = 'pod' | 'service' | 'endpoints' | 'endpointslice';

/** What each discovery role lists and watches (Prometheus's informers never `get`). */
export const SD_ROLE_RESOURCES: Record<NamespacedSdRole, readonly { apiGroup: string; resource: string }[]> = {
  pod: [{ apiGroup: '', resource: 'pods' }],
  service: [{ apiGroup: '', resource: 'services' }],
  endpoints: [
    { apiGroup: '', resource: 'endpoints' },
    { apiGroup: '', resource: 'services' },
    { apiGroup: '', resource: 'pods' },
  ],
  endpointslice: [
    { apiGroup: 'discovery.k8s.io', resource: 'endpointslices' },
    { apiGroup: '', resource: 'services' },
    { apiGroup: '', resource: 'pods' },
  ],
};

export interface PodScrapeOptions {
  readonly job: string;
  /** The component's Service endpoint: its namespace, pod labels and port name select the targets. */
  readonly endpoint: ServiceEndpoint;
  /** @default '/metrics' */
  readonly metricsPath?: string;
  /** Label series with the node the pod runs on (for per-node agents). @default false */
  readonly nodeLabel?: boolean;
  /** Fixed labels on every series of the job, set after `service` (e.g. which shipper runs). @default none */
  readonly targetLabels?: Record<string, string>;
}

/** A job scraping every pod behind an endpoint (not the Service, which would hit one random pod per scrape). */
export function podScrapeJob(o: PodScrapeOptions): ScrapeJob {
  const e = o.endpoint;
  return {
    job_name: o.job,
    metrics_path: o.metricsPath ?? '/metrics',
    kubernetes_sd_configs: [podDiscovery(e)],
    relabel_configs: [
      ...podTargetRelabels(e),
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      ...(o.nodeLabel
        ? [
            { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
            // A host agent stands for its node: `instance` is the node name, stable across pod restarts.
            { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' },
          ]
        : []),
      { target_label: 'service', replacement: e.name },
      ...Object.entries(o.targetLabels ?? {}).map(([label, value]) => ({ target_label: label, replacement: value })),
    ],
  };
}

/** Pod discovery narrowed to an endpoint's pods, server-side (a label selector on the watch). */
export function podDiscovery(e: ServiceEndpoint): Record<string, unknown> {
  return {
    role: 'pod',
    namespaces: { names: [e.namespace] },
    selectors: [{ role: 'pod', label: labelSelector(e.podLabels) }],
  };
}

/** Keeps the endpoint's named container port of running pods. */
export function podTargetRelabels(e: ServiceEndpoint): Record<string, unknown>[] {
  return [
    { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: e.portName, action: 'keep' },
    { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
  ];
}

export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
