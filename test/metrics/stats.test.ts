import { describe, expect, it } from 'vitest';
import { meanConfidenceInterval, normalQuantile, studentTCdf, studentTQuantile } from '../../src/metrics/stats.js';

describe('studentTQuantile against published t-tables (two-sided 95%: p = 0.975)', () => {
  // Values from the standard t-table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), 3 decimals.
  const table: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [5, 2.571],
    [9, 2.262],
    [10, 2.228],
    [29, 2.045],
    [30, 2.042],
    [60, 2.0],
    [120, 1.98],
    [Infinity, 1.96],
  ];
  for (const [df, expected] of table) {
    it(`df = ${df}: ${expected}`, () => {
      expect(Math.abs(studentTQuantile(0.975, df) - expected)).toBeLessThan(0.0005 + 1e-12);
    });
  }

  it('matches the table at 99% two-sided (p = 0.995)', () => {
    // t-table: df 1 63.657, df 4 4.604, df 9 3.250, df 29 2.756, ∞ 2.576
    expect(studentTQuantile(0.995, 1)).toBeCloseTo(63.657, 3);
    expect(studentTQuantile(0.995, 4)).toBeCloseTo(4.604, 3);
    expect(studentTQuantile(0.995, 9)).toBeCloseTo(3.25, 3);
    expect(studentTQuantile(0.995, 29)).toBeCloseTo(2.756, 3);
    expect(studentTQuantile(0.995, Infinity)).toBeCloseTo(2.576, 3);
  });

  it('matches closed forms to 1e-10', () => {
    // df = 1 is Cauchy: t = tan(π(p − ½)); p = 0.975 → tan(0.475π) = 12.7062047361747
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047361747, 10);
    // df = 2: t = (2p − 1)/√(2p(1 − p)); p = 0.9 → 0.8/√0.18 = 1.8856180831641267
    expect(studentTQuantile(0.9, 2)).toBeCloseTo(1.8856180831641267, 10);
    // Normal: z_{0.975} = 1.959963984540054 (A&S table 26.5 / any reference)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 10);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is symmetric and monotone in df', () => {
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 12);
    let previous = Infinity;
    for (const df of [1, 2, 3, 5, 10, 50, 500, 999, 1000, 1001, 5000, 1e6, Infinity]) {
      const t = studentTQuantile(0.975, df);
      expect(t).toBeLessThan(previous);
      previous = t;
    }
  });

  it('round-trips through the CDF, including across the Cornish–Fisher switch at df 1000', () => {
    for (const df of [3, 7.5, 40, 1000, 1001, 20_000]) {
      for (const p of [0.6, 0.9, 0.975, 0.999]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
      }
    }
  });

  it('has the right CDF at known points', () => {
    // df = 1 (Cauchy): P(T ≤ 1) = ½ + atan(1)/π = 0.75
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
    // df = 2: P(T ≤ t) = ½ + t / (2√(2 + t²)); t = 1 → ½ + 1/(2√3) = 0.7886751345948129
    expect(studentTCdf(1, 2)).toBeCloseTo(0.7886751345948129, 12);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 14);
  });
});

describe('meanConfidenceInterval', () => {
  it('computes a 95% CI for a fixed sample by hand', () => {
    // Sample 2, 4, 4, 4, 5, 5, 7, 9: sum 40, mean 5.
    // Squared deviations: 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; s² = 32/7; s = 2.138089935299395.
    // Standard error s/√8 = 0.7559289460184544; t_{0.975,7} = 2.365 (table: 2.36462425).
    // Half-width = 2.36462425 × 0.7559289460 = 1.787488… ; CI ≈ (3.2125, 6.7875).
    const ci = meanConfidenceInterval([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(ci.n).toBe(8);
    expect(ci.mean).toBe(5);
    expect(ci.stdDev).toBeCloseTo(2.138089935299395, 12);
    expect(ci.halfWidth).toBeCloseTo(2.36462425 * 0.7559289460184544, 6);
    expect(ci.low).toBeCloseTo(5 - 1.787488, 5);
    expect(ci.high).toBeCloseTo(5 + 1.787488, 5);
    expect(ci.level).toBe(0.95);
  });

  it('computes a 90% CI for five replications', () => {
    // 10, 12, 14, 16, 18: mean 14; deviations² 16 + 4 + 0 + 4 + 16 = 40; s² = 10; s = √10.
    // SE = √10/√5 = √2 = 1.4142135623730951; t_{0.95,4} = 2.132 (table: 2.13184679).
    const ci = meanConfidenceInterval([10, 12, 14, 16, 18], 0.9);
    expect(ci.mean).toBe(14);
    expect(ci.stdDev).toBeCloseTo(Math.sqrt(10), 12);
    expect(ci.halfWidth).toBeCloseTo(2.13184679 * Math.SQRT2, 6);
  });

  it('gives a zero-width interval for identical values', () => {
    const ci = meanConfidenceInterval([3, 3, 3]);
    expect(ci).toMatchObject({ mean: 3, halfWidth: 0, low: 3, high: 3, stdDev: 0 });
  });

  it('reports NaN spread for a single replication, and NaN mean for none', () => {
    const one = meanConfidenceInterval([42]);
    expect(one.mean).toBe(42);
    expect(one.n).toBe(1);
    expect(one.halfWidth).toBeNaN();
    expect(one.stdDev).toBeNaN();
    expect(one.low).toBeNaN();
    const none = meanConfidenceInterval([]);
    expect(none.n).toBe(0);
    expect(none.mean).toBeNaN();
  });

  it('rejects a level outside (0, 1)', () => {
    expect(() => meanConfidenceInterval([1, 2], 95)).toThrow(RangeError);
  });
});
