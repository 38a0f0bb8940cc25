import { describe, expect, test } from 'vitest';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { scenario, simulate } from '../helpers/scenario.js';

type Queries = NonNullable<ScenarioInput['databases']>[string]['queries'];
type Distribution = Queries[string]['cpu'];

/** Erlang B: probability that all c servers are busy in M/G/c/c with offered load a = λ/μ (the recurrence B(k) = aB(k−1)/(k + aB(k−1))). */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ < c. */
function erlangC(c: number, a: number): number {
  const b = erlangB(c, a);
  return b / (1 - (a / c) * (1 - b));
}

/** A database big enough never to matter: its CPU never saturates and it takes every connection. */
const roomyDatabase = (queries: Queries) => ({
  instanceClass: { vcpu: 64, memory: '256Gi', hourlyPriceUsd: 0 },
  maxConnections: 5000,
  queries,
});

/**
 * A connection pool as a c-server queue. One pod with far more workers than requests ever in
 * it (no wait for a worker) walks a one-step path, `db`. Its pool holds c connections opened
 * before the run (minimumIdle = maximumPoolSize, a warm pod) that never close (idleTimeout and
 * maxLifetime 0s): no connect cost enters. The query's CPU is 0 on a 64-vCPU database and its
 * I/O is exponential: I/O is a pure delay, so the time a connection is held is exactly the
 * drawn I/O time. Arrivals are Poisson. Holding a connection = being served by one of c servers.
 */
function poolScenario(connections: number, arrivalsPerS: number, meanQueryMs: number, connectionTimeout: string, duration: string) {
  return scenario({
    duration,
    traffic: {
      rate: { constant: arrivalsPerS },
      classes: { req: { share: 1, path: [{ db: { query: 'q' } }], timeout: '10h' } },
    },
    services: {
      web: {
        replicas: 1,
        workers: 10_000,
        queueCapacity: 0,
        connectionPools: {
          main: { maximumPoolSize: connections, minimumIdle: connections, connectionTimeout, idleTimeout: '0s', maxLifetime: '0s' },
        },
      },
    },
    databases: { main: roomyDatabase({ q: { cpu: '0s', io: { exponential: { mean: `${meanQueryMs}ms` } } } }) },
  });
}

describe('a connection pool against queueing theory', () => {
  test('connectionTimeout 0s makes the pool a loss system: the pool_timeout fraction is Erlang B (±0.005 absolute)', () => {
    // With a zero wait limit a request that finds every connection busy is queued and timed out
    // at the same instant (nothing can be released in between), so it is lost: M/M/c/c.
    // c = 10, λ = 80/s, 100 ms → a = 8: B(10, 8) = 0.1217 (insensitive to the query-time
    // distribution). ~576k arrivals: the standard error of the fraction is below 0.001.
    const b = erlangB(10, 8);
    expect(b).toBeCloseTo(0.1217, 4);
    const { summary } = simulate(poolScenario(10, 80, 100, '0s', '2h'));
    expect(summary.errors).toBe(summary.errorsByCause.pool_timeout);
    expect(Math.abs(summary.errorsByCause.pool_timeout / summary.requests - b)).toBeLessThan(0.005);
  });

  test('a long connectionTimeout makes it M/M/c: the mean wait for a connection is Erlang C (±5%)', () => {
    // Waiters take released connections in FIFO order and never give up (timeout 1h, client
    // timeout 10h): M/M/c. c = 10, λ = 80/s, μ = 10/s, a = 8: C(10, 8) = 0.4092,
    // Wq = C/(cμ − λ) = 0.4092/20 s = 20.46 ms. The step's time is the wait plus the I/O, so
    // the mean wait is the mean latency minus the 100 ms mean I/O.
    const c = erlangC(10, 8);
    expect(c).toBeCloseTo(0.4092, 3);
    const expectedWaitMs = (c / (10 * 10 - 80)) * 1000;
    const { summary, model } = simulate(poolScenario(10, 80, 100, '1h', '8h'));
    expect(summary.errors).toBe(0);
    const waitMs = summary.latency_ms.mean - 100;
    expect(Math.abs(waitMs - expectedWaitMs) / expectedWaitMs).toBeLessThan(0.05);
    // Little's law on the pool's own queue: time-average waiters Lq = λ·Wq.
    const pool = model.databases[0].pools[0];
    const meanWaiting = pool.waiters.waitingIntegral() / model.durationMicros;
    expect(Math.abs(meanWaiting - (80 * expectedWaitMs) / 1000) / ((80 * expectedWaitMs) / 1000)).toBeLessThan(0.05);
  });
});

describe('two services in series against the tandem (Jackson) result', () => {
  /**
   * The model cannot express a pure tandem: a `call` holds the caller's worker until the
   * callee answers. With ample workers at the front service `front`, that holding never makes
   * anyone wait, and with as many cores as workers each request in `front`'s `cpu` step runs on
   * a core of its own: `front` is an infinite-server stage (M/M/∞). Its departures — the calls
   * — are then Poisson at rate λ (the output theorem of M/G/∞), so the back service `back`, one
   * worker on one core, is an M/M/1 FIFO queue fed by them. This is the Jackson tandem
   * M/M/∞ → M/M/1: mean response = S_front + S_back/(1 − ρ_back).
   */
  const tandem = (seed: number) =>
    scenario({
      duration: '3h',
      seed,
      traffic: {
        target: 'front',
        rate: { constant: 40 },
        classes: { req: { share: 1, path: [{ cpu: { exponential: { mean: '50ms' } } }, { call: { service: 'back', timeout: '10h' } }], timeout: '10h' } },
      },
      services: {
        front: { replicas: 1, workers: 500, queueCapacity: 0, resources: { requests: { cpu: '500' } } },
        back: {
          replicas: 1,
          workers: 1,
          queueCapacity: 1_000_000,
          resources: { requests: { cpu: '1' } },
          operations: { work: { path: [{ cpu: { exponential: { mean: '20ms' } } }] } },
        },
      },
    });

  test('M/M/∞ (50 ms) → M/M/1 (20 ms, ρ = 0.8): mean response 50 + 20/(1 − 0.8) = 150 ms, the back service alone 100 ms (±4%)', () => {
    // λ = 40/s, ~432k requests. At ρ = 0.8 the M/M/1 mean over this many arrivals has a relative
    // standard error near 1.3% (as in queueing.test.ts), the M/M/∞ stage adds almost none: ±4% ≈ 3σ.
    const { summary, model } = simulate(tandem(1));
    expect(summary.errors).toBe(0);
    expect(Math.abs(summary.latency_ms.mean - 150) / 150).toBeLessThan(0.04);
    // The back service's own view: its time in system, from the call reaching it to its answer.
    const backMeanMs = model.serviceStats!.get('back')!.runHistogram.mean / 1000;
    expect(Math.abs(backMeanMs - 100) / 100).toBeLessThan(0.04);
  });
});

describe('processor-shared database CPU against M/M/1-PS', () => {
  /**
   * One vCPU shared by the queries in progress (each at most one core), Poisson arrivals, no I/O,
   * no pod CPU and a pool and max_connections large enough never to make a query wait (at
   * ρ = 0.8, P(more than 200 queries at once) = 0.8^201 ≈ 0): the `db` step is an M/G/1-PS queue.
   * Its mean response is S/(1 − ρ) whatever the service-time distribution, unlike FIFO.
   */
  const psDatabase = (cpu: Distribution) =>
    scenario({
      duration: '3h',
      traffic: { rate: { constant: 80 }, classes: { req: { share: 1, path: [{ db: { query: 'q' } }], timeout: '10h' } } },
      services: {
        web: {
          replicas: 1,
          workers: 10_000,
          queueCapacity: 0,
          connectionPools: { main: { maximumPoolSize: 1000, minimumIdle: 1000, idleTimeout: '0s', maxLifetime: '0s' } },
        },
      },
      databases: { main: { instanceClass: { vcpu: 1, memory: '8Gi', hourlyPriceUsd: 0 }, maxConnections: 5000, queries: { q: { cpu } } } },
    });

  test('exponential 10 ms at λ = 80/s (ρ = 0.8): mean query time S/(1 − ρ) = 50 ms (±4%)', () => {
    const { summary } = simulate(psDatabase({ exponential: { mean: '10ms' } }));
    expect(summary.errors).toBe(0);
    expect(Math.abs(summary.latency_ms.mean - 50) / 50).toBeLessThan(0.04);
  });

  test('constant 10 ms at ρ = 0.8: still 50 ms (±4%), where a FIFO queue (M/D/1) would give 30 ms', () => {
    // M/D/1 FIFO: S + ρS/(2(1 − ρ)) = 10 + 20 = 30 ms. PS's insensitivity gives S/(1 − ρ) = 50 ms.
    const { summary } = simulate(psDatabase('10ms'));
    expect(summary.errors).toBe(0);
    expect(Math.abs(summary.latency_ms.mean - 50) / 50).toBeLessThan(0.04);
  });
});
