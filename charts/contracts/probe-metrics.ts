/**
 * The blackbox exporter's probe results (v0.27.0, prober/handler.go, prober/http.go and
 * prober/prober.go), as the probe alerts and the Kubernetes dashboard read them. Each probe is one
 * scrape of the exporter's /probe; the series carry no label of their own, only the target labels
 * of the probe's scrape job (`target`, `url`, `service`).
 */
import { MetricDef } from '../lib/metric';

/** Labels every probe job puts on its series (charts/blackbox-exporter/probes.ts). */
export const PROBE_TARGET_LABELS = ['target', 'url', 'service'] as const;

export const PROBE_METRICS = {
  success: {
    name: 'probe_success',
    type: 'gauge',
    help: '1 when the probe succeeded (the module accepted the answer), 0 when it failed.',
    labels: [],
    source: 'blackbox_exporter prober',
  },
  duration: {
    name: 'probe_duration_seconds',
    type: 'gauge',
    help: 'How long the whole probe took: DNS, connect, TLS, request and answer.',
    labels: [],
    source: 'blackbox_exporter prober',
  },
  httpStatusCode: {
    name: 'probe_http_status_code',
    type: 'gauge',
    help: 'HTTP status of the last answer (0 when none came).',
    labels: [],
    source: 'blackbox_exporter http prober',
  },
  sslEarliestCertExpiry: {
    name: 'probe_ssl_earliest_cert_expiry',
    type: 'gauge',
    help: 'Unix time at which the first certificate of the verified chain expires; only after a successful TLS handshake.',
    labels: [],
    source: 'blackbox_exporter http prober (TLS)',
  },
} as const satisfies Record<string, MetricDef>;
