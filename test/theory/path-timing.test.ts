import { describe, expect, test } from 'vitest';
import { scenario, simulate } from '../helpers/scenario.js';

/** The summary's entry for `step` in a class's path. */
function stepOf(path: { step: string }[], step: string) {
  const entry = path.find((s) => s.step === step);
  expect(entry, step).toBeDefined();
  return entry as { step: string; time_ms?: { mean: number; p50: number }; wait_ms?: { mean: number; p99: number }; service_ms?: { mean: number } };
}

describe('where the time went (summary byClass.path)', () => {
  // M/M/1: λ = 5/s, one worker with a full core, exponential CPU work of mean 100 ms (μ = 10/s), ρ = 0.5.
  const { summary } = simulate(
    scenario({
      duration: '2h',
      warmup: '1m',
      traffic: { rate: { constant: 5 }, classes: { req: { share: 1, cpu: { exponential: { mean: '100ms' } }, timeout: '10h' } } },
      services: { web: { replicas: 1, workers: 1, queueCapacity: 1_000_000, resources: { requests: { cpu: '1' }, limits: { cpu: '1' } } } },
    }),
  );
  const path = summary.byClass.req.path;

  test('M/M/1, ρ = 0.5: the worker wait mean is Wq = ρ/(μ−λ) = 100 ms (±6%)', () => {
    // ~36k requests; at ρ = 0.5 the relative standard error of the mean wait over this run is ≈2%, so ±6% is ≈3σ.
    expect(path.map((s) => s.step)).toEqual(['worker', 'cpu']);
    const waitMs = stepOf(path, 'worker').wait_ms!.mean;
    expect(Math.abs(waitMs - 100) / 100).toBeLessThan(0.06);
  });

  test('the cpu step takes the service time: mean 100 ms (±2%), median 100·ln 2 ms (±3%), and no wait of its own', () => {
    // i.i.d. exponential draws: the mean's standard error is 100/√36000 ≈ 0.5%, so ±2% is 4σ.
    const cpu = stepOf(path, 'cpu');
    expect(Math.abs(cpu.time_ms!.mean - 100) / 100).toBeLessThan(0.02);
    expect(Math.abs(cpu.time_ms!.p50 - 100 * Math.LN2) / (100 * Math.LN2)).toBeLessThan(0.03);
    expect(cpu.wait_ms).toBeUndefined();
  });

  test('conservation: worker wait + step times = latency of the successful requests (±1%)', () => {
    expect(summary.errors).toBe(0);
    const parts = stepOf(path, 'worker').wait_ms!.mean + stepOf(path, 'cpu').time_ms!.mean;
    expect(Math.abs(parts - summary.byClass.req.latency_ms.mean) / summary.byClass.req.latency_ms.mean).toBeLessThan(0.01);
  });
});

describe('a db step: the wait for a pooled connection is wait, not service', () => {
  // One connection, queries of a fixed 5 ms CPU + 15 ms I/O (D = 20 ms), λ = 25/s: the pool is an M/D/1 queue, ρ = 0.5,
  // Wq = ρD/(2(1−ρ)) = 10 ms. Plenty of workers, so nobody waits for one.
  const { summary } = simulate(
    scenario({
      duration: '1h',
      warmup: '1m',
      traffic: { rate: { constant: 25 }, classes: { q: { share: 1, path: [{ cpu: '1ms' }, { db: { query: 'insert_order' } }], timeout: '10h' } } },
      services: { app: { replicas: 1, workers: 200, queueCapacity: 1_000_000, connectionPools: { main: { maximumPoolSize: 1, connectionTimeout: '10h' } } } },
      databases: { main: { instanceClass: 'db.r6g.xlarge', queries: { insert_order: { cpu: '5ms', io: '15ms' } } } } as never,
    }),
  );
  const path = summary.byClass.q.path;
  const db = stepOf(path, 'db insert_order');

  test('is labelled by its query and split into wait and service', () => {
    expect(path.map((s) => s.step)).toEqual(['worker', 'cpu', 'db insert_order']);
    expect(db.wait_ms).toBeDefined();
    expect(db.service_ms).toBeDefined();
  });

  test('service is the query alone: 20 ms (±1%)', () => {
    expect(Math.abs(db.service_ms!.mean - 20) / 20).toBeLessThan(0.01);
  });

  test('wait is the pool queue: M/D/1 Wq = 10 ms (±6%), and time = wait + service', () => {
    // ~90k queries at ρ = 0.5 with deterministic service: the mean wait's standard error is ≈1.5%, so ±6% is ≈4σ.
    expect(Math.abs(db.wait_ms!.mean - 10) / 10).toBeLessThan(0.06);
    expect(db.time_ms!.mean).toBeCloseTo(db.wait_ms!.mean + db.service_ms!.mean, 6);
  });

  test('conservation: worker wait + step times = latency of the successful requests (±1%)', () => {
    expect(summary.errors).toBe(0);
    const parts = stepOf(path, 'worker').wait_ms!.mean + stepOf(path, 'cpu').time_ms!.mean + db.time_ms!.mean;
    expect(Math.abs(parts - summary.byClass.q.latency_ms.mean) / summary.byClass.q.latency_ms.mean).toBeLessThan(0.01);
  });
});

describe('readiness probes through the workers', () => {
  test('are not users’ paths: a run with httpGet probes times only the classes, and the worker wait counts user requests alone', () => {
    const s = scenario({
      duration: '10m',
      traffic: { rate: { constant: '5/s' }, classes: { req: { share: 1, cpu: { exponential: { mean: '100ms' } } } } },
      services: { web: { replicas: 1, workers: 1, resources: { requests: { cpu: '1' } }, readinessProbe: { httpGet: { path: '/ready' }, periodSeconds: 1 } } },
    });
    const { summary } = simulate(s);
    const path = summary.byClass.req.path!;
    expect(path.map((p) => p.step)).toEqual(['worker', 'cpu']);
    // 3,000 user requests and 600 probes share the one worker; the cpu step is the users' 100 ms, not the probes' 1 ms.
    expect(path[1].time_ms!.mean).toBeGreaterThan(90);
  });
});
