import { describe, expect, test } from 'vitest';
import { ZipfKeys } from '../../src/model/keys/popularity.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario, simulate } from '../helpers/scenario.js';

type KeyInput = NonNullable<ScenarioInput['traffic']['classes'][string]['key']>;
type CacheInput = NonNullable<ScenarioInput['caches']>[string];

/**
 * Requests that only read a cache whose load takes no time: a path of one `cache` step whose
 * miss block is a zero-latency external call. A local cache answers at once, so a miss sets the
 * value at the very instant it missed — the textbook "TTL set on a miss". Pods have far more
 * workers than requests in flight; arrivals are Poisson.
 */
function readOnly(opts: { key: KeyInput; cache: CacheInput; ratePerS: number; duration: string; pods?: number; warmup?: string }) {
  return scenario({
    duration: opts.duration,
    warmup: opts.warmup ?? '0s',
    metricsInterval: '1m',
    traffic: {
      rate: { constant: opts.ratePerS },
      classes: { req: { share: 1, timeout: '1h', key: opts.key, path: [{ cache: { onMiss: [{ external: { latency: '0s' } }] } }] } },
    },
    services: { web: { replicas: opts.pods ?? 1, workers: 100_000, queueCapacity: 0, loadBalancer: 'random' } },
    caches: { c: opts.cache },
  });
}

/** Hit ratio of one key requested at rate λ with TTL T set on a miss: a renewal cycle is T plus the wait for the next request (mean 1/λ), with λT hits in it. */
const ttlHitRatio = (lambdaT: number) => lambdaT / (1 + lambdaT);

/** Hit ratio over the measured rows (after the warm-up) of the time series, weighted by the cache's GETs per row (all its commands are GETs or SETs after misses). */
function measuredHitRatio(run: ReturnType<typeof simulate>): number {
  const { columns, rows } = run.model.recorder;
  const t = columns.indexOf('t_s');
  const ratio = columns.indexOf('cache_hit_ratio');
  const measured = rows.filter((row) => row[t] * 1e6 > run.model.recorder.measuredFrom);
  return measured.reduce((sum, row) => sum + row[ratio], 0) / measured.length;
}

describe('a TTL cache against renewal theory', () => {
  test.each([
    [2, 0.25],
    [10, 0.2],
    [10, 1],
  ])('one key, Poisson λ = %s/s, TTL %s s: hit ratio λT/(1+λT) (±0.005) and misses/s λ/(1+λT) (±0.02 relative)', (lambda, ttlS) => {
    // λ = 10/s, T = 1 s over 2 h: ~6,500 renewal cycles; the hits per cycle are Poisson(λT),
    // so the hit ratio's standard error is well below 0.001, the miss rate's about 0.2%.
    const run = simulate(readOnly({ key: { popularity: { uniform: { keys: 1 } } }, cache: { local: true, ttl: `${ttlS}s` }, ratePerS: lambda, duration: '2h' }));
    const cache = run.model.caches.get('c')!;
    const expected = ttlHitRatio(lambda * ttlS);
    expect(Math.abs(cache.hits / cache.gets - expected)).toBeLessThan(0.005);
    const missesPerS = (cache.gets - cache.hits) / 7200;
    expect(Math.abs(missesPerS / (lambda / (1 + lambda * ttlS)) - 1)).toBeLessThan(0.02);
  });

  test('a Zipf(1) mix of 1,000 keys at 200/s with TTL 10 s: the popularity-weighted sum of the per-key hit ratios (±0.005)', () => {
    // Each key i is its own Poisson stream of rate λ·p_i, a TTL renewal process of its own:
    // H = Σ p_i · λp_iT/(1 + λp_iT) = 0.792 here. The first miss of each key (a cold start not
    // in the formula) is at most 1,000 of ~720k requests: 0.14%.
    const zipf = new ZipfKeys(1000, 1);
    let expected = 0;
    for (let i = 0; i < 1000; i++) expected += zipf.probabilityOfRank(i) * ttlHitRatio(200 * zipf.probabilityOfRank(i) * 10);
    expect(expected).toBeCloseTo(0.792, 3);
    const run = simulate(readOnly({ key: { popularity: { zipf: { keys: 1000, s: 1 } } }, cache: { local: true, ttl: '10s' }, ratePerS: 200, duration: '1h' }));
    const cache = run.model.caches.get('c')!;
    expect(Math.abs(cache.hits / cache.gets - expected)).toBeLessThan(0.005);
  });
});

/**
 * Che's approximation of LRU under the independent reference model: a key stays in a cache of
 * C entries for a characteristic time t_C (the same for every key) solving
 * Σ_i (1 − e^{−p_i t_C}) = C (time counted in requests); key i hits with probability 1 − e^{−p_i t_C}.
 */
function cheHitRatio(p: Float64Array, capacity: number): number {
  const occupancy = (t: number) => p.reduce((sum, pi) => sum + (1 - Math.exp(-pi * t)), 0);
  let low = 0;
  let high = 1;
  while (occupancy(high) < capacity) high *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (occupancy(mid) < capacity) low = mid;
    else high = mid;
  }
  return p.reduce((sum, pi) => sum + pi * (1 - Math.exp(-pi * low)), 0);
}

describe('an LRU cache against Che\'s approximation', () => {
  test.each([
    [0.8, 100],
    [1, 1000],
  ])('Zipf(%s) over 10,000 keys, %s entries, no TTL: the hit ratio is Che\'s within 0.015', (s, capacity) => {
    // Che's approximation is known to be within about 1–2% for Zipf popularity once C ≥ 100
    // (Fricker, Robert & Roberts 2012); the LRU here is exact. 1.2M requests after a 2-minute warm-up.
    const zipf = new ZipfKeys(10_000, s);
    const p = Float64Array.from({ length: 10_000 }, (_, i) => zipf.probabilityOfRank(i));
    const expected = cheHitRatio(p, capacity);
    const run = simulate(readOnly({ key: { popularity: { zipf: { keys: 10_000, s } } }, cache: { local: true, maxEntries: capacity, evictionPolicy: 'allkeys-lru' }, ratePerS: 1000, duration: '22m', warmup: '2m' }));
    expect(Math.abs(measuredHitRatio(run) - expected)).toBeLessThan(0.015);
  });
});

describe('a cache server is one command thread', () => {
  test('near saturation a GET waits as in M/D/1: Wq = ρ/(2μ(1−ρ)) (±5%)', () => {
    // One node of 1,000 commands/s (1 ms each, deterministic), no network time, 800 GETs/s of
    // one key that never expires (every GET after the first is a hit): ρ = 0.8, Wq = 2 ms. The
    // read step's wait is the time its GET queued at the node.
    const run = simulate(readOnly({ key: { popularity: { uniform: { keys: 1 } } }, cache: { opsPerSecond: 1000, latency: '0s' }, ratePerS: 800, duration: '30m', warmup: '1m' }));
    const read = run.summary.byClass.req.path.find((step) => step.step === 'cache c')!;
    expect(Math.abs(read.wait_ms!.mean / 2 - 1)).toBeLessThan(0.05);
    // Service is the command's 1 ms.
    expect(Math.abs(read.service_ms!.mean - 1)).toBeLessThan(0.01);
  });
});

describe('a local cache per pod', () => {
  test('scaling out lowers the hit ratio: each of n pods sees a key at rate λp_i/n (TTL theory per pod, ±0.01)', () => {
    // Random balancing splits each key's Poisson stream into n Poisson streams; each pod's
    // cache is a TTL renewal process of its own: H(n) = Σ p_i · (λp_iT/n)/(1 + λp_iT/n).
    const zipf = new ZipfKeys(2000, 0.9);
    const theory = (pods: number) => {
      let h = 0;
      for (let i = 0; i < 2000; i++) h += zipf.probabilityOfRank(i) * ttlHitRatio((400 * zipf.probabilityOfRank(i) * 30) / pods);
      return h;
    };
    const hitRatio = (pods: number) => {
      const run = simulate(readOnly({ key: { popularity: { zipf: { keys: 2000, s: 0.9 } } }, cache: { local: true, ttl: '30s' }, ratePerS: 400, duration: '40m', warmup: '5m', pods }));
      return measuredHitRatio(run);
    };
    const two = hitRatio(2);
    const eight = hitRatio(8);
    expect(Math.abs(two - theory(2))).toBeLessThan(0.01);
    expect(Math.abs(eight - theory(8))).toBeLessThan(0.01);
    expect(two - eight).toBeGreaterThan(0.1);
  });
});

describe('write-behind', () => {
  test('writes to one key within a batch collapse: database writes per batch are the distinct keys written, K(1 − e^(−λτ/K)) (±2%)', () => {
    // 100 writes/s uniformly over K = 50 keys, batches every τ = 1 s: each key is written in a
    // batch with probability 1 − e^(−λτ/K), so 50(1 − e^−2) = 43.2 background writes a second
    // instead of 100. Each background write is a request of its own through a pod's worker.
    const run = simulate(
      scenario({
        duration: '30m',
        traffic: {
          rate: { constant: 100 },
          classes: { save: { share: 1, timeout: '1h', key: { popularity: { uniform: { keys: 50 } } }, path: [{ cache: { write: 'write-behind', steps: [{ external: { latency: '1ms' } }] } }] } },
        },
        services: { web: { replicas: 1, workers: 1000, queueCapacity: 0 } },
        caches: { c: { latency: '0s' } },
      }),
    );
    const behind = run.model.caches.get('c')!.writeBehinds[0];
    const expected = 50 * (1 - Math.exp(-2));
    expect(behind.lost).toBe(0);
    expect(Math.abs(behind.written / 1800 / expected - 1)).toBeLessThan(0.02);
    // The users' writes only wait for the SET: a command of 10 µs.
    expect(run.summary.latency_ms.p99).toBeLessThan(0.1);
  });
});

describe('a declared hit ratio (teaching shortcut)', () => {
  test('hits with the declared probability whatever the keys, and the summary says it was declared', () => {
    const s = scenario({
      duration: '10m',
      traffic: { rate: { constant: 200 }, classes: { req: { share: 1, timeout: '1h', path: [{ cache: { onMiss: [{ external: { latency: '5ms' } }] } }] } } },
      services: { web: { replicas: 1, workers: 1000, queueCapacity: 0 } },
      caches: { c: { declaredHitRatio: 0.9 } },
    });
    const { summary } = runStrategy('declared', s, new Map());
    const c = summary.caches!.c;
    expect(c.declared).toBe(true);
    // 120k GETs: the standard error of the ratio is below 0.001.
    expect(Math.abs(c.hitRatio - 0.9)).toBeLessThan(0.005);
  });
});
