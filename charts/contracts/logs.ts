/**
 * The logs contract: what the log shipper, Loki, Grafana's dashboards and the alerts agree on. The
 * stream labels a shipped line can carry (a closed set with closed values: labels are Loki's index),
 * the `level` values, and Loki's HTTP API paths and ports.
 */

import { ServiceEndpoint } from '../lib/endpoints';
import { Matchers } from '../lib/promql';

// ---- stream labels -----------------------------------------------------------------------------

/**
 * Every label a shipped stream can carry. Each has a small closed set of values; the tests assert
 * no other label can be produced. (Loki itself adds `service_name`, a copy of `app`.)
 */
export const STREAM_LABELS = ['cluster', 'node', 'job', 'namespace', 'pod', 'container', 'app', 'stream', 'level'] as const;
export type StreamLabel = (typeof STREAM_LABELS)[number];

/** `job` label values: pod logs (standard output), files pods write on a volume, and the host's Postgres files. */
export const LOG_JOBS = { pods: 'kubernetes-pods', podFiles: 'kubernetes-pod-files', postgresHost: 'postgresql-host' } as const;

/**
 * The backend's Winston log files (`backend.logFiles`): the emptyDir volume the backend writes them
 * to and the container that mounts it. The log shipper finds that volume on the node by these names,
 * under `<kubelet pods dir>/<pod uid>/volumes/kubernetes.io~empty-dir/<volume>/`.
 */
export const BACKEND_LOG_FILES = {
  volume: 'winston-logs',
  container: 'backend',
  /** Winston's file transport writes `<name>.log` (and rotated `<name>1.log`...); other files are not logs. */
  glob: '*.log',
} as const;

/** Winston's npm levels, the backend's `level` field. */
export const WINSTON_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Postgres message severities and the secondary lines that follow a message (DETAIL, STATEMENT...). */
export const POSTGRES_SEVERITIES = [
  'DEBUG1',
  'DEBUG2',
  'DEBUG3',
  'DEBUG4',
  'DEBUG5',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'LOG',
  'FATAL',
  'PANIC',
  'DETAIL',
  'HINT',
  'QUERY',
  'CONTEXT',
  'LOCATION',
  'STATEMENT',
] as const;

/** Every value the `level` label can take: Winston's levels and Postgres's severities, lowercase. */
export const LEVEL_VALUES: readonly string[] = [...new Set([...WINSTON_LEVELS, ...POSTGRES_SEVERITIES.map((s) => s.toLowerCase())])];

/** `level` values that mean something failed, for dashboards and alerts (`level=~"error|fatal|panic"`). */
export const ERROR_LEVELS = ['error', 'fatal', 'panic'] as const;

/**
 * A LogQL stream selector over the labels the log shipper sets:
 * `{namespace="love-parser", app="backend"}`. A label outside that set would select nothing.
 */
export function logStream(matchers: Partial<Record<StreamLabel, string | { re: string }>>): string {
  const parts = Object.entries(matchers).map(([label, v]) =>
    typeof v === 'string' ? `${label}=${JSON.stringify(v)}` : `${label}=~${JSON.stringify((v as { re: string }).re)}`,
  );
  return `{${parts.join(', ')}}`;
}

/** Fixed uid of the Logs pipeline dashboard (charts/log-shipper/dashboards.ts); RUNBOOK.md's Loki and shipper sections link to it. */
export const LOGS_DASHBOARD_UID = 'love-logs';

// ---- Loki's API --------------------------------------------------------------------------------

/** Loki's HTTP endpoints the pod and the collectors use. */
export const LOKI_HTTP = {
  /** 200 once every module runs and the ingester joined its ring; 503 while the WAL replays. */
  ready: '/ready',
  /** Served as soon as the HTTP server listens: liveness must not wait for the WAL replay. */
  live: '/loki/api/v1/status/buildinfo',
  metrics: '/metrics',
  push: '/loki/api/v1/push',
} as const;

/** Ports of every Loki process: HTTP (API, /metrics, /ready), gRPC between its components, memberlist gossip. */
export const LOKI_PORTS = { http: 3100, grpc: 9095, memberlist: 7946 } as const;

/**
 * What the log shipper and Grafana reach of Loki, and how Prometheus names its jobs: one Service in
 * single-binary mode; in simple-scalable mode the write Service (pushes), the read Service
 * (queries) and one scrape job per target. Loki builds it (`LokiChart.api`); `charts/stack.ts`
 * hands it to the shipper and to Grafana, so neither imports Loki.
 */
export interface LokiApi {
  /** Where the shipper pushes (`/loki/api/v1/push`). */
  readonly push: ServiceEndpoint;
  /** What Grafana's `love-loki` data source reads. */
  readonly query: ServiceEndpoint;
  /** Matchers selecting the series Prometheus scraped from every Loki pod (`job="loki"`, or the targets' jobs). */
  readonly jobs: Matchers;
}

