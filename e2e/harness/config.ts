/**
 * The configuration the end-to-end run synthesizes: production's environment file with the timing
 * overrides an operator would put in a test environment, validated by the same parseEnvironment as
 * every environment, then synthesized in memory by the same buildStack as `npm run synth`. So the
 * rules, routes, flags and files that run are the production ones, with shorter clocks.
 */
import { StackConfig } from '../../charts/config';
import { parseEnvironment } from '../../charts/load-config';
import { SynthesizedStack, merge, rawEnvironment, synthStack } from '../../scripts/environment';

/** Name of the test environment (the `environment` external label on every series and alert). */
export const E2E_ENVIRONMENT = 'e2e';

/**
 * Only clocks change. Everything the scenarios assert on (thresholds, labels, routes, receivers)
 * keeps production's value. The rules' own `for`s stay, except the 5m ones on the run's longest
 * paths, set through `rules.alertFor` as a user would: each would hold the run 4 minutes longer
 * and proves nothing a minute does not.
 */
export const E2E_OVERRIDES = {
  // Production's overrides answer checks that hold for the environment named production only (its API
  // server egress); this environment is not production, so it has nothing for them to override. Its
  // own: the one clock the validator refuses as dangerous, said on purpose as a user would.
  overrides: [{ path: 'alertmanager.heartbeat.interval', reason: 'the e2e run measures the heartbeat cadence in seconds, not minutes' }],
  prometheus: {
    scrapeInterval: '2s',
    evaluationInterval: '2s',
    // The run's objectives span 2d (below); 30 days at 2s scrapes would need a claim of about 34Gi
    // (charts/prometheus/sizing.ts), which the validator would rightly refuse for the default one.
    retention: '2d',
    // Rule files changed on disk are picked up within this (the disk scenario lowers a threshold).
    reloadInterval: '2s',
  },
  alertmanager: {
    groupWait: '2s',
    // Resolved notifications of a group leave at its next group_interval tick.
    groupInterval: '5s',
    // No repeats inside a run: every notification recorded is a state change.
    repeatInterval: '1h',
    // The second replica sends what the first did not after this, the third after twice it: a
    // duplicate, if the cluster failed to deduplicate, arrives within 2 x this of the original.
    // 2 x this stays below groupInterval, as the validator requires: with 5s the third replica sent
    // its stale firing after the first had sent the resolution.
    peerTimeout: '2s',
    heartbeat: { interval: '10s' },
  },
  rules: {
    // 15 scrapes at 2s: as many samples per window as production's 5m holds at 15s, more or less.
    rateWindow: '30s',
    alertFor: [
      { alert: 'BackendDbPoolExhausted', for: '1m' },
      { alert: 'BackendPaymentCallbackFailures', for: '1m' },
      { alert: 'NodeFilesystemSpaceLow', for: '1m' },
      { alert: 'PostgresExporterDown', for: '1m' },
    ],
  },
  backend: {
    alerts: {
      errorFor: '30s',
      latencyFor: '1m',
      queueStuckFor: '1m',
      paymentWindow: '1m',
      queuePausedFor: '30s',
      // Longer than the Redis outage of redis-down (about 70s), during which the queue depth gauge
      // has no series: that scenario must not raise it.
      metricMissingFor: '2m',
    },
    slos: {
      // 2d scales the burn-rate windows by 1/15: the fast page reads 4m and 20s (ten scrapes at 2s)
      // instead of 56m and 280s. Targets stay production's.
      availability: { period: '2d' },
    },
  },
  blackboxExporter: {
    probeInterval: '2s',
    probeTimeout: '1s',
    alerts: {
      probeFailedFor: '20s',
      certificateFor: '10s',
    },
  },
  postgresExporter: {
    alerts: {
      // A deadlock keeps its alert up for this window: production's 15m would hold the resolve, and
      // it must stay longer than the alert's 1m `for` to fire at all.
      deadlockWindow: '2m',
    },
  },
} as const;

/** Name of the probe target the run adds for its https:// site (probe-site.ts). */
export const PROBE_SITE_TARGET = 'e2e-site';

/** The configuration of the run's https:// site as an external probe target, as production lists its public URLs. */
export function probeSiteConfig(url: string): Record<string, unknown> {
  return { blackboxExporter: { targets: [{ name: PROBE_SITE_TARGET, url, service: 'backend' }] } };
}

/** The e2e config, with `extra` overrides on top (the disk scenario's lowered thresholds). */
export function e2eConfig(extra: Record<string, unknown> = {}): StackConfig {
  return parseEnvironment(E2E_ENVIRONMENT, merge(merge(rawEnvironment('production'), E2E_OVERRIDES), extra));
}

export function synthesize(config: StackConfig): SynthesizedStack {
  return synthStack(config);
}
