/**
 * The redis exporter's slice of the configuration (`redisExporter:` in config/<environment>.yaml):
 * where Redis's address and password are, and the thresholds of the alerts on Redis.
 */
import { ConfigIssue, Infer, dnsSubdomain, num, obj, secretKey, withDefault } from '../lib/schema';
import { distinctSecretKeys, resources } from '../lib/settings';
import { ComponentProps } from '../contracts/shared';

export const redisExporterSettings = obj({
  /** Existing Secret with the Redis address (`redis://host:6379`) and password. */
  secretName: withDefault(dnsSubdomain(), 'redis-exporter'),
  addressKey: withDefault(secretKey(), 'address'),
  passwordKey: withDefault(secretKey(), 'password'),
  resources: resources({ cpu: '50m', memory: '64Mi', cpuLimit: '250m', memoryLimit: '128Mi' }),
  alerts: obj({
    /** Share of Redis maxmemory in use. @default 0.9 */
    memoryRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.9),
    /**
     * Share of the machine's memory in use above which RedisMemoryHigh warns when maxmemory is 0
     * (no limit): Redis then grows until the OOM killer or the container limit stops it.
     * @default 0.8
     */
    systemMemoryRatio: withDefault(num({ exclusiveMin: 0, max: 1 }), 0.8),
  }),
});
export type RedisExporterSettings = Infer<typeof redisExporterSettings>;

/** Settings that contradict each other; paths are relative to `redisExporter`. */
export function redisExporterChecks(s: RedisExporterSettings): ConfigIssue[] {
  return distinctSecretKeys(s.secretName, { addressKey: s.addressKey, passwordKey: s.passwordKey });
}

/** What the chart and its rules and dashboards are built from. */
export type RedisExporterProps = ComponentProps<RedisExporterSettings>;
