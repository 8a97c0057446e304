/**
 * Cases of the Loki alerts in simple-scalable mode (`loki.mode`), run against the rules of staging,
 * which turns it on (`SWITCHED_CASES` in ./index.ts): the same four alerts as the single binary's,
 * over the jobs of the three targets. LokiDown fires per target, so a read path that is down alerts
 * while the write and backend pods are up.
 */
import { LOKI_METRICS as L } from '../../../charts/loki/metrics';
import { TARGET_JOBS } from '../../../charts/loki/scalable';
import { UP } from '../../../charts/lib/promql';
import { AlertCase, CaseContext, fires, quiet, series } from '../harness';
import { alert } from './common';

export function lokiScalableCases({ endpoints }: CaseContext): AlertCase[] {
  const ns = endpoints.lokiWrite.namespace;
  const target = (job: string, pod: string, ip: string) => ({ job, instance: `${ip}:3100`, namespace: ns, pod, service: job });
  const write = target(TARGET_JOBS.write, 'loki-write-0', '10.0.5.2');
  const read = target(TARGET_JOBS.read, 'loki-read-6d9f7-a', '10.0.5.3');
  const backend = target(TARGET_JOBS.backend, 'loki-backend-0', '10.0.5.4');
  const requests = `${L.requestDuration.name}_count`;
  const down = (job: string) => alert('LokiDown', 'critical', { service: 'loki', job }, 'Loki is down: logs are not stored', 'Prometheus has reached no Loki target for 5m: log shippers are buffering and will drop logs, and log queries fail.');
  return [
    fires('LokiDown', 'the read target is down while write and backend are up', {
      input: [series(UP, write, '1x10'), series(UP, read, '0x10'), series(UP, backend, '1x10')],
      at: '10m',
      expect: [down(TARGET_JOBS.read)],
    }),
    fires('LokiDown', 'the backend target has no pod at all', {
      input: [series(UP, write, '1x10'), series(UP, read, '1x10')],
      at: '10m',
      expect: [down(TARGET_JOBS.backend)],
    }),
    fires('LokiDown', 'no target of any kind', { input: [], at: '10m', expect: [down(TARGET_JOBS.write), down(TARGET_JOBS.read), down(TARGET_JOBS.backend)] }),
    quiet('LokiDown', 'every target up, one of two read pods down', {
      input: [series(UP, write, '1x10'), series(UP, read, '1x10'), series(UP, { ...read, pod: 'loki-read-6d9f7-b', instance: '10.0.5.5:3100' }, '0x10'), series(UP, backend, '1x10')],
      at: '10m',
    }),

    fires('LokiRequestErrors', 'one push in ten answered 500 by the write pods for 25m', {
      input: [series(requests, { ...write, route: 'loki_api_v1_push', status_code: '500' }, '0+10x30'), series(requests, { ...write, route: 'loki_api_v1_push', status_code: '204' }, '0+90x30')],
      at: '25m',
      expect: [alert('LokiRequestErrors', 'critical', { service: 'loki', route: 'loki_api_v1_push' }, 'Loki fails requests on loki_api_v1_push', '10% of the requests to loki_api_v1_push failed with 5xx over the last 5m (threshold 5%).')],
    }),
    quiet('LokiRequestErrors', 'one query in a hundred fails on the read pods', {
      input: [series(requests, { ...read, route: 'loki_api_v1_query_range', status_code: '500' }, '0+1x30'), series(requests, { ...read, route: 'loki_api_v1_query_range', status_code: '200' }, '0+99x30')],
      at: '25m',
    }),

    fires('LokiSamplesDiscarded', 'the write pods refuse lines for the rate limit for 25m', {
      input: [series(L.discardedSamples.name, { ...write, reason: 'rate_limited', tenant: 'fake' }, '0+10x30')],
      at: '25m',
      expect: [alert('LokiSamplesDiscarded', 'warning', { service: 'loki', reason: 'rate_limited' }, 'Loki refuses log lines: rate_limited', 'Loki discarded 50 lines for reason rate_limited over the last 5m; those lines are lost.')],
    }),
    quiet('LokiSamplesDiscarded', 'lines refused once, long ago', { input: [series(L.discardedSamples.name, { ...write, reason: 'rate_limited', tenant: 'fake' }, '0 40x30')], at: '25m' }),

    fires('LokiRetentionNotApplied', "the backend's compactor has not applied retention since its start, 8h ago", {
      interval: '5m',
      input: [series(L.retentionLastSuccess.name, backend, '0x120')],
      at: '8h',
      expect: [alert('LokiRetentionNotApplied', 'warning', { service: 'loki' }, "Loki's compactor has not applied retention recently", 'The last successful retention run was 8h 0m 0s ago (threshold 6h); old logs are not deleted and the volume fills up.')],
    }),
    // The compactor runs on one backend pod; the other's last success stays 0, and the newest counts.
    quiet('LokiRetentionNotApplied', 'one backend pod applies retention every 10 minutes, the other never', {
      interval: '5m',
      input: [series(L.retentionLastSuccess.name, backend, '0+300x120'), series(L.retentionLastSuccess.name, { ...backend, pod: 'loki-backend-1', instance: '10.0.5.6:3100' }, '0x120')],
      at: '8h',
    }),
  ];
}
