/**
 * The Promtail 3.6 configuration the stack writes, transcribed from its configuration reference:
 * `server`, `positions`, `clients`, `scrape_configs` with Kubernetes and static discovery, relabel
 * rules, and the pipeline stages used (each stage is an object with exactly one stage name).
 *
 * Source: https://grafana.com/docs/loki/v3.6.x/send-data/promtail/configuration/ and the stage
 * pages under send-data/promtail/stages/ (grafana/loki docs/sources/send-data/promtail/).
 */
import { LABEL_NAME, Spec, bool, goDuration, int, lazy, list, map, nullable, obj, oneOf, promDuration, str } from '../loki/doc-schema';

const labelName = () => str({ pattern: LABEL_NAME });
/** `labels` and `structured_metadata`: label name -> extracted key (empty or null: the same name). */
const labelMap = () => map(nullable(str()), LABEL_NAME);

/** One pipeline stage. */
export const STAGE: Spec = obj(
  {
    cri: obj({ max_partial_lines: int(1), max_partial_line_size: int(0), max_partial_line_size_truncate: bool() }),
    docker: obj({}),
    multiline: obj({ firstline: str(), max_wait_time: goDuration(), max_lines: int(1) }, { required: ['firstline'] }),
    json: obj({ expressions: map(str()), source: str(), drop_malformed: bool() }, { required: ['expressions'] }),
    template: obj({ source: str(), template: str() }, { required: ['source', 'template'] }),
    regex: obj({ expression: str(), source: str() }, { required: ['expression'] }),
    labels: labelMap(),
    structured_metadata: labelMap(),
    labeldrop: list(labelName()),
    labelallow: list(labelName()),
    static_labels: map(str(), LABEL_NAME),
    output: obj({ source: str() }, { required: ['source'] }),
    timestamp: obj({ source: str(), format: str(), fallback_formats: list(str()), location: str(), action_on_failure: oneOf('fudge', 'skip') }, { required: ['source', 'format'] }),
    match: obj(
      { selector: str(), pipeline_name: str(), action: oneOf('keep', 'drop'), drop_counter_reason: str(), stages: list(lazy(() => STAGE)) },
      { required: ['selector'] },
    ),
  },
  { exactlyOne: true },
);

/** `relabel_config` (Prometheus's). */
const RELABEL: Spec = obj({
  source_labels: list(labelName()),
  separator: str(),
  regex: str(),
  modulus: int(1),
  target_label: labelName(),
  replacement: str(),
  action: oneOf('replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase', 'keepequal', 'dropequal'),
});

const KUBERNETES_SD: Spec = obj(
  {
    api_server: str(),
    role: oneOf('node', 'service', 'pod', 'endpoints', 'endpointslice', 'ingress'),
    kubeconfig_file: str(),
    namespaces: obj({ own_namespace: bool(), names: list(str()) }),
    selectors: list(obj({ role: oneOf('node', 'service', 'pod', 'endpoints', 'endpointslice', 'ingress'), label: str(), field: str() }, { required: ['role'] })),
    attach_metadata: obj({ node: bool() }),
  },
  { required: ['role'] },
);

const SCRAPE_CONFIG: Spec = obj(
  {
    job_name: str({ pattern: /^.+$/ }),
    pipeline_stages: list(STAGE),
    relabel_configs: list(RELABEL),
    static_configs: list(obj({ targets: list(str()), labels: map(str(), LABEL_NAME) })),
    kubernetes_sd_configs: list(KUBERNETES_SD),
  },
  { required: ['job_name'] },
);

export const PROMTAIL_3_6: Spec = obj(
  {
    server: obj({
      disable: bool(),
      http_listen_address: str(),
      http_listen_port: int(0),
      grpc_listen_address: str(),
      grpc_listen_port: int(0),
      register_instrumentation: bool(),
      graceful_shutdown_timeout: goDuration(),
      log_level: oneOf('debug', 'info', 'warn', 'error'),
      http_path_prefix: str(),
      health_check_target: bool(),
      enable_runtime_reload: bool(),
    }),
    positions: obj({ filename: str(), sync_period: goDuration(), ignore_invalid_yaml: bool() }),
    clients: list(
      obj(
        {
          url: str({ pattern: /^https?:\/\/[^\s/]+\/.*$/ }),
          tenant_id: str(),
          batchwait: goDuration(),
          batchsize: int(1),
          timeout: goDuration(),
          backoff_config: obj({ min_period: goDuration(), max_period: goDuration(), max_retries: int(0) }),
          drop_rate_limited_batches: bool(),
          external_labels: map(str(), LABEL_NAME),
        },
        { required: ['url'] },
      ),
      1,
    ),
    scrape_configs: list(SCRAPE_CONFIG, 1),
    target_config: obj({ sync_period: promDuration() }),
  },
  { required: ['clients', 'scrape_configs'] },
);
