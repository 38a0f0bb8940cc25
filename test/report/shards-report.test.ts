import { describe, expect, it } from 'vitest';
import { buildChartSpecs } from '../../src/report/charts/charts.js';
import type { ReportInput } from '../../src/report/report-input.js';
import { shardEvents } from '../../src/report/shard-timeline.js';
import { buildTimeline } from '../../src/report/timeline.js';
import { shardFigures } from '../../src/metrics/shard-summary.js';

/** Three shards of `orders`, 10 s rows: cpu and queries per shard, then the imbalance. */
const COLUMNS = ['t_s', ...[1, 2, 3].flatMap((i) => [`orders_shard${i}_db_cpu_pct`, `orders_shard${i}_queries_per_s`]), 'orders_shard_imbalance'];
// t_s, cpu1, q1, cpu2, q2, cpu3, q3, imbalance
const ROWS = [
  [10, 40, 100, 42, 105, 38, 95, 1.05],
  [20, 97, 300, 20, 50, 18, 45, 2.28], // shard 1 hot from 14:00:10
  [30, 99, 310, 22, 55, 19, 40, 2.29],
  [40, 95, 320, 60, 200, 55, 190, 1.34], // the others busy too: no longer a hot shard
  [50, 95, 320, 92, 300, 91, 290, 1.05], // all saturated: overload, not a hot shard
  [60, 50, 120, 0, 0, 48, 110, 1.04], // shard 2 takes nothing: not counted idle
];

describe('hot-shard timeline lines', () => {
  it('says when one shard saturated while the others idled, and when that ended; an even overload is no hot shard', () => {
    const starts = ROWS.map((r) => r[0] - 10);
    expect(shardEvents(COLUMNS, ROWS, starts)).toEqual([
      { t: 10, text: 'orders hot shard: orders_shard1 CPU at 97% while the other 2 shards average 19% (busiest shard\'s queries 2.3× the mean): the shard key puts the load on one shard' },
      { t: 30, text: 'orders hot shard over after 20s: busiest shard at 95%, the others at 58% on average' },
    ]);
  });

  it('appears in the run timeline among the data-tier lines', () => {
    const lines = buildTimeline({ clockStart: '14:00', annotations: [], timeseries: { columns: COLUMNS, rows: ROWS }, decisions: [], p99ThresholdMs: 500 });
    expect(lines).toContain('14:00:10  orders hot shard: orders_shard1 CPU at 97% while the other 2 shards average 19% (busiest shard\'s queries 2.3× the mean): the shard key puts the load on one shard');
  });

  it('a shard that took no queries (not yet added) does not make another look hot', () => {
    const rows = [[10, 95, 300, 0, 0, 93, 290, 1.01]];
    expect(shardEvents(COLUMNS, rows, [0])).toEqual([]);
  });
});

describe('shard figures in the summary', () => {
  it('totals the queries per shard over the measured rows and compares the busiest with the mean', () => {
    const f = shardFigures(COLUMNS, ROWS, 10)!.orders;
    // Rows ending after 10 s, each 10 s wide.
    expect(f.queriesByShard).toEqual([13_700, 6_050, 6_750]);
    expect(f.imbalance).toBeCloseTo(13_700 / ((13_700 + 6_050 + 6_750) / 3), 9);
    expect(f.peakImbalance).toBe(2.29);
    expect(f.shards).toBe(2); // shard 2 took nothing in the last interval
    expect(f.meanCpuPctByShard[0]).toBeCloseTo((97 + 99 + 95 + 95 + 50) / 5, 9);
  });

  it('is absent without a sharded database', () => {
    expect(shardFigures(['t_s', 'db_cpu_pct'], [[10, 50]], 0)).toBeUndefined();
  });
});

describe('the load-per-shard chart', () => {
  const input = (columns: string[], rows: number[][]): ReportInput => ({
    scenario: { name: 's', document: {}, clockStart: '14:00', annotations: [] },
    strategies: [
      {
        name: 'range',
        timeseries: { columns, rows },
        decisions: [],
        timeline: [],
        headline: { p99Ms: { mean: 1, halfWidth: 0 }, errorRate: { mean: 0, halfWidth: 0 }, costUsd: { mean: 1, halfWidth: 0 }, lostRevenueUsd: { mean: 0, halfWidth: 0 } },
        slo: [],
        meetsSlo: true,
      },
    ],
  });

  it('draws one line of queries per second per shard and the imbalance', () => {
    const spec = buildChartSpecs(input(COLUMNS, ROWS)).find((s) => s.name === 'shards');
    expect(spec?.title).toBe('Load per shard');
    const rows = (spec!.spec as unknown as { datasets: { shards: Record<string, unknown>[] } }).datasets.shards;
    expect(new Set(rows.filter((r) => 'queries_per_s' in r).map((r) => r.series))).toEqual(new Set(['orders shard 1', 'orders shard 2', 'orders shard 3']));
    expect(rows.filter((r) => r.series === 'orders shard 1').map((r) => r.queries_per_s)).toEqual([100, 300, 310, 320, 320, 120]);
    expect(rows.filter((r) => 'imbalance' in r).map((r) => r.imbalance)).toEqual(ROWS.map((r) => r[7]));
  });

  it('is left out without shards', () => {
    expect(buildChartSpecs(input(['t_s', 'db_cpu_pct'], [[10, 50]])).map((s) => s.name)).not.toContain('shards');
  });
});
