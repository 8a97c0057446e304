/** Grafana's slice of the configuration (`grafana:` in config/<environment>.yaml). */
import { ConfigIssue, Infer, dnsLabel, dnsSubdomain, int, num, obj, optional, required, secretKey, str, withDefault } from '../lib/schema';
import { distinctSecretKeys, resources, volume } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const grafanaSettings = obj({
  /** Existing Secret with the admin user name and password, read by Grafana from files. */
  adminSecret: obj({
    name: withDefault(dnsSubdomain(), 'grafana-admin'),
    userKey: withDefault(secretKey(), 'admin-user'),
    passwordKey: withDefault(secretKey(), 'admin-password'),
  }),
  /** Grafana's database (users, preferences, annotations); dashboards themselves come from code. @default 5Gi */
  storage: volume('5Gi'),
  /** Optional Ingress; without it, use `kubectl port-forward` (see README). */
  ingress: optional(
    obj({
      host: required(str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, expects: "a host name such as 'grafana.example.org'" })),
      /** Existing TLS Secret for the host (cert-manager can create it); Grafana is never served over plain HTTP. */
      tlsSecret: required(dnsSubdomain()),
      className: optional(dnsSubdomain()),
      /**
       * Namespace of the ingress controller's pods: Grafana's NetworkPolicy admits them on its
       * port. A controller in the host network is not matched by namespace; see docs/grafana.md.
       * @default 'ingress-nginx'
       */
      controllerNamespace: withDefault(dnsLabel(), 'ingress-nginx'),
    }),
  ),
  /**
   * Seconds Grafana may take to answer /api/health after a start before liveness applies: an
   * upgrade runs database migrations first, minutes on a slow disk. @default 300
   */
  startupSeconds: withDefault(int({ min: 30, max: 1800 }), 300),
  resources: resources({ cpu: '100m', memory: '256Mi', cpuLimit: '1', memoryLimit: '512Mi' }),
  alerts: obj({
    /**
     * Share of one data source's requests answered 5xx before GrafanaDatasourceErrors: every panel
     * on it shows an error. 4xx are left out (a user's malformed query is not an outage).
     * @default 0.05
     */
    datasourceErrorRatio: withDefault(num({ exclusiveMin: 0, exclusiveMax: 1 }), 0.05),
  }),
});
export type GrafanaSettings = Infer<typeof grafanaSettings>;

/** Settings that contradict each other; paths are relative to `grafana`. */
export function grafanaChecks(s: GrafanaSettings): ConfigIssue[] {
  return distinctSecretKeys(s.adminSecret.name, { 'adminSecret.userKey': s.adminSecret.userKey, 'adminSecret.passwordKey': s.adminSecret.passwordKey });
}

/** What the chart and its rules and dashboards are built from. */
export type GrafanaProps = ComponentProps<GrafanaSettings>;
