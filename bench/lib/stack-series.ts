/**
 * The series a production Prometheus of this stack holds, at the documented cardinality, as specs
 * for the OpenMetrics writer: the metric names and labels the rules and dashboards read come from
 * the metrics contracts (never typed here); the rest of each source's series, which no panel
 * reads but which fill the index as they do in production, are filler series of that job.
 *
 * docs/performance.md prints this table (bench/disk-sizing.ts and bench/dashboards.ts both do).
 */
import { BACKEND_METRICS as B } from '../../charts/contracts/backend-metrics';
import { CADVISOR_METRICS as C, KUBELET_METRICS as KL, KUBE_STATE_METRICS as K } from '../../charts/contracts/kubernetes-metrics';
import { PROBE_METRICS as PR } from '../../charts/contracts/probe-metrics';
import { ALERTMANAGER_METRICS as AM } from '../../charts/alertmanager/metrics';
import { NODE_METRICS as N } from '../../charts/node-exporter/metrics';
import { POSTGRES_METRICS as P } from '../../charts/postgres-exporter/metrics';
import { PROMETHEUS_SELF_METRICS as PS } from '../../charts/prometheus/metrics';
import { REDIS_METRICS as R } from '../../charts/redis-exporter/metrics';
import { Labels, Shape, Spec, seriesCount } from './openmetrics';

export interface Source {
  readonly source: string;
  /** How the count comes about (what a new user recomputes for their own backend). */
  readonly how: string;
  readonly specs: readonly Spec[];
}

/** Routes, methods and status codes of the backend's request histogram (the documented expectation). */
export const BACKEND_SHAPE = { routes: 25, methods: ['GET', 'POST'], statusCodes: ['200', '400', '404', '500'], pods: 2 } as const;

const counter = (perStep: number, fraction = false): Shape => ({ kind: 'counter', perStep, fraction });
const gauge = (start: number, jitter: number, fraction = false): Shape => ({ kind: 'gauge', start, jitter, fraction });
const constant = (value: number): Shape => ({ kind: 'constant', value });

function filler(prefix: string, n: number, labels: Labels): Spec[] {
  // Half wandering gauges, a quarter counters, a quarter constants: about what the exporters show.
  return Array.from({ length: n }, (_, i) => ({
    name: `${prefix}_filler_${i % 40}`,
    labels: { ...labels, id: String(i) },
    shape: i % 4 === 0 ? counter(5) : i % 4 === 1 ? constant(1) : gauge(100, 2),
  }));
}

function backend(): Source[] {
  const pods = Array.from({ length: BACKEND_SHAPE.pods }, (_, i) => ({ job: 'backend', namespace: 'love-parser', pod: `backend-6f7c9d8b5-${'abcdefgh'[i]}x2k`, instance: `10.0.1.${10 + i}:3000` }));
  const routes = Array.from({ length: BACKEND_SHAPE.routes }, (_, i) => `/api/v1/route-${String(i + 1).padStart(2, '0')}`);
  const perStatus: Record<string, number> = { '200': 12, '400': 0.6, '404': 0.3, '500': 0.1 };
  const requests: Spec[] = pods.flatMap((pod) =>
    routes.flatMap((route) =>
      BACKEND_SHAPE.methods.flatMap((method) =>
        BACKEND_SHAPE.statusCodes.map((status_code) => ({ name: B.httpRequestDuration.name, labels: { ...pod, route, method, status_code }, buckets: B.httpRequestDuration.buckets!, perStep: perStatus[status_code], meanValue: 0.08 })),
      ),
    ),
  );
  const queues = ['broadcast', 'parsing'];
  const work: Spec[] = pods.flatMap((pod) => [
    ...queues.flatMap((queue) => [
      ...B.queueJobs.values!.state.map((state) => ({ name: B.queueJobs.name, labels: { ...pod, queue, state }, shape: state === 'completed' ? counter(3) : gauge(5, 1) })),
      { name: B.queuePaused.name, labels: { ...pod, queue }, shape: constant(0) },
      ...B.queueJobDuration.values!.outcome.map((outcome) => ({ name: B.queueJobDuration.name, labels: { ...pod, queue, outcome }, buckets: B.queueJobDuration.buckets!, perStep: outcome === 'completed' ? 3 : 0.05, meanValue: 4 })),
      { name: B.queueJobsCompleted.name, labels: { ...pod, queue }, shape: counter(3) },
      { name: B.queueJobsFailed.name, labels: { ...pod, queue }, shape: counter(0.05) },
      { name: B.queueLastCompleted.name, labels: { ...pod, queue }, shape: { kind: 'timestamp' as const, lagSeconds: 30 } },
    ]),
    ...[B.broadcastMessages, B.parsingJobs, B.audienceSegments, B.payments, B.paymentCallbacks].flatMap((m) =>
      m.values!.outcome.map((outcome, i) => ({ name: m.name, labels: { ...pod, outcome }, shape: counter(i === 0 ? 8 : 0.1) })),
    ),
    ...B.dbPoolConnections.values!.state.map((state) => ({ name: B.dbPoolConnections.name, labels: { ...pod, state }, shape: gauge(state === 'total' ? 8 : 2, 1) })),
    { name: B.dbPoolMax.name, labels: pod, shape: constant(10) },
    ...B.redisConnections.values!.client.map((client) => ({ name: B.redisConnections.name, labels: { ...pod, client }, shape: gauge(4, 0.5) })),
  ]);
  const processSeries: Spec[] = pods.flatMap((pod) => [
    { name: B.residentMemory.name, labels: pod, shape: gauge(250e6, 1e6) },
    { name: B.heapUsed.name, labels: pod, shape: gauge(120e6, 1e6) },
    { name: B.eventLoopLagP99.name, labels: pod, shape: gauge(0.02, 0.002, true) },
    ...filler('nodejs', 37, pod),
  ]);
  return [
    { source: 'backend request histogram', how: `${BACKEND_SHAPE.routes} routes x ${BACKEND_SHAPE.methods.length} methods x ${BACKEND_SHAPE.statusCodes.length} status codes x ${BACKEND_SHAPE.pods} pods x 14 (11 buckets, +Inf, _sum, _count)`, specs: requests },
    { source: 'backend queues, pool, payments, broadcasts', how: '2 queues x 6 states x 2 pods, job-duration histograms, counters', specs: work },
    { source: 'backend process (prom-client defaults)', how: '2 pods x 40', specs: processSeries },
  ];
}

function postgres(): Source {
  const base = { job: 'postgres-exporter', instance: '10.0.2.10:9187' };
  const dbs = [
    { datid: '16384', datname: 'love_parser' },
    { datid: '5', datname: 'postgres' },
  ];
  const tables = Array.from({ length: 10 }, (_, i) => ({ datname: 'love_parser', schemaname: 'public', relname: `table_${i + 1}` }));
  const specs: Spec[] = [
    { name: P.up.name, labels: base, shape: constant(1) },
    { name: P.maxConnections.name, labels: base, shape: constant(100) },
    { name: P.superuserReservedConnections.name, labels: base, shape: constant(3) },
    { name: P.longRunningTransactions.name, labels: base, shape: gauge(0, 0.2) },
    { name: P.oldestTransactionSeconds.name, labels: base, shape: gauge(2, 1, true) },
    ...['active', 'idle', 'idle in transaction'].map((state) => ({ name: P.activityCount.name, labels: { ...base, datname: 'love_parser', state, usename: 'app', application_name: '', backend_type: 'client backend', wait_event_type: '', wait_event: '' }, shape: gauge(state === 'idle' ? 20 : 5, 1) })),
    ...dbs.flatMap((db) => [
      { name: P.databaseSize.name, labels: { ...base, datname: db.datname }, shape: gauge(5e9, 1e6) },
      ...[P.deadlocks, P.commits, P.rollbacks, P.blocksHit, P.blocksRead].map((m, i) => ({ name: m.name, labels: { ...base, ...db }, shape: counter([0.001, 200, 1, 5000, 50][i]) })),
    ]),
    ...tables.flatMap((t) => [P.tableSize, P.tableIndexSize, P.tableDeadTuples, P.tableLiveTuples, P.tableLastAutovacuum, P.tableLastVacuum].map((m) => ({ name: m.name, labels: { ...base, ...t }, shape: gauge(1e6, 100) }))),
    // 100 statements: calls, seconds, and the rows counter the exporter also exposes.
    ...Array.from({ length: 100 }, (_, q) => ({ user: 'app', datname: 'love_parser', queryid: String(1_000_000 + q * 7919) })).flatMap((l, q) => [
      { name: P.statementCalls.name, labels: { ...base, ...l }, shape: counter(1 + (q % 10)) },
      { name: P.statementSeconds.name, labels: { ...base, ...l }, shape: counter(q % 17 === 0 ? 8 : 0.05, true) },
      { name: 'pg_stat_statements_rows_total', labels: { ...base, ...l }, shape: counter(5) },
    ]),
  ];
  return { source: 'postgres exporter', how: '100 statements x 3, database, table and connection series', specs: [...specs, ...filler('pg', Math.max(0, 400 - specs.reduce((n, s) => n + seriesCount(s), 0)), base)] };
}

function redis(): Source {
  const base = { job: 'redis-exporter', instance: '10.0.2.11:9121' };
  const cmds = ['get', 'set', 'del', 'expire', 'hget', 'hset', 'lpush', 'brpop', 'zadd', 'evalsha'];
  const specs: Spec[] = [
    { name: R.up.name, labels: base, shape: constant(1) },
    { name: R.instanceInfo.name, labels: { ...base, role: 'master', redis_version: '7.0.15', redis_build_id: 'x', redis_mode: 'standalone', os: 'Linux', maxmemory_policy: 'noeviction', tcp_port: '6379', run_id: 'r', process_id: '1' }, shape: constant(1) },
    { name: R.memoryUsed.name, labels: base, shape: gauge(300e6, 1e6) },
    { name: R.memoryMax.name, labels: base, shape: constant(1e9) },
    { name: R.connectedClients.name, labels: base, shape: gauge(20, 1) },
    { name: R.dbKeys.name, labels: { ...base, db: 'db0' }, shape: gauge(50000, 50) },
    { name: R.dbKeysExpiring.name, labels: { ...base, db: 'db0' }, shape: gauge(2000, 20) },
    { name: R.evictedKeys.name, labels: base, shape: counter(0.01) },
    { name: R.expiredKeys.name, labels: base, shape: counter(3) },
    { name: R.keyspaceHits.name, labels: base, shape: counter(900) },
    { name: R.keyspaceMisses.name, labels: base, shape: counter(100) },
    ...cmds.flatMap((cmd, i) => [
      { name: R.commands.name, labels: { ...base, cmd }, shape: counter(50 + i * 10) },
      { name: R.commandsDuration.name, labels: { ...base, cmd }, shape: counter(0.01, true) },
      // redis_exporter's latency histogram: microsecond buckets, powers of two.
      { name: R.commandLatency.name, labels: { ...base, cmd }, buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], perStep: 50 + i * 10, meanValue: 20 },
    ]),
  ];
  return { source: 'redis exporter', how: '10 commands (counters and a latency histogram each), INFO sections', specs: [...specs, ...filler('redis', Math.max(0, 250 - specs.reduce((n, s) => n + seriesCount(s), 0)), base)] };
}

function node(): Source {
  const specs: Spec[] = [];
  for (let i = 1; i <= 3; i++) {
    const base = { job: 'node-exporter', instance: `node-${i}`, namespace: 'monitoring-agents', pod: `node-exporter-n${i}` };
    const own: Spec[] = [
      ...Array.from({ length: 4 }, (_, cpu) => N.cpuSeconds.values!.mode.map((mode) => ({ name: N.cpuSeconds.name, labels: { ...base, cpu: String(cpu), mode }, shape: counter(mode === 'idle' ? 10 : 1, true) }))).flat(),
      { name: N.load1.name, labels: base, shape: gauge(1.5, 0.2, true) },
      { name: N.load5.name, labels: base, shape: gauge(1.5, 0.1, true) },
      { name: N.load15.name, labels: base, shape: gauge(1.5, 0.05, true) },
      { name: N.memoryAvailable.name, labels: base, shape: gauge(8e9, 1e7) },
      { name: N.memoryTotal.name, labels: base, shape: constant(16e9) },
      ...['/', '/var/lib/kubelet', '/boot', '/run', '/var/lib/containerd'].flatMap((mountpoint, m) =>
        [N.filesystemAvail, N.filesystemSize, N.filesystemReadonly, N.filesystemFiles, N.filesystemFilesFree].map((def, k) => ({ name: def.name, labels: { ...base, device: `/dev/vda${m + 1}`, mountpoint, fstype: 'ext4', device_error: '' }, shape: k === 2 ? constant(0) : gauge(50e9, 1e6) })),
      ),
      ...['vda', 'vdb'].flatMap((device) => [N.diskIoTime, N.diskReadBytes, N.diskWrittenBytes, N.diskIoTimeWeighted].map((def) => ({ name: def.name, labels: { ...base, device }, shape: counter(1000) }))),
      ...['eth0', 'lo', 'cni0'].flatMap((device) => [N.networkReceiveBytes, N.networkTransmitBytes, N.networkReceiveErrors, N.networkTransmitErrors, N.networkReceivePackets, N.networkTransmitPackets].map((def) => ({ name: def.name, labels: { ...base, device }, shape: counter(500) }))),
    ];
    specs.push(...own, ...filler('node', 700 - own.reduce((n, s) => n + seriesCount(s), 0), base));
  }
  return { source: 'node exporter', how: '3 nodes x 700', specs };
}

/** The stack's pods and containers, as kube-state-metrics and the kubelets see them. */
const PODS: readonly { namespace: string; pod: string; containers: readonly string[]; node: string; owner: string; kind: string }[] = [
  ...[0, 1].map((i) => ({ namespace: 'love-parser', pod: `backend-6f7c9d8b5-${'ab'[i]}x2k`, containers: ['backend'], node: `node-${i + 1}`, owner: 'backend', kind: 'ReplicaSet' })),
  { namespace: 'monitoring', pod: 'prometheus-0', containers: ['prometheus', 'config-reloader'], node: 'node-1', owner: 'prometheus', kind: 'StatefulSet' },
  { namespace: 'monitoring', pod: 'alertmanager-0', containers: ['alertmanager'], node: 'node-2', owner: 'alertmanager', kind: 'StatefulSet' },
  { namespace: 'monitoring', pod: 'grafana-0', containers: ['grafana'], node: 'node-3', owner: 'grafana', kind: 'StatefulSet' },
  { namespace: 'monitoring', pod: 'loki-0', containers: ['loki'], node: 'node-1', owner: 'loki', kind: 'StatefulSet' },
  ...['postgres-exporter', 'redis-exporter', 'kube-state-metrics', 'blackbox-exporter'].map((d, i) => ({ namespace: 'monitoring', pod: `${d}-7b9c5d-q${i}`, containers: [d], node: `node-${(i % 3) + 1}`, owner: d, kind: 'ReplicaSet' })),
  ...[1, 2, 3].flatMap((n) => [
    { namespace: 'monitoring-agents', pod: `node-exporter-n${n}`, containers: ['node-exporter'], node: `node-${n}`, owner: 'node-exporter', kind: 'DaemonSet' },
    { namespace: 'monitoring-agents', pod: `log-shipper-n${n}`, containers: ['promtail'], node: `node-${n}`, owner: 'log-shipper', kind: 'DaemonSet' },
  ]),
];

function kubernetes(): Source[] {
  const ksm = { job: 'kube-state-metrics', instance: '10.0.2.12:8080' };
  const k: Spec[] = PODS.flatMap((p, i) => {
    const pod = { ...ksm, namespace: p.namespace, pod: p.pod, uid: `uid-${i}` };
    return [
      { name: K.podInfo.name, labels: { ...pod, node: p.node, created_by_kind: p.kind, created_by_name: p.owner, host_ip: '10.0.0.1', pod_ip: `10.0.3.${i}`, priority_class: '', host_network: 'false' }, shape: constant(1) },
      ...K.podStatusPhase.values!.phase.map((phase) => ({ name: K.podStatusPhase.name, labels: { ...pod, phase }, shape: constant(phase === 'Running' ? 1 : 0) })),
      ...K.podStatusReady.values!.condition.map((condition) => ({ name: K.podStatusReady.name, labels: { ...pod, condition }, shape: constant(condition === 'true' ? 1 : 0) })),
      ...p.containers.flatMap((container) => [
        { name: K.containerRestarts.name, labels: { ...pod, container }, shape: constant(0) },
        { name: K.containerRunning.name, labels: { ...pod, container }, shape: constant(1) },
        ...[
          ['cpu', 'core', 1],
          ['memory', 'byte', 512e6],
        ].map(([resource, unit, v]) => ({ name: K.containerResourceLimits.name, labels: { ...pod, container, node: p.node, resource: String(resource), unit: String(unit) }, shape: constant(Number(v)) })),
      ]),
    ];
  });
  const owners = [...new Set(PODS.map((p) => `${p.kind}/${p.namespace}/${p.owner}`))].map((o) => o.split('/'));
  for (const [kind, namespace, name] of owners) {
    if (kind === 'StatefulSet') k.push(...[K.statefulsetReplicas, K.statefulsetReplicasReady].map((m) => ({ name: m.name, labels: { ...ksm, namespace, statefulset: name }, shape: constant(1) })));
    if (kind === 'DaemonSet') k.push(...[K.daemonsetDesired, K.daemonsetAvailable].map((m) => ({ name: m.name, labels: { ...ksm, namespace, daemonset: name }, shape: constant(3) })));
    if (kind === 'ReplicaSet') k.push(...[K.deploymentSpecReplicas, K.deploymentReplicasAvailable, K.deploymentReplicasUnavailable].map((m, i) => ({ name: m.name, labels: { ...ksm, namespace, deployment: name }, shape: constant(i === 2 ? 0 : 1) })));
    k.push({ name: K.endpointInfo.name, labels: { ...ksm, namespace, endpoint: name }, shape: constant(1) });
  }
  k.push(...PODS.filter((p) => p.owner === 'backend').map((p, i) => ({ name: K.endpointAddress.name, labels: { ...ksm, namespace: p.namespace, endpoint: 'backend', ip: `10.0.1.${10 + i}`, port_name: 'http', port_protocol: 'TCP', port_number: '3000', ready: 'true' }, shape: constant(1) })));

  const cadvisor: Spec[] = PODS.flatMap((p) =>
    p.containers.flatMap((container) => {
      const l = { job: 'kubelet-cadvisor', instance: p.node, namespace: p.namespace, pod: p.pod, container, id: `/kubepods/${p.pod}/${container}`, name: container, image: `${container}:pinned` };
      const own: Spec[] = [
        { name: C.memoryWorkingSet.name, labels: l, shape: gauge(200e6, 1e6) },
        { name: C.cpuUsage.name, labels: { ...l, cpu: 'total' }, shape: counter(1.5, true) },
        { name: C.cfsPeriods.name, labels: l, shape: counter(150) },
        { name: C.cfsThrottledPeriods.name, labels: l, shape: counter(2) },
        { name: C.oomEvents.name, labels: l, shape: constant(0) },
      ];
      // cAdvisor's other container series (network, file system, memory detail): about 15 more each.
      return [...own, ...filler('container', 15, l)];
    }),
  );
  const claims = [
    ['monitoring', 'prometheus-data-prometheus-0'],
    ['monitoring', 'alertmanager-data-alertmanager-0'],
    ['monitoring', 'grafana-data-grafana-0'],
    ['monitoring', 'loki-data-loki-0'],
  ];
  const kubelet: Spec[] = [
    ...claims.flatMap(([namespace, persistentvolumeclaim]) => [KL.volumeCapacity, KL.volumeAvailable, KL.volumeUsed].map((m, i) => ({ name: m.name, labels: { job: 'kubelet', instance: 'node-1', namespace, persistentvolumeclaim }, shape: i === 0 ? constant(50e9) : gauge(30e9, 1e5) }))),
    ...[1, 2, 3].flatMap((n) => filler('kubelet', 100, { job: 'kubelet', instance: `node-${n}` })),
  ];
  const probes = [['blackbox-backend-ready', 'http://backend.love-parser.svc:3000/health/ready'], ...[1, 2, 3].map((i) => ['blackbox-external', `https://external-${i}.example`])];
  const blackbox: Spec[] = probes.flatMap(([job, target]) => {
    const l = { job, instance: target };
    return [
      { name: PR.success.name, labels: l, shape: constant(1) },
      { name: PR.duration.name, labels: l, shape: gauge(0.05, 0.005, true) },
      { name: PR.httpStatusCode.name, labels: l, shape: constant(200) },
      { name: PR.sslEarliestCertExpiry.name, labels: l, shape: constant(1_900_000_000) },
      ...filler('probe', 10, l),
    ];
  });
  return [
    { source: 'kube-state-metrics', how: `${PODS.length} pods and their containers, owners, endpoints`, specs: k },
    { source: 'kubelets: cAdvisor', how: `${PODS.reduce((n, p) => n + p.containers.length, 0)} containers x 20`, specs: cadvisor },
    { source: 'kubelets: volume stats and own series', how: '4 claims x 3, 3 kubelets x 100', specs: kubelet },
    { source: 'blackbox probes', how: '4 targets x 14', specs: blackbox },
  ];
}

function servers(): Source {
  const specs: Spec[] = [
    ...['backend-recording-rules', 'backend-slo-recording-rules', 'backend-alerts', 'node-exporter-recording-rules'].map((rule_group) => ({ name: PS.ruleEvaluationFailures.name, labels: { job: 'prometheus', instance: '127.0.0.1:9090', rule_group }, shape: constant(0) })),
    { name: PS.configLastReloadSuccessful.name, labels: { job: 'prometheus', instance: '127.0.0.1:9090' }, shape: constant(1) },
    ...['slack', 'email', 'webhook', 'pagerduty'].flatMap((integration): Spec[] => [
      { name: AM.notifications.name, labels: { job: 'alertmanager', instance: 'alertmanager-0:9093', integration }, shape: counter(0.01) },
      { name: AM.notificationsFailed.name, labels: { job: 'alertmanager', instance: 'alertmanager-0:9093', integration, reason: 'other' }, shape: constant(0) },
    ]),
    { name: AM.configLastReloadSuccessful.name, labels: { job: 'alertmanager', instance: 'alertmanager-0:9093' }, shape: constant(1) },
  ];
  const jobs: [string, string, number][] = [
    ['prometheus', 'prometheus-0:9090', 1000],
    ['alertmanager', 'alertmanager-0:9093', 300],
    ['grafana', 'grafana-0:3000', 500],
    ['loki', 'loki-0:3100', 500],
    ...[1, 2, 3].map((n): [string, string, number] => ['log-shipper', `log-shipper-n${n}:9080`, 60]),
  ];
  return { source: "the stack's own servers", how: 'Prometheus 1,000, Alertmanager 300, Grafana 500, Loki 500, 3 log shippers x 60', specs: [...specs, ...jobs.flatMap(([job, instance, n]) => filler('server', n - (job === 'prometheus' ? 5 : job === 'alertmanager' ? 9 : 0), { job, instance }))] };
}

/** `up` and the scrape_* series Prometheus writes for every target of every source. */
function targetHealth(sources: readonly Source[]): Source {
  const targets = new Map<string, Labels>();
  for (const s of sources) for (const spec of s.specs) if (spec.labels.job && spec.labels.instance) targets.set(`${spec.labels.job}|${spec.labels.instance}`, { job: spec.labels.job, instance: spec.labels.instance });
  const specs: Spec[] = [...targets.values()].flatMap((t) => [
    { name: 'up', labels: t, shape: constant(1) },
    { name: 'scrape_duration_seconds', labels: t, shape: gauge(0.05, 0.01, true) },
    { name: 'scrape_samples_scraped', labels: t, shape: gauge(500, 1) },
    { name: 'scrape_series_added', labels: t, shape: constant(0) },
    { name: 'scrape_samples_post_metric_relabeling', labels: t, shape: gauge(500, 1) },
  ]);
  return { source: 'target health (up, scrape_*)', how: `${targets.size} targets x 5`, specs };
}

/** Every scraped series of the documented production cardinality, by source. */
export function stackSources(): Source[] {
  const scraped = [...backend(), postgres(), redis(), node(), ...kubernetes(), servers()];
  return [...scraped, targetHealth(scraped)];
}

export function sourceSeries(s: Source): number {
  return s.specs.reduce((n, spec) => n + seriesCount(spec), 0);
}
