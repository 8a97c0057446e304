/** Pieces every component's alert cases share. */
import { ExpectedAlert } from '../harness';
import { runbookRemediation } from '../remediation';

/**
 * Where production's runbook lives (config/production.yaml: argocd.repoURL at targetRevision), typed
 * out here on purpose so that the URL the rules compute is checked against an independent value.
 */
export const RUNBOOK = 'https://github.com/love-parser/monitoring/blob/main/RUNBOOK.md';

/**
 * An expected alert: its name, severity and other labels, its rendered summary and description, and
 * the remediation read from RUNBOOK.md (not from the rule: promtool then proves the two agree).
 */
export function alert(
  name: string,
  severity: 'warning' | 'critical',
  labels: Record<string, string>,
  summary: string,
  description: string,
): ExpectedAlert {
  return {
    labels: { alertname: name, severity, ...labels },
    annotations: { summary, description, remediation: runbookRemediation(name), runbook_url: `${RUNBOOK}#${name.toLowerCase()}` },
  };
}
