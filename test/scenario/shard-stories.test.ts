import { beforeAll, describe, expect, test } from 'vitest';
import { buildTimeline } from '../../src/report/timeline.js';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load.js';
import { runStrategy, type StrategyResult } from '../../src/scenario/run.js';

describe('hot-shard.json: a skewed key on range, hash and consistent hashing; then a fifth shard', { timeout: 240_000 }, () => {
  let loaded: LoadedScenario;
  const results = new Map<string, StrategyResult>();
  beforeAll(async () => {
    const result = await loadScenarioFile('scenarios/hot-shard.json');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    loaded = result.value;
  });
  const run = (name: string) => {
    if (!results.has(name)) results.set(name, runStrategy(name, loaded.strategies.find((s) => s.name === name)!.scenario, loaded.traces));
    return results.get(name)!;
  };
  const shards = (r: StrategyResult) => r.summary.shards!.orders;
  /** Mean of a column over the rows whose interval ends in (fromS, toS]. */
  const mean = (r: StrategyResult, column: string, fromS: number, toS: number) => {
    const { columns, rows } = r.timeseries;
    const [t, c] = [columns.indexOf('t_s'), columns.indexOf(column)];
    expect(c, column).toBeGreaterThanOrEqual(0);
    const values = rows.filter((row) => row[t] > fromS && row[t] <= toS).map((row) => row[c]);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  /** The share of keys the resharding said it moves. */
  const movedShare = (r: StrategyResult) => {
    const line = r.decisions.find((d) => d.reason === 'Resharding')!;
    const [, moved, keys] = /\(([\d,]+) of ([\d,]+)\) move/.exec(line.message)!.map((x) => Number(x.replaceAll(',', '')));
    return moved / keys;
  };

  test('range: the newest customers share shard 1, which saturates while the others idle; requests fail', () => {
    const r = run('range');
    const s = shards(r);
    expect(s.meanCpuPctByShard[0]).toBeGreaterThan(95);
    for (const cpu of s.meanCpuPctByShard.slice(1)) expect(cpu).toBeLessThan(10);
    // Shard 1 holds customers 0–249,999 of a Zipf(1) over 1M: H(250,000)/H(1,000,000) ≈ 0.9037 of the queries.
    const total = s.queriesByShard.reduce((a, b) => a + b, 0);
    expect(s.queriesByShard[0] / total).toBeCloseTo(0.9037, 2);
    expect(s.imbalance).toBeGreaterThanOrEqual(2);
    expect(r.summary.errorRate).toBeGreaterThan(0.2);
    const timeline = buildTimeline({ clockStart: '13:45', annotations: [], timeseries: r.timeseries, decisions: r.decisions, p99ThresholdMs: 500 });
    expect(timeline.some((l) => /orders hot shard: orders_shard1 CPU at \d+% while the other 3 shards average \d%/.test(l))).toBe(true);
  });

  test.each(['hash', 'consistent'])('%s: the same keys spread over the four shards, imbalance near 1, nothing fails', (name) => {
    const r = run(name);
    const s = shards(r);
    // Not exactly 1: customer 0 alone is 1/H(1M) ≈ 6.9% of the orders, wherever it lands.
    expect(s.imbalance).toBeLessThan(1.3);
    expect(s.peakImbalance).toBeLessThan(1.4);
    for (const cpu of s.meanCpuPctByShard) expect(cpu).toBeLessThan(70);
    expect(r.summary.errorRate).toBe(0);
  });

  test('adding a fifth shard: modulo hashing moves 4/5 of the keys and its copy loads every old shard', () => {
    const r = run('hash-add-shard');
    expect(Math.abs(movedShare(r) - 4 / 5)).toBeLessThan(0.005);
    // The copy's share of each old shard's CPU: during the copy against after it (the same keys then).
    for (let i = 1; i <= 4; i++) expect(mean(r, `orders_shard${i}_db_cpu_pct`, 960, 1800) - mean(r, `orders_shard${i}_db_cpu_pct`, 1860, 2400), `shard ${i}`).toBeGreaterThan(15);
    expect(r.decisions.some((d) => d.reason === 'ReshardingComplete')).toBe(true);
    expect(mean(r, 'orders_shard5_queries_per_s', 1860, 2400)).toBeGreaterThan(50);
  });

  test('adding a fifth shard: consistent hashing moves about 1/5, onto the new shard only, whose CPU carries the copy', () => {
    const r = run('consistent-add-shard');
    // 100 virtual nodes: relative sd of the moved share ≈ √(4/(5·100)) ≈ 9%; 4 sd.
    expect(Math.abs(movedShare(r) / (1 / 5) - 1)).toBeLessThan(0.36);
    // The old shards only read what leaves them: a few points; they lose a fifth of their queries.
    for (let i = 1; i <= 4; i++) {
      expect(mean(r, `orders_shard${i}_db_cpu_pct`, 960, 1800) - mean(r, `orders_shard${i}_db_cpu_pct`, 1860, 2400), `shard ${i}`).toBeLessThan(5);
      expect(mean(r, `orders_shard${i}_db_cpu_pct`, 1860, 2400), `shard ${i}`).toBeLessThan(mean(r, `orders_shard${i}_db_cpu_pct`, 300, 900));
    }
    expect(mean(r, 'orders_shard5_db_cpu_pct', 960, 1800)).toBeGreaterThan(1.5 * mean(r, 'orders_shard5_db_cpu_pct', 1860, 2400));
    // Modulo hashing copied about 4× the keys.
    expect(movedShare(run('hash-add-shard')) / movedShare(r)).toBeGreaterThan(3);
  });

  test('the added shard is billed from the resharding (25 of the 40 minutes)', () => {
    const cost = run('consistent-add-shard').summary.cost.byResourceUsd;
    expect(cost['database orders-shard-5 (db.r5.large)'] / cost['database orders-shard-1 (db.r5.large)']).toBeCloseTo(25 / 40, 2);
    expect(run('consistent').summary.cost.byResourceUsd['database orders-shard-5 (db.r5.large)']).toBeUndefined();
  });
});
