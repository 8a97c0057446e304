/**
 * Cases of the alerts on what Kubernetes sees: the backend's pods and Deployment
 * (charts/backend/kubernetes-alerts.ts), the stack's StatefulSets and host agents and
 * kube-state-metrics itself (charts/kube-state-metrics/alerts.ts), containers and claims
 * (charts/kubelet/alerts.ts), and the probes (charts/blackbox-exporter/alerts.ts).
 *
 * Series are shaped exactly as the emitters name them: kube-state-metrics' from the contract that
 * test/kube-state-metrics/ground-truth.test.ts holds to the v2.20.0 ground truth, with the target
 * labels its scrape job writes; cAdvisor's and the kubelet's with the labels the kubelet adds.
 */
import { CADVISOR_METRICS as C, KUBELET_METRICS as V, KUBE_STATE_METRICS as K } from '../../../charts/contracts/kubernetes-metrics';
import { PROBE_METRICS as P } from '../../../charts/contracts/probe-metrics';
import { UP } from '../../../charts/lib/promql';
import { AlertCase, CaseContext, fires, quiet, series } from '../harness';
import { alert } from './common';

/** Target labels of the kube-state-metrics job (no namespace or pod of its own: kubeStateMetricsJob). */
const KSM = { job: 'kube-state-metrics', instance: '10.0.3.20:8080', service: 'kube-state-metrics' };
const BACKEND_POD = { namespace: 'love-parser', pod: 'backend-7d9f8c6b5-x2k4p', uid: '5b0c1e7e-1111-4c4c-9a9a-000000000001' };
const BACKEND_CONTAINER = { ...BACKEND_POD, container: 'backend' };
/** A backend pod as kube_pod_info describes it: created by a ReplicaSet of the Deployment. */
const backendPodInfo = (values: string, pod = BACKEND_POD, createdBy = 'backend-7d9f8c6b5') =>
  series(K.podInfo.name, {
    ...KSM,
    ...pod,
    node: 'worker-1',
    created_by_kind: 'ReplicaSet',
    created_by_name: createdBy,
    host_ip: '10.0.0.11',
    pod_ip: '10.0.1.10',
    priority_class: '',
    host_network: 'false',
  }, values);

export function backendKubernetesCases(_ctx: CaseContext): AlertCase[] {
  const svc = { service: 'backend' };
  const deployment = { ...KSM, namespace: 'love-parser', deployment: 'backend' };
  const endpointInfo = series(K.endpointInfo.name, { ...KSM, namespace: 'love-parser', endpoint: 'backend' }, '1x20');
  const address = (ready: 'true' | 'false', ip: string) =>
    series(K.endpointAddress.name, { ...KSM, namespace: 'love-parser', endpoint: 'backend', ip, port_name: 'http', port_protocol: 'TCP', port_number: '3000', ready }, '1x20');
  const running = (values: string) => series(K.containerRunning.name, { ...KSM, ...BACKEND_CONTAINER }, values);
  const noEndpoint = alert(
    'BackendNoReadyEndpoint',
    'critical',
    { ...KSM, namespace: 'love-parser', endpoint: 'backend', ...svc, notify_sms: 'true' },
    'The backend Service has no ready endpoint while its pods run',
    'Service love-parser/backend has had no ready address for 2m although backend containers run: every pod fails /health/ready (Postgres, Redis or Telegram down?) and clients get no answer.',
  );
  const notReady = (pod: string) =>
    alert('BackendPodNotReady', 'warning', { namespace: 'love-parser', pod, ...svc }, `Backend pod ${pod} has not been ready for 15m`, `${pod} has been Pending or unready for 15m (value 1); the Service sends it no traffic.`);
  const pendingPod = { ...BACKEND_POD, pod: 'backend-7d9f8c6b5-q8w7e', uid: '5b0c1e7e-1111-4c4c-9a9a-000000000002' };

  return [
    fires('BackendPodCrashLooping', 'CrashLoopBackOff for 15m', {
      input: [series(K.containerWaitingReason.name, { ...KSM, ...BACKEND_CONTAINER, reason: 'CrashLoopBackOff' }, '1x20')],
      at: '15m',
      expect: [
        alert('BackendPodCrashLooping', 'warning', { namespace: 'love-parser', pod: BACKEND_POD.pod, container: 'backend', ...svc }, `Backend pod ${BACKEND_POD.pod} is crash-looping`, `Container backend of ${BACKEND_POD.pod} has been in CrashLoopBackOff for 10m (value 1); it serves nothing between restarts.`),
      ],
    }),
    quiet('BackendPodCrashLooping', 'waiting while the container is created, and a CrashLoopBackOff shorter than 10m', {
      input: [
        series(K.containerWaitingReason.name, { ...KSM, ...BACKEND_CONTAINER, reason: 'ContainerCreating' }, '1x20'),
        series(K.containerWaitingReason.name, { ...KSM, ...BACKEND_CONTAINER, pod: 'backend-7d9f8c6b5-zz9zz', reason: 'CrashLoopBackOff' }, '_x10 1x6'),
      ],
      at: '15m',
    }),

    fires('BackendPodOomKilled', 'restarted 9 minutes ago, the last run ended OOMKilled', {
      input: [
        series(K.containerRestarts.name, { ...KSM, ...BACKEND_CONTAINER }, '0x10 1x10'),
        series(K.containerLastTerminatedReason.name, { ...KSM, ...BACKEND_CONTAINER, reason: 'OOMKilled' }, '0x10 1x10'),
      ],
      at: '19m',
      expect: [
        alert(
          'BackendPodOomKilled',
          'warning',
          { namespace: 'love-parser', pod: BACKEND_POD.pod, container: 'backend', ...svc },
          `Backend container backend of ${BACKEND_POD.pod} was killed for running out of memory`,
          `${BACKEND_POD.pod} restarted 1 time(s) in the last 10m, the last run ended OOMKilled: it reached its memory limit (backend.resources.limits.memory).`,
        ),
      ],
    }),
    quiet('BackendPodOomKilled', 'an OOM kill long ago, and a recent restart that ended in an error', {
      input: [
        series(K.containerRestarts.name, { ...KSM, ...BACKEND_CONTAINER }, '0x2 1x30'),
        series(K.containerLastTerminatedReason.name, { ...KSM, ...BACKEND_CONTAINER, reason: 'OOMKilled' }, '1x32'),
        series(K.containerRestarts.name, { ...KSM, ...BACKEND_CONTAINER, pod: 'backend-7d9f8c6b5-zz9zz' }, '0x25 1x6'),
        series(K.containerLastTerminatedReason.name, { ...KSM, ...BACKEND_CONTAINER, pod: 'backend-7d9f8c6b5-zz9zz', reason: 'Error' }, '1x31'),
      ],
      at: '30m',
    }),

    fires('BackendPodNotReady', 'one pod running but unready for 20m, another Pending (no Ready condition yet)', {
      input: [
        backendPodInfo('1x25'),
        series(K.podStatusReady.name, { ...KSM, ...BACKEND_POD, condition: 'false' }, '1x25'),
        series(K.podStatusReady.name, { ...KSM, ...BACKEND_POD, condition: 'true' }, '0x25'),
        backendPodInfo('1x25', pendingPod),
        series(K.podStatusPhase.name, { ...KSM, ...pendingPod, phase: 'Pending' }, '1x25'),
      ],
      at: '20m',
      expect: [notReady(BACKEND_POD.pod), notReady(pendingPod.pod)],
    }),
    quiet('BackendPodNotReady', 'a ready pod, and an unready pod that is not the backend', {
      input: [
        backendPodInfo('1x25'),
        series(K.podStatusReady.name, { ...KSM, ...BACKEND_POD, condition: 'true' }, '1x25'),
        series(K.podStatusReady.name, { ...KSM, ...BACKEND_POD, condition: 'false' }, '0x25'),
        backendPodInfo('1x25', { ...BACKEND_POD, pod: 'backend-worker-5f6d7c8b9-abcde' }, 'backend-worker-5f6d7c8b9'),
        series(K.podStatusReady.name, { ...KSM, ...BACKEND_POD, pod: 'backend-worker-5f6d7c8b9-abcde', condition: 'false' }, '1x25'),
      ],
      at: '20m',
    }),

    fires('BackendReplicasUnavailable', 'one replica unavailable for 20m', {
      input: [series(K.deploymentReplicasUnavailable.name, deployment, '1x25')],
      at: '20m',
      expect: [alert('BackendReplicasUnavailable', 'warning', { ...deployment, ...svc }, 'Backend Deployment is missing available replicas', '1 replica(s) of Deployment backend have been unavailable for 15m.')],
    }),
    quiet('BackendReplicasUnavailable', 'a rollout that lacked a replica for 5 minutes', {
      input: [series(K.deploymentReplicasUnavailable.name, deployment, '0x10 1x5 0x10')],
      at: '20m',
    }),

    fires('BackendRolloutStuck', 'Progressing=False, ProgressDeadlineExceeded', {
      input: [series(K.deploymentCondition.name, { ...deployment, condition: 'Progressing', status: 'false', reason: 'ProgressDeadlineExceeded' }, '1x10')],
      at: '8m',
      expect: [
        alert(
          'BackendRolloutStuck',
          'warning',
          { ...deployment, condition: 'Progressing', status: 'false', reason: 'ProgressDeadlineExceeded', ...svc },
          'Backend rollout is stuck',
          'Deployment backend reports Progressing=False (ProgressDeadlineExceeded): its progress deadline passed; the rollout will not finish without a change (value 1).',
        ),
      ],
    }),
    quiet('BackendRolloutStuck', 'a rollout in progress (Progressing=True)', {
      input: [
        series(K.deploymentCondition.name, { ...deployment, condition: 'Progressing', status: 'true', reason: 'ReplicaSetUpdated' }, '1x10'),
        series(K.deploymentCondition.name, { ...deployment, condition: 'Progressing', status: 'false', reason: 'ReplicaSetUpdated' }, '0x10'),
      ],
      at: '8m',
    }),

    fires('BackendNoReadyEndpoint', 'both addresses unready while the containers run (Postgres down)', {
      input: [endpointInfo, address('false', '10.0.1.10'), address('false', '10.0.1.11'), running('1x20')],
      at: '5m',
      expect: [noEndpoint],
    }),
    fires('BackendNoReadyEndpoint', 'an Endpoints object with no address at all', {
      input: [endpointInfo, running('1x20')],
      at: '5m',
      expect: [noEndpoint],
    }),
    quiet('BackendNoReadyEndpoint', 'one ready address is enough', {
      input: [endpointInfo, address('false', '10.0.1.10'), address('true', '10.0.1.11'), running('1x20')],
      at: '5m',
    }),
    quiet('BackendNoReadyEndpoint', 'no address because no backend container runs (scaled to zero: BackendDown covers it)', {
      input: [endpointInfo, running('0x20')],
      at: '5m',
    }),
  ];
}

export function kubeStateMetricsCases(_ctx: CaseContext): AlertCase[] {
  const kubelet = (node: string) => series(UP, { job: 'kubelet', instance: node, node, service: 'kubelet' }, '1x30');
  const agentPod = (daemonset: string, node: string, pod: string) =>
    series(K.podInfo.name, {
      ...KSM,
      namespace: 'monitoring-agents',
      pod,
      uid: `uid-${pod}`,
      node,
      created_by_kind: 'DaemonSet',
      created_by_name: daemonset,
      host_ip: '10.0.0.11',
      pod_ip: '10.0.0.11',
      priority_class: '',
      host_network: 'true',
    }, '1x30');
  const ksmUp = (v: number) => series(UP, KSM, `${v}x30`);
  const sts = { ...KSM, namespace: 'monitoring', statefulset: 'prometheus' };
  const notReadyPod = { ...KSM, namespace: 'monitoring-agents', pod: 'node-exporter-8fj2k', uid: 'uid-node-exporter-8fj2k' };

  return [
    fires('KubeStateMetricsDown', 'its only target is down', {
      input: [ksmUp(0)],
      at: '10m',
      expect: [
        alert(
          'KubeStateMetricsDown',
          'warning',
          { job: 'kube-state-metrics', service: 'kube-state-metrics' },
          'kube-state-metrics is down',
          'No target of job kube-state-metrics has been up for 5m: every alert on pods, Deployments, StatefulSets, DaemonSets and the backend\'s endpoints (BackendNoReadyEndpoint, which texts) cannot fire.',
        ),
      ],
    }),
    fires('KubeStateMetricsDown', 'no target at all (the pod is gone)', {
      input: [kubelet('worker-1')],
      at: '10m',
      expect: [
        alert(
          'KubeStateMetricsDown',
          'warning',
          { job: 'kube-state-metrics', service: 'kube-state-metrics' },
          'kube-state-metrics is down',
          'No target of job kube-state-metrics has been up for 5m: every alert on pods, Deployments, StatefulSets, DaemonSets and the backend\'s endpoints (BackendNoReadyEndpoint, which texts) cannot fire.',
        ),
      ],
    }),
    quiet('KubeStateMetricsDown', 'up', { input: [ksmUp(1)], at: '10m' }),

    fires('KubeStatefulSetReplicasMismatch', 'prometheus: 0 of 1 ready for 20m', {
      input: [series(K.statefulsetReplicas.name, sts, '1x25'), series(K.statefulsetReplicasReady.name, sts, '0x25')],
      at: '20m',
      expect: [
        alert(
          'KubeStatefulSetReplicasMismatch',
          'warning',
          // `on (namespace, statefulset)` keeps only those labels.
          { namespace: 'monitoring', statefulset: 'prometheus', service: 'prometheus' },
          'StatefulSet monitoring/prometheus has fewer ready replicas than it asks for',
          'StatefulSet monitoring/prometheus has had 0 ready replica(s), fewer than its spec, for 15m.',
        ),
      ],
    }),
    quiet('KubeStatefulSetReplicasMismatch', 'all ready, and a StatefulSet outside the stack', {
      input: [
        series(K.statefulsetReplicas.name, sts, '1x25'),
        series(K.statefulsetReplicasReady.name, sts, '1x25'),
        series(K.statefulsetReplicas.name, { ...KSM, namespace: 'databases', statefulset: 'pg' }, '3x25'),
        series(K.statefulsetReplicasReady.name, { ...KSM, namespace: 'databases', statefulset: 'pg' }, '1x25'),
      ],
      at: '20m',
    }),

    fires('KubeDaemonSetPodMissing', 'the log shipper has no pod on worker-2', {
      input: [
        ksmUp(1),
        kubelet('worker-1'),
        kubelet('worker-2'),
        agentPod('node-exporter', 'worker-1', 'node-exporter-aaaaa'),
        agentPod('node-exporter', 'worker-2', 'node-exporter-bbbbb'),
        agentPod('log-shipper', 'worker-1', 'log-shipper-ccccc'),
      ],
      at: '20m',
      expect: [
        alert(
          'KubeDaemonSetPodMissing',
          'warning',
          { node: 'worker-2', daemonset: 'log-shipper', service: 'log-shipper' },
          'Host agent log-shipper does not run on node worker-2',
          'Node worker-2 has had no pod of DaemonSet monitoring-agents/log-shipper for 15m (value 1): its metrics or logs are not collected.',
        ),
      ],
    }),
    quiet('KubeDaemonSetPodMissing', 'both agents on both nodes; and kube-state-metrics down does not make every node look empty', {
      input: [
        ksmUp(1),
        kubelet('worker-1'),
        kubelet('worker-2'),
        agentPod('node-exporter', 'worker-1', 'node-exporter-aaaaa'),
        agentPod('node-exporter', 'worker-2', 'node-exporter-bbbbb'),
        agentPod('log-shipper', 'worker-1', 'log-shipper-ccccc'),
        agentPod('log-shipper', 'worker-2', 'log-shipper-ddddd'),
      ],
      at: '20m',
    }),
    quiet('KubeDaemonSetPodMissing', 'kube-state-metrics is down: no pod series, but nothing is claimed missing', {
      input: [ksmUp(0), kubelet('worker-1')],
      at: '20m',
    }),

    fires('KubeDaemonSetPodNotReady', 'the node exporter on worker-1 unready for 20m', {
      input: [agentPod('node-exporter', 'worker-1', 'node-exporter-8fj2k'), series(K.podStatusReady.name, { ...notReadyPod, condition: 'false' }, '1x30')],
      at: '20m',
      expect: [
        alert(
          'KubeDaemonSetPodNotReady',
          'warning',
          { namespace: 'monitoring-agents', pod: 'node-exporter-8fj2k', node: 'worker-1', created_by_name: 'node-exporter', daemonset: 'node-exporter', service: 'node-exporter' },
          'Host agent pod node-exporter-8fj2k on node worker-1 is not ready',
          'Pod node-exporter-8fj2k of DaemonSet monitoring-agents/node-exporter on node worker-1 has been unready for 15m (value 1).',
        ),
      ],
    }),
    quiet('KubeDaemonSetPodNotReady', 'ready', {
      input: [
        agentPod('node-exporter', 'worker-1', 'node-exporter-8fj2k'),
        series(K.podStatusReady.name, { ...notReadyPod, condition: 'true' }, '1x30'),
        series(K.podStatusReady.name, { ...notReadyPod, condition: 'false' }, '0x30'),
      ],
      at: '20m',
    }),
  ];
}

export function kubeletCases(_ctx: CaseContext): AlertCase[] {
  // cAdvisor series as the kubelet labels them (containerPrometheusLabelsFunc), with the job's target labels.
  const node = { job: 'kubelet-cadvisor', instance: 'worker-1', node: 'worker-1', service: 'kubelet' };
  const container = (pod: string, name: string) => ({
    ...node,
    namespace: 'love-parser',
    pod,
    container: name,
    id: `/kubepods/burstable/pod-${pod}/c-${name}`,
    name: `c-${name}`,
    image: 'ghcr.io/love-parser/backend:1.0.0',
  });
  const backend = container('backend-7d9f8c6b5-x2k4p', 'backend');
  const limit = (pod: string, name: string, bytes: number) =>
    series(K.containerResourceLimits.name, { ...KSM, namespace: 'love-parser', pod, uid: `uid-${pod}`, container: name, node: 'worker-1', resource: 'memory', unit: 'byte' }, `${bytes}x30`);
  const gib = 1024 ** 3;
  const volumes = { job: 'kubelet', instance: 'worker-1', node: 'worker-1', service: 'kubelet' };
  const claim = (namespace: string, pvc: string) => ({ ...volumes, namespace, persistentvolumeclaim: pvc });
  const prometheusClaim = claim('monitoring', 'prometheus-data-prometheus-0');
  const alertmanagerClaim = claim('monitoring', 'data-alertmanager-0');
  const disk = (labels: Record<string, string>, capacity: number, available: string) => [
    series(V.volumeCapacity.name, labels, `${capacity}x120`),
    series(V.volumeAvailable.name, labels, available),
  ];

  return [
    fires('KubeContainerMemoryNearLimit', 'the backend at 95% of its 1Gi limit for 20m', {
      input: [series(C.memoryWorkingSet.name, backend, `${Math.round(gib * 0.95)}x30`), limit(backend.pod, 'backend', gib)],
      at: '20m',
      expect: [
        alert(
          'KubeContainerMemoryNearLimit',
          'warning',
          { namespace: 'love-parser', pod: backend.pod, container: 'backend', service: 'backend' },
          `Container backend of ${backend.pod} is close to its memory limit`,
          `Container backend of love-parser/${backend.pod} uses 95% of its memory limit (threshold 90%); at 100% it is OOM-killed.`,
        ),
      ],
    }),
    quiet('KubeContainerMemoryNearLimit', '80% of the limit', {
      input: [series(C.memoryWorkingSet.name, backend, `${Math.round(gib * 0.8)}x30`), limit(backend.pod, 'backend', gib)],
      at: '20m',
    }),

    fires('KubeContainerCpuThrottled', 'throttled in half of its periods', {
      input: [series(C.cfsPeriods.name, backend, '0+600x30'), series(C.cfsThrottledPeriods.name, backend, '0+300x30')],
      at: '20m',
      expect: [
        alert(
          'KubeContainerCpuThrottled',
          'warning',
          { namespace: 'love-parser', pod: backend.pod, container: 'backend', service: 'backend' },
          `Container backend of ${backend.pod} is CPU-throttled`,
          `Container backend of love-parser/${backend.pod} was throttled in 50% of its CPU periods over the last 5m (threshold 25%); its latency suffers. Raise its CPU limit.`,
        ),
      ],
    }),
    quiet('KubeContainerCpuThrottled', 'throttled in a tenth of its periods', {
      input: [series(C.cfsPeriods.name, backend, '0+600x30'), series(C.cfsThrottledPeriods.name, backend, '0+60x30')],
      at: '20m',
    }),

    // Every 5 minutes: 200 of 1000 bytes free, 1 byte less each time (12 an hour). At 7h: 116 free
    // (11.6%, below the 15% floor since 5h) and the 6h trend empties it in under 10 hours.
    fires('KubePersistentVolumeFillingUp', 'prometheus-data below 15% and full within 24h', {
      interval: '5m',
      input: disk(prometheusClaim, 1000, '200-1x120'),
      at: '7h',
      expect: [
        alert(
          'KubePersistentVolumeFillingUp',
          'warning',
          { ...prometheusClaim, service: 'prometheus' },
          'Claim monitoring/prometheus-data-prometheus-0 will be full within 24h',
          'Claim monitoring/prometheus-data-prometheus-0 has 11.6% free (floor 15%) and, at the rate of the last 6h, fills up within 24h.',
        ),
      ],
    }),
    fires('KubePersistentVolumeFillingUp', "Alertmanager's claim at 2% free, steady: critical only", {
      interval: '5m',
      input: disk(alertmanagerClaim, 1000, '20x120'),
      at: '2h',
      expect: [
        alert(
          'KubePersistentVolumeFillingUp',
          'critical',
          { ...alertmanagerClaim, service: 'alertmanager' },
          'Claim monitoring/data-alertmanager-0 is almost full',
          'Claim monitoring/data-alertmanager-0 has 2% free (threshold 3%); the server writing to it stops or crash-loops when it is full.',
        ),
      ],
    }),
    quiet('KubePersistentVolumeFillingUp', 'half free and filling; 10% free but steady', {
      interval: '5m',
      input: [...disk(prometheusClaim, 1000, '500-1x120'), ...disk(claim('monitoring', 'loki-data-loki-0'), 1000, '100x120')],
      at: '7h',
    }),
  ];
}

export function blackboxCases({ endpoints }: CaseContext): AlertCase[] {
  const backendUrl = `${endpoints.backend.url}/health/ready`;
  const ready = { job: 'blackbox-backend-ready', instance: backendUrl, target: 'backend-ready', url: backendUrl, service: 'backend' };
  const apiUrl = 'https://api.love-parser.example/health/live';
  const api = { job: 'blackbox-public-api', instance: apiUrl, target: 'public-api', url: apiUrl, service: 'backend' };
  // promtool's clock starts at 0: an expiry of `at + days * 86400` is `days` days away at `at`.
  const expiresIn = (days: number) => series(P.sslEarliestCertExpiry.name, api, `${600 + days * 86400}x20`);
  const certificate = (severity: 'warning' | 'critical', threshold: number, days: string) =>
    alert(
      'BlackboxCertificateExpiring',
      severity,
      api,
      `The TLS certificate of ${apiUrl} expires within ${threshold} days`,
      `The certificate served at ${apiUrl} (probe public-api) expires in ${days} days (threshold ${threshold} days); clients will refuse the connection after that.`,
    );

  return [
    fires('BlackboxProbeFailed', "the backend's readiness through its Service fails for 5m", {
      input: [series(P.success.name, ready, '0x10')],
      at: '5m',
      expect: [
        alert(
          'BlackboxProbeFailed',
          'critical',
          ready,
          `Probe backend-ready fails: ${backendUrl}`,
          `Fetching ${backendUrl} from inside the cluster has failed for 3m: no answer, a status other than 2xx, or a failed TLS handshake.`,
        ),
      ],
    }),
    quiet('BlackboxProbeFailed', 'succeeding, and one failed probe among successes', {
      input: [series(P.success.name, ready, '1x10'), series(P.success.name, api, '1x3 0x1 1x6')],
      at: '5m',
    }),

    fires('BlackboxCertificateExpiring', '10 days left warns', { input: [expiresIn(10)], at: '10m', expect: [certificate('warning', 21, '10')] }),
    fires('BlackboxCertificateExpiring', '2 days left is critical and warns', {
      input: [expiresIn(2)],
      at: '10m',
      expect: [certificate('warning', 21, '2'), certificate('critical', 7, '2')],
    }),
    quiet('BlackboxCertificateExpiring', '30 days left', { input: [expiresIn(30)], at: '10m' }),
  ];
}
