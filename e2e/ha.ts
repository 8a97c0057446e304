/**
 * The high-availability checks, on the same running stack after the fault scenarios: the
 * dead man's switch at its interval and its silence when every Alertmanager is down, one
 * Alertmanager stopped while an alert fires, a silence made on one replica holding on all and
 * surviving restarts, and one Prometheus stopped while a fault happens.
 *
 * Alerts of the Alertmanager checks are posted to the Alertmanagers' API the way Prometheus posts
 * them (to every replica, re-sent every few seconds while they fire), with labels that route to
 * Slack; the Prometheus check uses a real fault of the reference backend.
 */
import { durationToSeconds } from '../charts/lib/schema';
import { WATCHDOG } from '../charts/lib/alert-rules';
import { alertmanagerAlerts, prometheusAlerts } from './harness/prom';
import { get, sendJson, sleep, waitFor } from './harness/proc';
import { RunningStack } from './harness/stack';
import { assertResolvedOnce, dedupWindowMs, settled } from './scenarios';

export interface HaResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly log: string[];
}

/** Time the notifying Alertmanager gets to gossip its notification log before it is stopped. */
const GOSSIP_SETTLE_MS = 3000;

export const HA_CHECKS = ['ha-heartbeat', 'ha-alertmanager-down', 'ha-silence', 'ha-prometheus-down'] as const;

async function check(id: string, title: string, body: (say: (m: string) => void) => Promise<void>): Promise<HaResult> {
  const log: string[] = [];
  const say = (m: string) => log.push(`${new Date().toISOString().slice(11, 19)} ${m}`);
  try {
    await body(say);
    return { id, title, ok: true, log };
  } catch (e) {
    return { id, title, ok: false, error: (e as Error).message, log };
  }
}

/** Posts an alert to every running Alertmanager replica, as each Prometheus does. */
async function post(s: RunningStack, labels: Record<string, string>, ends?: Date): Promise<void> {
  const alert = { labels, annotations: { summary: `${labels.alertname} (e2e high-availability check)` }, ...(ends ? { endsAt: ends.toISOString() } : {}) };
  for (const r of s.alertmanagerReplicas) if (r.proc.running) await sendJson('POST', `${r.url}/api/v2/alerts`, [alert]);
}

/**
 * Re-sends every 2s (Prometheus re-sends firing alerts every evaluation) until stopped; `stop`
 * resolves once no post is in flight, so no firing copy can land after a resolution.
 */
function keepPosting(s: RunningStack, labels: Record<string, string>): { stop: () => Promise<void> } {
  let on = true;
  const loop = (async () => {
    while (on) {
      await post(s, labels).catch(() => undefined);
      if (on) await sleep(2000);
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
    },
  };
}

async function amReady(s: RunningStack, i: number): Promise<void> {
  const r = s.alertmanagerReplicas[i];
  await r.proc.whileRunning(waitFor(`${r.proc.name} to be ready`, async () => (await get(`${r.url}/-/ready`)).ok, 60_000, 250));
}

async function clusterWhole(s: RunningStack): Promise<void> {
  for (const r of s.alertmanagerReplicas) {
    await waitFor(
      `${r.proc.name} to see every member`,
      async () => {
        const st: any = await (await get(`${r.url}/api/v2/status`)).json();
        return (st.cluster?.peers ?? []).length === s.alertmanagerReplicas.length && st.cluster?.status === 'ready';
      },
      90_000,
      500,
    );
  }
}

/**
 * Index of the replica first in the peer order: the one that notifies at once. Alertmanager orders
 * peers by their names, random at every start, not by pod ordinal.
 */
async function firstInPeerOrder(s: RunningStack): Promise<number> {
  const names: string[] = [];
  for (const r of s.alertmanagerReplicas) names.push(((await (await get(`${r.url}/api/v2/status`)).json()) as any).cluster.name);
  return names.indexOf([...names].sort()[0]);
}

function heartbeatsSince(s: RunningStack, since: number): number[] {
  return s.receivers.find({ sink: 'heartbeat', status: 'firing', alertname: WATCHDOG, since }).map((n) => n.at);
}

export async function runHaChecks(s: RunningStack, only?: readonly string[]): Promise<HaResult[]> {
  const c = s.config;
  const interval = durationToSeconds(c.alertmanager.heartbeat.interval) * 1000;
  const peerTimeout = durationToSeconds(c.alertmanager.peerTimeout) * 1000;
  const cluster = c.cluster;
  const want = (id: string) => !only || only.includes(id);
  const out: HaResult[] = [];

  if (want('ha-heartbeat')) {
    out.push(
      await check('ha-heartbeat', `The Watchdog reaches the heartbeat sink every ${c.alertmanager.heartbeat.interval}, once; with every Alertmanager stopped it stops`, async (say) => {
        const from = Date.now();
        await sleep(4 * interval + 2000);
        const at = heartbeatsSince(s, from);
        const gaps = at.slice(1).map((t, i) => t - at[i]);
        say(`${at.length} heartbeats in ${((Date.now() - from) / 1000).toFixed(0)}s; gaps ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')}s`);
        if (at.length < 3) throw new Error(`only ${at.length} heartbeats in ${4 * interval / 1000 + 2}s`);
        // Alertmanager sends at group_interval ticks; never two for one tick (no duplicate from a peer).
        const bad = gaps.filter((g) => g < interval / 2 || g > interval + 2 * peerTimeout + 3000);
        if (bad.length) throw new Error(`heartbeat gaps outside [${interval / 2000}s, ${(interval + 2 * peerTimeout + 3000) / 1000}s]: ${bad.map((g) => (g / 1000).toFixed(1)).join(', ')}s`);
        // Every Alertmanager down: what the outside service sees is the heartbeats stopping.
        const last = heartbeatsSince(s, from).pop()!;
        for (const r of s.alertmanagerReplicas) await r.proc.stop();
        const stoppedAt = Date.now();
        await sleep(3 * interval);
        const during = heartbeatsSince(s, stoppedAt + 1000);
        if (during.length) throw new Error(`${during.length} heartbeats arrived with every Alertmanager stopped`);
        for (const r of s.alertmanagerReplicas) r.proc.start();
        for (let i = 0; i < s.alertmanagerReplicas.length; i++) await amReady(s, i);
        const back = await waitFor('the first heartbeat after the restart', async () => heartbeatsSince(s, stoppedAt + 1000)[0], 2 * interval + 60_000, 250);
        say(`every Alertmanager stopped for ${((Date.now() - stoppedAt) / 1000).toFixed(0)}s: no heartbeat; the outside service saw a gap of ${((back - last) / 1000).toFixed(1)}s (normal gap ${interval / 1000}s)`);
        await clusterWhole(s);
      }),
    );
  }

  if (want('ha-alertmanager-down')) {
    out.push(
      await check('ha-alertmanager-down', 'One Alertmanager stopped while an alert fires: its resolution still arrives, once; nothing doubled', async (say) => {
        const labels = { alertname: 'E2EHaProbe', severity: 'warning', service: 'e2e-ha', cluster };
        const notifier = await firstInPeerOrder(s);
        const since = Date.now();
        const sender = keepPosting(s, labels);
        try {
          const first = await waitFor('the probe alert at Slack', async () => s.receivers.find({ sink: 'slack', status: 'firing', alertname: labels.alertname, since })[0], 60_000, 250);
          say(`firing at Slack after ${((first.at - since) / 1000).toFixed(1)}s`);
          // Its notification log reaches the peers by gossip (every 200ms by default). A replica that
          // dies before that may be notified for again by a peer: Alertmanager delivers at least once,
          // not exactly once. A drain or crash seconds after a notification is what this checks.
          await sleep(GOSSIP_SETTLE_MS);
          await s.alertmanagerReplicas[notifier].proc.stop();
          say(`${s.alertmanagerReplicas[notifier].proc.name} (first in the peer order: it sent the notification) stopped ${GOSSIP_SETTLE_MS / 1000}s after it`);
          await sender.stop();
          const endAt = Date.now();
          await post(s, labels, new Date());
          const resolved = await waitFor('the resolved probe at Slack', async () => s.receivers.find({ sink: 'slack', status: 'resolved', alertname: labels.alertname, since: endAt })[0], 60_000 + 2 * peerTimeout, 250);
          say(`resolved at Slack ${((resolved.at - endAt) / 1000).toFixed(1)}s after the end, sent by a remaining replica`);
          await sleep(dedupWindowMs(s));
          const firing = s.receivers.find({ sink: 'slack', status: 'firing', alertname: labels.alertname, since }).length;
          const res = s.receivers.find({ sink: 'slack', status: 'resolved', alertname: labels.alertname, since }).length;
          if (firing !== 1 || res !== 1) throw new Error(`Slack got ${firing} firing and ${res} resolved notifications of the probe, expected one each`);
          say('exactly one firing and one resolved notification');
        } finally {
          await sender.stop();
          if (!s.alertmanagerReplicas[notifier].proc.running) s.alertmanagerReplicas[notifier].proc.start();
          await amReady(s, notifier);
          await clusterWhole(s);
        }
      }),
    );
  }

  if (want('ha-silence')) {
    out.push(
      await check('ha-silence', 'A silence created on one Alertmanager silences the alert on all of them, and survives restarting every one', async (say) => {
        const labels = { alertname: 'E2EHaSilenced', severity: 'warning', service: 'e2e-ha', cluster };
        const silence = {
          matchers: [{ name: 'alertname', value: labels.alertname, isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3600_000).toISOString(),
          createdBy: 'e2e',
          comment: 'high-availability check',
        };
        const { silenceID } = await sendJson('POST', `${s.alertmanagerReplicas[1].url}/api/v2/silences`, silence);
        say(`silence ${silenceID} created on alertmanager-1`);
        const everywhere = async (what: string) => {
          for (const r of s.alertmanagerReplicas) {
            await waitFor(`silence ${silenceID} on ${r.proc.name} ${what}`, async () => {
              const list = (await (await get(`${r.url}/api/v2/silences`)).json()) as any[];
              return list.some((x) => x.id === silenceID && x.status.state === 'active');
            }, 30_000, 250);
          }
        };
        await everywhere('(gossiped)');
        say('active on every replica');
        const since = Date.now();
        const sender = keepPosting(s, labels);
        try {
          for (const r of s.alertmanagerReplicas) {
            await waitFor(`the alert suppressed on ${r.proc.name}`, async () => {
              const a = (await alertmanagerAlerts(r.url, { alertname: labels.alertname }))[0];
              return a?.status.state === 'suppressed' && a.status.silencedBy.includes(silenceID);
            }, 30_000, 250);
          }
          await sleep(durationToSeconds(c.alertmanager.groupWait) * 1000 + dedupWindowMs(s));
          const leaked = s.receivers.find({ alertname: labels.alertname, since });
          if (leaked.length) throw new Error(`the silenced alert reached ${leaked.map((n) => n.sink).join(', ')}`);
          say('suppressed on every replica; nothing reached any sink');
        } finally {
          await sender.stop();
        }
        // Every replica down at once, so no peer can hand the silence back: it must come from disk.
        for (const r of s.alertmanagerReplicas) await r.proc.stop();
        for (const r of s.alertmanagerReplicas) r.proc.start();
        for (let i = 0; i < s.alertmanagerReplicas.length; i++) await amReady(s, i);
        await everywhere('after restarting every replica');
        say('after stopping and starting every replica, the silence is active on each (read from its own claim)');
        await clusterWhole(s);
        await sendJson('DELETE', `${s.alertmanagerReplicas[0].url}/api/v2/silence/${silenceID}`);
      }),
    );
  }

  if (want('ha-prometheus-down')) {
    out.push(
      await check('ha-prometheus-down', 'One Prometheus stopped: a new fault still reaches its sink through the other; its return sends no repeat', async (say) => {
        const [p0, p1] = s.prometheusReplicas;
        if (!p1) throw new Error('the run has one Prometheus replica; production runs two');
        // An alert alone in its notification group (Redis' eviction policy, one Redis): every
        // notification of the group is about it. A route's HighErrorRate shares its group with the
        // service-wide one, which a failing route can raise too, so it cannot tell a repeat.
        const alert = { alertname: 'RedisEvictionPolicyUnsafe' };
        await waitFor(`${alert.alertname} to be inactive`, async () => (await prometheusAlerts(p1.url, alert)).length === 0, 180_000, 1000);
        await p0.proc.stop();
        say('prometheus-0 stopped');
        const faultAt = Date.now();
        await s.redis.configSet('maxmemory-policy', 'allkeys-lru');
        try {
          const n = await waitFor(`${alert.alertname} at Slack through prometheus-1`, async () => s.receivers.find({ sink: 'slack', status: 'firing', alertname: alert.alertname, since: faultAt })[0], 180_000, 500);
          say(`notified at Slack ${((n.at - faultAt) / 1000).toFixed(1)}s after the fault, with prometheus-0 down`);
          p0.proc.start();
          await p0.proc.whileRunning(waitFor('prometheus-0 to be ready', async () => (await get(`${p0.url}/-/ready`)).ok, 120_000, 500));
          await waitFor(`prometheus-0 to fire ${alert.alertname} itself`, async () => (await prometheusAlerts(p0.url, alert, 'firing')).length > 0, 180_000, 1000);
          say('prometheus-0 is back and fires the alert too (its copy goes to every Alertmanager)');
          await sleep(durationToSeconds(c.alertmanager.groupInterval) * 1000 + dedupWindowMs(s));
          const seq = s.receivers.find({ sink: 'slack', alertname: alert.alertname, since: faultAt });
          const firing = seq.filter((x) => x.status === 'firing').length;
          if (firing !== 1) {
            const shown = seq.map((x) => `+${((x.at - faultAt) / 1000).toFixed(1)}s ${x.status}: ${x.text.replace(/\s+/g, ' ').slice(0, 160)}`).join(' | ');
            throw new Error(`Slack got ${firing} firing notifications of ${alert.alertname}, expected one: the returning replica caused a repeat; the sequence: ${shown}`);
          }
          say('still exactly one firing notification');
        } finally {
          await s.redis.configSet('maxmemory-policy', 'noeviction');
          if (!p0.proc.running) p0.proc.start();
        }
        const recoveredAt = Date.now();
        await waitFor(`the resolved ${alert.alertname} at Slack`, async () => s.receivers.find({ sink: 'slack', status: 'resolved', alertname: alert.alertname, since: recoveredAt })[0], 180_000, 500);
        await settled(s, { alert }, ['slack'], recoveredAt);
        const flaps = assertResolvedOnce(s, { alert }, ['slack'], recoveredAt);
        say(flaps === 0 ? 'exactly one resolved notification' : 'resolved, with one flap (the replicas resolved at different moments)');
      }),
    );
  }
  return out;
}
