import { describe, expect, test } from 'vitest';
import { RandomStreams } from '../../src/engine/index.js';
import { HotSetKeys, ScatteredKeys, UniformKeys, ZipfKeys, type KeyPopularity } from '../../src/model/keys/popularity.js';

/** Pearson's chi-square of `draws` keys against the model's probabilities (expected counts ≥ 5 in every cell). */
function chiSquare(popularity: KeyPopularity, draws: number, seed: string): number {
  const random = new RandomStreams(seed).get('keys');
  const counts = new Float64Array(popularity.keys);
  for (let i = 0; i < draws; i++) counts[popularity.draw(random)]++;
  let chi2 = 0;
  for (let rank = 0; rank < popularity.keys; rank++) {
    const expected = draws * popularity.probabilityOfRank(rank);
    chi2 += (counts[rank] - expected) ** 2 / expected;
  }
  return chi2;
}

// The chi-square 99.9% quantile with k degrees of freedom, Wilson–Hilferty: k(1 − 2/(9k) + 3.09·√(2/(9k)))³.
const chi2Quantile999 = (k: number) => k * (1 - 2 / (9 * k) + 3.09 * Math.sqrt(2 / (9 * k))) ** 3;

describe('key popularity models draw their distributions', () => {
  test.each([0.8, 1, 1.2])('Zipf s=%s over 200 keys: chi-square of 400k draws below the 99.9%% quantile', (s) => {
    const zipf = new ZipfKeys(200, s);
    // Expected count of the least popular key: 400k·200^−s/H ≥ 5 for these s.
    expect(400_000 * zipf.probabilityOfRank(199)).toBeGreaterThan(5);
    expect(chiSquare(zipf, 400_000, `zipf-${s}`)).toBeLessThan(chi2Quantile999(199));
  });

  test('Zipf s=1 over 10 million keys: key 0 takes 1/H(10⁷) ≈ 5.95% of draws, keys 0–9 ≈ 17.4%', () => {
    // H(10⁷, 1) = ln(10⁷) + γ + 1/(2·10⁷) ≈ 16.695; H(10, 1) = 2.929 → 2.929/16.695 = 0.1754.
    const zipf = new ZipfKeys(10_000_000, 1);
    const random = new RandomStreams('big').get('keys');
    let first = 0;
    let topTen = 0;
    let largest = 0;
    const draws = 1_000_000;
    for (let i = 0; i < draws; i++) {
      const key = zipf.draw(random);
      largest = Math.max(largest, key);
      if (key === 0) first++;
      if (key < 10) topTen++;
    }
    expect(largest).toBeLessThan(10_000_000);
    // Binomial standard deviations: √(n p (1−p)) ≈ 237 and 380; 5σ tolerance.
    expect(Math.abs(first - draws / 16.695)).toBeLessThan(5 * 237);
    expect(Math.abs(topTen - draws * 0.1754)).toBeLessThan(5 * 380);
  });

  test('uniform over 100 keys: chi-square below the 99.9% quantile', () => {
    expect(chiSquare(new UniformKeys(100), 100_000, 'uniform')).toBeLessThan(chi2Quantile999(99));
  });

  test('hot set: 80% of requests on 10 of 1,000 keys, uniformly within each set', () => {
    const hot = new HotSetKeys(1000, 10, 0.8);
    expect(hot.probabilityOfRank(0)).toBeCloseTo(0.08, 12);
    expect(hot.probabilityOfRank(10)).toBeCloseTo(0.2 / 990, 12);
    expect(chiSquare(hot, 400_000, 'hot')).toBeLessThan(chi2Quantile999(999));
  });

  test('scattering is a bijection of ranks onto keys that keeps the popularity of each rank', () => {
    for (const keys of [1, 2, 97, 1000, 1024]) {
      const scattered = new ScatteredKeys(new UniformKeys(keys));
      const seen = new Set<number>();
      for (let rank = 0; rank < keys; rank++) seen.add(scattered.keyOfRank(rank));
      expect(seen.size).toBe(keys);
      expect(Math.max(...seen)).toBe(keys - 1);
    }
    // The ten hottest Zipf ranks land far apart in a million keys (key = rank would put them at 0–9).
    const spread = new ScatteredKeys(new ZipfKeys(1_000_000, 1));
    const hottest = Array.from({ length: 10 }, (_, r) => spread.keyOfRank(r)).sort((a, b) => a - b);
    for (let i = 1; i < hottest.length; i++) expect(hottest[i] - hottest[i - 1]).toBeGreaterThan(1000);
  });
});
