/**
 * Every image the stack runs, pinned, in one place. A version bump is one line here.
 *
 * Where the test harness runs the same server or CLI (promtool, amtool, the exporters), `goModule`
 * names the Go module and version that `tools/<tool>/go.mod` builds; test/versions.test.ts fails
 * when the two disagree, so the manifests and the tests never run different releases.
 */
export interface PinnedImage {
  /** Image repository, without tag. */
  readonly repository: string;
  /** Released tag; never a floating one. */
  readonly tag: string;
  /**
   * Optional digest, `sha256:<64 hex digits>`: the image is then pulled as `repository:tag@digest`,
   * the same bytes even if the registry moves the tag (test/images.test.ts checks the format).
   */
  readonly digest?: string;
  /** The Go module built for tests from the same release, if any: `tools/<dir>` at `version`. */
  readonly goModule?: { readonly dir: string; readonly path: string; readonly version: string };
}

export const IMAGES = {
  prometheus: {
    repository: 'quay.io/prometheus/prometheus',
    tag: 'v3.14.0',
    goModule: { dir: 'prometheus', path: 'github.com/prometheus/prometheus', version: 'v0.314.0' },
  },
  alertmanager: {
    repository: 'quay.io/prometheus/alertmanager',
    tag: 'v0.34.0',
    goModule: { dir: 'alertmanager', path: 'github.com/prometheus/alertmanager', version: 'v0.34.0' },
  },
  nodeExporter: {
    repository: 'quay.io/prometheus/node-exporter',
    tag: 'v1.12.1',
    goModule: { dir: 'node_exporter', path: 'github.com/prometheus/node_exporter', version: 'v1.12.1' },
  },
  // One release behind upstream (v0.20.1, v1.89.0): the module proxy does not serve those zips; parity with the live-checked binaries wins.
  postgresExporter: {
    repository: 'quay.io/prometheuscommunity/postgres-exporter',
    tag: 'v0.19.1',
    goModule: { dir: 'postgres_exporter', path: 'github.com/prometheus-community/postgres_exporter', version: 'v0.19.1' },
  },
  redisExporter: {
    repository: 'docker.io/oliver006/redis_exporter',
    tag: 'v1.88.0',
    goModule: { dir: 'redis_exporter', path: 'github.com/oliver006/redis_exporter', version: 'v1.88.0' },
  },
  // Its Go module (k8s.io/kube-state-metrics/v2) is not served by the module proxy, so no test runs
  // it: its metrics are held to charts/kube-state-metrics/ground-truth/ instead (docs/kubernetes.md).
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.20.0' },
  blackboxExporter: {
    repository: 'quay.io/prometheus/blackbox-exporter',
    tag: 'v0.27.0',
    goModule: { dir: 'blackbox_exporter', path: 'github.com/prometheus/blackbox_exporter', version: 'v0.27.0' },
  },
  // v0.42.4, one patch behind v0.42.5: v0.42.5's go.mod requires Go 1.26.10, newer than the toolchain
  // that builds the test binaries here, and the image and the tested binary stay one release.
  thanos: {
    repository: 'quay.io/thanos/thanos',
    tag: 'v0.42.4',
    goModule: { dir: 'thanos', path: 'github.com/thanos-io/thanos', version: 'v0.42.4' },
  },
  grafana: { repository: 'docker.io/grafana/grafana', tag: '13.2.0' },
  loki: { repository: 'docker.io/grafana/loki', tag: '3.7.6' },
  // The last Promtail release: Promtail reached end of life on 2026-03-02 and its code left Loki in
  // 3.7, so no newer tag will come (docs/logs.md). Alloy is the supported shipper.
  promtail: { repository: 'docker.io/grafana/promtail', tag: '3.6.11' },
  alloy: { repository: 'docker.io/grafana/alloy', tag: 'v1.18.1' },
} as const satisfies Record<string, PinnedImage>;

export type ImageName = keyof typeof IMAGES;

/** `repository:tag`, or `repository:tag@sha256:...` when the image is pinned to a digest. */
export function imageRefOf(i: PinnedImage): string {
  return `${i.repository}:${i.tag}${i.digest ? `@${i.digest}` : ''}`;
}

/** The reference of a pinned image of the stack. */
export function imageOf(name: ImageName): string {
  return imageRefOf(IMAGES[name]);
}
