import { describe, expect, test } from 'vitest';
import { RandomStreams, boundedPareto, constant, empiricalHistogram, empiricalSamples, exponential, lognormal, normal, uniform, type Distribution } from '../../src/engine/index.js';

function sampleMoments(d: Distribution, n = 400_000, seed = 11) {
  const random = new RandomStreams(seed).get('d');
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = d.sample(random);
    sum += x;
    sumSq += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / n;
  return { mean, sd: Math.sqrt(sumSq / n - mean * mean), min, max };
}

describe('distributions know their mean (analytic), and samples agree', () => {
  // Tolerances: 5 standard errors of the sample mean (sd/√n), n = 400k.
  test.each([
    ['constant 7', constant(7), 7, 0],
    ['exponential mean 20', exponential(20), 20, 20],
    ['uniform [10, 30]', uniform(10, 30), 20, 20 / Math.sqrt(12)],
    // lognormal: the stated mean and cv are the distribution's own: sd = cv·mean.
    ['lognormal mean 20 cv 1', lognormal(20, 1), 20, 20],
    ['lognormal mean 40 cv 0.5', lognormal(40, 0.5), 40, 20],
    // normal(100, 10) rectified at 0: the clipped mass is ~1e-23, so the mean is 100.
    ['normal 100 ± 10', normal(100, 10), 100, 10],
    // bounded Pareto α = 2 on [1, 100]: mean = (L^α/(1−(L/H)^α))·(α/(α−1))·(1/L − 1/H) = (1/0.9999)·2·0.99 = 1.980198
    ['pareto α=2 [1,100]', boundedPareto(2, 1, 100), 1.980198, 2.2],
    ['empirical [1,2,3,10]', empiricalSamples([1, 2, 3, 10]), 4, 3.54],
    // histogram (0,10]×1, (10,20]×3: mean = (5·1 + 15·3)/4 = 12.5
    ['histogram', empiricalHistogram([{ upTo: 10, weight: 1 }, { upTo: 20, weight: 3 }]), 12.5, 5],
  ])('%s', (_name, d, expectedMean, sd) => {
    expect(d.mean).toBeCloseTo(expectedMean, 5);
    const n = 400_000;
    const m = sampleMoments(d, n);
    expect(Math.abs(m.mean - expectedMean)).toBeLessThanOrEqual(5 * (sd / Math.sqrt(n)) + 1e-9);
    expect(m.min).toBeGreaterThanOrEqual(0);
  });

  test('lognormal sample sd matches cv × mean (±2%)', () => {
    const m = sampleMoments(lognormal(20, 0.5));
    expect(m.sd / 10).toBeGreaterThan(0.98);
    expect(m.sd / 10).toBeLessThan(1.02);
  });

  test('bounded Pareto stays in its bounds', () => {
    const m = sampleMoments(boundedPareto(1.2, 5, 500), 100_000);
    expect(m.min).toBeGreaterThanOrEqual(5);
    expect(m.max).toBeLessThanOrEqual(500);
  });

  test('invalid parameters are refused when built', () => {
    expect(() => exponential(0)).toThrow(/mean must be > 0/);
    expect(() => uniform(5, 1)).toThrow(/min ≤ max/);
    expect(() => lognormal(-1, 1)).toThrow();
    expect(() => boundedPareto(1, 10, 5)).toThrow();
    expect(() => empiricalSamples([])).toThrow();
    expect(() => empiricalHistogram([{ upTo: 5, weight: 1 }, { upTo: 3, weight: 1 }])).toThrow(/increase/);
  });
});
