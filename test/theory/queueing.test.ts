import { describe, expect, test } from 'vitest';
import { scenario, simulate } from '../helpers/scenario.js';

/** Erlang C: probability an arrival waits in M/M/c with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c; // a^c / c!
  const rho = a / c;
  return last / (1 - rho) / (sum + last / (1 - rho));
}

/** One pod whose workers each get a full core (limit = workers cores): an M/M/c FIFO queue. */
function mmc(c: number, arrivalsPerS: number, meanServiceMs: number, duration: string, queueCapacity = 1_000_000) {
  return scenario({
    duration,
    traffic: {
      rate: { constant: arrivalsPerS },
      classes: { req: { share: 1, cpu: { exponential: { mean: `${meanServiceMs}ms` } }, timeout: '10h' } },
    },
    services: {
      web: { replicas: 1, workers: c, queueCapacity, resources: { requests: { cpu: String(c) }, limits: { cpu: String(c) } } },
    },
  });
}

describe('queueing theory', () => {
  test('M/M/1, ρ = 0.8: mean time in system 1/(μ−λ) = 500 ms (±4%)', () => {
    // λ = 8/s, μ = 10/s → W = 1/(10 − 8) = 0.5 s. ~230k requests; at ρ = 0.8 the
    // relative standard error of W over this run is about 1.3%, so ±4% is ≈3σ.
    const { summary } = simulate(mmc(1, 8, 100, '8h'));
    expect(summary.latency_ms.mean).toBeGreaterThan(500 * 0.96);
    expect(summary.latency_ms.mean).toBeLessThan(500 * 1.04);
    expect(summary.meanCpuUtilizationPct).toBeGreaterThan(80 * 0.98); // utilization ρ = 80% of the 1-core request
    expect(summary.meanCpuUtilizationPct).toBeLessThan(80 * 1.02);
  });

  test('M/M/c, c = 10, ρ = 0.9: mean wait matches Erlang C (±5%)', () => {
    // λ = 90/s, μ = 10/s, a = 9: C(10, 9) = 0.66870; Wq = C/(cμ − λ) = 0.66870/10 s = 66.87 ms.
    const c = erlangC(10, 9);
    expect(c).toBeCloseTo(0.6687, 3);
    const expectedWaitMs = (c / (10 * 10 - 90)) * 1000;
    const { summary } = simulate(mmc(10, 90, 100, '8h'));
    // Wait = time in system − service time; the mean service time is exactly 100 ms by construction.
    const waitMs = summary.latency_ms.mean - 100;
    expect(Math.abs(waitMs - expectedWaitMs) / expectedWaitMs).toBeLessThan(0.05);
  });

  test('M/M/c/K: the rejected fraction equals the blocking probability P_K (±0.01 absolute)', () => {
    // c = 4 workers, K = 8 (4 in service + 4 waiting), λ = 40/s, μ = 10/s, a = 4.
    // P_n = P0·a^n/n! for n ≤ c, P0·a^n/(c!·c^(n−c)) for c < n ≤ K. P_K by PASTA is the loss probability.
    const a = 4;
    const c = 4;
    const K = 8;
    const weights: number[] = [];
    let fact = 1;
    for (let n = 0; n <= K; n++) {
      if (n > 0 && n <= c) fact *= n;
      weights.push(n <= c ? a ** n / fact : a ** n / (fact * c ** (n - c)));
    }
    const pK = weights[K] / weights.reduce((s, w) => s + w, 0);
    // = (4^8/(24·256)) / Σ ≈ 0.1649
    const { summary } = simulate(mmc(c, 40, 100, '4h', K - c));
    const rejected = summary.errorsByCause.rejected / summary.requests;
    expect(Math.abs(rejected - pK)).toBeLessThan(0.01);
  });

  test("Little's law holds for the simulated system (±1%)", () => {
    const { summary } = simulate(mmc(10, 90, 100, '2h'));
    expect(summary.littlesLaw.relativeDifference).toBeLessThan(0.01);
  });

  test('CPU limit throttles: a lone 20 ms request on a 500m pod takes 40 ms', () => {
    const s = scenario({
      duration: '1h',
      traffic: { rate: { constant: '1/min' }, classes: { req: { share: 1, cpu: '20ms' } } },
      services: { web: { replicas: 1, workers: 1, resources: { requests: { cpu: '500m' }, limits: { cpu: '500m' } } } },
    });
    const { summary } = simulate(s);
    // 20 ms of one-core work at 0.5 core = 40 ms (histogram resolution ±1%).
    expect(summary.latency_ms.p50).toBeGreaterThan(40 * 0.99);
    expect(summary.latency_ms.p50).toBeLessThan(40 * 1.01);
  });

  test('a request that waits past its timeout fails with cause timeout', () => {
    // One worker, 1 s of work each, 2 arrivals/s, timeout 3 s: the queue grows without bound,
    // so most requests time out; none is rejected (the queue is large).
    const s = scenario({
      duration: '10m',
      traffic: { rate: { constant: 2 }, classes: { req: { share: 1, cpu: '1s', timeout: '3s' } } },
      services: { web: { replicas: 1, workers: 1, queueCapacity: 100_000, resources: { requests: { cpu: '1' } } } },
    });
    const { summary } = simulate(s);
    expect(summary.errorsByCause.timeout).toBeGreaterThan(summary.requests * 0.4);
    expect(summary.errorsByCause.rejected).toBe(0);
    expect(summary.latency_ms.max).toBeLessThanOrEqual(3000);
  });
});
