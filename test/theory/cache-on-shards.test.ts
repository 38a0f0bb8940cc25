import { describe, expect, test } from 'vitest';
import { buildModel } from '../../src/scenario/build.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario } from '../helpers/scenario.js';

/**
 * A cache in front of a sharded database: cache-aside reads and write-behind writes of one key
 * space, whose loads and batched writes go to the key's shard, while a fifth shard is added
 * at 3m. Tight pools make some loads fail. No arrivals after 8m.
 */
function cacheOnShards(seed: number) {
  return scenario({
    duration: '10m',
    seed,
    traffic: {
      rate: { product: [{ constant: 400 }, { step: { at: '8m', from: 1, to: 0 } }] },
      classes: {
        view: {
          share: 0.9,
          timeout: '1s',
          key: { popularity: { zipf: { keys: 50_000, s: 1 } }, space: 'customers' },
          path: [{ cpu: '1ms' }, { cache: { name: 'redis', onMiss: [{ db: { query: 'read' } }] } }],
        },
        update: {
          share: 0.1,
          timeout: '1s',
          key: { popularity: { uniform: { keys: 50_000 } }, space: 'customers' },
          path: [{ cache: { name: 'redis', write: 'write-behind', batchEvery: '1s', steps: [{ db: { query: 'write' } }] } }],
        },
      },
    },
    services: { web: { replicas: 4, workers: 20, queueCapacity: 20, connectionPools: { orders: { maximumPoolSize: 2, connectionTimeout: '50ms' } } } },
    databases: {
      orders: {
        instanceClass: { vcpu: 1, memory: '4Gi', hourlyPriceUsd: 0.1 },
        queries: { read: { cpu: { exponential: { mean: '3ms' } }, io: '2ms' }, write: { cpu: '2ms', io: '2ms' } },
        shards: { count: 4, strategy: 'consistent', resharding: { at: '3m', to: 5, duration: '1m' } },
      },
    },
    caches: { redis: { ttl: '30s', coalesce: true, maxEntries: 5_000, evictionPolicy: 'allkeys-lru' } },
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('a cache in front of a sharded database that reshards', () => {
  const model = buildModel(cacheOnShards(3), new Map());
  model.run();

  test('loads reach every shard, the new one included, and the cache takes most reads', () => {
    const rows = model.recorder.rows;
    const columns = model.recorder.columns;
    for (let shard = 1; shard <= 5; shard++) expect(sum(rows.map((r) => r[columns.indexOf(`orders_shard${shard}_queries_per_s`)])), `shard ${shard}`).toBeGreaterThan(0);
    const redis = model.caches.get('redis')!;
    expect(redis.hits / redis.gets).toBeGreaterThan(0.5);
  });

  test('every arrival ends exactly once, every request slot and pooled connection is free', () => {
    const r = model.recorder;
    expect(r.totalSucceeded + sum([...r.failuresByCause])).toBe(r.totalArrivals);
    expect(model.requests.inSystem).toBe(0);
    expect(model.requests.inUseSlots()).toBe(0);
    for (const shard of model.databases)
      for (const pool of shard.pools) {
        expect(pool.waiters.inUse, shard.name).toBe(0);
        expect(pool.waiters.waiting, shard.name).toBe(0);
      }
  });

  test('same seed ⇒ byte-identical outputs', () => {
    const outputs = () => JSON.stringify(runStrategy('x', cacheOnShards(4), new Map()).summary);
    expect(outputs()).toBe(outputs());
  });
});
