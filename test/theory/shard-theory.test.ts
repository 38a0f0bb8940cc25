import { describe, expect, test } from 'vitest';
import { DirectoryLayout, ModuloLayout, RangeLayout, RingLayout, type ShardLayout } from '../../src/model/database/shard-layouts.js';
import { movedKeys } from '../../src/model/database/sharding.js';
import { scenario, simulate } from '../helpers/scenario.js';

// The chi-square 99.9% quantile with k degrees of freedom, Wilson–Hilferty: k(1 − 2/(9k) + 3.09·√(2/(9k)))³.
const chi2Quantile999 = (k: number) => k * (1 - 2 / (9 * k) + 3.09 * Math.sqrt(2 / (9 * k))) ** 3;

/** Keys per shard of the given keys. */
function keysPerShard(layout: ShardLayout, keys: Iterable<number>): Float64Array {
  const counts = new Float64Array(layout.count);
  for (const k of keys) counts[layout.shardOf(k)]++;
  return counts;
}

/** Pearson's chi-square of counts against an even spread. */
function chiSquareEven(counts: Float64Array): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

const range = (n: number, step = 1) => Array.from({ length: n }, (_, i) => i * step);

describe('hash spread: modulo of the murmur3-mixed key behaves as a random assignment', () => {
  test.each([4, 8, 16, 64])('%i shards: chi-square of 100k consecutive keys below the 99.9%% quantile', (n) => {
    expect(chiSquareEven(keysPerShard(new ModuloLayout(n), range(100_000)))).toBeLessThan(chi2Quantile999(n - 1));
  });

  test('keys in strides of the shard count (which a bare key mod N would all put on one shard) spread evenly too', () => {
    const counts = keysPerShard(new ModuloLayout(8), range(100_000, 8));
    expect(chiSquareEven(counts)).toBeLessThan(chi2Quantile999(7));
    // Without the mix: every key k·8 has k·8 mod 8 = 0.
    expect(range(100_000, 8).every((k) => k % 8 === 0)).toBe(true);
  });

  test('uniformly drawn keys through the simulator: queries per shard pass the chi-square against the shards\' key counts', () => {
    const keys = 100_000;
    const { summary } = simulate(
      scenario({
        duration: '5m',
        seed: 4,
        traffic: { rate: { constant: 200 }, classes: { q: { share: 1, key: { popularity: { uniform: { keys } } }, path: [{ db: { query: 'q' } }] } } },
        services: { web: { replicas: 2, workers: 64 } },
        databases: { main: { instanceClass: { vcpu: 8, memory: '32Gi', hourlyPriceUsd: 0 }, queries: { q: { cpu: '1ms' } }, shards: { count: 8, strategy: 'hash' } } },
      }),
    );
    const queries = summary.shards!.main.queriesByShard;
    const total = queries.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(55_000);
    // Each shard's expected share is its share of the keys (uniform popularity).
    const owned = keysPerShard(new ModuloLayout(8), range(keys));
    const chi2 = queries.reduce((sum, q, s) => sum + (q - (total * owned[s]) / keys) ** 2 / ((total * owned[s]) / keys), 0);
    expect(chi2).toBeLessThan(chi2Quantile999(7));
  });
});

describe('consistent hashing: each shard owns about 1/N of the ring, within about 1/√V', () => {
  /** Relative standard deviation of the shards' shares of 2M keys. */
  const relativeSpread = (n: number, v: number) => {
    const counts = keysPerShard(new RingLayout(n, v), range(2_000_000));
    const mean = 2_000_000 / n;
    return Math.sqrt(counts.reduce((s, c) => s + (c - mean) ** 2, 0) / (n - 1)) / mean;
  };

  test.each([100, 1000])('64 shards × %i virtual nodes: spread of shares ≈ √((N−1)/(N·V)) within 30%', (v) => {
    // A shard's share is a sum of V of the N·V arcs between uniform points: Beta(V, (N−1)V),
    // relative sd √((N−1)/(N·V + 1)). With 64 shards the sample sd is within ±30% at ~3.4σ.
    const theory = Math.sqrt(63 / (64 * v + 1));
    expect(relativeSpread(64, v) / theory).toBeGreaterThan(0.7);
    expect(relativeSpread(64, v) / theory).toBeLessThan(1.3);
  });
});

describe('remap fractions when a shard is added', () => {
  const keys = 1_000_000;

  test.each([2, 4, 8, 16])('modulo %i → N+1 moves N/(N+1) of the keys (binomial sd < 0.0005)', (n) => {
    const moved = movedKeys(new ModuloLayout(n), new ModuloLayout(n + 1), keys) / keys;
    expect(Math.abs(moved - n / (n + 1))).toBeLessThan(0.002);
  });

  test.each([2, 4, 8, 16])('consistent hashing %i → N+1 (100 virtual nodes) moves 1/(N+1), within 4 × its relative sd √(N/((N+1)·V))', (n) => {
    const moved = movedKeys(new RingLayout(n, 100), new RingLayout(n + 1, 100), keys) / keys;
    const expected = 1 / (n + 1);
    expect(Math.abs(moved / expected - 1)).toBeLessThan(4 * Math.sqrt(n / ((n + 1) * 100)));
  });

  test('consistent hashing: averaged over N = 2…17 the moved fraction × (N+1) is 1 within 4 sd of the mean', () => {
    const ratios = range(16).map((i) => {
      const n = i + 2;
      return (movedKeys(new RingLayout(n, 100), new RingLayout(n + 1, 100), 200_000) / 200_000) * (n + 1);
    });
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(Math.abs(mean - 1)).toBeLessThan((4 * 0.1) / Math.sqrt(16));
  });

  test('consistent hashing and a directory move keys only onto the new shard; modulo moves them between old shards too', () => {
    const onlyToNew = (from: ShardLayout, to: ShardLayout) => range(200_000).every((k) => from.shardOf(k) === to.shardOf(k) || to.shardOf(k) === from.count);
    expect(onlyToNew(new RingLayout(4, 100), new RingLayout(5, 100))).toBe(true);
    const directory = DirectoryLayout.dealt(4, 200_000, 1024);
    expect(onlyToNew(directory, directory.grownTo(5, 200_000))).toBe(true);
    expect(onlyToNew(new ModuloLayout(4), new ModuloLayout(5))).toBe(false);
  });

  test('a directory 4 → 5 moves exactly the blocks the new shard gets: ⌊1024/5⌋ = 204 of 1024', () => {
    const directory = DirectoryLayout.dealt(4, 1_024_000, 1024);
    const grown = directory.grownTo(5, 1_024_000);
    expect(movedKeys(directory, grown, 1_024_000)).toBe(204 * 1000);
    // Every shard ends with 204 or 205 blocks.
    const held = keysPerShard(grown, range(1024, 1000));
    expect([...held].every((b) => b === 204 || b === 205)).toBe(true);
  });
});

describe('range sharding under Zipf popularity: a shard takes the sum of its keys\' probabilities', () => {
  test('Zipf s=1 over 1,000 time-ordered keys, shards starting at keys 1, 10, 100: shares 13.4%, 25.8%, 30.2%, 30.7%', () => {
    // P(key k) = 1/((k+1)·H₁₀₀₀), H₁₀₀₀ = 7.48547: shard 1 = key 0: 1/H₁₀₀₀ = 0.13359;
    // shard 2 = keys 1–9: (H₁₀ − 1)/H₁₀₀₀ = 1.92897/7.48547 = 0.25770; shard 3 = keys 10–99:
    // (H₁₀₀ − H₁₀)/H₁₀₀₀ = (5.18738 − 2.92897)/7.48547 = 0.30171; shard 4 = (H₁₀₀₀ − H₁₀₀)/H₁₀₀₀ = 0.30700.
    const shares = [0.13359, 0.2577, 0.30171, 0.307];
    const { summary } = simulate(
      scenario({
        duration: '10m',
        seed: 3,
        traffic: { rate: { constant: 200 }, classes: { q: { share: 1, key: { popularity: { zipf: { keys: 1000, s: 1 } } }, path: [{ db: { query: 'q' } }] } } },
        services: { web: { replicas: 2, workers: 64 } },
        databases: { main: { instanceClass: { vcpu: 4, memory: '16Gi', hourlyPriceUsd: 0 }, queries: { q: { cpu: '1ms' } }, shards: { count: 4, strategy: 'range', ranges: [1, 10, 100] } } },
      }),
    );
    const queries = summary.shards!.main.queriesByShard;
    const total = queries.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(110_000);
    // Binomial sd √(n·p·(1−p)) per shard; 4 sd.
    queries.forEach((q, s) => expect(Math.abs(q - total * shares[s]), `shard ${s + 1}`).toBeLessThan(4 * Math.sqrt(total * shares[s] * (1 - shares[s]))));
  });

  test('equal ranges: 4 shards over 1M keys start at keys 250,000, 500,000 and 750,000', () => {
    const layout = RangeLayout.equal(1_000_000, 4);
    expect([0, 249_999, 250_000, 499_999, 500_000, 750_000, 999_999].map((k) => layout.shardOf(k))).toEqual([0, 0, 1, 1, 2, 3, 3]);
  });
});
