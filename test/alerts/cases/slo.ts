/**
 * Cases of the backend's burn-rate alerts (charts/backend/slos.ts, built by charts/lib/slo.ts).
 *
 * Each input holds its error ratio constant from its first sample, so every window reads the same
 * ratio (a window longer than the input reads the input there is: rate() of both counters is
 * extrapolated alike), and each tier's condition is a matter of the burn rate alone. That keeps
 * the inputs at 40 minutes: promtool evaluates every rule every 15s, and days of input would take
 * minutes per case. The traffic guard, which counts events, sees what the input holds. Availability shows every tier at and just below its burn rate
 * and the traffic guard; the other objectives show that their indicator counts the right events.
 *
 * With the production objectives (28d): budget 0.5% (availability) or 1% (the others); tiers
 * 14.4x over 56m/280s and 6x over 336m/28m page, 3x over 1344m/112m and 1x over 4032m/336m ticket.
 */
import { BACKEND_METRICS as M } from '../../../charts/contracts/backend-metrics';
import { AlertCase, CaseContext, ExpectedAlert, InputSeries, fires, quiet, series } from '../harness';
import { alert } from './common';

const POD = { job: 'backend', instance: '10.0.1.10:3000', namespace: 'love-parser', pod: 'backend-7d9f-a', service: 'backend' };
const MINUTES = 40;
/** After the longest `for` (the tickets' 1344s) and well inside the input. */
const AT = `${MINUTES - 5}m`;

/** A counter growing by `perMinute` from 0, one sample a minute, written out. */
function counter(perMinute: number): string {
  return Array.from({ length: MINUTES + 1 }, (_, i) => String(Number((i * perMinute).toFixed(6)))).join(' ');
}

interface Tiers {
  readonly critical: readonly string[];
  readonly warning: readonly string[];
}

/** The tiers (long windows) that fire at a burn rate, with the production windows. */
function tiersAt(burn: number): Tiers {
  return {
    critical: [...(burn > 14.4 ? ['56m'] : []), ...(burn > 6 ? ['336m'] : [])],
    warning: [...(burn > 3 ? ['1344m'] : []), ...(burn > 1 ? ['4032m'] : [])],
  };
}

interface Slo {
  readonly alert: string;
  readonly title: string;
  readonly objective: string;
  readonly sms: boolean;
}

function expected(slo: Slo, burn: string, t: Tiers): ExpectedAlert[] {
  const text = {
    critical: 'fast (page)',
    warning: 'steadily (ticket)',
  };
  const tiersText = {
    critical: 'tiers: 14.4x over 56m and 280s, or 6x over 336m and 28m; each spends 2% / 5% of the budget',
    warning: 'tiers: 3x over 1344m and 112m, or 1x over 4032m and 336m; each spends 10% / 10% of the budget',
  };
  return (['critical', 'warning'] as const).flatMap((severity) =>
    t[severity].map((w) =>
      alert(
        slo.alert,
        severity,
        { service: 'backend', slo: sloLabel(slo), long_window: w, ...(severity === 'critical' && slo.sms ? { notify_sms: 'true' } : {}) },
        `${slo.title} burns its error budget ${text[severity]}: ${w} window`,
        `${slo.title} (objective ${slo.objective} over 28d) burned its error budget ${burn} times faster than sustainable over the last ${w} (${tiersText[severity]}).`,
      ),
    ),
  );
}

const SLOS = {
  availability: { alert: 'BackendAvailabilityBudgetBurn', title: 'API availability', objective: '99.5%', sms: true, label: 'api-availability' },
  latency: { alert: 'BackendLatencyBudgetBurn', title: 'API latency', objective: '99%', sms: false, label: 'api-latency' },
  paymentCallbacks: { alert: 'BackendPaymentCallbackBudgetBurn', title: 'Payment callback success', objective: '99%', sms: true, label: 'payment-callbacks' },
  queueJobs: { alert: 'BackendQueueJobBudgetBurn', title: 'Queue job success', objective: '99%', sms: false, label: 'queue-jobs' },
  queueFreshness: { alert: 'BackendQueueFreshnessBudgetBurn', title: 'Queue freshness', objective: '99%', sms: false, label: 'queue-freshness' },
} as const;

function sloLabel(slo: Slo): string {
  return (Object.values(SLOS).find((s) => s.alert === slo.alert) as { label: string }).label;
}

/** Requests per minute, `bad` of them failing (availability) or slow (latency). */
function requests(perMinute: number, bad: number): InputSeries[] {
  const count = `${M.httpRequestDuration.name}_count`;
  const bucket = `${M.httpRequestDuration.name}_bucket`;
  return [
    series(count, { ...POD, route: '/api/a', method: 'GET', status_code: '200' }, counter(perMinute - bad)),
    series(count, { ...POD, route: '/api/a', method: 'GET', status_code: '500' }, counter(bad)),
  ].concat(
    // Latency: the 5xx are the slow ones here (above 1s); every 200 is fast. The bucket at the
    // threshold (written `1`, as other tools do; Prometheus 3 stores `1.0`, which matches too).
    [
      series(bucket, { ...POD, route: '/api/a', method: 'GET', status_code: '200', le: '1' }, counter(perMinute - bad)),
      series(bucket, { ...POD, route: '/api/a', method: 'GET', status_code: '500', le: '1' }, counter(0)),
    ],
  );
}

export function sloCases({ config }: CaseContext): AlertCase[] {
  expectDefaults(config);
  const A = SLOS.availability;
  const cases: AlertCase[] = [];
  // Availability, budget 0.5%: 1000 requests a minute, the error share is burn * 0.5%.
  const availability = (burn: number, perMinute = 1000) => requests(perMinute, (perMinute * burn * 0.005));
  const at = (burn: number) => ({ input: availability(burn), at: AT });
  cases.push(
    fires(A.alert, 'burn 15: both pages (14.4x and 6x) and both tickets', { ...at(15), expect: expected(A, '15', tiersAt(15)) }),
    fires(A.alert, 'burn 14, just below 14.4: the fast page stays quiet, the 6x page and the tickets fire', { ...at(14), expect: expected(A, '14', tiersAt(14)) }),
    fires(A.alert, 'burn 6.2: the 6x page', { ...at(6.2), expect: expected(A, '6.2', tiersAt(6.2)) }),
    fires(A.alert, 'burn 5.8, just below 6: no page, both tickets', { ...at(5.8), expect: expected(A, '5.8', tiersAt(5.8)) }),
    fires(A.alert, 'burn 3.2: the 3x ticket', { ...at(3.2), expect: expected(A, '3.2', tiersAt(3.2)) }),
    fires(A.alert, 'burn 2.9, just below 3: only the 1x ticket', { ...at(2.9), expect: expected(A, '2.9', tiersAt(2.9)) }),
    quiet(A.alert, 'burn 0.95, just below 1: nothing', at(0.95)),
    // Every request fails, but 0.2 a minute: 7 in the input, under minEvents 100.
    quiet(A.alert, 'every request fails at 0.2 requests a minute: under the traffic guard', { input: requests(0.2, 0.2), at: AT }),
  );

  // Latency, budget 1%: 1000 requests a minute, `burn` % of them above 1s.
  const L = SLOS.latency;
  cases.push(
    fires(L.alert, 'burn 15: 15% of requests above 1s', { input: requests(1000, 150), at: AT, expect: expected(L, '15', tiersAt(15)) }),
    quiet(L.alert, 'burn 0.9: 0.9% above 1s', { input: requests(1000, 9), at: AT }),
    quiet(L.alert, 'every request slow at 0.2 a minute: under the traffic guard', { input: requests(0.2, 0.2), at: AT }),
  );

  // Payment callbacks, budget 1%, minEvents 20.
  const P = SLOS.paymentCallbacks;
  const callbacks = (perMinute: number, failed: number) => [
    series(M.paymentCallbacks.name, { ...POD, outcome: 'ok' }, counter(perMinute - failed)),
    series(M.paymentCallbacks.name, { ...POD, outcome: 'failed' }, counter(failed)),
  ];
  cases.push(
    fires(P.alert, 'burn 20: 20% of callbacks fail', { input: callbacks(10, 2), at: AT, expect: expected(P, '20', tiersAt(20)) }),
    quiet(P.alert, 'burn 0.5: 0.5% fail', { input: callbacks(10, 0.05), at: AT }),
    // 0.3 a minute: 10 in the input: under minEvents 20.
    quiet(P.alert, 'every callback fails, 0.3 a minute: under the traffic guard', { input: callbacks(0.3, 0.3), at: AT }),
  );

  // Queue jobs, budget 1%, minEvents 20; the failed counter absent counts as none failed.
  const Q = SLOS.queueJobs;
  const jobs = (completed: number, failed: number | undefined) => [
    series(M.queueJobsCompleted.name, { ...POD, queue: 'parsing' }, counter(completed)),
    ...(failed === undefined ? [] : [series(M.queueJobsFailed.name, { ...POD, queue: 'parsing' }, counter(failed))]),
  ];
  cases.push(
    fires(Q.alert, 'burn 20: one job in five fails', { input: jobs(8, 2), at: AT, expect: expected(Q, '20', tiersAt(20)) }),
    quiet(Q.alert, 'no failed counter yet, jobs complete', { input: jobs(10, undefined), at: AT }),
    quiet(Q.alert, 'every job fails, 0.3 a minute: under the traffic guard', { input: jobs(0, 0.3), at: AT }),
  );

  // Queue freshness, budget 1%, time-based: one of two queues stale all along is a share of 0.5, burn 50.
  const F = SLOS.queueFreshness;
  const queue = (name: string, waiting: string, lastCompleted: string) => [
    series(M.queueJobs.name, { ...POD, queue: name, state: 'waiting' }, waiting),
    series(M.queueJobs.name, { ...POD, queue: name, state: 'paused' }, `0x${MINUTES}`),
    series(M.queueLastCompleted.name, { ...POD, queue: name }, lastCompleted),
  ];
  // A fresh queue completes a job every minute: its last completion is the sample's own time.
  const fresh = (name: string) => queue(name, `3x${MINUTES}`, `0+60x${MINUTES}`);
  cases.push(
    // promtool's clock starts at Unix time 0: the broadcast queue's last job completed an hour
    // before (-3600), so it is stale from the first sample, and half the queues stale is burn 50 in
    // every window.
    fires(F.alert, 'burn 50: one of two queues has jobs waiting and completed nothing for an hour', {
      input: [...fresh('parsing'), ...queue('broadcast', `5x${MINUTES}`, `-3600x${MINUTES}`)],
      at: AT,
      expect: expected(F, '50', tiersAt(50)),
    }),
    quiet(F.alert, 'both queues complete jobs; an idle queue (nothing waiting) is fresh however old its last job', {
      input: [...fresh('parsing'), ...queue('broadcast', `0x${MINUTES}`, `0x${MINUTES}`)],
      at: AT,
    }),
  );
  return cases;
}

/** The expected texts above are written for the production objectives; say so plainly if they change. */
function expectDefaults(config: CaseContext['config']): void {
  const s = config.backend.slos;
  const want: Record<string, unknown> = {
    'availability.target': 0.995, 'availability.minEvents': 100, 'latency.target': 0.99, 'latency.thresholdSeconds': 1, 'latency.minEvents': 100,
    'paymentCallbacks.target': 0.99, 'paymentCallbacks.minEvents': 20, 'queueJobs.target': 0.99, 'queueJobs.minEvents': 20, 'queueFreshness.target': 0.99, 'queueFreshness.maxAge': '5m',
  };
  for (const [k, v] of Object.entries(want)) {
    const [o, f] = k.split('.');
    const got = (s as unknown as Record<string, Record<string, unknown>>)[o][f];
    if (got !== v) throw new Error(`SLO cases are written for backend.slos.${k} = ${String(v)}, the config has ${String(got)}`);
  }
  for (const o of Object.values(s)) if (o.period !== '28d') throw new Error(`SLO cases are written for 28d periods, the config has ${o.period}`);
}
