/**
 * Loki: one single-binary replica in a StatefulSet whose `loki-data` claim holds chunks, the TSDB
 * index, the WAL and the compactor's work; loki.yaml (./config.ts) in a ConfigMap mounted as a
 * directory, a checksum of it on the pod template so a changed configuration rolls the pod, the
 * `loki` Service, and a NetworkPolicy that admits only the log shipper, Grafana and Prometheus.
 *
 * One replica on purpose: a single binary with `replication_factor: 1` and an in-memory ring is
 * Loki's documented small-scale mode; a second replica would be a second, separate Loki.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { allowOnly } from '../lib/network';
import { configMapVolume, podSpec, restrictedPod, scratchVolume } from '../lib/pod';
import { LOKI_UID, lokiContainer } from './container';
import { StatefulSet, claimTemplate } from '../lib/storage';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { IMAGES } from '../versions';
import { alertRules } from './alerts';
import { LokiConfig, lokiConfig } from './config';
import { LOKI_HTTP, LokiApi } from '../contracts/logs';
import { jobOf } from '../lib/promql';
import { LokiProps } from './settings';
import { LokiScalableConfig } from './config';
import { LOKI_TARGETS } from './settings';
import { TARGET_JOBS, addScalableLoki } from './scalable';


/** Name of the claim template (the seed's volume name); the claim is `loki-data-loki-0`. */
export const DATA_VOLUME = 'loki-data';

export class LokiChart extends ComponentChart implements MonitoringSource {
  readonly endpoint: ServiceEndpoint;
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  /** The configuration object written as loki.yaml (of every target, in simple-scalable mode). */
  readonly config: LokiConfig | LokiScalableConfig;
  /** Where the shipper pushes and Grafana queries, and Loki's scrape jobs (charts/contracts/logs.ts). */
  readonly api: LokiApi;
  /** loki.yaml as written into the ConfigMap. */
  readonly configYaml: string;

  constructor(scope: Construct, id: string, props: LokiProps) {
    const c = props.settings;
    const endpoint = props.shared.endpoints.loki;
    super(scope, id, endpoint.namespace, props.dependsOn);
    this.endpoint = endpoint;

    if (c.mode === 'simple-scalable') {
      const parts = addScalableLoki(this, props);
      this.config = parts.config;
      this.configYaml = parts.configYaml;
      this.api = parts.api;
      this.scrapeJobs = parts.scrapeJobs;
      this.ruleGroups = alertRules(props, LOKI_TARGETS.map((t) => TARGET_JOBS[t]));
      return;
    }
    this.api = { push: endpoint, query: endpoint, jobs: jobOf(endpoint) };

    const labels = componentLabels({ name: endpoint.name, component: 'logs', version: IMAGES.loki.tag });
    const selector = endpoint.podLabels;
    this.config = lokiConfig(c);
    this.configYaml = YAML.stringify(this.config, { lineWidth: 0 });
    const configMapName = `${endpoint.name}-config`;

    serviceAccountFor(this, 'service-account', endpoint.name, labels);

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: configMapName, labels },
      data: { 'loki.yaml': this.configYaml },
    });

    new StatefulSet(this, 'statefulset', {
      metadata: { name: endpoint.name, labels },
      spec: {
        // One replica: per-pod DNS is never needed, so the ordinary Service serves as the governing one.
        serviceName: endpoint.name,
        replicas: 1,
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          // Loki does not watch its file: the checksum rolls the pod when loki.yaml changes.
          metadata: { labels, annotations: { 'checksum/config': configChecksum(this.configYaml) } },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            // fsGroup makes the claim writable by the image's `loki` user.
            securityContext: restrictedPod(LOKI_UID, { fsGroup: LOKI_UID }),
            // Time to flush in-memory chunks (flush_on_shutdown) before the kill.
            terminationGracePeriodSeconds: 60,
            containers: [
              lokiContainer({ target: 'all', portName: endpoint.portName, resources: c.resources, dataVolume: DATA_VOLUME }),
            ],
            volumes: [configMapVolume('config', configMapName), scratchVolume('tmp')],
          }),
        },
        volumeClaimTemplates: [claimTemplate(DATA_VOLUME, selector, c.storage)],
      },
    });

    serviceFor(this, 'service', endpoint, labels);

    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      // The shipper pushes, Grafana queries, Prometheus scrapes /metrics; nobody else.
      ingress: [
        {
          peers: [{ endpoint: props.shared.endpoints.logShipper }, { endpoint: props.shared.endpoints.grafana }, { endpoint: props.shared.endpoints.prometheus }],
          ports: [{ port: endpoint.port }],
        },
      ],
      // Loki calls nothing: storage is the local claim, usage reporting is off, its modules talk
      // over loopback, and it resolves no names.
      egress: [],
      dns: false,
    });

    this.scrapeJobs = [
      {
        job_name: endpoint.name,
        metrics_path: LOKI_HTTP.metrics,
        static_configs: [{ targets: [endpoint.address], labels: { service: endpoint.name } }],
      },
    ];
    this.ruleGroups = alertRules(props, [endpoint.name]);
  }
}
