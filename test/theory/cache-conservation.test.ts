import { describe, expect, test } from 'vitest';
import { buildModel } from '../../src/scenario/build.js';
import { FAILURE_CAUSES } from '../../src/model/requests.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario } from '../helpers/scenario.js';

/**
 * Caches with everything that can go wrong around them: a Redis cache with a short TTL,
 * coalescing and early refresh in front of a small database with a short pool timeout (loads
 * fail, failing their waiters), a local cache inside its miss block (nested), writes that
 * invalidate, a flush at 2 min, and pods scaled away and killed at once (gracefulShutdown
 * false) while requests load or wait for a load. From 10 min on no request arrives.
 */
function withCaches(seed: number) {
  return scenario({
    duration: '15m',
    seed,
    traffic: {
      rate: { product: [{ step: { at: '5m', from: 600, to: 200 } }, { step: { at: '10m', from: 1, to: 0 } }] },
      classes: {
        view: {
          share: 0.9,
          timeout: '2s',
          key: { popularity: { zipf: { keys: 500, s: 1.1 } }, space: 'products' },
          path: [
            { cpu: { exponential: { mean: '2ms' } } },
            {
              cache: {
                name: 'redis',
                onMiss: [{ cache: { name: 'local', onMiss: [{ db: { query: 'read' } }, { cpu: '3ms' }] } }],
              },
            },
          ],
        },
        edit: {
          share: 0.05,
          timeout: '2s',
          key: { popularity: { uniform: { keys: 500 } }, space: 'products' },
          path: [{ cache: { name: 'redis', write: 'invalidate', steps: [{ db: { query: 'write' } }] } }],
        },
        rate: {
          share: 0.05,
          timeout: '2s',
          key: { popularity: { uniform: { keys: 500 } }, space: 'products' },
          path: [{ cpu: '1ms' }, { cache: { name: 'redis', write: 'write-behind', batchEvery: '2s', steps: [{ db: { query: 'write' } }] } }],
        },
      },
    },
    services: {
      web: {
        replicas: 6,
        workers: 16,
        queueCapacity: 50,
        resources: { requests: { cpu: '1' } },
        gracefulShutdown: false,
        connectionPools: { main: { maximumPoolSize: 3, connectionTimeout: '40ms' } },
      },
    },
    databases: {
      main: {
        instanceClass: { vcpu: 2, memory: '4Gi', hourlyPriceUsd: 0.1 },
        queries: { read: { cpu: { exponential: { mean: '6ms' } }, io: { exponential: { mean: '10ms' } } }, write: { cpu: '4ms', io: '5ms' } },
      },
    },
    caches: {
      redis: { ttl: '20s', ttlJitter: 0.1, coalesce: true, earlyRefresh: { beta: 1 }, maxEntries: 200, evictionPolicy: 'allkeys-lfu', flush: ['00:02'], shards: 3, opsPerSecond: 20_000 },
      local: { local: true, ttl: '5s', maxEntries: 50, coalesce: true },
    },
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('conservation with caches, coalesced loads, failures and pod kills', () => {
  const model = buildModel(withCaches(5), new Map());
  const web = model.services.get('web')!;
  // Pods killed every minute from 3 min on while requests load or wait for a load, replaced at once.
  model.run((t) => {
    if (t >= 180_000_000 && t <= 540_000_000 && t % 60_000_000 === 0) {
      web.scaleTo(3);
      web.scaleTo(6);
    }
  }, 1_000_000);
  const redis = model.caches.get('redis')!;

  test('the run exercises it all: hits, coalesced waiters, early refreshes, failed loads, pod kills', () => {
    const r = model.recorder;
    const byCause = Object.fromEntries(FAILURE_CAUSES.map((c, i) => [c, r.failuresByCause[i]]));
    expect(redis.hits).toBeGreaterThan(0);
    expect(redis.coalesced).toBeGreaterThan(0);
    expect(redis.earlyRefreshes).toBeGreaterThan(0);
    expect(model.caches.get('local')!.loads).toBeGreaterThan(0);
    expect(byCause.pool_timeout).toBeGreaterThan(0);
    expect(byCause.pod_terminated).toBeGreaterThan(0);
    expect(redis.writeBehinds[0].written).toBeGreaterThan(0);
    expect(redis.writeBehinds[0].lost).toBeGreaterThan(0);
  });

  test('every arrival ends exactly once and every request slot is freed (waiters of failed or killed loads included)', () => {
    const r = model.recorder;
    expect(r.totalSucceeded + sum([...r.failuresByCause])).toBe(r.totalArrivals);
    expect(model.requests.inSystem).toBe(0);
    expect(model.requests.inUseSlots()).toBe(0);
    for (const pod of web.pods) expect(pod.workers.inUse, pod.name).toBe(0);
  });

  test('no load is left in flight', () => {
    for (const cache of model.caches.values()) expect(cache.takeKeyLoadsMax() + cache.takeKeyLoadsMax()).toBe(0);
  });
});

describe('determinism with caches on', () => {
  const outputs = (seed: number) => {
    const { summary, timeseries, decisions } = runStrategy('all', withCaches(seed), new Map());
    return JSON.stringify({ summary, timeseries, decisions });
  };

  test('same seed ⇒ byte-identical outputs; another seed ⇒ different ones', () => {
    const first = outputs(7);
    expect(outputs(7)).toBe(first);
    expect(outputs(8)).not.toBe(first);
  });
});
