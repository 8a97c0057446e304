/**
 * Prometheus: a StatefulSet of identical replicas (a pair in production), each on its own
 * `prometheus-data` claim, spread across nodes, with a PodDisruptionBudget; its configuration and
 * rule files generated from the components it monitors; discovery permissions limited to the
 * namespaces it discovers in; a network policy that lets it reach exactly what it scrapes.
 *
 * The pair: every replica scrapes every target, evaluates every rule and sends every alert to every
 * Alertmanager; the alerts differ only in the `replica` external label, which the alerting section
 * drops, so Alertmanager deduplicates them. Each replica scrapes itself and its peers by their
 * stable pod DNS names, so one replica notices the other one down (PrometheusReplicaDown).
 *
 * Configuration changes reach the running server without a restart: the ConfigMap is mounted as a
 * directory (the kubelet swaps it atomically), and `--config.auto-reload` re-reads prometheus.yml
 * and every rule file when their checksum changes (docs/prometheus.md).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ComponentChart } from '../lib/component';
import { ServiceEndpoint } from '../lib/endpoints';
import { componentLabels } from '../lib/labels';
import { Dashboard, MonitoringSource, RuleGroup, ScrapeJob } from '../lib/monitoring';
import { Flow, allowOnly } from '../lib/network';
import { configMapVolume, container, fieldEnv, httpProbe, podSpec, restrictedPod, startupProbe } from '../lib/pod';
import { oneAtATime, spreadAcrossNodes } from '../lib/ha';
import { StatefulSet, claimTemplate } from '../lib/storage';
import { serviceAccountFor, serviceFor } from '../lib/workload';
import { IMAGES, imageOf } from '../versions';
import { alertRules } from './alerts';
import { PROMETHEUS_CONFIG_DIR, CONFIG_FILE, POD_NAME_ENV, alertmanagerSet, prometheusConfig, renderPrometheusConfig, renderRuleFiles } from './config';
import { Discovery, reachOf } from './reach';
import { SD_ROLE_RESOURCES } from '../lib/scrape';
import { PrometheusProps } from './settings';
import { PrometheusSidecar } from '../contracts/long-term';

/** uid/gid `nobody` of the quay.io/prometheus/prometheus image. */
const PROMETHEUS_UID = 65534;
/** The volume claim template; also the PVC name prefix (`prometheus-data-prometheus-0`). */
export const DATA_VOLUME = 'prometheus-data';
const DATA_DIR = '/prometheus';

export interface PrometheusChartProps extends PrometheusProps {
  /** Everything Prometheus scrapes and evaluates rules for: each source's scrapeJobs and ruleGroups. */
  readonly sources: readonly MonitoringSource[];
  /**
   * Endpoints whose pods run in the host network, where pod selectors do not apply: egress to
   * them is allowed to `network.nodeCidrs` on their port instead.
   * @default [endpoints.nodeExporter]
   */
  readonly hostNetworkEndpoints?: readonly ServiceEndpoint[];
  /**
   * A sidecar for every pod (Thanos's, when `thanos.enabled`): its container, volumes and flows,
   * and the flags Prometheus needs with it (charts/contracts/long-term.ts). @default none
   */
  readonly sidecar?: PrometheusSidecar;
}

export class PrometheusChart extends ComponentChart implements MonitoringSource {
  readonly scrapeJobs: readonly ScrapeJob[];
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly Dashboard[] = [];
  /** The generated prometheus.yml. */
  readonly configYaml: string;
  /** The generated rule files, by file name. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  /** Every rule group it evaluates: the sources' and its own. */
  readonly evaluatedRuleGroups: readonly RuleGroup[];
  /** Namespaces and discovery roles Prometheus watches, hence holds a Role in. */
  readonly discovery: readonly Discovery[];

  constructor(scope: Construct, id: string, props: PrometheusChartProps) {
    const c = props.settings;
    const ep = props.shared.endpoints;
    const endpoint = ep.prometheus;
    super(scope, id, endpoint.namespace, props.dependsOn);

    const labels = componentLabels({ name: endpoint.name, component: 'metrics', version: IMAGES.prometheus.tag });
    const selector = endpoint.podLabels;
    const hostNetwork = props.hostNetworkEndpoints ?? [ep.nodeExporter];
    const sidecar = props.sidecar?.parts({ dataVolume: DATA_VOLUME, dataDir: DATA_DIR, port: endpoint.port });

    // Its own contribution; every other job comes from the component that owns it.
    this.scrapeJobs = [selfScrapeJob(endpoint, c.replicas)];
    this.ruleGroups = alertRules(props);
    const jobs = [...props.sources.flatMap((s) => s.scrapeJobs ?? []), ...this.scrapeJobs];
    const groups = [...props.sources.flatMap((s) => s.ruleGroups ?? []), ...this.ruleGroups];
    this.evaluatedRuleGroups = groups;

    const cfg = prometheusConfig({ settings: c, externalLabels: { cluster: props.shared.cluster, environment: props.shared.environment }, scrapeJobs: jobs, alertmanager: ep.alertmanager });
    this.configYaml = renderPrometheusConfig(cfg);
    this.ruleFiles = renderRuleFiles(groups);

    // Who Prometheus talks to, traced from its own configuration.
    const allEndpoints = Object.values(ep);
    const reaches = [
      ...jobs.map((j) => reachOf(j.job_name, j, allEndpoints)),
      reachOf('alerting.alertmanagers', alertmanagerSet(ep.alertmanager), allEndpoints),
    ];
    this.discovery = uniqueBy(reaches.flatMap((r) => r.discovery), (d) => `${d.namespace}/${d.role}`);
    // By port too: the sidecar's endpoint is the Prometheus pods on another port.
    const targets = uniqueBy(reaches.flatMap((r) => r.endpoints), (e) => `${e.namespace}/${e.name}:${e.port}`);
    const nodePorts = [...new Set(reaches.flatMap((r) => r.nodePorts))].sort((a, b) => a - b);

    serviceAccountFor(this, 'service-account', endpoint.name, labels);
    this.discoveryRbac(endpoint, labels);

    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${endpoint.name}-config`, labels },
      data: { [CONFIG_FILE]: this.configYaml, ...this.ruleFiles },
    });

    const headless = `${endpoint.name}-headless`;
    new StatefulSet(this, 'statefulset', {
      metadata: { name: endpoint.name, labels },
      spec: {
        replicas: c.replicas,
        // Replicas start (and replay their WAL) side by side, not one after the other; updates
        // still roll one pod at a time.
        podManagementPolicy: 'Parallel',
        serviceName: headless,
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: podSpec({
            serviceAccountName: endpoint.name,
            apiAccess: true, // Kubernetes service discovery
            priorityClassName: props.shared.priorityClasses.alerting.name,
            affinity: spreadAcrossNodes(selector, c.antiAffinity),
            // fsGroup: the volume is created root-owned; the image's non-root user must write it.
            securityContext: restrictedPod(PROMETHEUS_UID, { fsGroup: PROMETHEUS_UID }),
            // A clean shutdown closes the head and the WAL; being killed means a longer replay next start.
            terminationGracePeriodSeconds: 120,
            containers: [
              container({
                name: 'prometheus',
                image: imageOf('prometheus'),
                args: [
                  `--config.file=${PROMETHEUS_CONFIG_DIR}/${CONFIG_FILE}`,
                  `--storage.tsdb.path=${DATA_DIR}`,
                  `--web.listen-address=:${endpoint.port}`,
                  '--config.auto-reload',
                  `--config.auto-reload-interval=${c.reloadInterval}`,
                  ...(sidecar?.prometheusArgs ?? []),
                ],
                // The `replica` external label: prometheus.yml says `${POD_NAME}`, Prometheus expands it.
                env: [fieldEnv(POD_NAME_ENV, 'metadata.name')],
                ports: [{ name: endpoint.portName, containerPort: endpoint.port }],
                // /-/healthy answers during the WAL replay, /-/ready only after it: readiness and the
                // startup budget wait for the replay, liveness only asks whether the process serves.
                startupProbe: startupProbe('/-/ready', endpoint.portName, c.startupSeconds),
                readinessProbe: httpProbe('/-/ready', endpoint.portName, { periodSeconds: 10, failureThreshold: 3 }),
                livenessProbe: httpProbe('/-/healthy', endpoint.portName, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 10 }),
                resources: c.resources,
                volumeMounts: [
                  { name: 'config', mountPath: PROMETHEUS_CONFIG_DIR, readOnly: true },
                  { name: DATA_VOLUME, mountPath: DATA_DIR },
                ],
              }),
              ...(sidecar ? [sidecar.container] : []),
            ],
            volumes: [configMapVolume('config', `${endpoint.name}-config`), ...(sidecar?.volumes ?? [])],
          }),
        },
        volumeClaimTemplates: [claimTemplate(DATA_VOLUME, selector, c.storage)],
      },
    });

    // The governing Service of the StatefulSet: stable DNS for the pod, ready or not.
    // With a sidecar, its gRPC port too: Thanos Query finds every sidecar by that port's SRV record.
    serviceFor(this, 'headless-service', endpoint, labels, { name: headless, headless: true, publishNotReadyAddresses: true, extraPorts: sidecar?.servicePorts ?? [] });
    // Grafana reads through this Service. The replicas' data differ slightly (each has its own gaps
    // around its restarts); ClientIP affinity keeps Grafana on one replica, so a dashboard never
    // zigzags between the two (docs/prometheus.md).
    serviceFor(this, 'service', endpoint, labels, { sessionAffinity: 'ClientIP' });
    oneAtATime(this, 'pdb', endpoint.name, labels, selector);

    const scrapeFlows: Flow[] = targets.map((t) =>
      hostNetwork.some((h) => h.namespace === t.namespace && h.name === t.name)
        ? { peers: [{ cidrs: props.shared.network.nodeCidrs }], ports: [{ port: t.port }] }
        : { peers: [{ endpoint: t }], ports: [{ port: t.port }] },
    );
    allowOnly(this, 'network-policy', {
      name: endpoint.name,
      labels,
      podLabels: selector,
      // Grafana queries it; the replicas scrape each other (and themselves, by pod DNS name).
      ingress: [{ peers: [{ endpoint: ep.grafana }, { endpoint }], ports: [{ port: endpoint.port }] }, ...(sidecar?.ingress ?? [])],
      egress: [
        ...(sidecar?.egress ?? []),
        ...scrapeFlows,
        // Node-role jobs (the kubelets): their port on the nodes' addresses.
        ...(nodePorts.length ? [{ peers: [{ cidrs: props.shared.network.nodeCidrs }], ports: nodePorts.map((port) => ({ port })) }] : []),
        { peers: [{ cidrs: props.shared.network.apiServerCidrs }], ports: props.shared.network.apiServerPorts.map((port) => ({ port })) },
      ],
    });
  }

  /** A Role per discovered namespace with exactly the resources its discovery roles watch. */
  private discoveryRbac(sa: ServiceEndpoint, labels: Record<string, string>): void {
    const byNamespace = new Map<string, Set<string>>();
    for (const d of this.discovery) {
      const set = byNamespace.get(d.namespace) ?? new Set<string>();
      for (const r of SD_ROLE_RESOURCES[d.role]) set.add(`${r.apiGroup}/${r.resource}`);
      byNamespace.set(d.namespace, set);
    }
    for (const [namespace, resources] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
      const byGroup = new Map<string, string[]>();
      for (const key of [...resources].sort()) {
        const [group, resource] = key.split('/');
        byGroup.set(group, [...(byGroup.get(group) ?? []), resource]);
      }
      const name = `${sa.name}-discovery`;
      new k8s.KubeRole(this, `discovery-role-${namespace}`, {
        metadata: { name, namespace, labels },
        // list+watch is all an informer does; no get, no secrets, nothing cluster-wide.
        rules: [...byGroup].map(([group, rs]) => ({ apiGroups: [group], resources: rs, verbs: ['list', 'watch'] })),
      });
      new k8s.KubeRoleBinding(this, `discovery-binding-${namespace}`, {
        metadata: { name, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }],
      });
    }
  }
}

/**
 * Prometheus's own job: every replica by its stable pod DNS name, so each replica scrapes the
 * others (a replica that is down shows as `up == 0` at its peer) and the series of all replicas
 * carry the same `instance` labels, which keeps their alerts identical.
 */
export function selfScrapeJob(endpoint: ServiceEndpoint, replicas: number): ScrapeJob {
  return {
    job_name: endpoint.name,
    // One entry per replica, so each carries its `pod` label (as the other jobs label their pods).
    static_configs: Array.from({ length: replicas }, (_, i) => ({
      targets: [`${endpoint.podHost(i)}:${endpoint.port}`],
      labels: { service: endpoint.name, pod: `${endpoint.name}-${i}` },
    })),
  };
}

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}
