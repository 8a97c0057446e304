/**
 * The seed's "Testing alerts", automated. Each scenario injects a fault into a real component,
 * waits for the alert to reach the receivers the running Alertmanager routes it to (amtool says
 * which), checks what arrived, recovers, and waits for the resolved notifications.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { Client } from 'pg';
import { BACKEND_SLOS } from '../charts/backend/slos';
import { BACKEND_METRICS } from '../charts/contracts/backend-metrics';
import { WORKBOOK_WINDOWS, scaleWindows } from '../charts/lib/slo';
import { requiredBucketBounds } from '../charts/backend/settings';
import { checkExposition } from '../packages/metrics-contract/src/check';
import { pascalCase, runbookUrl } from '../charts/lib/alert-rules';
import { RuleGroup } from '../charts/lib/monitoring';
import { durationToSeconds } from '../charts/lib/schema';
import { NODE_METRICS } from '../charts/node-exporter/metrics';
import { sharedOf } from '../charts/stack';
import { PROBE_SITE_TARGET, e2eConfig, probeSiteConfig, synthesize } from './harness/config';
import { merge } from '../scripts/environment';
import { EXPIRING_DAYS } from './harness/probe-site';
import { BACKEND_PROBE } from '../charts/blackbox-exporter/settings';
import { alertmanagerAlerts, prometheusAlerts, query } from './harness/prom';
import { get, sendJson, sleep, waitFor } from './harness/proc';
import { RunningStack, receiverSinks, routedReceivers } from './harness/stack';
import { METRICS_OFF_ENV } from './reference-backend/faults';
import { QUEUES } from './reference-backend/queues';
import { Notification, Sink } from './receivers';
import { TRAFFIC } from './traffic';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Labels that identify the alert (its name, and what tells it from its twins). */
  readonly alert: Readonly<Record<string, string>>;
  /** Sinks the issue names for this incident; the routing must send the alert there. */
  readonly mustReach: readonly Sink[];
  /** Delay the fault needs before the expression can be true at all, on top of the usual floor. */
  floorExtra?(s: RunningStack): { seconds: number; why: string };
  /** Text each notification must carry besides the alert name and runbook link (e.g. the failing route). */
  readonly mentions?: readonly string[];
  inject(s: RunningStack, log: (m: string) => void): Promise<void>;
  /**
   * Runs after the firing notifications were checked, with the fault still on, before recovery
   * starts: what else the fault must show. Notifications it causes (another alert of the same name
   * joining the group) belong to the incident, not to its resolution.
   */
  hold?(s: RunningStack, log: (m: string) => void): Promise<void>;
  /**
   * Why other alerts of the same name join and leave the alert's notification group during the
   * incident and after it: each change is a notification of the group. Then no two firing
   * notifications at a sink may be the same (a duplicate), instead of exactly one, and after the
   * recovery only the last word must be resolved.
   */
  readonly groupChanges?: string;
  recover(s: RunningStack, log: (m: string) => void): Promise<void>;
  /** A line printed with the result even when it passes (what the scenario measured besides its alert). */
  note?(): string | undefined;
}

export interface SinkOutcome {
  readonly sink: Sink;
  readonly firingAfter?: number;
  readonly resolvedAfter?: number;
  readonly sendsResolved: boolean;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly log: string[];
  /** Seconds from the fault to the first notification at a sink the issue names (or any sink). */
  readonly detectionSeconds?: number;
  readonly floor?: Floor;
  readonly sinks: SinkOutcome[];
  readonly receivers: string[];
  /** Seconds from the recovery to the last resolved notification. */
  readonly resolveSeconds?: number;
  readonly note?: string;
}

export interface Floor {
  readonly total: number;
  readonly parts: Record<string, number>;
  readonly note?: string;
}

// ---- the scenarios ----------------------------------------------------------------------------

const api = (s: RunningStack, p: string) => `${s.backendUrl}${p}`;

/** The route whose answers turn to 500 in the 5xx scenario: a small share of the traffic (traffic.ts). */
export const FAILING_ROUTE = '/api/audience-segments' as const;

export function scenarios(s: RunningStack): Scenario[] {
  const c = s.config;
  const broadcast = QUEUES.broadcast;
  if (!c.backend.queues.includes(broadcast)) throw new Error(`config backend.queues has no '${broadcast}' queue: no stuck-queue alert to test`);

  return [
    {
      id: 'http-5xx',
      title: 'The backend answers 5xx: HighErrorRate reaches Slack',
      // One route fails while the others work: the per-route warning, which goes to Slack (the
      // service-wide critical goes to email, PagerDuty and SMS; the Redis scenario shows it).
      alert: { alertname: 'HighErrorRate', severity: 'warning', route: FAILING_ROUTE },
      mustReach: ['slack'],
      mentions: [FAILING_ROUTE],
      // The 500 series of a route is born with its first 5xx, and rate() sees no increase in a
      // series' first sample: the second failing request is the first one the ratio counts.
      floorExtra: () => ({ seconds: 2 / TRAFFIC[`POST ${FAILING_ROUTE}`], why: `two failing requests on ${FAILING_ROUTE} at ${TRAFFIC[`POST ${FAILING_ROUTE}`]}/s (a new series' first sample is no increase)` }),
      inject: async (st) => void (await sendJson('PUT', api(st, '/__faults/errors'), { routes: [FAILING_ROUTE] })),
      recover: async (st) => void (await sendJson('PUT', api(st, '/__faults/errors'), { routes: [] })),
    },
    {
      id: 'queue-stuck',
      title: 'The broadcast worker pauses while jobs keep arriving: BroadcastQueueStuck',
      alert: { alertname: `${pascalCase(broadcast)}QueueStuck`, queue: broadcast },
      mustReach: [],
      floorExtra: () => ({ seconds: durationToSeconds(c.backend.alerts.queueStuckFor), why: `no completion within backend.alerts.queueStuckFor` }),
      inject: async (st, log) => {
        await sendJson('PUT', api(st, '/__faults/broadcast-worker'), { paused: true });
        // The traffic keeps posting broadcasts: the queue must be growing, not merely idle.
        const depth = `${BACKEND_METRICS.queueJobs.name}{job="${st.endpoints.backend.name}",queue="${broadcast}",state="waiting"}`;
        const waiting = await waitFor('broadcast jobs to pile up in Prometheus', async () => (await query(st.prometheusUrl, `${depth} > 0`))[0]?.value, 30_000, 500);
        log(`broadcast worker paused; ${waiting} jobs waiting`);
      },
      recover: async (st) => void (await sendJson('PUT', api(st, '/__faults/broadcast-worker'), { paused: false })),
    },
    {
      id: 'redis-down',
      title: 'Redis stops: RedisDown reaches email and, by notify_sms, the SMS webhook',
      alert: { alertname: 'RedisDown' },
      mustReach: ['email', 'sms'],
      inject: async (st) => st.redis.stop(),
      recover: async (st, log) => {
        await st.redis.start();
        await waitFor('the backend to be ready again', async () => (await get(api(st, '/health/ready'))).ok, 60_000);
        log('Redis is back and the backend is ready');
      },
    },
    {
      id: 'db-pool',
      title: 'Postgres connections of the backend pool are exhausted: BackendDbPoolExhausted',
      alert: { alertname: 'BackendDbPoolExhausted' },
      mustReach: [],
      inject: async (st, log) => {
        const state = await sendJson('GET', api(st, '/__faults'));
        // All but one: above the alert ratio, with one connection left so the rest of the traffic
        // (and the other scenarios) keeps working. The connections are real server sessions.
        const hold = state.dbPool.max - 1;
        if (hold / state.dbPool.max <= c.backend.alerts.dbPoolRatio) throw new Error(`a pool of ${state.dbPool.max} cannot go above backend.alerts.dbPoolRatio ${c.backend.alerts.dbPoolRatio} with one connection free`);
        await sendJson('PUT', api(st, '/__faults/db-pool'), { hold });
        const sessions = await st.pg.connectionsOf(st.pg.appRole);
        if (sessions < hold) throw new Error(`only ${sessions} Postgres sessions of the backend for ${hold} held connections`);
        log(`holding ${hold} of ${state.dbPool.max} pool connections; Postgres shows ${sessions} backend sessions`);
      },
      recover: async (st) => void (await sendJson('PUT', api(st, '/__faults/db-pool'), { hold: 0 })),
    },
    diskScenario(s),
    outageScenario(s),
    ...probeScenarios(s),
    {
      id: 'queue-paused',
      title: 'The parsing queue is paused globally (Queue#pause) while jobs keep arriving: ParsingQueueStuck, and BackendQueuePaused',
      alert: { alertname: `${pascalCase(QUEUES.parsing)}QueueStuck`, queue: QUEUES.parsing },
      mustReach: ['email'],
      floorExtra: () => ({ seconds: durationToSeconds(c.backend.alerts.queueStuckFor), why: 'no completion within backend.alerts.queueStuckFor' }),
      inject: async (st, log) => {
        await sendJson('PUT', api(st, '/__faults/queue-paused'), { queue: QUEUES.parsing, paused: true });
        // A paused queue's new jobs go to the paused list: the waiting count stays 0.
        const paused = `${BACKEND_METRICS.queueJobs.name}{job="${st.endpoints.backend.name}",queue="${QUEUES.parsing}",state="paused"}`;
        const n = await waitFor('parsing jobs to pile up in the paused list', async () => (await query(st.prometheusUrl, `${paused} > 0`))[0]?.value, 30_000, 500);
        log(`parsing queue paused globally; ${n} jobs in its paused list`);
      },
      recover: async (st, log) => {
        // The separate warning must be firing by now (backend.alerts.queuePausedFor is shorter than queueStuckFor).
        const warned = await prometheusAlerts(st.prometheusUrl, { alertname: 'BackendQueuePaused', queue: QUEUES.parsing }, 'firing');
        if (warned.length === 0) throw new Error('BackendQueuePaused is not firing for the paused parsing queue');
        log('BackendQueuePaused fires for the parsing queue too');
        await sendJson('PUT', api(st, '/__faults/queue-paused'), { queue: QUEUES.parsing, paused: false });
      },
    },
    {
      id: 'redis-eviction-policy',
      title: 'Redis is switched to allkeys-lru at runtime (CONFIG SET): RedisEvictionPolicyUnsafe',
      alert: { alertname: 'RedisEvictionPolicyUnsafe', maxmemory_policy: 'allkeys-lru' },
      mustReach: ['slack'],
      inject: async (st) => st.redis.configSet('maxmemory-policy', 'allkeys-lru'),
      recover: async (st) => st.redis.configSet('maxmemory-policy', 'noeviction'),
    },
    {
      id: 'postgres-deadlock',
      title: 'Two Postgres sessions lock two rows in opposite orders: a real deadlock, PostgresDeadlocks',
      alert: { alertname: 'PostgresDeadlocks' },
      mustReach: ['slack'],
      inject: async (st, log) => log(await deadlock(st.pg.appUrl)),
      // Nothing to undo: the deadlock is over once PostgreSQL failed one transaction; the alert
      // resolves when postgresExporter.alerts.deadlockWindow has passed.
      recover: async () => undefined,
    },
    {
      id: 'exporter-killed',
      title: 'The postgres exporter process is killed: PostgresExporterDown (pg_up is gone, so PostgresDown could not fire)',
      alert: { alertname: 'PostgresExporterDown' },
      mustReach: ['email'],
      inject: async (st, log) => {
        const p = st.procs.find(st.endpoints.postgresExporter.name);
        if (!p) throw new Error('the postgres exporter process is not part of the run');
        await p.stop(0);
        log("postgres exporter process stopped");
      },
      recover: async (st) => {
        const p = st.procs.find(st.endpoints.postgresExporter.name)!;
        p.start();
        await p.whileRunning(waitFor('the postgres exporter to serve again', async () => (await get(`http://${st.localizer.localAddress(st.endpoints.postgresExporter.namespace, st.endpoints.postgresExporter.name, st.endpoints.postgresExporter.portName)}/metrics`)).ok, 30_000));
      },
    },
    contractDriftScenario(),
    {
      id: 'payment-callbacks',
      title: 'Payment callbacks fail: BackendPaymentCallbackFailures',
      alert: { alertname: 'BackendPaymentCallbackFailures' },
      mustReach: [],
      floorExtra: () => ({ seconds: 1 / TRAFFIC['POST /api/payments/callback'], why: `the next callback after the fault, at ${TRAFFIC['POST /api/payments/callback']}/s` }),
      inject: async (st) => void (await sendJson('PUT', api(st, '/__faults/payment-callbacks'), { fail: true })),
      recover: async (st) => void (await sendJson('PUT', api(st, '/__faults/payment-callbacks'), { fail: false })),
    },
  ];
}

/** The contract metric the drifted backend leaves out: BackendDbPoolExhausted is blind without it. */
export const DRIFTED_METRIC = BACKEND_METRICS.dbPoolMax.name;

/**
 * A backend release that no longer serves a contract metric: the reference backend restarts with
 * that metric switched off (CONTRACT_METRICS_OFF), stays up and scraped, and BackendMetricMissing
 * must reach Slack. check-backend, on the live /metrics, finds nothing before and exactly that
 * metric after. Recovery restarts it with every metric.
 */
function contractDriftScenario(): Scenario {
  let restartSeconds = 0;
  const check = async (st: RunningStack) => {
    const text = await (await get(`${st.backendUrl}/metrics`, 5000)).text();
    return checkExposition(text, { requiredBounds: requiredBucketBounds(st.config.backend) }).problems;
  };
  return {
    id: 'contract-drift',
    title: `The backend stops serving ${DRIFTED_METRIC} (restarted with it switched off): BackendMetricMissing reaches Slack`,
    alert: { alertname: 'BackendMetricMissing', metric: DRIFTED_METRIC },
    mustReach: ['slack'],
    mentions: [DRIFTED_METRIC],
    floorExtra: () => ({ seconds: restartSeconds, why: 'the backend restarting with the metric switched off' }),
    inject: async (st, log) => {
      const before = await check(st);
      if (before.length) throw new Error(`check-backend finds problems on the healthy reference backend: ${JSON.stringify(before)}`);
      const t0 = Date.now();
      await st.restartBackend({ [METRICS_OFF_ENV]: DRIFTED_METRIC });
      restartSeconds = Math.ceil((Date.now() - t0) / 1000);
      const after = await check(st);
      if (after.length !== 1 || after[0].kind !== 'missing' || after[0].metric !== DRIFTED_METRIC) {
        throw new Error(`check-backend on the drifted backend should report exactly ${DRIFTED_METRIC} missing, got ${JSON.stringify(after)}`);
      }
      log(`check-backend: no problem before; after the restart (${restartSeconds}s) exactly one: ${after[0].kind} ${after[0].metric}`);
    },
    recover: async (st) => st.restartBackend(),
  };
}

/**
 * The blackbox exporter, with the synthesized blackbox.yml and probe jobs, probing from outside the
 * backend: its readiness through the address its Service stands for, and the run's https:// site
 * (probe-site.ts) as an external URL of the configuration.
 */
function probeScenarios(s: RunningStack): Scenario[] {
  const ready = () => get(api(s, '/health/ready'));
  return [
    {
      id: 'backend-not-ready',
      title: `Postgres stops: the backend's /health/ready fails, and BlackboxProbeFailed (probe ${BACKEND_PROBE}) pages`,
      alert: { alertname: 'BlackboxProbeFailed', target: BACKEND_PROBE },
      mustReach: [],
      inject: async (st, log) => {
        await st.pg.stop();
        const r = await waitFor('/health/ready to fail', async () => {
          const res = await ready();
          return res.ok ? undefined : res.status;
        }, 30_000, 500);
        log(`PostgreSQL stopped; /health/ready answers ${r}`);
      },
      recover: async (st, log) => {
        await st.pg.restart();
        await waitFor('the backend to be ready again', async () => (await ready()).ok, 60_000, 500);
        log('PostgreSQL is back and the backend is ready');
      },
    },
    {
      id: 'certificate-expiring',
      title: `The https:// site probed as an external URL serves a certificate that expires in ${EXPIRING_DAYS} days: BlackboxCertificateExpiring (critical)`,
      alert: { alertname: 'BlackboxCertificateExpiring', severity: 'critical', target: PROBE_SITE_TARGET },
      mustReach: [],
      inject: async (st, log) => {
        if (!st.probeSite) throw new Error('the run started no probe site');
        st.probeSite.expire();
        log(`the site at ${st.probeSite.url} now serves its ${EXPIRING_DAYS}-day certificate (made with openssl)`);
      },
      recover: async (st) => st.probeSite!.renew(),
    },
  ];
}

/**
 * A total API outage: every API route answers 500. The page comes through the availability
 * objective's fast burn-rate tier (14.4x over its scaled 1h and 5m windows); the note prints when
 * it arrived next to when HighErrorRate (now a warning) reached Slack.
 */
function outageScenario(s: RunningStack): Scenario {
  const fast = scaleWindows(WORKBOOK_WINDOWS, s.config.backend.slos.availability.period)[0];
  const budget = 1 - s.config.backend.slos.availability.target;
  const routes = [...new Set(Object.keys(TRAFFIC).filter((k) => k.includes(' /api/')).map((k) => k.split(' ')[1]))];
  let faultAt = 0;
  let pageAt: number | undefined;
  let highErrorRateAt: number | undefined;
  return {
    id: 'api-outage',
    title: `Every API route answers 500: BackendAvailabilityBudgetBurn pages through its fast tier (${fast.factor}x over ${fast.long} and ${fast.short})`,
    alert: { alertname: BACKEND_SLOS.availability.alert, severity: 'critical', long_window: fast.long },
    mustReach: ['email', 'sms'],
    // All requests failing, both windows must hold factor x budget of failures: at least that share
    // of the short window (the long one may hold less history than its length when the run is young).
    floorExtra: () => ({
      seconds: Math.ceil(fast.factor * budget * durationToSeconds(fast.short)),
      why: `${fast.factor} x ${Number(budget.toFixed(6))} of the ${fast.short} short window failing (at least)`,
    }),
    inject: async (st, log) => {
      faultAt = Date.now();
      await sendJson('PUT', api(st, '/__faults/errors'), { routes });
      log(`every API route fails: ${routes.join(', ')}`);
    },
    // The slower tiers of the objective may join the page's group while this waits: their firing
    // notifications are part of the outage, not of its resolution.
    groupChanges: "the objective's 6x tier (the same alert name, another long_window) joins the page's group and leaves it while its windows fill and drain",
    hold: async (st, log) => {
      pageAt = st.receivers.find({ status: 'firing', alertname: BACKEND_SLOS.availability.alert, since: faultAt }).filter((n) => n.sink === 'sms')[0]?.at;
      // HighErrorRate takes its errorFor; wait for it (bounded) so the two times can be compared.
      const slack = await waitFor('HighErrorRate to reach Slack', async () => st.receivers.find({ sink: 'slack', status: 'firing', alertname: 'HighErrorRate', since: faultAt })[0], 120_000, 500).catch(() => undefined);
      highErrorRateAt = slack?.at;
      log(`HighErrorRate reached Slack ${highErrorRateAt ? `after ${secs(highErrorRateAt - faultAt)}s` : 'not within 120s'}`);
    },
    recover: async (st) => void (await sendJson('PUT', api(st, '/__faults/errors'), { routes: [] })),
    note: () =>
      `total outage: fast burn-rate page (SMS) after ${pageAt ? secs(pageAt - faultAt) : '?'}s; HighErrorRate (warning, Slack) after ${highErrorRateAt ? secs(highErrorRateAt - faultAt) : 'n/a'}s`,
  };
}

/**
 * A deadlock between two sessions of the backend's role: each locks one row, then asks for the
 * other's. PostgreSQL detects it after deadlock_timeout (1s) and fails one; the other commits.
 */
async function deadlock(url: string): Promise<string> {
  const a = new Client({ connectionString: url });
  const b = new Client({ connectionString: url });
  await Promise.all([a.connect(), b.connect()]);
  try {
    await a.query('CREATE TABLE IF NOT EXISTS e2e_deadlock (id int PRIMARY KEY, v int NOT NULL)');
    await a.query('INSERT INTO e2e_deadlock VALUES (1, 0), (2, 0) ON CONFLICT (id) DO NOTHING');
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query('UPDATE e2e_deadlock SET v = v + 1 WHERE id = 1');
    await b.query('UPDATE e2e_deadlock SET v = v + 1 WHERE id = 2');
    const outcome = await Promise.allSettled([a.query('UPDATE e2e_deadlock SET v = v + 1 WHERE id = 2'), b.query('UPDATE e2e_deadlock SET v = v + 1 WHERE id = 1')]);
    const failed = outcome.map((o) => (o.status === 'rejected' ? String((o.reason as Error).message) : undefined)).filter(Boolean);
    await Promise.allSettled([a.query('ROLLBACK'), b.query('ROLLBACK')]);
    if (!failed.some((m) => /deadlock detected/.test(m!))) throw new Error(`no deadlock detected: ${failed.join('; ') || 'both updates succeeded'}`);
    return `PostgreSQL: ${failed.find((m) => /deadlock/.test(m!))}`;
  } finally {
    await Promise.allSettled([a.end(), b.end()]);
  }
}

/**
 * Disk pressure the seed's way: a test configuration lowers the free-space thresholds above the
 * disk's actual free share; its synthesized rule file replaces the running one (as a ConfigMap
 * update does) and Prometheus reloads it. Recovery puts the production thresholds back.
 */
function diskScenario(s: RunningStack): Scenario {
  let original: Record<string, string> = {};
  const M = NODE_METRICS;
  return {
    id: 'disk-pressure',
    title: 'Disk pressure (thresholds lowered by a test configuration): NodeFilesystemSpaceLow',
    // The critical twin: the warning waits 15m and is inhibited by it meanwhile.
    alert: { alertname: 'NodeFilesystemSpaceLow', severity: 'critical' },
    mustReach: [],
    floorExtra: () => ({ seconds: durationToSeconds(s.config.prometheus.reloadInterval), why: 'prometheus.reloadInterval (the rule file changes on disk)' }),
    inject: async (st, log) => {
      const job = st.endpoints.nodeExporter.name;
      const r = await query(st.prometheusUrl, `max(${M.filesystemAvail.name}{job="${job}"} / ${M.filesystemSize.name}{job="${job}"})`);
      if (r.length === 0) throw new Error('node_exporter reports no filesystem');
      const free = r[0].value;
      const critical = ceil4(free + (1 - free) / 2);
      const warning = ceil4(free + ((1 - free) * 3) / 4);
      // The run's own configuration (its probe site as a target) with the thresholds lowered.
      const site = st.probeSite ? probeSiteConfig(st.probeSite.url) : {};
      const lowered = synthesize(e2eConfig(merge(site, { nodeExporter: { alerts: { diskFreeRatio: warning, diskFreeCriticalRatio: critical } } }) as Record<string, unknown>));
      const changed = changedRuleFiles(st, lowered.all);
      if (changed.length !== 1) throw new Error(`the lowered thresholds changed ${changed.length} files (${changed.map((f) => f.file).join(', ')}), not just the node rules`);
      original = Object.fromEntries(changed.map((f) => [f.file, fs.readFileSync(path.join(st.prometheusConfigDir, f.file), 'utf8')]));
      for (const f of changed) writeAtomically(path.join(st.prometheusConfigDir, f.file), f.text);
      log(`largest free share ${(free * 100).toFixed(1)}%: thresholds lowered to ${(critical * 100).toFixed(2)}% critical, ${(warning * 100).toFixed(2)}% warning in ${changed[0].file}`);
    },
    recover: async (st) => {
      for (const [file, text] of Object.entries(original)) writeAtomically(path.join(st.prometheusConfigDir, file), text);
    },
  };
}

function ceil4(x: number): number {
  return Math.min(0.9999, Math.ceil(x * 10_000) / 10_000);
}

/** Rule files of another synthesis that differ from the running ones; prometheus.yml must not differ. */
function changedRuleFiles(st: RunningStack, manifests: any[]): { file: string; text: string }[] {
  const running = st.synth.all.find((m) => m.kind === 'ConfigMap' && m.metadata.name === `${st.endpoints.prometheus.name}-config`);
  const next = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === `${st.endpoints.prometheus.name}-config`);
  const out: { file: string; text: string }[] = [];
  for (const [file, text] of Object.entries<string>(next.data)) {
    if (running.data[file] === text) continue;
    if (!file.endsWith('.yml') || !YAML.parse(text).groups) throw new Error(`the test configuration changed ${file}, which is not a rule file`);
    out.push({ file, text });
  }
  return out;
}

/** Write then rename, as the kubelet swaps a ConfigMap volume: Prometheus never reads half a file. */
function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

// ---- running one scenario ---------------------------------------------------------------------

interface RouteNode {
  receiver?: string;
  matchers?: string[];
  group_wait?: string;
  continue?: boolean;
  routes?: RouteNode[];
}

function matches(m: string, labels: Record<string, string>): boolean {
  const r = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(m);
  if (!r) throw new Error(`matcher ${m}: not understood by the e2e`);
  const v = labels[r[1]] ?? '';
  switch (r[2]) {
    case '=':
      return v === r[3];
    case '!=':
      return v !== r[3];
    case '=~':
      return new RegExp(`^(?:${r[3]})$`).test(v);
    default:
      return !new RegExp(`^(?:${r[3]})$`).test(v);
  }
}

/** group_wait of the first route that takes the alert (amtool names receivers, not timings). */
function groupWaitFor(route: RouteNode, labels: Record<string, string>, inherited = '0s'): string {
  const own = route.group_wait ?? inherited;
  for (const child of route.routes ?? []) {
    if ((child.matchers ?? []).every((m) => matches(m, labels))) return groupWaitFor(child, labels, own);
  }
  return own;
}

/** for + scrape interval + evaluation interval + group_wait, from the configuration that runs. */
export function floorOf(s: RunningStack, sc: Scenario, alertLabels: Record<string, string>): Floor {
  const prom = YAML.parse(fs.readFileSync(path.join(s.prometheusConfigDir, 'prometheus.yml'), 'utf8'));
  const am = YAML.parse(fs.readFileSync(s.alertmanagerConfigFile, 'utf8'));
  let forSeconds: number | undefined;
  let groupInterval: string | undefined;
  for (const file of fs.readdirSync(s.prometheusConfigDir).filter((f) => f.endsWith('.rules.yml'))) {
    for (const g of YAML.parse(fs.readFileSync(path.join(s.prometheusConfigDir, file), 'utf8')).groups ?? []) {
      for (const r of g.rules ?? []) {
        if (r.alert !== sc.alert.alertname) continue;
        if (!Object.entries(r.labels ?? {}).every(([k, v]) => alertLabels[k] === v)) continue;
        forSeconds = durationToSeconds(r.for ?? '0s');
        groupInterval = g.interval;
      }
    }
  }
  if (forSeconds === undefined) throw new Error(`no rule for ${JSON.stringify(sc.alert)} in the running rule files`);
  const parts: Record<string, number> = {
    for: forSeconds,
    scrape: durationToSeconds(prom.global.scrape_interval),
    eval: durationToSeconds(groupInterval ?? prom.global.evaluation_interval),
    group_wait: durationToSeconds(groupWaitFor(am.route, alertLabels)),
  };
  const extra = sc.floorExtra?.(s);
  if (extra) parts.extra = extra.seconds;
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts, ...(extra ? { note: extra.why } : {}) };
}

/** Alert names the scenarios expect that no running rule defines (an alert renamed in its alerts.ts, say). */
export function unknownAlerts(s: RunningStack, list: readonly Scenario[]): string[] {
  const defined = new Set<string>();
  for (const file of fs.readdirSync(s.prometheusConfigDir).filter((f) => f.endsWith('.rules.yml'))) {
    for (const g of YAML.parse(fs.readFileSync(path.join(s.prometheusConfigDir, file), 'utf8')).groups ?? []) for (const r of g.rules ?? []) if (r.alert) defined.add(r.alert);
  }
  return list.filter((sc) => !defined.has(sc.alert.alertname)).map((sc) => `${sc.id}: no rule defines ${sc.alert.alertname}`);
}

const isSubset = (want: Record<string, string>, labels: Record<string, string>) => Object.entries(want).every(([k, v]) => labels[k] === v);

/**
 * Runs one scenario to the end; never throws (the result says what failed). `budgetMs` bounds each
 * wait on top of the alert's floor.
 */
export async function runScenario(s: RunningStack, sc: Scenario, opts: { marginMs: number }): Promise<ScenarioResult> {
  const log: string[] = [];
  const say = (m: string) => log.push(`${new Date().toISOString().slice(11, 19)} ${m}`);
  const sinks: SinkOutcome[] = [];
  let receivers: string[] = [];
  let floor: Floor | undefined;
  let detectionSeconds: number | undefined;
  let resolveSeconds: number | undefined;
  let injected = false;
  try {
    // Nothing of the alert's notification group may be active already (an earlier scenario's
    // cascade, say): wait it out. Not only the alert itself: while another alert of its group
    // still fires, a receiver without resolved notifications (the SMS webhook) was never told the
    // group ended, and Alertmanager does not notify it again of an alert it already notified.
    // Of its severity, when the scenario names one: a page's group is not a ticket's (the SLO's
    // slower warning tiers stay up for their long windows, 24m in the e2e's clocks).
    const group = { alertname: sc.alert.alertname, ...(sc.alert.severity ? { severity: sc.alert.severity } : {}) };
    const waitStart = Date.now();
    await waitFor(
      `every ${JSON.stringify(group)} alert to be inactive before the fault`,
      async () => (await prometheusAlerts(s.prometheusUrl, group)).length === 0 && (await alertmanagerAlerts(s.alertmanagerUrl, group)).length === 0,
      300_000,
      1000,
    );
    if (Date.now() - waitStart > 2000) {
      // The group's resolution is flushed (and logged for every receiver) at its next tick.
      await sleep(durationToSeconds(s.config.alertmanager.groupInterval) * 1000 + dedupWindowMs(s));
      say(`waited ${secs(Date.now() - waitStart)}s for earlier ${sc.alert.alertname} alerts to end`);
    }

    const faultAt = Date.now();
    await sc.inject(s, say);
    injected = true;
    say(`fault injected`);

    // The alert reaches Alertmanager, active (not inhibited or silenced).
    let suppressed = '';
    const firing = await waitFor(
      `${JSON.stringify(sc.alert)} to be active in Alertmanager`,
      async () => {
        const found = (await alertmanagerAlerts(s.alertmanagerUrl, { alertname: sc.alert.alertname })).filter((a) => isSubset(sc.alert, a.labels));
        const active = found.find((a) => a.status.state === 'active');
        if (!active && found.length) suppressed = ` (present but ${found[0].status.state}, inhibited by ${found[0].status.inhibitedBy.join(',') || 'nothing'})`;
        return active;
      },
      estimateMs(s, sc) + opts.marginMs,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}${suppressed}`);
    });
    say(`alert active in Alertmanager after ${secs(Date.now() - faultAt)}s: ${JSON.stringify(firing.labels)}`);
    floor = floorOf(s, sc, firing.labels);

    // Where it must go: the receivers amtool routes these labels to, and their integrations.
    receivers = routedReceivers(s.alertmanagerConfigFile, firing.labels);
    const bySink = receiverSinks(s.alertmanagerConfigFile, s.receivers.url('sms'), s.receivers.url('heartbeat'));
    const expected = new Map<Sink, boolean>();
    for (const r of receivers) for (const [sink, sendsResolved] of bySink.get(r) ?? []) expected.set(sink, sendsResolved);
    // The SMS escalation is a label the rule sets, not a receiver the route picks by name.
    if (sc.mustReach.includes('sms') && firing.labels.notify_sms !== 'true') throw new Error(`${sc.alert.alertname} has no notify_sms="true" label, so no SMS`);
    const notRouted = sc.mustReach.filter((k) => !expected.has(k));
    if (notRouted.length) throw new Error(`the routing sends ${sc.alert.alertname} to ${receivers.join(', ')}, not to ${notRouted.join(', ')}`);
    if (expected.size === 0) throw new Error(`the routing sends ${sc.alert.alertname} to ${receivers.join(', ')}, which notify nobody`);
    say(`routed to ${receivers.join(', ')} -> sinks ${[...expected.keys()].join(', ')}`);

    // A firing notification at every sink, with the right content.
    const arrived = new Map<Sink, Notification>();
    await waitFor(
      `firing notifications of ${sc.alert.alertname} at ${[...expected.keys()].join(', ')}`,
      async () => {
        for (const sink of expected.keys()) {
          if (arrived.has(sink)) continue;
          const n = s.receivers.find({ sink, status: 'firing', alertname: sc.alert.alertname, since: faultAt }).find((x) => (sc.mentions ?? []).every((m) => x.text.includes(m)));
          if (n) arrived.set(sink, n);
        }
        return arrived.size === expected.size;
      },
      60_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; arrived at: ${[...arrived.keys()].join(', ') || 'none'}`);
    });
    for (const n of arrived.values()) assertContent(s, sc, n);
    const primary = sc.mustReach.length ? sc.mustReach : [...expected.keys()];
    detectionSeconds = Math.min(...primary.map((k) => arrived.get(k)!.at)) / 1000 - faultAt / 1000;
    say(`notified: ${[...arrived].map(([k, n]) => `${k} +${secs(n.at - faultAt)}s`).join(', ')} (floor ${floor.total}s)`);
    // Exactly one per receiver: two Prometheus send the alert to three Alertmanagers; a duplicate
    // (a replica that did not see the first one's notification) would arrive within 2 peer timeouts.
    await sleep(Math.max(0, Math.max(...[...arrived.values()].map((n) => n.at)) + dedupWindowMs(s) - Date.now()));
    if (sc.groupChanges) {
      assertNoDuplicate(s, sc, [...expected.keys()], faultAt);
      say(`no duplicate firing notification at ${[...expected.keys()].join(', ')} (the group changes: ${sc.groupChanges})`);
    } else {
      assertExactlyOne(s, sc, [...expected.keys()], 'firing', faultAt);
      say(`exactly one firing notification at each of ${[...expected.keys()].join(', ')}`);
    }

    if (sc.hold) await sc.hold(s, say);
    // Recovery: resolved where the integration sends it, nothing where it does not.
    const recoveredAt = Date.now();
    await sc.recover(s, say);
    injected = false;
    say('recovered');
    const resolved = new Map<Sink, Notification>();
    const wantResolved = [...expected].filter(([, r]) => r).map(([k]) => k);
    await waitFor(
      `resolved notifications of ${sc.alert.alertname} at ${wantResolved.join(', ')}`,
      async () => {
        for (const sink of wantResolved) {
          if (resolved.has(sink)) continue;
          const n = s.receivers.find({ sink, status: 'resolved', alertname: sc.alert.alertname, since: recoveredAt })[0];
          if (n) resolved.set(sink, n);
        }
        return resolved.size === wantResolved.length;
      },
      estimateResolveMs(s) + opts.marginMs,
      500,
    );
    const last = Math.max(recoveredAt, ...[...resolved.values()].map((n) => n.at));
    resolveSeconds = (last - recoveredAt) / 1000;
    const stray = [...expected].filter(([, r]) => !r).flatMap(([k]) => s.receivers.find({ sink: k, status: 'resolved', alertname: sc.alert.alertname, since: faultAt }));
    if (stray.length) throw new Error(`resolved notifications at ${stray.map((n) => n.sink).join(', ')}, whose send_resolved is false`);
    say(`resolved: ${[...resolved].map(([k, n]) => `${k} +${secs(n.at - recoveredAt)}s`).join(', ')}`);
    await settled(s, sc, [...expected.keys()], recoveredAt);
    const flaps = sc.groupChanges ? assertLastWordResolved(s, sc, wantResolved, recoveredAt, sc.groupChanges) : assertResolvedOnce(s, sc, wantResolved, recoveredAt);
    say(
      flaps === 0
        ? `exactly one resolved notification at each of ${wantResolved.join(', ') || '(none sends resolved)'}`
        : `resolved, then one flap (firing again, resolved again) at ${wantResolved.join(', ')}: the two Prometheus replicas resolved at different moments (docs/alerting.md, "Known limits of the pair")`,
    );
    for (const [sink, sendsResolved] of expected) {
      sinks.push({ sink, sendsResolved, firingAfter: (arrived.get(sink)!.at - faultAt) / 1000, ...(resolved.has(sink) ? { resolvedAfter: (resolved.get(sink)!.at - recoveredAt) / 1000 } : {}) });
    }
    const note = sc.note?.();
    return { id: sc.id, title: sc.title, ok: true, log, detectionSeconds, floor, sinks, receivers, resolveSeconds, ...(note ? { note } : {}) };
  } catch (e) {
    if (injected) await sc.recover(s, say).catch((x: Error) => say(`recovery failed too: ${x.message}`));
    return { id: sc.id, title: sc.title, ok: false, error: (e as Error).message, log, ...(detectionSeconds !== undefined ? { detectionSeconds } : {}), ...(floor ? { floor } : {}), sinks, receivers, ...(resolveSeconds !== undefined ? { resolveSeconds } : {}) };
  }
}

/** How long after a notification a duplicate from another Alertmanager replica could still arrive. */
export function dedupWindowMs(s: RunningStack): number {
  return (s.alertmanagerReplicas.length - 1) * durationToSeconds(s.config.alertmanager.peerTimeout) * 1000 + 3000;
}

/** Exactly one notification of the scenario's alert with this status at each sink since `since`. */
/** Firing notifications whose group changed between them differ; a duplicate (a replica that missed the first) is the same text again. */
function assertNoDuplicate(s: RunningStack, sc: Scenario, sinks: readonly Sink[], since: number): void {
  for (const sink of sinks) {
    const texts = s.receivers.find({ sink, status: 'firing', alertname: sc.alert.alertname, since }).map((n) => n.text);
    const twice = texts.filter((t, i) => texts.indexOf(t) !== i);
    if (twice.length) throw new Error(`${sink} got the same firing notification of ${sc.alert.alertname} ${texts.length - new Set(texts).size + 1} times: a duplicate`);
  }
}

function assertExactlyOne(s: RunningStack, sc: Scenario, sinks: readonly Sink[], status: 'firing' | 'resolved', since: number): void {
  const counts = sinks.map((sink) => [sink, s.receivers.find({ sink, status, alertname: sc.alert.alertname, since }).filter((n) => (sc.mentions ?? []).every((m) => n.text.includes(m))).length] as const);
  const wrong = counts.filter(([, n]) => n !== 1);
  if (wrong.length) throw new Error(`expected exactly one ${status} notification of ${sc.alert.alertname} per receiver, got ${counts.map(([k, n]) => `${k} x${n}`).join(', ')}`);
}

/**
 * Waits until no notification of the alert has arrived at these sinks for a duplicate's window plus
 * a group interval (a flap's second resolution comes one group interval after its firing), bounded.
 */
export async function settled(s: RunningStack, sc: { alert: Readonly<Record<string, string>> }, sinks: readonly Sink[], since: number): Promise<void> {
  const quiet = dedupWindowMs(s) + durationToSeconds(s.config.alertmanager.groupInterval) * 1000;
  const deadline = Date.now() + 4 * quiet + 60_000;
  for (;;) {
    const last = Math.max(since, ...sinks.flatMap((sink) => s.receivers.find({ sink, alertname: sc.alert.alertname, since }).map((n) => n.at)));
    if (Date.now() - last >= quiet || Date.now() > deadline) return;
    await sleep(500);
  }
}

/** After recovery, at each sink: the last word is resolved; returns the firing notifications between (group changes, not flaps). */
function assertLastWordResolved(s: RunningStack, sc: { alert: Readonly<Record<string, string>> }, sinks: readonly Sink[], since: number, why: string): number {
  for (const sink of sinks) {
    const seq = s.receivers.find({ sink, alertname: sc.alert.alertname, since });
    if (seq[seq.length - 1]?.status !== 'resolved') {
      throw new Error(`after recovery ${sink} got ${seq.map((n) => n.status).join(', ') || 'nothing'}: the last word must be resolved (${why})`);
    }
  }
  return 0;
}

/**
 * After recovery, at each sink: the last word is resolved, and either exactly one resolved
 * notification arrived, or one flap (resolved, firing, resolved): the Prometheus replicas resolve up
 * to a scrape and an evaluation apart, and a flush of Alertmanager's group between the two sees the
 * late replica's firing copy as new (prometheus/alertmanager#4008). More than one flap, or a
 * firing last word, fails. Returns the number of flaps.
 */
export function assertResolvedOnce(s: RunningStack, sc: { alert: Readonly<Record<string, string>>; mentions?: readonly string[] }, sinks: readonly Sink[], since: number): number {
  let flaps = 0;
  for (const sink of sinks) {
    const seq = s.receivers.find({ sink, alertname: sc.alert.alertname, since }).filter((n) => (sc.mentions ?? []).every((m) => n.text.includes(m)));
    const firing = seq.filter((n) => n.status === 'firing').length;
    const resolved = seq.filter((n) => n.status === 'resolved').length;
    const lastWord = seq[seq.length - 1]?.status;
    if (lastWord !== 'resolved' || resolved !== firing + 1 || firing > 1) {
      throw new Error(`after recovery ${sink} got ${seq.map((n) => n.status).join(', ') || 'nothing'}: expected one resolved notification (at most one flap)`);
    }
    flaps = Math.max(flaps, firing);
  }
  return flaps;
}

/** What a person receives must name the alert, link its runbook heading, and come through the configured channel. */
function assertContent(s: RunningStack, sc: Scenario, n: Notification): void {
  const c = s.config;
  const name = sc.alert.alertname;
  const fail = (why: string) => {
    throw new Error(`${n.sink} notification of ${name}: ${why}\n${n.text.slice(0, 600)}`);
  };
  const runbook = runbookUrl(sharedOf(c).rules, name);
  if (!n.text.includes(runbook)) fail(`does not link its runbook ${runbook}`);
  // The first step of the fix, from the synthesized rule: every channel shows it (routing.ts templates).
  if (n.status === 'firing') {
    // Every component's rule groups (the Prometheus chart's own list holds only its own alerts).
    const groups = Object.values(s.synth.stack).flatMap((chart) => ((chart as { ruleGroups?: readonly RuleGroup[] }).ruleGroups ?? []));
    const rule = groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === name) as { annotations?: Record<string, string> } | undefined;
    const remediation = rule?.annotations?.remediation;
    if (!remediation) fail('its rule has no remediation annotation');
    else if (!n.text.includes(remediation)) fail(`does not show the first step '${remediation}'`);
  }
  for (const m of sc.mentions ?? []) if (!n.text.includes(m)) fail(`does not mention ${m}`);
  const am = c.alertmanager;
  const secret = (k: string) => s.secrets[`${am.secretName}/${k}`];
  switch (n.sink) {
    case 'slack':
      if (n.meta.channel !== am.slack.channel) fail(`went to channel ${n.meta.channel}, not ${am.slack.channel}`);
      break;
    case 'email':
      if (n.meta.secure !== true) fail('was sent without STARTTLS');
      if (n.meta.user !== am.email.username) fail(`authenticated as ${n.meta.user}, not ${am.email.username}`);
      // Every configured address is a recipient of the one message (SMTP RCPT TO).
      if (!(am.email.to ?? []).every((to) => (n.meta.to as string[]).includes(to))) fail(`went to ${n.meta.to}, not ${am.email.to}`);
      if (n.meta.from !== am.email.from) fail(`came from ${n.meta.from}, not ${am.email.from}`);
      break;
    case 'pagerduty':
      if (n.meta.routingKey !== secret(am.pagerduty.routingKeyKey)) fail('carries a routing key other than the Secret file\'s');
      break;
    case 'sms':
      if (n.meta.authorization !== `Bearer ${secret(am.sms.tokenKey)}`) fail(`has Authorization '${n.meta.authorization}', not the Secret file's bearer token`);
      break;
  }
}

/** Bound on the wait for firing: the longest `for` of the alert's rules, the clocks, the windows the expressions need. */
function estimateMs(s: RunningStack, sc: Scenario): number {
  const a = { ...s.config.backend.alerts, rateWindow: s.config.rules.rateWindow };
  let longestFor = 0;
  for (const file of fs.readdirSync(s.prometheusConfigDir).filter((f) => f.endsWith('.rules.yml'))) {
    for (const g of YAML.parse(fs.readFileSync(path.join(s.prometheusConfigDir, file), 'utf8')).groups ?? []) {
      for (const r of g.rules ?? []) {
        const consistent = Object.entries(r.labels ?? {}).every(([k, v]) => sc.alert[k] === undefined || sc.alert[k] === v);
        if (r.alert === sc.alert.alertname && consistent) longestFor = Math.max(longestFor, durationToSeconds(r.for ?? '0s'));
      }
    }
  }
  const p = s.config.prometheus;
  const clocks = durationToSeconds(p.scrapeInterval) + durationToSeconds(p.evaluationInterval) + durationToSeconds(s.config.alertmanager.groupWait);
  const windows = Math.max(durationToSeconds(a.rateWindow), durationToSeconds(a.paymentWindow), durationToSeconds(a.queueStuckFor));
  return (longestFor + clocks + 2 * windows + (sc.floorExtra?.(s).seconds ?? 0)) * 1000;
}

/** Bound on the wait for resolved notifications: the longest window to drain plus two group intervals. */
function estimateResolveMs(s: RunningStack): number {
  const a = { ...s.config.backend.alerts, rateWindow: s.config.rules.rateWindow };
  return (Math.max(durationToSeconds(a.rateWindow), durationToSeconds(a.paymentWindow)) + 2 * durationToSeconds(s.config.alertmanager.groupInterval) + 30) * 1000;
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
