import { describe, expect, test } from 'vitest';
import { buildModel, type Model } from '../../src/scenario/build.js';
import { FAILURE_CAUSES } from '../../src/model/requests.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario } from '../helpers/scenario.js';

const hpa = (name: string, maxReplicas: number) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name },
  spec: {
    minReplicas: 1,
    maxReplicas,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    // Scale down at once when load drops, so pods are killed with requests all along their paths.
    behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } },
  },
});

/**
 * Everything at once: a front service whose path is cpu → db (its pods' pools straight to a
 * database with few max_connections) → call back → external → cpu; a back service querying a
 * second database through a proxy with few backends, pinning and a short borrow timeout; short
 * pool, call, external and client timeouts; HPAs that scale out under 150/s, then in when the
 * rate drops to 20/s, with apps that exit at once on SIGTERM (pods die mid-path). From 20 min
 * on no request arrives: ten minutes to drain.
 */
function everything(seed: number) {
  return scenario({
    duration: '30m',
    seed,
    traffic: {
      target: 'front',
      rate: { product: [{ step: { at: '8m', from: 400, to: 40 } }, { step: { at: '20m', from: 1, to: 0 } }] },
      classes: {
        buy: {
          share: 1,
          timeout: '500ms',
          path: [
            { cpu: { exponential: { mean: '5ms' } } },
            { db: { query: 'read', database: 'main' } },
            { call: { service: 'back', timeout: '300ms' } },
            { external: { latency: { lognormal: { mean: '40ms', cv: 1 } }, timeout: '120ms' } },
            { cpu: '2ms' },
          ],
        },
      },
    },
    services: {
      front: {
        replicas: 3,
        workers: 32,
        queueCapacity: 20,
        resources: { requests: { cpu: '1' } },
        gracefulShutdown: false,
        hpa: hpa('front', 12),
        connectionPools: { main: { maximumPoolSize: 4, minimumIdle: 2, connectionTimeout: '50ms', idleTimeout: '1m', maxLifetime: '2m' } },
      },
      back: {
        replicas: 2,
        workers: 8,
        queueCapacity: 10,
        resources: { requests: { cpu: '1' } },
        gracefulShutdown: false,
        hpa: hpa('back', 8),
        connectionPools: { orders: { maximumPoolSize: 4, connectionTimeout: '100ms' } },
        operations: { pay: { path: [{ cpu: { exponential: { mean: '8ms' } } }, { db: { query: 'write', database: 'orders' } }] } },
      },
    },
    databases: {
      main: {
        instanceClass: { vcpu: 2, memory: '4Gi', hourlyPriceUsd: 0.1 },
        maxConnections: 16,
        queries: { read: { cpu: { exponential: { mean: '4ms' } }, io: { exponential: { mean: '30ms' } } } },
      },
      orders: {
        instanceClass: { vcpu: 2, memory: '4Gi', hourlyPriceUsd: 0.1 },
        maxConnections: 100,
        queries: { write: { cpu: { exponential: { mean: '3ms' } }, io: { exponential: { mean: '15ms' } } } },
        proxy: { maxConnectionsPercent: 7, connectionBorrowTimeout: '20ms', pinning: 0.2 },
      },
    },
  });
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** Failures by cause, users' and each service's own (a back service's proxy_timeout reaches users as downstream_error). */
const causes = (model: Model) =>
  Object.fromEntries(FAILURE_CAUSES.map((c, i) => [c, model.recorder.failuresByCause[i] + sum([...model.serviceStats!.values()].map((s) => s.failuresByCause[i]))]));

describe('conservation with calls, databases, proxies, timeouts and pod kills', () => {
  const model = buildModel(everything(2), new Map());
  model.run();

  test('every failure cause of the path happens in this run (so the checks below cover them)', () => {
    const byCause = causes(model);
    for (const cause of ['timeout', 'pod_terminated', 'downstream_timeout', 'downstream_error', 'external_timeout', 'pool_timeout', 'db_too_many_connections', 'proxy_timeout'])
      expect(byCause[cause], cause).toBeGreaterThan(0);
    expect(model.recorder.totalSucceeded).toBeGreaterThan(0);
  });

  test('every arrival ends exactly once: succeeded + failed = arrivals, none left in the system', () => {
    const r = model.recorder;
    expect(r.totalArrivals).toBeGreaterThan(0);
    expect(r.totalSucceeded + sum([...r.failuresByCause])).toBe(r.totalArrivals);
    expect(model.requests.inSystem).toBe(0);
  });

  test('every request slot is back on the free list (child requests and orphans included)', () => {
    expect(model.requests.inUseSlots()).toBe(0);
  });

  test('every worker and CPU slot is returned, on live and dead pods alike', () => {
    for (const service of model.services.values())
      for (const pod of service.pods) {
        expect(pod.workers.inUse, pod.name).toBe(0);
        expect(pod.workers.waiting, pod.name).toBe(0);
        expect(pod.cpu.activeCount, pod.name).toBe(0);
      }
  });

  test('every connection is returned: none in use, and the databases count exactly the connections the pools hold open', () => {
    const [main, orders] = model.databases;
    const open = (pools: typeof main.pools) => sum(pools.map((p) => p.total - p.opening));
    for (const view of model.databases)
      for (const pool of view.pools) {
        expect(pool.waiters.inUse).toBe(0);
        expect(pool.waiters.waiting).toBe(0);
        expect(pool.waiters.capacity).toBe(pool.total - pool.opening); // open connections, all idle
      }
    expect(main.proxy).toBeUndefined();
    expect(main.database.connections).toBe(open(main.pools));
    expect(main.database.cpu.activeCount).toBe(0);
    const proxy = orders.proxy!;
    expect(proxy.clientConnections).toBe(open(orders.pools));
    expect(orders.database.connections).toBe(proxy.databaseConnections);
    // Backends still borrowed are exactly those pinned to an open client connection.
    const pinnedHeld = sum(orders.pools.map((p) => sum([...p.holdsBackend])));
    expect(proxy.backends.inUse).toBe(pinnedHeld);
    expect(proxy.backends.waiting).toBe(0);
    expect(orders.database.cpu.activeCount).toBe(0);
  });
});

describe('a pod killed while its requests wait for a connection', () => {
  /**
   * Two pods, each with a pool of 2 connections (or, with the proxy, 2 database backends for
   * everyone) and 100 ms queries, get 60/s: waiters pile up. At 10 s one pod is scaled away and
   * its app exits at once (gracefulShutdown false): the requests waiting at its pool (or at the
   * proxy) fail with pod_terminated then, not at their connection timeout (1 min), and the
   * killed pod's worker count is not touched again when those waits end.
   */
  const waitingAtKill = (viaProxy: boolean) =>
    scenario({
      duration: '3m',
      traffic: { rate: { product: [{ constant: 60 }, { step: { at: '20s', from: 1, to: 0 } }] }, classes: { req: { share: 1, path: [{ db: { query: 'q' } }], timeout: '10m' } } },
      services: {
        web: {
          replicas: 2,
          workers: 1000,
          gracefulShutdown: false,
          connectionPools: { main: { maximumPoolSize: viaProxy ? 50 : 2, connectionTimeout: '1m', idleTimeout: '0s', maxLifetime: '0s' } },
        },
      },
      databases: {
        main: {
          instanceClass: { vcpu: 8, memory: '32Gi', hourlyPriceUsd: 0 },
          maxConnections: 200,
          queries: { q: { cpu: '0s', io: '100ms' } },
          ...(viaProxy ? { proxy: { kind: 'pgbouncer' as const, defaultPoolSize: 2, maxClientConnections: 1000, connectionBorrowTimeout: '1m', latency: '0s' } } : {}),
        },
      },
    });

  for (const viaProxy of [false, true])
    test(`${viaProxy ? 'at the proxy' : 'at its pool'}: they fail pod_terminated at the kill and every worker count ends at 0`, () => {
      const model = buildModel(waitingAtKill(viaProxy), new Map());
      const web = model.services.get('web')!;
      model.run((t) => {
        if (t === 10_000_000) web.scaleTo(1);
      }, 1_000_000);
      const r = model.recorder;
      const byCause = Object.fromEntries(FAILURE_CAUSES.map((c, i) => [c, r.failuresByCause[i]]));
      // About 100 were waiting at the killed pod (30/s in, 20/s served for 10 s), or with the proxy ~200 for both pods.
      expect(byCause.pod_terminated).toBeGreaterThan(50);
      expect(byCause.pool_timeout + byCause.proxy_timeout).toBe(0);
      expect(r.totalSucceeded + sum([...r.failuresByCause])).toBe(r.totalArrivals);
      expect(model.requests.inUseSlots()).toBe(0);
      for (const pod of web.pods) expect(pod.workers.inUse, pod.name).toBe(0);
    });
});

describe('determinism with all of it on', () => {
  // What a run writes (summary with costs, time series, decisions), without the seed it echoes.
  const outputs = (seed: number) => {
    const { summary, timeseries, decisions } = runStrategy('all', everything(seed), new Map());
    return JSON.stringify({ summary, timeseries, decisions });
  };

  test('same seed ⇒ byte-identical outputs; another seed ⇒ different ones', () => {
    const first = outputs(3);
    expect(outputs(3)).toBe(first);
    expect(outputs(4)).not.toBe(first);
  });
});
