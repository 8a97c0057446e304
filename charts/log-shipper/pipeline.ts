/**
 * What the log shipper does, written once and independent of the shipper: which files it reads,
 * how targets are relabelled, and the processing stages. ./promtail.ts and ./alloy.ts render this
 * one model into their own configuration languages, so switching `logs.shipper` keeps the same
 * streams, labels and parsing (test/log-shipper checks both renderings stage by stage and runs the
 * stages on sample lines).
 *
 * Labels are the index: only values from small, closed sets become labels (namespace, pod,
 * container, app, the CRI stream, and a level taken from a fixed list). Anything per request, per
 * job, per process or per user (request ids, durations, routes, Postgres pids) is structured
 * metadata: stored with the line, filterable in LogQL, never a new stream.
 */
import { StackEndpoints } from '../contracts/endpoints';
import { BACKEND_LOG_FILES, LOG_JOBS, LOKI_HTTP, POSTGRES_SEVERITIES, WINSTON_LEVELS } from '../contracts/logs';
import { LogsSettings } from './settings';

// ---- the model ---------------------------------------------------------------------------------

/** A processing stage. Names and semantics are those shared by Promtail's and Alloy's stages. */
export type Stage =
  /** Parses the CRI line (`<time> <stdout|stderr> <F|P> <content>`): time, `stream` label, content. */
  | { readonly kind: 'cri' }
  /** Joins continuation lines to the line that matched `firstline` (RE2). */
  | { readonly kind: 'multiline'; readonly firstline: string; readonly maxWaitTime: string; readonly maxLines: number }
  /** Extracts JMESPath expressions of the JSON line into the extracted map. */
  | { readonly kind: 'json'; readonly expressions: Readonly<Record<string, string>> }
  /** Rewrites an extracted value with a Go template (`.Value` is the value of `source`). */
  | { readonly kind: 'template'; readonly source: string; readonly template: string }
  /** Extracts the named groups of an RE2 expression, from the line or an extracted value. */
  | { readonly kind: 'regex'; readonly expression: string; readonly source?: string }
  /** Sets labels from extracted values (label name -> extracted key). */
  | { readonly kind: 'labels'; readonly values: Readonly<Record<string, string>> }
  /** Sets structured metadata from extracted values (name -> extracted key). */
  | { readonly kind: 'structuredMetadata'; readonly values: Readonly<Record<string, string>> }
  /** Runs nested stages only on entries whose labels match a LogQL stream selector. */
  | { readonly kind: 'match'; readonly selector: string; readonly stages: readonly Stage[] }
  /** Removes labels. */
  | { readonly kind: 'labelDrop'; readonly values: readonly string[] };

/** A Prometheus-style relabel rule, as both shippers apply them to discovered targets. */
export interface RelabelRule {
  readonly sourceLabels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly targetLabel?: string;
  readonly replacement?: string;
  /** @default 'replace' */
  readonly action?: 'replace' | 'keep' | 'drop';
}

/** Logs of pods found by Kubernetes discovery on the shipper's node. */
export interface PodSource {
  readonly kind: 'pods';
  /** Promtail `job_name` and Alloy component label: a valid identifier. */
  readonly name: string;
  readonly relabel: readonly RelabelRule[];
  readonly stages: readonly Stage[];
}

/** Host files matched by a glob. */
export interface FileSource {
  readonly kind: 'files';
  readonly name: string;
  readonly path: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly stages: readonly Stage[];
}

export type LogSource = PodSource | FileSource;

export interface LogPipeline {
  readonly sources: readonly LogSource[];
  /** Labels added to every stream by the client (fixed values). */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Label holding the node name, from the `NODE_ENV_VAR` environment variable of the pod. */
  readonly nodeLabel: string;
  /** Loki's push URL. */
  readonly lokiPushUrl: string;
  /** Client batching and retries. */
  readonly client: { readonly batchWait: string; readonly batchSizeBytes: number; readonly timeout: string; readonly minBackoff: string; readonly maxBackoff: string; readonly maxRetries: number };
}

/** The pod's environment variable holding the node name (downward API `spec.nodeName`). */
export const NODE_ENV_VAR = 'HOSTNAME';

// ---- the backend's Winston lines ---------------------------------------------------------------

/**
 * Fields of the backend's Winston JSON lines that operators filter on, kept as structured metadata
 * (name -> JMESPath into the line; `a || b` takes the first present). The line itself stays the
 * full JSON, so `| json` in LogQL still reaches every field, `message` included.
 */
export const WINSTON_METADATA: Readonly<Record<string, string>> = {
  request_id: 'reqId || requestId || req.id',
  trace_id: 'traceId || trace_id',
  method: 'method || req.method',
  route: 'route || routeUrl || url || req.url',
  status_code: 'statusCode || res.statusCode',
  duration_ms: 'responseTime || durationMs',
  queue: 'queue',
  job_id: 'jobId',
  error: 'err.message || error.message',
};

/** Extracted key holding the raw `level` field before it is checked against the known levels. */
const RAW_LEVEL = 'level_raw';

/** Lowercases a value; an absent value stays absent (the stage then removes the key). */
const LOWERCASE = '{{ if .Value }}{{ ToLower .Value }}{{ end }}';

/** The Winston stages: level label from the known levels only, the other fields as metadata. */
export function winstonStages(): Stage[] {
  return [
    { kind: 'json', expressions: { [RAW_LEVEL]: 'level', ...WINSTON_METADATA } },
    { kind: 'template', source: RAW_LEVEL, template: LOWERCASE },
    // An unknown level (a typo, a colourised value) sets no label rather than a new stream.
    { kind: 'regex', source: RAW_LEVEL, expression: `^(?P<level>${WINSTON_LEVELS.join('|')})$` },
    { kind: 'labels', values: { level: 'level' } },
    { kind: 'structuredMetadata', values: Object.fromEntries(Object.keys(WINSTON_METADATA).map((k) => [k, k])) },
  ];
}

// ---- Postgres lines ----------------------------------------------------------------------------

/** A Postgres line starts with `%m`: `2026-08-01 12:00:00.123 UTC`. Lines without it continue the previous one. */
export const POSTGRES_FIRSTLINE = String.raw`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}`;

/**
 * The prefix of the official image (`log_line_prefix = '%m [%p] '`) and of Debian's packages
 * (`'%m [%p] %q%u@%d '`), then the severity: `... [57] ERROR:  relation "x" does not exist`,
 * `... [1234] love@lovedb FATAL:  password authentication failed`.
 */
export const POSTGRES_REGEX =
  String.raw`^(?P<pg_time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: \S+)?) \[(?P<pg_pid>\d+)\] ` +
  String.raw`(?:(?P<pg_user>[^\s@]*)@(?P<pg_database>\S*) )?(?P<pg_severity>${POSTGRES_SEVERITIES.join('|')}):`;

export function postgresStages(): Stage[] {
  return [
    // A multi-line statement (logged queries span lines) stays one entry.
    { kind: 'multiline', firstline: POSTGRES_FIRSTLINE, maxWaitTime: '3s', maxLines: 128 },
    { kind: 'regex', expression: POSTGRES_REGEX },
    { kind: 'template', source: 'pg_severity', template: LOWERCASE },
    { kind: 'labels', values: { level: 'pg_severity' } },
    { kind: 'structuredMetadata', values: { pg_pid: 'pg_pid', pg_user: 'pg_user', pg_database: 'pg_database' } },
  ];
}

// ---- sources -----------------------------------------------------------------------------------

/** Where the node keeps pod logs: `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`. */
export const POD_LOG_DIR = '/var/log/pods';
/** The seed's host Postgres logs. */
export const HOST_POSTGRES_DIR = '/var/log/postgresql';

const APP_LABEL = '__meta_kubernetes_pod_label_app_kubernetes_io_name';
const LEGACY_APP_LABEL = '__meta_kubernetes_pod_label_app';

/** Where the kubelet keeps a pod's emptyDir volume on the node, for a pod uid (`$1`). */
export function emptyDirPath(kubeletPodsDir: string, volume: string): string {
  return `${kubeletPodsDir}/$1/volumes/kubernetes.io~empty-dir/${volume}`;
}

/** Target labels of every pod stream, and the path of its files (default: its container's standard output). */
function podRelabel(select: RelabelRule, o: { job: string; path: RelabelRule } = { job: LOG_JOBS.pods, path: containerLogPath() }): RelabelRule[] {
  return [
    // Promtail tails only targets whose __host__ is its own node (it compares with $HOSTNAME).
    { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: '__host__' },
    // `app`: app.kubernetes.io/name, or the older `app` label when that is absent.
    { sourceLabels: [LEGACY_APP_LABEL], regex: '(.+)', targetLabel: '__app__' },
    { sourceLabels: [APP_LABEL], regex: '(.+)', targetLabel: '__app__' },
    select,
    { sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
    { sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' },
    { sourceLabels: ['__meta_kubernetes_pod_container_name'], targetLabel: 'container' },
    { sourceLabels: ['__app__'], targetLabel: 'app' },
    { replacement: o.job, targetLabel: 'job' },
    o.path,
  ];
}

/** A container's standard output: `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`. */
function containerLogPath(): RelabelRule {
  return {
    sourceLabels: ['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name'],
    separator: '/',
    targetLabel: '__path__',
    replacement: `${POD_LOG_DIR}/*$1/*.log`,
  };
}

/**
 * The pipeline for a configuration: pod logs, Postgres pod logs, optionally the backend's Winston
 * files (`backendLogFiles`: the backend writes them to its log volume) and the host's Postgres files.
 */
export function logPipeline(c: LogsSettings, cluster: string, endpoints: StackEndpoints, backendLogFiles = false): LogPipeline {
  const postgresApps = c.postgresApps.join('|');
  const backend = endpoints.backend;
  // The filename label (added by both shippers) is per file and per container restart: never a label.
  const dropFilename: Stage = { kind: 'labelDrop', values: ['filename'] };
  const sources: LogSource[] = [
    {
      kind: 'pods',
      name: 'pods',
      relabel: podRelabel({ sourceLabels: ['__app__'], regex: postgresApps, action: 'drop' }),
      stages: [
        { kind: 'cri' },
        { kind: 'match', selector: `{namespace="${backend.namespace}", app="${backend.name}"}`, stages: winstonStages() },
        dropFilename,
      ],
    },
    {
      kind: 'pods',
      name: 'postgres_pods',
      relabel: podRelabel({ sourceLabels: ['__app__'], regex: postgresApps, action: 'keep' }),
      stages: [{ kind: 'cri' }, ...postgresStages(), dropFilename],
    },
  ];
  if (backendLogFiles) {
    // The backend's Winston files on its emptyDir, one target per backend container; the same
    // labels as its standard output but the job, and the same Winston stages (no CRI framing).
    const f = BACKEND_LOG_FILES;
    sources.push({
      kind: 'pods',
      name: 'backend_files',
      relabel: podRelabel(
        {
          sourceLabels: ['__meta_kubernetes_namespace', '__app__', '__meta_kubernetes_pod_container_name'],
          separator: ';',
          regex: `${backend.namespace};${backend.name};${f.container}`,
          action: 'keep',
        },
        {
          job: LOG_JOBS.podFiles,
          path: { sourceLabels: ['__meta_kubernetes_pod_uid'], targetLabel: '__path__', replacement: `${emptyDirPath(c.kubeletPodsDir, f.volume)}/${f.glob}` },
        },
      ),
      stages: [...winstonStages(), dropFilename],
    });
  }
  if (c.hostPostgresLogs) {
    sources.push({
      kind: 'files',
      name: 'postgresql_host',
      path: `${HOST_POSTGRES_DIR}/*.log`,
      labels: { job: LOG_JOBS.postgresHost, app: 'postgresql' },
      stages: [...postgresStages(), dropFilename],
    });
  }
  return {
    sources,
    externalLabels: { cluster },
    nodeLabel: 'node',
    lokiPushUrl: `${endpoints.loki.url}${LOKI_HTTP.push}`,
    // Promtail's and Alloy's defaults, written out: ~8.5 min of retries covers a Loki restart.
    client: { batchWait: '1s', batchSizeBytes: 1048576, timeout: '10s', minBackoff: '500ms', maxBackoff: '5m', maxRetries: 10 },
  };
}
