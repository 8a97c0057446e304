/**
 * The settings every component shares, and what each component receives besides its own slice:
 * where things live (namespaces, endpoints), what the network looks like, and what every rule
 * builder needs. The stack (`charts/stack.ts`) computes one `Shared` from the validated config.
 */
import { Chart } from 'cdk8s';
import { RuleContext } from '../lib/alert-rules';
import { ConfigIssue, Infer, bool, cidr, dnsLabel, dnsSubdomain, int, list, obj, optional, port, promDuration, required, show, str, withDefault } from '../lib/schema';
import { StackEndpoints } from './endpoints';


export const namespacesSettings = obj({
  /** Prometheus, Alertmanager, Grafana, Loki and the exporters; Pod Security `restricted`. */
  monitoring: withDefault(dnsLabel(), 'monitoring'),
  /** Host-level agents (node exporter, log shipper); Pod Security `privileged`, nothing else runs there. */
  agents: withDefault(dnsLabel(), 'monitoring-agents'),
  /** The Love Parser backend; Pod Security `restricted`. */
  backend: withDefault(dnsLabel(), 'love-parser'),
});
export type Namespaces = Infer<typeof namespacesSettings>;

export const networkSettings = obj({
  /**
   * Where the Kubernetes API server is, for the egress policies of components that use discovery.
   * Narrow this to the control plane's addresses when they are known.
   * @default ['0.0.0.0/0'] on ports 443 and 6443
   */
  apiServerCidrs: withDefault(list(cidr('10.0.0.1/32'), { minItems: 1, unique: true }), ['0.0.0.0/0']),
  /** Ports of the API server for those egress policies (443 behind a load balancer, 6443 on the nodes). @default [443, 6443] */
  apiServerPorts: withDefault(list(int({ min: 1, max: 65535 }), { minItems: 1, unique: true }), [443, 6443]),
  /**
   * Addresses of the cluster's nodes. Agents in the host network (node exporter) are not matched by
   * pod selectors, so egress to them is allowed to these addresses (on the agent's port only).
   * Narrow this to the node subnet when it is known.
   * @default ['0.0.0.0/0']
   */
  nodeCidrs: withDefault(list(cidr('10.0.0.0/16'), { minItems: 1, unique: true }), ['0.0.0.0/0']),
  /**
   * Port of the Postgres server the backend uses and postgres-exporter watches (managed databases
   * and poolers often listen elsewhere, e.g. PgBouncer on 6432). Egress is allowed to this port.
   * @default 5432
   */
  postgresPort: withDefault(port(), 5432),
  /** Port of the Redis server (TLS Redis is often 6380). Egress is allowed to this port. @default 6379 */
  redisPort: withDefault(port(), 6379),
  /**
   * Where pods send DNS queries (UDP and TCP 53; docs/networking.md). The default works with
   * CoreDNS (the kube-dns pods) and with NodeLocal DNSCache on its link-local address.
   */
  dns: obj({
    /** Namespace of the cluster DNS pods. @default 'kube-system' */
    namespace: withDefault(dnsLabel(), 'kube-system'),
    /** Label (key=value) of the cluster DNS pods: CoreDNS and kube-dns carry it on mainstream distributions. @default 'k8s-app=kube-dns' */
    podLabel: withDefault(str({ pattern: /^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?=[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, expects: "a label such as 'k8s-app=kube-dns'" }), 'k8s-app=kube-dns'),
    /**
     * Addresses that answer DNS besides those pods: NodeLocal DNSCache listens on 169.254.20.10 in
     * every node; in its iptables mode it also answers on the kube-dns Service IP (add it here,
     * e.g. '10.96.0.10/32'). @default ['169.254.20.10/32']
     */
    cidrs: withDefault(list(cidr('169.254.20.10/32'), { unique: true }), ['169.254.20.10/32']),
    /**
     * Allow DNS to any address instead: for CNIs where an ipBlock cannot match a host-network
     * address (Cilium by default, GKE Dataplane V2) while NodeLocal DNSCache is in use. @default false
     */
    anywhere: withDefault(bool(), false),
  }),
});
export type NetworkSettings = Infer<typeof networkSettings>;

export const rulesSettings = obj({
  /**
   * Window of rate() in the error-ratio and latency rules: 20 scrapes at 15s, so one slow or lost
   * scrape does not swing the ratio. @default '5m'
   */
  rateWindow: withDefault(promDuration(), '5m'),
  /**
   * A `for` of your own for named alerts, replacing the one the rule chose (RUNBOOK.md and
   * docs/alerting.md say why each is what it is). For a test environment's short clocks, or an
   * alert that pages too early or too late for you. An alert that does not exist is refused.
   * Every alert of that name gets it (a warning and its critical twin alike). @default []
   */
  alertFor: withDefault(
    list(
      obj({
        /** The alert's name, as in RUNBOOK.md. */
        alert: required(str({ pattern: /^[A-Z][A-Za-z0-9]+$/, expects: "an alert name such as 'BackendDbPoolExhausted'" })),
        /** Its `for`. */
        for: required(promDuration()),
      }),
      { unique: true },
    ),
    [],
  ),
  /**
   * Where RUNBOOK.md is browsable; every alert's runbook_url is this plus `#<heading anchor>`.
   * @default derived from argocd.repoURL and argocd.targetRevision (`<repo>/blob/<revision>/RUNBOOK.md`)
   */
  runbookUrl: optional(
    str({
      pattern: /^https:\/\/[^\s#]+$/,
      expects: "an https URL of RUNBOOK.md such as 'https://git.example.org/ops/monitoring/-/blob/main/RUNBOOK.md'",
    }),
  ),
});
export type RulesSettings = Infer<typeof rulesSettings>;

/** One PriorityClass the stack creates (cluster-scoped, in the cluster chart). */
const priorityClass = (name: string, value: number, preempt: boolean) =>
  obj({
    /** Name of the PriorityClass. */
    name: withDefault(dnsSubdomain(), name),
    /**
     * Its value: higher schedules first and is evicted last. User-defined classes may go up to
     * 1000000000; Kubernetes' own system-node-critical and system-cluster-critical are above that.
     */
    value: withDefault(int({ min: 1, max: 1000000000 }), value),
    /** Whether a pending pod of this class may evict lower-priority pods to fit (`preemptionPolicy`). */
    preemptLowerPriority: withDefault(bool(), preempt),
  });

/**
 * The PriorityClasses the stack creates. Pods without one have priority 0 (the backend, Grafana,
 * Loki and the exporters): under resource pressure they wait and are evicted first.
 */
export const priorityClassesSettings = obj({
  /**
   * Node exporter and the log shipper: a DaemonSet pod that stays Pending leaves its node
   * unmonitored and its logs unshipped, so they come first and may preempt lower-priority pods
   * to fit (they are small). @default name love-parser-host-agents, value 1000000, preempting
   */
  hostAgents: priorityClass('love-parser-host-agents', 1000000, true),
  /**
   * Prometheus and Alertmanager: never the first to be evicted when a node runs short, and first
   * in the scheduling queue; they do not preempt the application by default (a monitoring rollout
   * must not evict the backend). @default name love-parser-alerting, value 100000, not preempting
   */
  alerting: priorityClass('love-parser-alerting', 100000, false),
});
export type PriorityClasses = Infer<typeof priorityClassesSettings>;

/** The host agents above Prometheus and Alertmanager, each class under its own name. */
export function priorityClassesChecks(p: PriorityClasses): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (p.hostAgents.value <= p.alerting.value) {
    issues.push({
      path: 'hostAgents.value',
      message: `is ${p.hostAgents.value}, not above priorityClasses.alerting.value ${p.alerting.value}: a full node could keep its host agents Pending and leave itself unmonitored`,
      fix: 'give the host agents the higher value',
    });
  }
  if (p.hostAgents.name === p.alerting.name) {
    issues.push({ path: 'alerting.name', message: `is ${show(p.alerting.name)}, the same as priorityClasses.hostAgents.name`, fix: 'give each PriorityClass its own name' });
  }
  return issues;
}

/** Three namespaces, because their Pod Security levels differ. */
export function namespacesChecks(ns: Namespaces): ConfigIssue[] {
  const names = [ns.monitoring, ns.agents, ns.backend];
  if (new Set(names).size === names.length) return [];
  return [
    {
      path: '',
      message: `must be three different namespaces, got ${show(ns)}`,
      fix: 'give monitoring, agents and backend their own namespace (their Pod Security levels differ)',
    },
  ];
}

/** What every component receives besides its own settings. */
export interface Shared {
  /** Name of the environment (`config/<environment>.yaml`). */
  readonly environment: string;
  /** Value of the `cluster` external label. */
  readonly cluster: string;
  readonly namespaces: Namespaces;
  readonly network: NetworkSettings;
  /** The PriorityClasses the cluster chart creates; workloads name them. */
  readonly priorityClasses: PriorityClasses;
  readonly endpoints: StackEndpoints;
  /** What rule builders need: the rate window and where the runbook is. */
  readonly rules: RuleContext;
  /** Prometheus's scrape interval: the shortest step a rate can resolve. */
  readonly scrapeInterval: string;
}

/** What a component's chart is given: its own settings, the shared pieces, and the charts to come after. */
export interface ComponentProps<S> {
  readonly settings: S;
  readonly shared: Shared;
  /** Charts whose objects must exist first (the namespaces); they order the files of dist/. */
  readonly dependsOn: readonly Chart[];
}
