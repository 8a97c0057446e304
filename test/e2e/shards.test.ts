/**
 * The end-to-end run's shards (e2e/run.ts): every scenario runs on exactly one stack, the
 * scenarios that disturb the others have a stack of their own, and `--only` keeps what it names.
 */
import { HA_CHECKS } from '../../e2e/ha';
import { probeSiteConfig, e2eConfig } from '../../e2e/harness/config';
import { RunningStack } from '../../e2e/harness/stack';
import { SHARDS, plannedShards } from '../../e2e/run';
import { scenarios } from '../../e2e/scenarios';

// scenarios() reads only the configuration when it builds the list.
const ids = scenarios({ config: e2eConfig(probeSiteConfig('https://127.0.0.1:1/')) } as RunningStack).map((s) => s.id);

describe('e2e shards', () => {
  test('every scenario is on exactly one shard, and every shard id names a scenario', () => {
    const scheduled = SHARDS.flatMap((s) => s.chains.flat());
    expect([...scheduled].sort()).toEqual([...ids].sort());
    expect(new Set(scheduled).size).toBe(scheduled.length);
  });

  test('the scenarios that break what the others need run on stacks of their own', () => {
    const shardOf = (id: string) => SHARDS.find((s) => s.chains.flat().includes(id))!;
    // A total outage fails every route; Postgres stopped breaks the pool, deadlock and exporter scenarios.
    expect(shardOf('api-outage').chains.flat()).toEqual(['api-outage']);
    expect(shardOf('backend-not-ready').chains.flat()).not.toContain('db-pool');
    expect(shardOf('backend-not-ready')).not.toBe(shardOf('api-outage'));
    // The high-availability checks stop servers: one shard has them, and no scenario.
    const ha = SHARDS.filter((s) => s.ha);
    expect(ha).toHaveLength(1);
    expect(ha[0].chains).toEqual([]);
    expect(new Set(SHARDS.map((s) => s.name)).size).toBe(SHARDS.length);
  });

  test('--only keeps the named scenarios and checks, and starts no stack left with nothing', () => {
    expect(plannedShards(undefined).map((p) => p.shard.name)).toEqual(SHARDS.map((s) => s.name));
    expect(plannedShards(undefined).find((p) => p.shard.ha)!.ha).toEqual([...HA_CHECKS]);
    const some = plannedShards(['redis-down', 'ha-silence']);
    expect(some.map((p) => [p.shard.name, p.chains, p.ha])).toEqual([
      ['incidents', [['redis-down']], undefined],
      ['ha', [], ['ha-silence']],
    ]);
    expect(plannedShards(['api-outage']).map((p) => p.shard.name)).toEqual(['outage']);
  });
});
