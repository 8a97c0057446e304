/**
 * Loki's simple scalable deployment (`loki.mode: simple-scalable`): the targets `write`
 * (distributor, ingester: a StatefulSet whose claim holds the WAL), `read` (query frontend,
 * querier: a stateless Deployment) and `backend` (query scheduler, index gateway, compactor,
 * ruler: a StatefulSet whose claim holds the compactor's working directory), one loki.yaml for all
 * three (./config.ts, `lokiScalableConfig`), chunks and index on S3-compatible object storage.
 *
 * The pods find each other through memberlist: a headless Service over every Loki pod
 * (`loki-memberlist`, port 7946, not-ready addresses published so a starting pod can join). The S3
 * credentials come from the Secret named in config, as environment variables that Loki expands
 * into loki.yaml (`-config.expand-env=true`); no value is written to dist/.
 *
 * Each target: its own ServiceAccount without a token, the restricted security context, probes on
 * /ready, requests and limits, anti-affinity, a PodDisruptionBudget, a NetworkPolicy for exactly
 * its flows, and a scrape job of its own (`loki-write`, `loki-read`, `loki-backend`).
 */
import { k8s } from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { ScrapeJob } from '../lib/monitoring';
import { Flow, Peer, allowOnly } from '../lib/network';
import { configMapVolume, podSpec, restrictedPod, scratchVolume } from '../lib/pod';
import { LOKI_UID, lokiContainer } from './container';
import { oneAtATime, spreadAcrossNodes } from '../lib/ha';
import { podScrapeJob } from '../lib/scrape';
import { StatefulSet, claimTemplate } from '../lib/storage';
import { configChecksum, serviceAccountFor, serviceFor } from '../lib/workload';
import { LOKI_HTTP, LOKI_PORTS, LokiApi } from '../contracts/logs';
import { IMAGES } from '../versions';
import { LokiScalableConfig, S3_CREDENTIAL_ENV, lokiScalableConfig } from './config';
import { LOKI_TARGETS, LokiProps, LokiTarget, replicationFactor } from './settings';


/** The headless Service every Loki pod gossips through. */
export const MEMBERLIST_SERVICE = 'loki-memberlist';
/** The label that puts a pod behind that Service (and lets the Loki pods reach each other). */
export const MEMBERLIST_LABEL = { 'love-parser.dev/loki-memberlist': 'member' } as const;
/** The claims: the write pods' WAL, the backend pods' compactor working directory. */
export const WAL_VOLUME = 'loki-wal';
export const BACKEND_VOLUME = 'loki-backend-data';
/** Scrape job of each target: its Service's name. */
export const TARGET_JOBS: Record<LokiTarget, string> = { write: 'loki-write', read: 'loki-read', backend: 'loki-backend' };

export interface ScalableParts {
  readonly config: LokiScalableConfig;
  readonly configYaml: string;
  readonly scrapeJobs: ScrapeJob[];
  readonly api: LokiApi;
}

/** Adds the three targets, their Services and policies to `chart`. */
export function addScalableLoki(chart: ComponentChart, props: LokiProps): ScalableParts {
  const c = props.settings;
  const ep = props.shared.endpoints;
  const ns = ep.loki.namespace;
  const targets: Record<LokiTarget, ServiceEndpoint> = { write: ep.lokiWrite, read: ep.lokiRead, backend: ep.lokiBackend };
  const backend = targets.backend;

  const config = lokiScalableConfig(
    c,
    {
      compactorGrpc: `${backend.host}:${LOKI_PORTS.grpc}`,
      indexGateways: `dns+${backend.headlessHost}:${LOKI_PORTS.grpc}`,
      memberlist: `dns+${MEMBERLIST_SERVICE}.${ns}.svc:${LOKI_PORTS.memberlist}`,
    },
    replicationFactor(c),
  );
  const configYaml = YAML.stringify(config, { lineWidth: 0 });
  const configMapName = 'loki-config';
  const common = componentLabels({ name: 'loki', component: 'logs', version: IMAGES.loki.tag });
  new k8s.KubeConfigMap(chart, 'config', { metadata: { name: configMapName, labels: common }, data: { 'loki.yaml': configYaml } });

  // The gossip Service: every Loki pod, ready or not (a pod joins the ring before it is ready).
  new k8s.KubeService(chart, 'memberlist-service', {
    metadata: { name: MEMBERLIST_SERVICE, labels: common },
    spec: {
      clusterIp: 'None',
      publishNotReadyAddresses: true,
      selector: { ...MEMBERLIST_LABEL },
      ports: [{ name: 'memberlist', port: LOKI_PORTS.memberlist, targetPort: k8s.IntOrString.fromString('memberlist'), protocol: 'TCP' }],
    },
  });

  const o = c.objectStorage;
  const secret = o.secretName ?? '';
  const env: k8s.EnvVar[] = [
    { name: S3_CREDENTIAL_ENV.accessKeyId, valueFrom: { secretKeyRef: { name: secret, key: o.accessKeyIdKey } } },
    { name: S3_CREDENTIAL_ENV.secretAccessKey, valueFrom: { secretKeyRef: { name: secret, key: o.secretAccessKeyKey } } },
  ];
  const lokiPods: Peer = { namespace: ns, podLabels: { ...MEMBERLIST_LABEL } };
  const grpc = (peers: Peer[]): Flow => ({ peers, ports: [{ port: LOKI_PORTS.grpc }] });
  const gossip: Flow = { peers: [lokiPods], ports: [{ port: LOKI_PORTS.memberlist, protocol: 'TCP' }, { port: LOKI_PORTS.memberlist, protocol: 'UDP' }] };
  const objectStore: Flow = { peers: [{ cidrs: o.cidrs }], ports: o.ports.map((port) => ({ port })) };
  const t = (name: LokiTarget): Peer => ({ endpoint: targets[name] });
  const http = (peers: Peer[], port = LOKI_PORTS.http): Flow => ({ peers, ports: [{ port }] });

  // Who calls whom (Loki 3.7): the shipper pushes to write; distributors (write) push to the
  // ingesters (write) over gRPC; Grafana queries read; query frontends (read) enqueue on the
  // schedulers (backend), queriers (read) pull from them and answer the frontends (read), ask the
  // index gateways (backend), the ingesters (write) for recent data and the compactor (backend) for
  // delete requests; the ruler (backend) queries like a querier. Every pod gossips with every
  // other, reads and writes the bucket, and is scraped by Prometheus.
  const flows: Record<LokiTarget, { ingress: Flow[]; egress: Flow[] }> = {
    write: {
      ingress: [http([{ endpoint: ep.logShipper }, { endpoint: ep.prometheus }]), grpc([t('write'), t('read'), t('backend')]), gossip],
      egress: [grpc([t('write')]), gossip, objectStore],
    },
    read: {
      ingress: [http([{ endpoint: ep.grafana }, { endpoint: ep.prometheus }]), grpc([t('read'), t('backend')]), gossip],
      egress: [grpc([t('read'), t('write'), t('backend')]), gossip, objectStore],
    },
    backend: {
      ingress: [http([{ endpoint: ep.prometheus }]), grpc([t('read'), t('backend')]), gossip],
      egress: [grpc([t('read'), t('write'), t('backend')]), gossip, objectStore],
    },
  };

  for (const name of LOKI_TARGETS) {
    const e = targets[name];
    const s = c[name];
    const labels = { ...componentLabels({ name: e.name, component: `logs-${name}`, version: IMAGES.loki.tag }), ...MEMBERLIST_LABEL };
    serviceAccountFor(chart, `${name}-service-account`, e.name, labels);
    const claim = name === 'write' ? WAL_VOLUME : name === 'backend' ? BACKEND_VOLUME : undefined;
    const pod = podSpec({
      serviceAccountName: e.name,
      securityContext: restrictedPod(LOKI_UID, { fsGroup: LOKI_UID }),
      affinity: spreadAcrossNodes(e.podLabels, s.antiAffinity),
      // Ingesters flush their chunks on shutdown (flush_on_shutdown); the others stop quickly.
      terminationGracePeriodSeconds: name === 'write' ? 300 : 60,
      containers: [
        lokiContainer({ target: name, portName: e.portName, resources: s.resources, dataVolume: claim ?? 'data', env, memberlist: true }),
      ],
      volumes: [configMapVolume('config', configMapName), scratchVolume('tmp'), ...(claim ? [] : [scratchVolume('data', '1Gi')])],
    });
    const template = { metadata: { labels, annotations: { 'checksum/config': configChecksum(configYaml) } }, spec: pod };
    if (name === 'read') {
      new k8s.KubeDeployment(chart, `${name}-deployment`, {
        metadata: { name: e.name, labels },
        spec: {
          replicas: s.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: e.podLabels },
          // Stateless: a new pod is ready before an old one goes, so Grafana keeps its data source.
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
          template,
        },
      });
    } else {
      new StatefulSet(chart, `${name}-statefulset`, {
        metadata: { name: e.name, labels },
        spec: {
          replicas: s.replicas,
          serviceName: e.headlessName,
          // Pods start together: the ring needs its members, not one at a time.
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: e.podLabels },
          updateStrategy: { type: 'RollingUpdate' },
          template,
          volumeClaimTemplates: [claimTemplate(claim!, e.podLabels, name === 'write' ? c.write.storage : c.backend.storage)],
        },
      });
      // The governing Service; for the backend also the index gateways' DNS (every pod's address).
      serviceFor(chart, `${name}-headless-service`, e, labels, { name: e.headlessName, headless: true, extraPorts: [{ name: 'grpc', port: LOKI_PORTS.grpc }] });
    }
    serviceFor(chart, `${name}-service`, e, labels, { extraPorts: [{ name: 'grpc', port: LOKI_PORTS.grpc }] });
    oneAtATime(chart, `${name}-pdb`, e.name, labels, e.podLabels);
    allowOnly(chart, `${name}-network-policy`, { name: e.name, labels, podLabels: e.podLabels, ingress: flows[name].ingress, egress: flows[name].egress });
  }

  return {
    config,
    configYaml,
    scrapeJobs: LOKI_TARGETS.map((name) => podScrapeJob({ job: TARGET_JOBS[name], endpoint: targets[name], metricsPath: LOKI_HTTP.metrics })),
    api: { push: targets.write, query: targets.read, jobs: { job: { re: LOKI_TARGETS.map((n) => TARGET_JOBS[n]).join('|') } } },
  };
}
