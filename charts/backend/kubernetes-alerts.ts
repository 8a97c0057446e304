/**
 * Alerts on the backend's pods and Deployment as Kubernetes sees them (kube-state-metrics, the
 * contract in charts/contracts/kubernetes-metrics.ts): the failures the backend's own metrics cannot
 * show, because a crash-looping, OOM-killed or unready pod serves no metrics and BackendDown fires
 * only when every target is gone.
 *
 * The most important one is BackendNoReadyEndpoint: `/health/ready` fails when Postgres, Redis or
 * Telegram is down, so one dependency outage takes every pod out of the Service while the pods keep
 * running (and keep being scraped): the API is down for every client and nothing else fires.
 */
import { alertGroup, alertRule, tmpl } from '../lib/alert-rules';
import { Matchers, increase, maxBy, sel, sumBy } from '../lib/promql';
import { RuleGroup } from '../lib/monitoring';
import { KUBERNETES_JOBS, KUBE_STATE_METRICS as K } from '../contracts/kubernetes-metrics';
import { BACKEND_CONTAINER } from './backend';
import { BackendProps } from './settings';

/** kube_pod_info matchers of the pods of a Deployment: created by one of its ReplicaSets (`<deployment>-<pod-template-hash>`). */
export function deploymentPods(deployment: string): Matchers {
  return { created_by_kind: 'ReplicaSet', created_by_name: { re: `${deployment}-[a-z0-9]+` } };
}

export function kubernetesAlertRules(props: BackendProps): RuleGroup[] {
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  const backend = props.shared.endpoints.backend;
  const service = backend.name;
  const ksm = { job: KUBERNETES_JOBS.kubeStateMetrics, namespace: backend.namespace };
  const container = { ...ksm, container: BACKEND_CONTAINER };
  const deployment = { ...ksm, deployment: backend.name };
  const pods = sel(K.podInfo.name, { ...ksm, ...deploymentPods(backend.name) });

  return [
    alertGroup(`${service}-kubernetes`, [
      // The kubelet backs off a crashing container up to 5 minutes between tries; crashLoopFor of
      // CrashLoopBackOff means it has crashed again and again, not once.
      alertRule(ctx, {
        name: 'BackendPodCrashLooping',
        remediation: 'Bad release: kubectl -n love-parser rollout undo deployment/backend.',
        severity: 'warning',
        service,
        expr: `${maxBy(['namespace', 'pod', 'container'], sel(K.containerWaitingReason.name, { ...container, reason: 'CrashLoopBackOff' }))} == 1`,
        for: a.crashLoopFor,
        summary: `Backend pod ${tmpl.label('pod')} is crash-looping`,
        description: `Container ${tmpl.label('container')} of ${tmpl.label('pod')} has been in CrashLoopBackOff for ${a.crashLoopFor} (value ${tmpl.number}); it serves nothing between restarts.`,
      }),
      // An event: the container restarted within oomWindow and its last run ended OOMKilled. Fires
      // at once (for 0m): the restart is the evidence, waiting adds nothing.
      alertRule(ctx, {
        name: 'BackendPodOomKilled',
        remediation: 'Raise backend.resources.limits.memory (and the Node.js heap with it) as a stopgap; find the leak or the job with the heap panels of Backend Observability.',
        severity: 'warning',
        service,
        expr:
          `${sumBy(['namespace', 'pod', 'container'], increase(sel(K.containerRestarts.name, container), a.oomWindow))} > 0\n` +
          `and on (namespace, pod, container)\n` +
          `${sel(K.containerLastTerminatedReason.name, { ...container, reason: 'OOMKilled' })} == 1`,
        for: '0m',
        summary: `Backend container ${tmpl.label('container')} of ${tmpl.label('pod')} was killed for running out of memory`,
        description: `${tmpl.label('pod')} restarted ${tmpl.number} time(s) in the last ${a.oomWindow}, the last run ended OOMKilled: it reached its memory limit (backend.resources.limits.memory).`,
      }),
      // Pending (cannot be scheduled, image cannot be pulled), or running with readiness failing.
      alertRule(ctx, {
        name: 'BackendPodNotReady',
        remediation: 'Pending: free or add nodes, or lower backend.resources.requests; fix the image reference.',
        severity: 'warning',
        service,
        expr:
          `${maxBy(['namespace', 'pod'], `${sel(K.podStatusPhase.name, { ...ksm, phase: { re: 'Pending|Unknown' } })} == 1 or ${sel(K.podStatusReady.name, { ...ksm, condition: { re: 'false|unknown' } })} == 1`)}\n` +
          `and on (namespace, pod)\n${pods}`,
        for: a.podNotReadyFor,
        summary: `Backend pod ${tmpl.label('pod')} has not been ready for ${a.podNotReadyFor}`,
        description: `${tmpl.label('pod')} has been Pending or unready for ${a.podNotReadyFor} (value ${tmpl.number}); the Service sends it no traffic.`,
      }),
      // Pods short of the Deployment's replicas: a stalled rollout (a new release that never gets
      // ready), or pods that cannot be placed. The value is how many are missing.
      alertRule(ctx, {
        name: 'BackendReplicasUnavailable',
        remediation: 'New pods crash or stay unready: kubectl -n love-parser rollout undo deployment/backend.',
        severity: 'warning',
        service,
        expr: `${sel(K.deploymentReplicasUnavailable.name, deployment)} > 0`,
        for: a.replicasUnavailableFor,
        summary: `Backend Deployment is missing available replicas`,
        description: `${tmpl.number} replica(s) of Deployment ${tmpl.label('deployment')} have been unavailable for ${a.replicasUnavailableFor}.`,
      }),
      // The Deployment controller gave up: progressDeadlineSeconds passed without progress
      // (Progressing=False, reason ProgressDeadlineExceeded). The rollout will not finish by itself.
      alertRule(ctx, {
        name: 'BackendRolloutStuck',
        remediation: "kubectl -n love-parser rollout undo deployment/backend, then fix the release (its pods' logs say why they never got ready).",
        severity: 'warning',
        service,
        expr: `${sel(K.deploymentCondition.name, { ...deployment, condition: 'Progressing', status: 'false' })} == 1`,
        for: '5m',
        summary: `Backend rollout is stuck`,
        description: `Deployment ${tmpl.label('deployment')} reports Progressing=False (${tmpl.label('reason')}): its progress deadline passed; the rollout will not finish without a change (value ${tmpl.number}).`,
      }),
      // Every client sees the API down: the Service has no ready address, yet backend containers
      // run. kube_endpoint_info exists even for an Endpoints object without any address, so
      // `unless` finds the Service with zero ready addresses. Critical, by text: nothing else fires.
      alertRule(ctx, {
        name: 'BackendNoReadyEndpoint',
        remediation: 'Postgres or Redis down: follow PostgresDown or RedisDown.',
        severity: 'critical',
        notifySms: true,
        service,
        expr:
          `${sel(K.endpointInfo.name, { ...ksm, endpoint: backend.name })}\n` +
          `unless on (namespace, endpoint)\n${sel(K.endpointAddress.name, { ...ksm, endpoint: backend.name, ready: 'true' })}\n` +
          `and on (namespace)\n${sumBy(['namespace'], sel(K.containerRunning.name, container))} > 0`,
        for: a.noReadyEndpointFor,
        summary: `The backend Service has no ready endpoint while its pods run`,
        description: `Service ${tmpl.label('namespace')}/${tmpl.label('endpoint')} has had no ready address for ${a.noReadyEndpointFor} although backend containers run: every pod fails /health/ready (Postgres, Redis or Telegram down?) and clients get no answer.`,
      }),
    ]),
  ];
}
