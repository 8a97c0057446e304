/**
 * The pipeline (./pipeline.ts) as a Promtail 3.6 configuration file.
 *
 * Promtail reads no environment variable in its file unless started with `-config.expand-env`, and
 * that flag runs the whole file through envsubst, which eats the `$1` of relabel replacements and
 * halves backslashes in regular expressions (grafana/loki#3635). So the file is literal: the node
 * comes in through `__host__` (Promtail compares it with $HOSTNAME) and the `node` label through
 * the `-client.external-labels` flag, which Kubernetes expands from the pod's environment.
 *
 * @see https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/
 */
import { LogPipeline, LogSource, NODE_ENV_VAR, RelabelRule, Stage } from './pipeline';

/** Ports and files of the Promtail container. */
export const PROMTAIL = {
  httpPort: 9080,
  configDir: '/etc/promtail',
  configFile: '/etc/promtail/promtail.yaml',
  /** On the host, so a restarted pod resumes where the previous one stopped. */
  stateDir: '/var/lib/promtail',
  positionsFile: '/var/lib/promtail/positions.yaml',
} as const;

type Yaml = Record<string, unknown>;

export function promtailStage(s: Stage): Yaml {
  switch (s.kind) {
    case 'cri':
      return { cri: {} };
    case 'multiline':
      return { multiline: { firstline: s.firstline, max_wait_time: s.maxWaitTime, max_lines: s.maxLines } };
    case 'json':
      return { json: { expressions: { ...s.expressions } } };
    case 'template':
      return { template: { source: s.source, template: s.template } };
    case 'regex':
      return { regex: { expression: s.expression, ...(s.source ? { source: s.source } : {}) } };
    case 'labels':
      return { labels: { ...s.values } };
    case 'structuredMetadata':
      return { structured_metadata: { ...s.values } };
    case 'match':
      return { match: { selector: s.selector, stages: s.stages.map(promtailStage) } };
    case 'labelDrop':
      return { labeldrop: [...s.values] };
  }
}

export function promtailRelabel(r: RelabelRule): Yaml {
  return {
    ...(r.sourceLabels ? { source_labels: [...r.sourceLabels] } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action ? { action: r.action } : {}),
  };
}

function scrapeConfig(s: LogSource): Yaml {
  const stages = s.stages.map(promtailStage);
  if (s.kind === 'pods') {
    return {
      job_name: s.name,
      // Cluster-wide discovery; only targets on this node are tailed (__host__).
      kubernetes_sd_configs: [{ role: 'pod' }],
      relabel_configs: s.relabel.map(promtailRelabel),
      pipeline_stages: stages,
    };
  }
  return {
    job_name: s.name,
    static_configs: [{ targets: ['localhost'], labels: { ...s.labels, __path__: s.path } }],
    pipeline_stages: stages,
  };
}

export function promtailConfig(p: LogPipeline): Yaml {
  return {
    // gRPC serves nothing Promtail needs here; port 0 keeps it off the well-known port.
    server: { http_listen_port: PROMTAIL.httpPort, grpc_listen_port: 0, log_level: 'info' },
    positions: { filename: PROMTAIL.positionsFile, sync_period: '10s' },
    clients: [
      {
        url: p.lokiPushUrl,
        batchwait: p.client.batchWait,
        batchsize: p.client.batchSizeBytes,
        timeout: p.client.timeout,
        backoff_config: { min_period: p.client.minBackoff, max_period: p.client.maxBackoff, max_retries: p.client.maxRetries },
        external_labels: { ...p.externalLabels },
      },
    ],
    scrape_configs: p.sources.map(scrapeConfig),
  };
}

/** Command-line arguments; `$(HOSTNAME)` is expanded by Kubernetes from the container's environment. */
export function promtailArgs(p: LogPipeline): string[] {
  return [`-config.file=${PROMTAIL.configFile}`, `-client.external-labels=${p.nodeLabel}=$(${NODE_ENV_VAR})`];
}
