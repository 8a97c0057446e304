/**
 * What Prometheus needs to run the scrape jobs the components contribute: which namespaces it must
 * discover in (its RBAC) and which pods it must reach (its NetworkPolicy), traced from the jobs.
 */
import { ServiceEndpoint } from '../lib/endpoints';
import { NamespacedSdRole, SD_ROLE_RESOURCES } from '../lib/scrape';

function parseSelector(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of s.split(',')) {
    const m = /^\s*([^=!\s]+)\s*==?\s*([^,\s]*)\s*$/.exec(pair);
    if (!m) return undefined; // set-based or negative selectors are not matched against endpoints
    out[m[1]] = m[2];
  }
  return out;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** One Kubernetes discovery a job (or the alerting config) uses. */
export interface Discovery {
  readonly namespace: string;
  readonly role: NamespacedSdRole;
}

/** What a job reaches: the namespaces it discovers in, and the endpoints whose pods it connects to. */
export interface Reach {
  readonly discovery: readonly Discovery[];
  readonly endpoints: readonly ServiceEndpoint[];
  /**
   * Ports a node-role job connects to on every node's address (the kubelet's). Node discovery is
   * cluster-wide: its ClusterRole comes from the component that contributes the job (charts/kubelet/).
   */
  readonly nodePorts: readonly number[];
}

/** The port a node-role job sets on `__address__` (`replacement: $1:<port>`), which its egress must allow. */
function nodePortOf(job: Record<string, unknown>): number | undefined {
  const relabels = (job.relabel_configs as { target_label?: string; replacement?: string }[] | undefined) ?? [];
  const address = relabels.filter((r) => r.target_label === '__address__').pop();
  const m = address?.replacement ? /:([0-9]+)$/.exec(address.replacement) : null;
  return m ? Number(m[1]) : undefined;
}

/** Thrown when a job's targets cannot be traced to a ServiceEndpoint (so no policy could allow them). */
export class ScrapeReachError extends Error {}

/** The endpoint whose StatefulSet pod `host:port` names (`<name>-<i>.<name>-headless.<ns>.svc:<port>`). */
function podOf(target: string, endpoints: readonly ServiceEndpoint[]): ServiceEndpoint | undefined {
  return endpoints.find((e) => new RegExp(`^${escapeRe(e.name)}-[0-9]+\\.${escapeRe(e.headlessHost)}:${e.port}$`).test(target));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Traces a scrape job (or an Alertmanager set, which has the same discovery fields) to the
 * endpoints of the stack. Static targets must be endpoint addresses, the stable DNS names of an
 * endpoint's StatefulSet pods, or localhost; DNS discovery must ask for an endpoint's headless
 * Service (its SRV name, or its A records on the endpoint's port); Kubernetes discovery must name
 * its namespaces and select pods by an endpoint's labels.
 */
export function reachOf(name: string, job: Record<string, unknown>, endpoints: readonly ServiceEndpoint[]): Reach {
  const discovery: Discovery[] = [];
  const reached: ServiceEndpoint[] = [];
  const nodePorts: number[] = [];
  const fail = (why: string, fix: string): never => {
    throw new ScrapeReachError(`scrape job '${name}': ${why}; fix: ${fix}`);
  };
  for (const sc of (job.static_configs as { targets?: string[] }[] | undefined) ?? []) {
    for (const t of sc.targets ?? []) {
      if (/^(localhost|127\.0\.0\.1):[0-9]+$/.test(t)) continue; // Prometheus itself, no network involved
      const e = endpoints.find((x) => x.address === t) ?? podOf(t, endpoints);
      if (!e) fail(`static target '${t}' is not the address of a stack endpoint or of one of its pods`, 'use an endpoint from contracts/endpoints.ts (`endpoint.address`, or `endpoint.podHost(i)` and its port), adding one there for a new component');
      else reached.push(e);
    }
  }
  for (const sd of (job.dns_sd_configs as Record<string, any>[] | undefined) ?? []) {
    const type: string = sd.type ?? 'SRV';
    for (const n of (sd.names as string[] | undefined) ?? []) {
      const e =
        type === 'SRV'
          ? endpoints.find((x) => x.srvName() === n)
          : type === 'A' || type === 'AAAA'
            ? endpoints.find((x) => x.headlessHost === n && x.port === sd.port)
            : undefined;
      if (!e) {
        fail(
          `its DNS discovery of '${n}' (type ${type}${sd.port !== undefined ? `, port ${sd.port}` : ''}) does not name the headless Service of a stack endpoint`,
          "use `endpoint.srvName()` (type SRV), or `endpoint.headlessHost` with type A and the endpoint's port",
        );
      } else reached.push(e);
    }
  }
  for (const sd of (job.kubernetes_sd_configs as Record<string, any>[] | undefined) ?? []) {
    const role = sd.role as string;
    if (role === 'node') {
      // Every node's kubelet: no Service, no pod selector; the port is the one the job writes.
      const port = nodePortOf(job);
      if (port === undefined) fail("node discovery without an explicit port", "set __address__ with `replacement: '$1:<port>'` in relabel_configs (kubeletJob in charts/kubelet/kubelet.ts does)");
      else nodePorts.push(port);
      continue;
    }
    if (!(role in SD_ROLE_RESOURCES)) {
      fail(`discovery role '${role}' is cluster-wide and would need a ClusterRole`, "discover pods ('pod') or endpoints in named namespaces");
    }
    const names: string[] | undefined = sd.namespaces?.names;
    if (!names || names.length === 0 || sd.namespaces?.own_namespace) {
      fail('discovery without namespaces.names watches every namespace (a ClusterRole)', 'list the namespaces in kubernetes_sd_configs[].namespaces.names');
    }
    for (const namespace of names!) discovery.push({ namespace, role: role as NamespacedSdRole });
    const selectors: { label?: string }[] = sd.selectors ?? [];
    const labels = selectors.map((s) => (s.label ? parseSelector(s.label) : undefined)).find((l) => l !== undefined);
    const matching = labels ? endpoints.filter((e) => names!.includes(e.namespace) && sameLabels(e.podLabels, labels)) : [];
    if (matching.length === 0) {
      fail(
        `its discovery in ${names!.join(', ')} does not select the pods of a stack endpoint`,
        'add `selectors: [{ role, label }]` with an endpoint\'s podLabels (podScrapeJob in charts/lib/scrape.ts does)',
      );
    }
    reached.push(...matching);
  }
  return { discovery, endpoints: reached, nodePorts };
}
