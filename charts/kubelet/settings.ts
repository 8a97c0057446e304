/**
 * The kubelet's slice of the configuration (`kubelet:` in config/<environment>.yaml): how Prometheus
 * reaches each node's kubelet for container and volume metrics, and the thresholds of the container
 * and claim alerts those metrics feed.
 */
import { ConfigIssue, Infer, bool, durationToSeconds, int, num, obj, promDuration, show, withDefault } from '../lib/schema';
import { ComponentProps } from '../contracts/shared';

export const kubeletSettings = obj({
  /** The kubelet's HTTPS port on every node (its `--port`). @default 10250 */
  port: withDefault(int({ min: 1, max: 65535 }), 10250),
  /**
   * Skip verifying the kubelets' serving certificates. Off: Prometheus verifies them against the
   * cluster CA (the ServiceAccount's ca.crt), as metrics-server does, which works where kubelets get
   * their serving certificate from the cluster (managed clusters, kubeadm with serverTLSBootstrap).
   * Turn it on only for kubelets with self-signed certificates (kubeadm's default, kind, minikube):
   * then Prometheus's token could be sent to anything answering on a node address.
   * @default false
   */
  insecureSkipVerify: withDefault(bool(), false),
  alerts: obj({
    /**
     * Working set above this share of a container's memory limit: the OOM killer acts at 100%, and
     * a Node.js heap or a Prometheus head block grows in steps. @default 0.9
     */
    memoryLimitRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.9),
    /** How long a container stays near its memory limit before it warns. @default '15m' (a compaction or a burst of parsing jobs is shorter) */
    memoryFor: withDefault(promDuration(), '15m'),
    /**
     * Share of CFS periods in which a container hit its CPU limit: above a quarter, latency suffers
     * noticeably (every throttled period stalls the process for the rest of it). @default 0.25
     */
    cpuThrottlingRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.25),
    /** How long a container stays throttled before it warns. @default '15m' */
    cpuThrottlingFor: withDefault(promDuration(), '15m'),
    /**
     * A claim warns when it has less than this share free AND its trend fills it within
     * volumeFillWithin: a big claim filling slowly is not urgent, a small one at its floor is.
     * @default 0.15
     */
    volumeFillFreeRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.15),
    /** Horizon of the claim fill prediction. @default '24h' (a working day to act) */
    volumeFillWithin: withDefault(promDuration(), '24h'),
    /** History the prediction fits; long enough that a compaction is not a trend. @default '6h' */
    volumeFillLookback: withDefault(promDuration(), '6h'),
    /**
     * A claim below this share free is critical whatever its trend: Prometheus and Loki crash-loop
     * on a full disk. @default 0.03
     */
    volumeFreeCriticalRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.03),
  }),
});
export type KubeletSettings = Infer<typeof kubeletSettings>;

/** Thresholds out of order; paths are relative to `kubelet`. */
export function kubeletChecks(s: KubeletSettings): ConfigIssue[] {
  const a = s.alerts;
  const issues: ConfigIssue[] = [];
  if (a.volumeFreeCriticalRatio >= a.volumeFillFreeRatio) {
    issues.push({
      path: 'alerts.volumeFreeCriticalRatio',
      message: `is ${a.volumeFreeCriticalRatio}, not below kubelet.alerts.volumeFillFreeRatio ${a.volumeFillFreeRatio}: the critical claim alert would fire before the warning`,
      fix: 'keep the critical free share below the warning free share',
    });
  }
  if (durationToSeconds(a.volumeFillLookback) < 3600) {
    issues.push({
      path: 'alerts.volumeFillLookback',
      message: `is ${show(a.volumeFillLookback)}: a fill trend fitted on less than an hour follows every compaction and log burst`,
      fix: "use at least '1h' (the default is '6h')",
    });
  }
  return issues;
}

/** What the chart and its rules are built from. */
export type KubeletProps = ComponentProps<KubeletSettings>;
