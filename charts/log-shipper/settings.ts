/** The log shipper's slice of the configuration (`logs:` in config/<environment>.yaml). */
import { Infer, bool, dnsLabel, int, list, num, obj, oneOf, promDuration, str, withDefault } from '../lib/schema';
import { resources } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';
import { LokiApi } from '../contracts/logs';

export const logsSettings = obj({
  /**
   * The log shipper on every node. Promtail is the seed's; it reached end of life upstream on
   * 2026-03-02, so Alloy is the supported choice for new installs. @default 'promtail'
   */
  shipper: withDefault(oneOf(['promtail', 'alloy'] as const), 'promtail'),
  /** Also ship `/var/log/postgresql/*.log` from the nodes (a Postgres running on the host). @default false */
  hostPostgresLogs: withDefault(bool(), false),
  /**
   * Group that may read the host's Postgres log files (`adm`, gid 4, on Debian and Ubuntu: the files
   * are `postgres:adm 0640`). The shipper joins it only when hostPostgresLogs is on. @default 4
   */
  hostLogGroup: withDefault(int({ min: 1, max: 65535 }), 4),
  /**
   * Values of the pods' `app.kubernetes.io/name` (or `app`) label that mark Postgres servers: their
   * logs go through the Postgres stage (level from LOG/ERROR/FATAL...) instead of the generic one.
   * @default ['postgres', 'postgresql']
   */
  postgresApps: withDefault(list(dnsLabel(), { minItems: 1, unique: true }), ['postgres', 'postgresql']),
  /**
   * The kubelet's pods directory on the nodes (its `--root-dir` plus `/pods`), where it keeps pods'
   * emptyDir volumes: read only when `backend.logFiles.enabled`, to tail the backend's Winston files.
   * k0s and some distributions move it (`/var/lib/k0s/kubelet/pods`). @default '/var/lib/kubelet/pods'
   */
  kubeletPodsDir: withDefault(str({ pattern: /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, expects: "an absolute directory such as '/var/lib/kubelet/pods'" }), '/var/lib/kubelet/pods'),
  // Alloy idles at 100-150Mi; 512Mi leaves room for a node's backlog after a Loki outage.
  resources: resources({ cpu: '50m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' }),
  alerts: obj({
    /**
     * Share of one node's pushes to Loki that fail (any answer but 2xx, or none) before
     * LogShipperPushesFailing: the shipper retries, but a sustained share this high is a backlog
     * that ends in dropped entries. @default 0.05
     */
    pushFailureRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
    /**
     * How long a node's shipper may send nothing while the files it tails grow before
     * LogShipperNodeSilent: longer than any retry backoff (Promtail's and Alloy's reach 5m), short
     * enough that an incident's logs are still on the node. @default '15m'
     */
    silentFor: withDefault(promDuration(), '15m'),
  }),
});
export type LogsSettings = Infer<typeof logsSettings>;

/** What the chart and its rules and dashboards are built from. */
export interface LogsProps extends ComponentProps<LogsSettings> {
  /** `backend.logFiles.enabled`: the backend writes Winston files to its log volume, to be tailed on the nodes. @default false */
  readonly backendLogFiles?: boolean;
  /** `loki.alerts.requestErrorRatio`, drawn on the Logs pipeline dashboard where LokiRequestErrors fires. @default 0.05 */
  readonly lokiRequestErrorRatio?: number;
  /** Where to push and Loki's scrape jobs (the write Service in simple-scalable mode). @default the `loki` Service, job `loki` */
  readonly loki?: LokiApi;
}
