/**
 * Thanos, when `thanos.enabled` is on: long-term, deduplicated metrics on object storage.
 *
 * - a **sidecar** in every Prometheus pod (built here, run by the Prometheus chart, which receives
 *   it through `charts/contracts/long-term.ts`): it uploads each 2h block Prometheus cuts and
 *   serves Prometheus's recent data over the Store API;
 * - **Thanos Query** (a Deployment of at least two replicas): finds every sidecar by the SRV record
 *   of the Prometheus headless Service and the store gateway by its own, deduplicates the replicas
 *   on the `replica` external label, and is what Grafana's `love-prom` reads;
 * - the **store gateway** (a StatefulSet whose claim caches index headers): serves the blocks in
 *   the bucket, i.e. everything older than Prometheus's local retention;
 * - the **compactor** (a StatefulSet of exactly one replica, as Thanos requires: two would compact
 *   the same blocks): compacts, downsamples to 5m and 1h, and deletes at the retention per resolution.
 *
 * Each workload: its own ServiceAccount without a token, the restricted security context, probes,
 * resources, and a NetworkPolicy for exactly its flows; Query, with two replicas, a
 * PodDisruptionBudget and anti-affinity. Off, the chart is empty.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { Flow, allowOnly } from '../lib/network';
import { configMapVolume, container, httpProbe, podSpec, restrictedPod, scratchVolume } from '../lib/pod';
import { oneAtATime, spreadAcrossNodes } from '../lib/ha';
import { podScrapeJob } from '../lib/scrape';
import { StatefulSet, claimTemplate } from '../lib/storage';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { PrometheusPod, PrometheusSidecar, SidecarParts, THANOS_PORTS } from '../contracts/long-term';
import { IMAGES, imageOf } from '../versions';
import { THANOS_JOBS, alertRules } from './alerts';
import { OBJSTORE_FILE, QUERY_ENDPOINTS_FILE, THANOS_CONFIG_DIR, credentialEnv, credentialVolumes, renderObjstore } from './objstore';
import { ThanosProps, ThanosSettings } from './settings';

/** uid of the `thanos` user of quay.io/thanos/thanos (its Dockerfile's `USER 1001`). */
export const THANOS_UID = 1001;
/** The ConfigMap with objstore.yml and Query's endpoints, mounted at THANOS_CONFIG_DIR. */
export const THANOS_CONFIG_MAP = 'thanos-config';
/** The external label that tells Prometheus replicas apart (charts/prometheus/config.ts writes it). */
export const REPLICA_LABEL = 'replica';
/**
 * Prometheus cuts a block every 2h and must not compact them itself: the sidecar uploads level-1
 * blocks only, and while min and max block duration differ it retries its check of Prometheus's
 * flags for ever, never ready and uploading nothing (cmd/thanos/sidecar.go, validatePrometheus;
 * scripts/checks/45-thanos shows it). 2h is Thanos's documented and checked value.
 */
export const BLOCK_DURATION = '2h';

const STORE_DATA = '/var/thanos/store';
const COMPACT_DATA = '/var/thanos/compact';

/** The flags of each component, as the containers run them (the check runs the same ones). */
export function sidecarArgs(pod: PrometheusPod): string[] {
  return [
    'sidecar',
    `--tsdb.path=${pod.dataDir}`,
    // The pod's loopback: no NetworkPolicy involved, and the sidecar follows its own Prometheus only.
    `--prometheus.url=http://localhost:${pod.port}`,
    `--grpc-address=:${THANOS_PORTS.grpc}`,
    `--http-address=:${THANOS_PORTS.http}`,
    `--objstore.config-file=${THANOS_CONFIG_DIR}/${OBJSTORE_FILE}`,
  ];
}

export function queryArgs(): string[] {
  return [
    'query',
    `--grpc-address=:${THANOS_PORTS.grpc}`,
    `--http-address=:${THANOS_PORTS.http}`,
    // Series differing only in the replica label are one series, gaps of one replica filled by another.
    `--query.replica-label=${REPLICA_LABEL}`,
    // Long ranges read the 5m and 1h downsampled blocks: a 30-day panel reads far fewer samples.
    '--query.auto-downsampling',
    `--endpoint.sd-config-file=${THANOS_CONFIG_DIR}/${QUERY_ENDPOINTS_FILE}`,
  ];
}

export function storeArgs(): string[] {
  return [
    'store',
    `--data-dir=${STORE_DATA}`,
    `--objstore.config-file=${THANOS_CONFIG_DIR}/${OBJSTORE_FILE}`,
    `--grpc-address=:${THANOS_PORTS.grpc}`,
    `--http-address=:${THANOS_PORTS.http}`,
  ];
}

export function compactorArgs(s: ThanosSettings): string[] {
  const r = s.compactor.retention;
  return [
    'compact',
    // Run forever, a compaction pass every 5m, instead of once and exit.
    '--wait',
    `--data-dir=${COMPACT_DATA}`,
    `--objstore.config-file=${THANOS_CONFIG_DIR}/${OBJSTORE_FILE}`,
    `--http-address=:${THANOS_PORTS.http}`,
    `--retention.resolution-raw=${r.raw}`,
    `--retention.resolution-5m=${r.fiveMinutes}`,
    `--retention.resolution-1h=${r.oneHour}`,
    ...(s.compactor.downsampling ? [] : ['--downsampling.disable']),
  ];
}

/**
 * Query's Store API endpoints: every sidecar (the `sidecar-grpc` SRV record of the Prometheus
 * headless Service, one answer per pod, ready or not) and the store gateway (the `grpc` SRV record
 * of its headless Service). DNS is re-read every 30s, so a new replica is found without a restart.
 */
export function queryEndpoints(prometheus: ServiceEndpoint, store: ServiceEndpoint): Record<string, unknown> {
  return {
    endpoints: [{ address: `dnssrv+${prometheus.srvName(THANOS_PORTS.sidecarGrpcName)}` }, { address: `dnssrv+${store.srvName('grpc')}` }],
  };
}

export class ThanosChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  /** What Prometheus runs in its pods when Thanos is on; undefined when off. */
  readonly sidecar?: PrometheusSidecar;
  /** Where Grafana's love-prom reads when Thanos is on. */
  readonly queryEndpoint?: ServiceEndpoint;
  /** objstore.yml as written into the ConfigMap (no credential values: `$(VARIABLE)` references). */
  readonly objstoreYaml?: string;

  constructor(scope: Construct, id: string, props: ThanosProps) {
    const c = props.settings;
    const ep = props.shared.endpoints;
    super(scope, id, ep.thanosQuery.namespace, props.dependsOn);
    this.ruleGroups = alertRules(props);
    if (!c.enabled) {
      this.scrapeJobs = [];
      return;
    }

    const objstoreYaml = renderObjstore(c);
    this.objstoreYaml = objstoreYaml;
    const endpointsYaml = YAML.stringify(queryEndpoints(ep.prometheus, ep.thanosStore), { lineWidth: 0 });
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: THANOS_CONFIG_MAP, labels: componentLabels({ name: 'thanos', component: 'long-term-metrics', version: IMAGES.thanos.tag }) },
      data: { [OBJSTORE_FILE]: objstoreYaml, [QUERY_ENDPOINTS_FILE]: endpointsYaml },
    });
    const objectStore: Flow = { peers: [{ cidrs: c.objectStorage.cidrs }], ports: c.objectStorage.ports.map((port) => ({ port })) };
    const creds = credentialVolumes(c);
    const configMount: k8s.VolumeMount = { name: 'thanos-config', mountPath: THANOS_CONFIG_DIR, readOnly: true };
    const promScrapes: Flow = { peers: [{ endpoint: ep.prometheus }], ports: [{ port: THANOS_PORTS.http }] };
    const grpcPort = { name: 'grpc', containerPort: THANOS_PORTS.grpc };

    // ---- the sidecar, run by Prometheus ----
    this.sidecar = {
      parts: (pod: PrometheusPod): SidecarParts => ({
        container: container({
          name: 'thanos-sidecar',
          image: imageOf('thanos'),
          args: sidecarArgs(pod),
          env: credentialEnv(c),
          ports: [
            { name: THANOS_PORTS.sidecarHttpName, containerPort: THANOS_PORTS.http },
            { name: THANOS_PORTS.sidecarGrpcName, containerPort: THANOS_PORTS.grpc },
          ],
          // Ready once it has read Prometheus's external labels; live as long as it serves.
          readinessProbe: httpProbe('/-/ready', THANOS_PORTS.sidecarHttpName),
          livenessProbe: httpProbe('/-/healthy', THANOS_PORTS.sidecarHttpName, { periodSeconds: 15, failureThreshold: 4 }),
          resources: c.sidecar.resources,
          volumeMounts: [{ name: pod.dataVolume, mountPath: pod.dataDir }, configMount, ...creds.mounts],
        }),
        volumes: [configMapVolume('thanos-config', THANOS_CONFIG_MAP), ...creds.volumes],
        prometheusArgs: [`--storage.tsdb.min-block-duration=${BLOCK_DURATION}`, `--storage.tsdb.max-block-duration=${BLOCK_DURATION}`],
        servicePorts: [{ name: THANOS_PORTS.sidecarGrpcName, port: THANOS_PORTS.grpc }],
        ingress: [
          { peers: [{ endpoint: ep.thanosQuery }], ports: [{ port: THANOS_PORTS.grpc }] },
          { peers: [{ endpoint: ep.prometheus }], ports: [{ port: THANOS_PORTS.http }] },
        ],
        egress: [objectStore],
      }),
    };

    // ---- Query ----
    const query = ep.thanosQuery;
    const queryLabels = componentLabels({ name: query.name, component: 'metrics-query', version: IMAGES.thanos.tag });
    this.queryEndpoint = query;
    serviceAccountFor(this, 'query-service-account', query.name, queryLabels);
    new k8s.KubeDeployment(this, 'query-deployment', {
      metadata: { name: query.name, labels: queryLabels },
      spec: {
        replicas: c.query.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: query.podLabels },
        // Stateless: a new pod is up before an old one goes, so Grafana never loses its data source.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: queryLabels, annotations: { 'checksum/config': configChecksum(endpointsYaml) } },
          spec: podSpec({
            serviceAccountName: query.name,
            securityContext: restrictedPod(THANOS_UID),
            affinity: spreadAcrossNodes(query.podLabels, c.query.antiAffinity),
            containers: [
              container({
                name: 'thanos-query',
                image: imageOf('thanos'),
                args: queryArgs(),
                ports: [{ name: query.portName, containerPort: query.port }, grpcPort],
                readinessProbe: httpProbe('/-/ready', query.portName),
                livenessProbe: httpProbe('/-/healthy', query.portName, { periodSeconds: 15, failureThreshold: 4 }),
                resources: c.query.resources,
                volumeMounts: [configMount, { name: 'tmp', mountPath: '/tmp' }],
              }),
            ],
            volumes: [configMapVolume('thanos-config', THANOS_CONFIG_MAP), scratchVolume('tmp')],
          }),
        },
      },
    });
    serviceFor(this, 'query-service', query, queryLabels);
    oneAtATime(this, 'query-pdb', query.name, queryLabels, query.podLabels);
    allowOnly(this, 'query-network-policy', {
      name: query.name,
      labels: queryLabels,
      podLabels: query.podLabels,
      // Grafana queries it (love-prom); Prometheus scrapes it.
      ingress: [{ peers: [{ endpoint: ep.grafana }, { endpoint: ep.prometheus }], ports: [{ port: query.port }] }],
      // The Store APIs: every sidecar in the Prometheus pods, and the store gateway.
      egress: [
        { peers: [{ endpoint: ep.prometheus }], ports: [{ port: THANOS_PORTS.grpc }] },
        { peers: [{ endpoint: ep.thanosStore }], ports: [{ port: THANOS_PORTS.grpc }] },
      ],
    });

    // ---- the store gateway ----
    const store = ep.thanosStore;
    const storeLabels = componentLabels({ name: store.name, component: 'metrics-store', version: IMAGES.thanos.tag });
    serviceAccountFor(this, 'store-service-account', store.name, storeLabels);
    new StatefulSet(this, 'store-statefulset', {
      metadata: { name: store.name, labels: storeLabels },
      spec: {
        replicas: 1,
        serviceName: store.headlessName,
        selector: { matchLabels: store.podLabels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: storeLabels, annotations: { 'checksum/config': configChecksum(objstoreYaml) } },
          spec: podSpec({
            serviceAccountName: store.name,
            securityContext: restrictedPod(THANOS_UID, { fsGroup: THANOS_UID }),
            containers: [
              container({
                name: 'thanos-store',
                image: imageOf('thanos'),
                args: storeArgs(),
                env: credentialEnv(c),
                ports: [{ name: store.portName, containerPort: store.port }, grpcPort],
                // Ready after the first sync of the bucket's block metadata: minutes on a large bucket.
                startupProbe: { ...httpProbe('/-/ready', store.portName, { periodSeconds: 10 }), failureThreshold: 60 },
                readinessProbe: httpProbe('/-/ready', store.portName),
                livenessProbe: httpProbe('/-/healthy', store.portName, { periodSeconds: 15, failureThreshold: 4 }),
                resources: c.store.resources,
                volumeMounts: [configMount, { name: 'thanos-store-data', mountPath: STORE_DATA }, ...creds.mounts],
              }),
            ],
            volumes: [configMapVolume('thanos-config', THANOS_CONFIG_MAP), ...creds.volumes],
          }),
        },
        volumeClaimTemplates: [claimTemplate('thanos-store-data', store.podLabels, c.store.storage)],
      },
    });
    // The governing Service: Query finds the gateway by its `grpc` SRV record.
    serviceFor(this, 'store-headless-service', store, storeLabels, { name: store.headlessName, headless: true, extraPorts: [{ name: 'grpc', port: THANOS_PORTS.grpc }] });
    allowOnly(this, 'store-network-policy', {
      name: store.name,
      labels: storeLabels,
      podLabels: store.podLabels,
      ingress: [{ peers: [{ endpoint: ep.thanosQuery }], ports: [{ port: THANOS_PORTS.grpc }] }, { ...promScrapes, ports: [{ port: store.port }] }],
      egress: [objectStore],
    });

    // ---- the compactor ----
    const compactor = ep.thanosCompactor;
    const compactorLabels = componentLabels({ name: compactor.name, component: 'metrics-compactor', version: IMAGES.thanos.tag });
    serviceAccountFor(this, 'compactor-service-account', compactor.name, compactorLabels);
    new StatefulSet(this, 'compactor-statefulset', {
      metadata: { name: compactor.name, labels: compactorLabels },
      spec: {
        // Exactly one: two compactors on one bucket compact the same blocks into overlaps and halt.
        replicas: 1,
        serviceName: compactor.name,
        selector: { matchLabels: compactor.podLabels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: compactorLabels, annotations: { 'checksum/config': configChecksum(objstoreYaml) } },
          spec: podSpec({
            serviceAccountName: compactor.name,
            securityContext: restrictedPod(THANOS_UID, { fsGroup: THANOS_UID }),
            // A pass interrupted mid-upload leaves partial blocks that the next one cleans up; give it time to finish.
            terminationGracePeriodSeconds: 120,
            containers: [
              container({
                name: 'thanos-compactor',
                image: imageOf('thanos'),
                args: compactorArgs(c),
                env: credentialEnv(c),
                ports: [{ name: compactor.portName, containerPort: compactor.port }],
                readinessProbe: httpProbe('/-/ready', compactor.portName),
                livenessProbe: httpProbe('/-/healthy', compactor.portName, { periodSeconds: 15, failureThreshold: 4 }),
                resources: c.compactor.resources,
                volumeMounts: [configMount, { name: 'thanos-compactor-data', mountPath: COMPACT_DATA }, ...creds.mounts],
              }),
            ],
            volumes: [configMapVolume('thanos-config', THANOS_CONFIG_MAP), ...creds.volumes],
          }),
        },
        volumeClaimTemplates: [claimTemplate('thanos-compactor-data', compactor.podLabels, c.compactor.storage)],
      },
    });
    serviceFor(this, 'compactor-service', compactor, compactorLabels);
    allowOnly(this, 'compactor-network-policy', {
      name: compactor.name,
      labels: compactorLabels,
      podLabels: compactor.podLabels,
      ingress: [{ ...promScrapes, ports: [{ port: compactor.port }] }],
      egress: [objectStore],
    });

    this.scrapeJobs = [
      // The sidecars: by each Prometheus pod's stable name, on the sidecar's port (as Prometheus scrapes itself).
      {
        job_name: THANOS_JOBS.sidecar,
        static_configs: Array.from({ length: props.prometheusReplicas }, (_, i) => ({
          targets: [`${ep.thanosSidecar.podHost(i)}:${ep.thanosSidecar.port}`],
          labels: { service: THANOS_JOBS.sidecar, pod: `${ep.prometheus.name}-${i}` },
        })),
      },
      podScrapeJob({ job: THANOS_JOBS.query, endpoint: query }),
      podScrapeJob({ job: THANOS_JOBS.store, endpoint: store }),
      podScrapeJob({ job: THANOS_JOBS.compactor, endpoint: compactor }),
    ];
  }
}
