import { describe, expect, test } from 'vitest';
import { scenario, simulate } from '../helpers/scenario.js';

/** 100/s uniform over 10,000 keys on 2 shards of `vcpu` vCPUs each for 12m, one shard added at 2m with a copy planned over 2m. */
function resharded(shards: Record<string, unknown>, vcpu: number, targetCpuPerKey: string, newRanges?: number[]) {
  return scenario({
    duration: '12m',
    traffic: { rate: { constant: 100 }, classes: { q: { share: 1, key: { popularity: { uniform: { keys: 10_000 } } }, path: [{ db: { query: 'q' } }] } } },
    services: { web: { replicas: 2, workers: 32 } },
    databases: {
      main: {
        instanceClass: { vcpu, memory: '8Gi', hourlyPriceUsd: 0 },
        queries: { q: { cpu: '2ms' } },
        shards: { count: 2, ...shards, resharding: { at: '2m', to: 3, duration: '2m', ranges: newRanges, migration: { sourceCpuPerKey: '0s', targetCpuPerKey } } },
      },
    },
  });
}

const decision = (model: ReturnType<typeof simulate>['model'], reason: string) => model.log.decisions.find((d) => d.reason === reason)!;

describe('resharding', () => {
  test('a copy its shards can keep up with ends on plan, and every shard takes queries after it', () => {
    const { model, summary } = simulate(resharded({ strategy: 'directory', blocks: 100 }, 2, '10ms'));
    // A directory 2 → 3 hands the new shard ⌊100/3⌋ = 33 blocks of 100 keys.
    expect(decision(model, 'Resharding').message).toContain('33.0% of keys (3,300 of 10,000) move');
    const done = decision(model, 'ReshardingComplete');
    expect(done.t_s).toBeCloseTo(240, 0);
    expect(done.message).not.toContain('longer than planned');
    expect(summary.shards!.main.shards).toBe(3);
  });

  test('a copy heavier than a core a second stretches: one copy stream per database, at most one core', () => {
    // The new shard must write 3,300 keys × 100 ms = 330 core-seconds: at one core that is 5.5 minutes, not 2.
    const { model } = simulate(resharded({ strategy: 'directory', blocks: 100 }, 4, '100ms'));
    const done = decision(model, 'ReshardingComplete');
    expect(done.t_s - 120).toBeGreaterThan(330 * 0.95);
    expect(done.message).toMatch(/longer than planned: the shards' CPUs could not keep the pace/);
  });

  test('range 2 → 3 with new boundaries moves exactly the keys whose range changed', () => {
    const { model } = simulate(resharded({ strategy: 'range', ranges: [5000] }, 2, '1ms', [2000, 6000]));
    // Old: [0, 5000) [5000, 10000); new: [0, 2000) [2000, 6000) [6000, 10000): keys 2000–4999 (shard 1 → 2) and 6000–9999 (2 → 3) move.
    expect(decision(model, 'Resharding').message).toContain('70.0% of keys (7,000 of 10,000) move');
    expect(decision(model, 'ReshardingComplete').message).toContain('7,000 keys moved');
  });
});
