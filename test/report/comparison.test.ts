import { describe, expect, it } from 'vitest';
import { compareStrategies, comparisonTable } from '../../src/report/comparison.js';
import type { StrategyResult } from '../../src/scenario/run.js';

function result(strategy: string, p99: number, costUsd: number, sloMet: boolean[]): StrategyResult {
  return {
    strategy,
    seed: 1,
    durationS: 60,
    events: 0,
    timeseries: { columns: [], rows: [] },
    decisions: [],
    summary: {
      latency_ms: { p50: 0, p95: 0, p99, max: 0, mean: 0 },
      errorRate: 0.01,
      peakPodsReady: 3,
      peakNodes: 0,
      cost: { totalUsd: costUsd, lostRevenueUsd: 0, monthlyExtrapolationUsd: 0, byResourceUsd: {}, perMillionRequestsUsd: 0, revenueUsd: 0 },
      slo: sloMet.map((met, i) => ({ name: `slo ${i}`, met, measured: 0, threshold: 0, unit: 'ms', missedBy: 0, detail: '' })),
    } as unknown as StrategyResult['summary'],
  };
}

describe('strategy comparison', () => {
  it('ranks strategies meeting every SLO first, then by cost, and recommends the first', () => {
    const runs = new Map([
      ['cheap-but-slow', [result('cheap-but-slow', 900, 1, [false, true])]],
      ['pricey', [result('pricey', 100, 9, [true, true])]],
      ['just-right', [result('just-right', 300, 4, [true, true])]],
    ]);
    const rows = compareStrategies(runs, (r) => r.summary.slo);
    expect(rows.map((r) => `${r.rank}:${r.strategy}:${r.recommended}`)).toEqual(['1:just-right:true', '2:pricey:false', '3:cheap-but-slow:false']);
    const table = comparisonTable(rows);
    expect(table.rows[2][table.columns.indexOf('slo_missed')]).toBe('slo 0');
  });

  it('recommends nothing when no strategy meets every SLO', () => {
    const rows = compareStrategies(new Map([['a', [result('a', 900, 1, [false])]]]), (r) => r.summary.slo);
    expect(rows[0].recommended).toBe(false);
  });

  it('gives means with Student-t 95% half-widths over replications, and a SLO met only if met in all', () => {
    // p99 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.302653 → half-width 4.302653 / √3 = 2.484138
    const runs = new Map([['a', [result('a', 1, 1, [true]), result('a', 2, 1, [false]), result('a', 3, 1, [true])]]]);
    const [row] = compareStrategies(runs, (r) => r.summary.slo);
    expect(row.p99Ms.mean).toBe(2);
    expect(row.p99Ms.halfWidth).toBeCloseTo(4.302653 / Math.sqrt(3), 5);
    expect(row.slo[0]).toMatchObject({ met: false, metIn: 2 });
    // identical cost in every replication: zero width
    expect(row.costUsd.halfWidth).toBe(0);
  });
});
