/**
 * The skeleton of an exporter that watches a server outside the stack (a database, a cache): one
 * hardened Deployment, its ServiceAccount and Service, a NetworkPolicy that admits only the scraper
 * and lets the exporter reach only the monitored server's port, and the scrape job of its pods.
 * The postgres and redis exporters differ only in what is passed here.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceEndpoint } from './endpoints';
import { componentLabels } from './labels';
import { ScrapeJob } from './monitoring';
import { allowOnly } from './network';
import { container, httpProbe, podSpec, restrictedPod } from './pod';
import { podScrapeJob } from './scrape';
import { Resources } from './settings';
import { serviceAccountFor, serviceFor } from './workload';

export interface RemoteExporterOptions {
  /** The exporter's own Service; its name is also the container's, the Deployment's and the job's. */
  readonly endpoint: ServiceEndpoint;
  /** Who scrapes it (Prometheus): the only client admitted. */
  readonly scraper: ServiceEndpoint;
  readonly image: string;
  /** The image's tag, for the version label. */
  readonly version: string;
  /** The image's non-root user. */
  readonly uid: number;
  readonly args: readonly string[];
  /** Where the server's address and credentials come from: Secret references, never values. */
  readonly env: readonly k8s.EnvVar[];
  /** A path that answers without touching the monitored server (its `*_up` metric says whether that is up). */
  readonly healthPath: string;
  readonly resources: Resources;
  /** The monitored server's port. Its host is outside the stack, so egress allows this port to any address. */
  readonly serverPort: number;
}

/** Creates the exporter's objects in `scope`; returns its scrape job. */
export function remoteExporter(scope: Construct, o: RemoteExporterOptions): ScrapeJob {
  const endpoint = o.endpoint;
  const labels = componentLabels({ name: endpoint.name, component: 'exporter', version: o.version });
  const selector = endpoint.podLabels;

  serviceAccountFor(scope, 'service-account', endpoint.name, labels);

  new k8s.KubeDeployment(scope, 'deployment', {
    metadata: { name: endpoint.name, labels },
    spec: {
      replicas: 1, // two would double the load on the monitored server for the same numbers
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: podSpec({
          serviceAccountName: endpoint.name,
          securityContext: restrictedPod(o.uid),
          containers: [
            container({
              name: endpoint.name,
              image: o.image,
              args: [...o.args],
              env: [...o.env],
              ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
              livenessProbe: httpProbe(o.healthPath, endpoint.portName, { periodSeconds: 20 }),
              readinessProbe: httpProbe(o.healthPath, endpoint.portName, { periodSeconds: 10 }),
              resources: o.resources,
            }),
          ],
        }),
      },
    },
  });

  serviceFor(scope, 'service', endpoint, labels);

  allowOnly(scope, 'network-policy', {
    name: endpoint.name,
    labels,
    podLabels: selector,
    ingress: [{ peers: [{ endpoint: o.scraper }], ports: [{ port: endpoint.port }] }],
    egress: [{ peers: [{ anywhere: true }], ports: [{ port: o.serverPort }] }],
  });

  return podScrapeJob({ job: endpoint.name, endpoint });
}
