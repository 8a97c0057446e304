/**
 * kube-state-metrics' slice of the configuration (`kubeStateMetrics:` in config/<environment>.yaml):
 * its resources and how long a StatefulSet or a host agent of the stack may be short before it alerts.
 */
import { Infer, obj, promDuration, withDefault } from '../lib/schema';
import { resources } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const kubeStateMetricsSettings = obj({
  /**
   * It holds the objects of three namespaces and a handful of resources in memory: a few MiB; the
   * limit leaves room for a rollout of every workload at once.
   */
  resources: resources({ cpu: '20m', memory: '64Mi', cpuLimit: '200m', memoryLimit: '256Mi' }),
  alerts: obj({
    /**
     * A StatefulSet of the stack with fewer ready replicas than it asks for, this long: longer than a
     * rolling restart of a Prometheus with a large WAL to replay takes. @default '15m'
     */
    statefulSetFor: withDefault(promDuration(), '15m'),
    /**
     * A host agent (node exporter, log shipper) missing or not ready on a node, this long: a new
     * node pulls the images and starts the agents within minutes. @default '15m'
     */
    hostAgentFor: withDefault(promDuration(), '15m'),
  }),
});
export type KubeStateMetricsSettings = Infer<typeof kubeStateMetricsSettings>;

/** What the chart and its rules and dashboard are built from. */
export interface KubeStateMetricsProps extends ComponentProps<KubeStateMetricsSettings> {
  /** Thresholds the Kubernetes dashboard draws: the kubelet slice's memory and throttling ratios. */
  readonly memoryLimitRatio: number;
  readonly cpuThrottlingRatio: number;
  /** The probe alerts' certificate thresholds (days), drawn on the dashboard's probe panels. */
  readonly certificateWarningDays: number;
}
