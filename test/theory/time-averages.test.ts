import { describe, expect, test } from 'vitest';
import { scenario, simulate } from '../helpers/scenario.js';

/** The mean of a column over the rows after `fromS` (each row is that interval's time average). */
function meanOf(model: ReturnType<typeof simulate>['model'], column: string, fromS: number): number {
  const { columns, rows } = model.recorder;
  const t = columns.indexOf('t_s');
  const c = columns.indexOf(column);
  expect(c, column).toBeGreaterThanOrEqual(0);
  const kept = rows.filter((row) => row[t] > fromS);
  return kept.reduce((sum, row) => sum + row[c], 0) / kept.length;
}

describe('queue lengths are time averages over each interval (from the occupancy integrals)', () => {
  test('M/M/1, ρ = 0.5: the mean of queue_length is Lq = ρ²/(1−ρ) = 0.5 (±8%)', () => {
    // λ = 5/s, one worker with a full core, exponential work of mean 100 ms (μ = 10/s); about 72,000 arrivals.
    const { model } = simulate(
      scenario({
        duration: '4h',
        metricsInterval: '1m',
        traffic: { rate: { constant: 5 }, classes: { req: { share: 1, cpu: { exponential: { mean: '100ms' } }, timeout: '10h' } } },
        services: { web: { replicas: 1, workers: 1, queueCapacity: 1_000_000, resources: { requests: { cpu: '1' } } } },
      }),
    );
    const lq = meanOf(model, 'queue_length', 60);
    expect(lq).toBeGreaterThan(0.5 * 0.92);
    expect(lq).toBeLessThan(0.5 * 1.08);
  });

  test('a pool of one connection as M/D/1, ρ = 0.5: the mean of pool_pending is Lq = λ·Wq = 25/s × 10 ms = 0.25 (±8%)', () => {
    const { model } = simulate(
      scenario({
        duration: '2h',
        metricsInterval: '1m',
        traffic: { rate: { constant: 25 }, classes: { q: { share: 1, path: [{ cpu: '1ms' }, { db: { query: 'insert_order' } }], timeout: '10h' } } },
        services: { app: { replicas: 1, workers: 200, queueCapacity: 1_000_000, connectionPools: { main: { maximumPoolSize: 1, connectionTimeout: '10h' } } } },
        databases: { main: { instanceClass: 'db.r6g.xlarge', queries: { insert_order: { cpu: '5ms', io: '15ms' } } } } as never,
      }),
    );
    const lq = meanOf(model, 'pool_pending', 60);
    expect(lq).toBeGreaterThan(0.25 * 0.92);
    expect(lq).toBeLessThan(0.25 * 1.08);
  });
});
