/**
 * Alerts from the probes: a URL that does not answer as a client expects, and an https:// URL whose
 * certificate expires soon. Each probe's `service` is the component it checks (the backend for the
 * built-in readiness probe and, by default, for configured URLs), so Alertmanager groups it there.
 */
import { alertGroup, alertRule, tmpl } from '../lib/alert-rules';
import { sel } from '../lib/promql';
import { RuleGroup, Severity } from '../lib/monitoring';
import { PROBE_METRICS as P } from '../contracts/probe-metrics';
import { PROBE_JOB_PREFIX } from './probes';
import { BlackboxExporterProps } from './settings';

export function alertRules(props: BlackboxExporterProps): RuleGroup[] {
  const a = props.settings.alerts;
  const ctx = props.shared.rules;
  const probeJobs = { job: { re: `${PROBE_JOB_PREFIX}.+` } };
  const daysLeft = `(${sel(P.sslEarliestCertExpiry.name, probeJobs)} - time()) / 86400`;
  const certificate = (severity: Severity, days: number) =>
    alertRule(ctx, {
      name: 'BlackboxCertificateExpiring',
      remediation: 'Renew the certificate (cert-manager: kubectl describe certificate, fix the challenge), or replace it by hand on the ingress or load balancer.',
      severity,
      expr: `${daysLeft} < ${days}`,
      for: a.certificateFor,
      summary: `The TLS certificate of ${tmpl.label('url')} expires within ${days} days`,
      description: `The certificate served at ${tmpl.label('url')} (probe ${tmpl.label('target')}) expires in ${tmpl.number} days (threshold ${days} days); clients will refuse the connection after that.`,
    });
  return [
    alertGroup('blackbox-exporter', [
      // What a client sees: no answer, a non-2xx status, a failed TLS handshake. Critical: for the
      // backend's readiness this is every client failing; for an external URL, payments or the bot.
      alertRule(ctx, {
        name: 'BlackboxProbeFailed',
        remediation: "The backend's readiness: see BackendNoReadyEndpoint.",
        severity: 'critical',
        expr: `${sel(P.success.name, probeJobs)} == 0`,
        for: a.probeFailedFor,
        summary: `Probe ${tmpl.label('target')} fails: ${tmpl.label('url')}`,
        description: `Fetching ${tmpl.label('url')} from inside the cluster has failed for ${a.probeFailedFor}: no answer, a status other than 2xx, or a failed TLS handshake.`,
      }),
      certificate('warning', a.certificateWarningDays),
      certificate('critical', a.certificateCriticalDays),
    ]),
  ];
}
