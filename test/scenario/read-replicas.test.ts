import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load.js';
import { runStrategy, type StrategyResult } from '../../src/scenario/run.js';

/** scenarios/read-replicas.json: the story its README section tells, in direction and rough size. */
describe('read-replicas.json', () => {
  let loaded: LoadedScenario;
  const results = new Map<string, StrategyResult>();
  const run = (name: string) => {
    if (!results.has(name)) results.set(name, runStrategy(name, loaded.strategies.find((s) => s.name === name)!.scenario, loaded.traces));
    return results.get(name)!;
  };
  /** Rows of a column in a window of simulated seconds (row t_s closes the interval). */
  const window = (result: StrategyResult, column: string, from: number, to: number) => {
    const { columns, rows } = result.timeseries;
    const t = columns.indexOf('t_s');
    const c = columns.indexOf(column);
    expect(c).toBeGreaterThanOrEqual(0);
    return rows.filter((row) => row[t] > from && row[t] <= to).map((row) => row[c]);
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  beforeAll(async () => {
    const result = await loadScenarioFile('scenarios/read-replicas.json');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    loaded = result.value;
  });

  test('replicas take the reads off the primary: its CPU before the burst falls to the write share theory gives (±15%)', () => {
    // CPU per request on the primary, from the scenario: reads 0.85 × 6 ms (browse) + 0.15 × 3 ms (order status),
    // writes 0.15 × 20 ms (insert order). With replicas only the writes stay.
    const db = loaded.base.databases!.main;
    const classes = loaded.base.traffic.classes;
    const meanOf = (query: string) => {
      const cpu = db.queries[query].cpu;
      return typeof cpu === 'number' ? cpu : (cpu.lognormal?.mean ?? NaN);
    };
    const reads = classes.browse.share * meanOf('product_page') + classes.checkout.share * meanOf('order_status');
    const writes = classes.checkout.share * meanOf('insert_order');
    const alone = mean(window(run('primary-only'), 'db_cpu_pct', 300, 2400));
    const withReplicas = mean(window(run('two-replicas'), 'db_cpu_pct', 300, 2400));
    // 300/s × 8.55 ms on 4 vCPUs ≈ 64%.
    expect(alone).toBeGreaterThan(((300 * (reads + writes)) / 1e6 / 4) * 100 * 0.9);
    expect(withReplicas / alone).toBeGreaterThan((writes / (reads + writes)) * 0.85);
    expect(withReplicas / alone).toBeLessThan((writes / (reads + writes)) * 1.15);
  });

  test('through the ×3 burst the primary alone saturates and requests time out; with replicas nothing fails', () => {
    expect(Math.max(...window(run('primary-only'), 'db_cpu_pct', 2430, 2730))).toBeGreaterThan(99);
    expect(run('primary-only').summary.errorRate).toBeGreaterThan(0.05);
    expect(run('two-replicas').summary.errors).toBe(0);
  });

  test('replication lag stays near the shipping delay, then grows through the write burst at least as fast as the fluid model says', () => {
    const lag = (from: number, to: number) => window(run('two-replicas'), 'replica_lag_ms', from, to);
    expect(Math.max(...lag(0, 2400))).toBeLessThan(200);
    const burst = lag(2440, 2730);
    for (let i = 1; i < burst.length; i++) expect(burst[i]).toBeGreaterThan(burst[i - 1]);
    // Writes in the burst: 900/s × 0.15 = 135/s × 8 ms of replay = 1.08 cores for one apply thread: even with a
    // whole core the backlog grows 0.08 s per second; sharing the replica's CPUs with reads it grows faster.
    const holdS = 300;
    expect(Math.max(...burst) / 1000).toBeGreaterThan(0.08 * holdS * 0.8);
    expect(Math.max(...window(run('two-replicas'), 'replica_lag_ms', 3300, 3600))).toBeLessThan(200);
  });

  test('stale reads (a checkout reading back its own order on a lagging replica) appear only while the lag exceeds the payment call', () => {
    const stale = (from: number, to: number) => window(run('two-replicas'), 'stale_reads', from, to).reduce((a, b) => a + b, 0);
    expect(stale(0, 2400)).toBe(0);
    expect(stale(2400, 2760)).toBeGreaterThan(1000);
    expect(stale(3300, 3600)).toBe(0);
    expect(run('two-replicas').summary.staleReads).toBe(stale(0, 3600));
    expect(run('primary-only').summary.staleReads).toBeUndefined();
  });
});
