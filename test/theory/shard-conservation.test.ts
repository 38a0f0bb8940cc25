import { describe, expect, test } from 'vitest';
import { RingLayout } from '../../src/model/database/shard-layouts.js';
import { movedKeys } from '../../src/model/database/sharding.js';
import { FAILURE_CAUSES } from '../../src/model/requests.js';
import { buildModel } from '../../src/scenario/build.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario } from '../helpers/scenario.js';

const KEYS = 20_000;

/**
 * A sharded database under stress: 3 shards by consistent hashing behind a proxy with pinning
 * and few backends, small pools with short timeouts, a class that queries it directly and one
 * that reaches it through a call (the child carries the key), a hot Zipf key, and a fourth shard
 * added at 4m whose copy runs while queries fail and time out. No arrivals after 9m.
 */
function sharded(seed: number) {
  return scenario({
    duration: '12m',
    seed,
    traffic: {
      target: 'front',
      rate: { product: [{ constant: 300 }, { step: { at: '9m', from: 1, to: 0 } }] },
      classes: {
        read: { share: 0.6, timeout: '400ms', key: { popularity: { zipf: { keys: KEYS, s: 1.1 } }, space: 'customer' }, path: [{ cpu: '2ms' }, { db: { query: 'read' } }] },
        pay: { share: 0.4, timeout: '600ms', key: { popularity: { uniform: { keys: KEYS } }, space: 'customer' }, path: [{ cpu: '1ms' }, { call: { service: 'back', timeout: '300ms' } }] },
      },
    },
    services: {
      front: { replicas: 3, workers: 16, queueCapacity: 10, connectionPools: { main: { maximumPoolSize: 3, connectionTimeout: '80ms', idleTimeout: '1m', maxLifetime: '2m' } } },
      back: { replicas: 2, workers: 16, queueCapacity: 10, connectionPools: { main: { maximumPoolSize: 2, connectionTimeout: '60ms' } }, operations: { pay: { path: [{ cpu: '1ms' }, { db: { query: 'write' } }] } } },
    },
    databases: {
      main: {
        instanceClass: { vcpu: 1, memory: '4Gi', hourlyPriceUsd: 0.1 },
        maxConnections: 40,
        queries: { read: { cpu: { exponential: { mean: '6ms' } }, io: '2ms' }, write: { cpu: { exponential: { mean: '4ms' } }, io: '3ms' } },
        proxy: { maxConnectionsPercent: 20, connectionBorrowTimeout: '30ms', pinning: 0.2 },
        shards: { count: 3, strategy: 'consistent', resharding: { at: '4m', to: 4, duration: '2m', migration: { targetCpuPerKey: '20ms' } } },
      },
    },
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('conservation with a sharded database, its proxies and a resharding', () => {
  const model = buildModel(sharded(5), new Map());
  model.run();

  test('the run fails requests at the shards (so the checks below cover those paths)', () => {
    const failures = Object.fromEntries(FAILURE_CAUSES.map((c, i) => [c, model.recorder.failuresByCause[i]]));
    expect(failures.timeout + failures.pool_timeout + failures.downstream_error + failures.downstream_timeout).toBeGreaterThan(0);
    expect(model.recorder.totalSucceeded).toBeGreaterThan(100_000);
  });

  test('every arrival ends exactly once and every request slot is free', () => {
    const r = model.recorder;
    expect(r.totalSucceeded + sum([...r.failuresByCause])).toBe(r.totalArrivals);
    expect(model.requests.inSystem).toBe(0);
    expect(model.requests.inUseSlots()).toBe(0);
  });

  test('each shard is its own database: every pool idle, the proxy holds what its pools opened, no query or copy left on a CPU', () => {
    expect(model.databases.map((d) => d.name)).toEqual(['main-shard-1', 'main-shard-2', 'main-shard-3', 'main-shard-4']);
    for (const shard of model.databases) {
      const open = sum(shard.pools.map((p) => p.total - p.opening));
      for (const pool of shard.pools) {
        expect(pool.waiters.inUse, shard.name).toBe(0);
        expect(pool.waiters.waiting, shard.name).toBe(0);
      }
      // 5 pods, each with a pool to every shard.
      expect(shard.pools.length, shard.name).toBe(5);
      expect(shard.proxy!.clientConnections, shard.name).toBe(open);
      expect(shard.database.connections, shard.name).toBe(shard.proxy!.databaseConnections);
      expect(shard.proxy!.backends.inUse, shard.name).toBe(sum(shard.pools.map((p) => sum([...p.holdsBackend]))));
      expect(shard.database.cpu.activeCount, shard.name).toBe(0);
      expect(shard.database.cpu.inUseMillicores, shard.name).toBe(0);
    }
  });

  test('the copy moved exactly the keys whose shard changed, and the new shard took queries only from 4m', () => {
    const done = model.log.decisions.find((d) => d.reason === 'ReshardingComplete')!;
    const moved = movedKeys(new RingLayout(3, 100), new RingLayout(4, 100), KEYS);
    expect(done.message).toContain(`${moved.toLocaleString('en-US')} keys moved`);
    const columns = model.recorder.columns;
    const q4 = columns.indexOf('main_shard4_queries_per_s');
    const t = columns.indexOf('t_s');
    const rows = model.recorder.rows;
    expect(rows.filter((r) => r[t] <= 240).every((r) => r[q4] === 0)).toBe(true);
    expect(rows.filter((r) => r[t] > 420 && r[t] <= 540).every((r) => r[q4] > 0)).toBe(true);
  });
});

describe('determinism with shards and a resharding', () => {
  const outputs = (seed: number) => {
    const { summary, timeseries, decisions } = runStrategy('sharded', sharded(seed), new Map());
    return JSON.stringify({ summary, timeseries, decisions });
  };

  test('same seed ⇒ byte-identical outputs; another seed ⇒ different ones', () => {
    const a = outputs(8);
    expect(outputs(8)).toBe(a);
    expect(outputs(9)).not.toBe(a);
  });
});
