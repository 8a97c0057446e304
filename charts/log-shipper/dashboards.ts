/**
 * "Logs pipeline": the way of a log line from a pod's file to Loki. What Loki ingested per stream
 * (LogQL on `love-loki`: Loki counts lines per tenant only), what it refused and why, and its
 * failing requests; then, per node, what each shipper sent, dropped, failed to push and has not yet
 * read. The Loki and log shipper alerts' runbook sections point here. Metric names come from the
 * contracts (charts/contracts/loki-metrics.ts, ./metrics.ts for the shipper that runs); neither
 * server runs in this project's checks, so the panels are held to the upstream reference
 * (ground-truth/upstream-metrics.tsv) by the dashboard tests. Thresholds are the alerts' own.
 */
import { Dashboard } from '../lib/monitoring';
import { FOLDERS, UNIT, dashboard, loki, prom, timeseries, warnAbove } from '../lib/panels';
import { increase, jobOf, rate, sel, sumBy } from '../lib/promql';
import { LOG_JOBS, LOGS_DASHBOARD_UID, logStream } from '../contracts/logs';
import { LOKI_METRICS as L } from '../contracts/loki-metrics';
import { SHIPPER_METRICS } from './metrics';
import { LogsProps } from './settings';

export function dashboards(props: LogsProps): Dashboard[] {
  const lokiRequestErrorRatio = props.lokiRequestErrorRatio ?? 0.05;
  const w = props.shared.rules.rateWindow;
  const a = props.settings.alerts;
  const M = SHIPPER_METRICS[props.settings.shipper];
  const shipper = jobOf(props.shared.endpoints.logShipper);
  const lokiJob = props.loki?.jobs ?? jobOf(props.shared.endpoints.loki);
  // Every stream the shipper writes (its jobs: pod logs, the backend's Winston files, Postgres's host log).
  const streams = logStream({ job: { re: Object.values(LOG_JOBS).join('|') } });
  const STREAM = ['job', 'namespace', 'app'];
  const lokiRequests = `${L.requestDuration.name}_count`;
  const pushes = `${M.requestDuration.name}_count`;
  /** `expr`, or 0 for each node whose shipper sent anything: a counter that never moved has no series yet, and 0 is the truth then. */
  const orZeroPerNode = (expr: string) => `${expr}\nor\n0 * ${sumBy(['node'], rate(sel(M.sentEntries.name, shipper), w))}`;

  return [
    dashboard({
      uid: LOGS_DASHBOARD_UID,
      title: 'Logs pipeline',
      description: 'From the pods\' log files to Loki: lines ingested per stream, lines refused, failing requests, and each node\'s shipper (sent, dropped, failed pushes, lag).',
      tags: ['logs'],
      folder: FOLDERS.app,
      rows: [
        {
          title: 'Loki: ingest',
          panels: [
            timeseries({
              title: 'Lines ingested per stream',
              description: 'Log lines Loki stored per interval, by job, namespace and app (LogQL: Loki itself counts lines per tenant only). A stream that stops while its pods run points at its node\'s shipper below.',
              unit: UNIT.count,
              bars: true,
              stack: true,
              queries: [loki(`sum by (${STREAM.join(', ')}) (count_over_time(${streams} [$__auto]))`, { legend: '{{namespace}}/{{app}} ({{job}})' })],
            }),
            timeseries({
              title: 'Bytes ingested per stream',
              description: 'Bytes of log lines Loki stored per interval, by job, namespace and app; loki.ingestionRateMb and loki.perStreamRateMb limit these.',
              unit: UNIT.bytes,
              bars: true,
              stack: true,
              queries: [loki(`sum by (${STREAM.join(', ')}) (bytes_over_time(${streams} [$__auto]))`, { legend: '{{namespace}}/{{app}} ({{job}})' })],
            }),
            timeseries({
              title: 'Discarded lines by reason',
              description: `Lines Loki refused over the last ${w}, by reason (rate_limited, stream_limit, line_too_long, ...); those lines are lost. LokiSamplesDiscarded warns when refusals go on for 15m. 0 while Loki refuses nothing.`,
              unit: UNIT.count,
              bars: true,
              min: 0,
              // The 0 series is labelled reason="none", so the legend names it.
              queries: [
                prom(`${sumBy(['reason'], increase(sel(L.discardedSamples.name, lokiJob), w))}\nor\nlabel_replace(0 * ${sumBy([], rate(sel(lokiRequests, lokiJob), w))}, "reason", "none", "", "")`, {
                  legend: '{{reason}}',
                }),
              ],
            }),
            timeseries({
              title: 'Loki 5xx ratio per route',
              description: `Share of Loki's requests answered with 5xx over the last ${w}, per route (pushes and queries). LokiRequestErrors fires above ${lokiRequestErrorRatio * 100}% for 15m.`,
              unit: UNIT.percent,
              min: 0,
              queries: [
                prom(
                  `(\n${sumBy(['route'], rate(sel(lokiRequests, { ...lokiJob, status_code: { re: '5..' } }), w))}\nor\n0 * ${sumBy(['route'], rate(sel(lokiRequests, lokiJob), w))}\n)\n/\n${sumBy(['route'], rate(sel(lokiRequests, lokiJob), w))}`,
                  { legend: '{{route}}' },
                ),
              ],
              thresholds: warnAbove(lokiRequestErrorRatio / 2, lokiRequestErrorRatio),
            }),
          ],
        },
        {
          title: 'Shippers, per node',
          panels: [
            timeseries({
              title: 'Entries sent per node',
              description: 'Log entries each node\'s shipper delivered to Loki per second. A node at 0 while its pods write is LogShipperNodeSilent.',
              unit: UNIT.perSecond,
              min: 0,
              queries: [prom(sumBy(['node'], rate(sel(M.sentEntries.name, shipper), w)), { legend: '{{node}}' })],
            }),
            timeseries({
              title: 'Entries dropped per node',
              description: `Entries each node's shipper gave up on after every retry, over the last ${w}: lost lines. LogShipperEntriesDropped warns on any.`,
              unit: UNIT.count,
              bars: true,
              min: 0,
              queries: [prom(orZeroPerNode(sumBy(['node'], increase(sel(M.droppedEntries.name, shipper), w))), { legend: '{{node}}' })],
            }),
            timeseries({
              title: 'Failed pushes per node',
              description: `Share of each shipper's pushes to Loki answered with anything but 2xx (429 is Loki's limits, -1 no answer) over the last ${w}; they are retried. LogShipperPushesFailing warns above ${a.pushFailureRatio * 100}% for 15m.`,
              unit: UNIT.percent,
              min: 0,
              queries: [
                prom(
                  `(\n${sumBy(['node'], rate(sel(pushes, { ...shipper, status_code: { notRe: '2..' } }), w))}\nor\n0 * ${sumBy(['node'], rate(sel(pushes, shipper), w))}\n)\n/\n${sumBy(['node'], rate(sel(pushes, shipper), w))}`,
                  { legend: '{{node}}' },
                ),
              ],
              thresholds: warnAbove(a.pushFailureRatio / 2, a.pushFailureRatio),
            }),
            timeseries({
              title: 'Shipper lag per node',
              description: 'Bytes the pods wrote that each node\'s shipper has not read yet: the tailed files\' sizes less what was read of them. It should stay near 0; a climb is a shipper falling behind or stuck (LogShipperNodeSilent).',
              unit: UNIT.bytes,
              min: 0,
              // Both gauges are per file (`path`) of the same target: the difference is per file, and a
              // rotated file (read past its new size) counts 0, not negative.
              queries: [prom(sumBy(['node'], `clamp_min(${sel(M.fileBytes.name, shipper)} - ${sel(M.readBytes.name, shipper)}, 0)`), { legend: '{{node}}' })],
            }),
          ],
        },
      ],
    }),
  ];
}
