/**
 * What the blackbox exporter probes and how: the modules of blackbox.yml and one Prometheus scrape
 * job per URL. A job per URL (rather than one job relabeling a list) keeps every probe a scrape of
 * the exporter's own pods found by pod discovery, so Prometheus's RBAC and NetworkPolicy are derived
 * from it like for any other exporter (charts/prometheus/reach.ts), and each URL gets its interval.
 */
import { ServiceEndpoint } from '../lib/endpoints';
import { ScrapeJob } from '../lib/monitoring';
import { podDiscovery, podTargetRelabels } from '../lib/scrape';
import { BACKEND_PROBE, BlackboxExporterSettings, parseProbeUrl } from './settings';

/** The path of the backend's readiness, as its chart's readinessProbe asks it (charts/backend/backend.ts HEALTH.ready). */
export const BACKEND_READY_PATH = '/health/ready';

/** Modules of blackbox.yml: plain HTTP inside the cluster, HTTPS (TLS required, certificate verified) outside. */
export const MODULES = { http: 'http_2xx', https: 'https_2xx' } as const;

/** Prefix of every probe job; the alerts and the dashboard select the probes by it. */
export const PROBE_JOB_PREFIX = 'blackbox-';

export interface Probe {
  readonly name: string;
  readonly url: URL;
  readonly service: string;
  readonly module: string;
  /** The backend through its Service: egress to its pods, not to the internet. */
  readonly internal: boolean;
}

/** The built-in readiness probe of the backend, then the configured targets (validated by the slice's checks). */
export function probes(s: BlackboxExporterSettings, backend: ServiceEndpoint): Probe[] {
  const own: Probe = { name: BACKEND_PROBE, url: new URL(`${backend.url}${BACKEND_READY_PATH}`), service: backend.name, module: MODULES.http, internal: true };
  return [
    own,
    ...s.targets.map((t) => {
      const parsed = parseProbeUrl(t.url);
      if (!('ok' in parsed)) throw new Error(`blackboxExporter target ${t.name}: ${parsed.message} (the configuration was not validated)`);
      return { name: t.name, url: parsed.ok, service: t.service, module: parsed.ok.protocol === 'https:' ? MODULES.https : MODULES.http, internal: false };
    }),
  ];
}

/** blackbox.yml. IPv4 first, then IPv6: the cluster and most public endpoints are reachable over IPv4. */
export function blackboxConfig(s: BlackboxExporterSettings): Record<string, unknown> {
  const http = { preferred_ip_protocol: 'ip4', ip_protocol_fallback: true, follow_redirects: true };
  return {
    modules: {
      [MODULES.http]: { prober: 'http', timeout: s.probeTimeout, http },
      // fail_if_not_ssl: an https URL answered in the clear (a misconfigured proxy) is a failure.
      [MODULES.https]: { prober: 'http', timeout: s.probeTimeout, http: { ...http, fail_if_not_ssl: true } },
    },
  };
}

/** One scrape job per probe: the exporter's pods, asked for `/probe?module=...&target=<url>`. */
export function probeJobs(s: BlackboxExporterSettings, exporter: ServiceEndpoint, all: readonly Probe[]): ScrapeJob[] {
  return all.map((p) => ({
    job_name: `${PROBE_JOB_PREFIX}${p.name}`,
    scrape_interval: s.probeInterval,
    scrape_timeout: s.probeTimeout,
    metrics_path: '/probe',
    params: { module: [p.module], target: [p.url.href] },
    kubernetes_sd_configs: [podDiscovery(exporter)],
    relabel_configs: [
      ...podTargetRelabels(exporter),
      // What is probed, not the exporter's pod, identifies the series.
      { target_label: 'instance', replacement: p.url.href },
      { target_label: 'target', replacement: p.name },
      { target_label: 'url', replacement: p.url.href },
      { target_label: 'service', replacement: p.service },
    ],
  }));
}
