import { describe, expect, it } from 'vitest';
import { compareStrategies, comparisonTable } from '../../src/report/comparison.js';
import { formatRankingLegend, formatRankingTable, formatUsd } from '../../src/report/ranking-table.js';
import type { StrategyResult } from '../../src/scenario/run.js';

const SHORT = ['p99', 'p95/5m', 'errors', 'availability'];

function result(strategy: string, p99: number, costUsd: number, sloMet: boolean[], lostRevenueUsd = 0, nodes = true): StrategyResult {
  return {
    strategy,
    seed: 1,
    durationS: 60,
    events: 0,
    timeseries: { columns: nodes ? ['t_s', 'nodes_ready'] : ['t_s'], rows: [] },
    decisions: [],
    summary: {
      latency_ms: { p50: 0, p95: 0, p99, max: 0, mean: 0 },
      errorRate: 0.01,
      peakPodsReady: 3,
      peakNodes: nodes ? 2 : 0,
      cost: { totalUsd: costUsd, lostRevenueUsd, monthlyExtrapolationUsd: 0, byResourceUsd: {}, perMillionRequestsUsd: 0, revenueUsd: 0 },
      slo: sloMet.map((met, i) => ({ name: `slo ${i}`, short: SHORT[i], met, measured: 0, threshold: 0, unit: 'ms', missedBy: 0, detail: '' })),
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
    expect(table.rows[2][table.columns.indexOf('slo_missed')]).toBe('p99');
  });

  it('ranks strategies missing an SLO by infrastructure + lost revenue, not by infrastructure alone', () => {
    // black-friday's trap: the cheapest fleet loses the most checkouts.
    //   tiny:    $18 of nodes + $690,000 lost = $690,018
    //   medium:  $21 of nodes + $315,000 lost = $315,021
    //   big:    $147 of nodes + $160,000 lost = $160,147
    //   proxy:  $150 of nodes +  $83,000 lost =  $83,150, meets every SLO
    const runs = new Map([
      ['tiny', [result('tiny', 1600, 18, [false, false, false, true], 690_000)]],
      ['medium', [result('medium', 1700, 21, [false, true, false, false], 315_000)]],
      ['big', [result('big', 430, 147, [true, true, false, false], 160_000)]],
      ['proxy', [result('proxy', 400, 150, [true, true, true, true], 83_000)]],
    ]);
    const rows = compareStrategies(runs, (r) => r.summary.slo);
    expect(rows.map((r) => `${r.rank}:${r.strategy}:${r.businessCostUsd.mean}`)).toEqual(['1:proxy:83150', '2:big:160147', '3:medium:315021', '4:tiny:690018']);
    expect(rows[0].recommended).toBe(true);
    const table = comparisonTable(rows);
    const cell = (row: number, column: string) => table.rows[row][table.columns.indexOf(column)];
    expect(cell(1, 'slo_missed')).toBe('errors; availability');
    expect(cell(1, 'business_cost_usd')).toBe(160147);
    expect(formatRankingLegend(rows)).toContain('Recommended: proxy — meets every SLO at the lowest total cost: $83.2k = $150 infrastructure + $83.0k lost revenue.');
  });

  it('leaves figures that do not apply blank, not 0: lost revenue without a revenue model, nodes without node pools', () => {
    const runs = new Map([
      ['fargate', [result('fargate', 300, 4, [true], 0, false)]],
      ['nodes', [result('nodes', 300, 5, [true], 0, true)]],
    ]);
    const rows = compareStrategies(runs, (r) => r.summary.slo, (strategy) => strategy === 'nodes');
    const table = comparisonTable(rows);
    const cell = (row: number, column: string) => table.rows[row][table.columns.indexOf(column)];
    expect(rows.map((r) => r.strategy)).toEqual(['fargate', 'nodes']);
    expect([cell(0, 'peak_nodes'), cell(0, 'lost_revenue_usd'), cell(0, 'lost_revenue_usd_ci95')]).toEqual(['', '', '']);
    expect([cell(1, 'peak_nodes'), cell(1, 'lost_revenue_usd')]).toEqual([2, 0]);
    const lines = formatRankingTable(rows).split('\n');
    const header = lines[0];
    // These columns are as wide as their headers: a cell is what lies under its header.
    const under = (line: string, column: string) => line.slice(header.indexOf(column), header.indexOf(column) + column.length).trim();
    expect(under(lines[2], 'nodes')).toBe('');
    expect(under(lines[2], 'lost')).toBe('');
    expect(under(lines[3], 'nodes')).toBe('2');
    expect(under(lines[3], 'lost')).toBe('$0');
    expect(under(lines[2], 'slo_missed')).toBe('none');
  });

  it('prints a table that fits 120 columns with 30-character names, every SLO missed and replications', () => {
    const names = ['hpa-flash-200-headroom-proxy-x', 'hpa-flash-200-headroom-proxy-y', 'fixed-10-on-the-smallest-nodes'];
    const runs = new Map(
      names.map((name, i) => [
        name,
        [1, 2, 3].map((k) => result(name, 1234.5 * (i + 1) + k, 147.36 * (i + 1), i === 0 ? [true, true, true, true] : [false, false, false, false], 6_930_960 * (i + 1) + 10_000 * k)),
      ]),
    );
    const rows = compareStrategies(runs, (r) => r.summary.slo);
    const out = `${formatRankingTable(rows)}\n\n${formatRankingLegend(rows)}`;
    const lines = out.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(120);
    // The missed SLOs are all named, wrapped onto a continuation line rather than cut.
    const column = lines[0].indexOf('slo_missed');
    const sloText = lines.slice(2, lines.indexOf('')).map((l) => l.slice(column).trim());
    expect(sloText.join(' ')).toBe('none p99, p95/5m, errors, availability p99, p95/5m, errors, availability');
    expect(out).toMatch(/hpa-flash-200-headroom-proxy-x ◀ +\$6\.95M ± [\d.]+k /);
  });

  it('rounds dollars to three significant digits, more when neighbours would print alike', () => {
    expect([147.36, 17.7, 83_150, 6_930_960, 0.0825, 999.6, 0].map((x) => formatUsd(x))).toEqual(['$147', '$17.7', '$83.2k', '$6.93M', '$0.0825', '$1.00k', '$0']);
    const runs = new Map([
      ['a', [result('a', 1, 100, [false], 315_021)]],
      ['b', [result('b', 1, 100, [false], 315_321)]],
    ]);
    // $315k and $315k would hide that a ranks above b: four digits tell them apart.
    expect(formatRankingTable(compareStrategies(runs, (r) => r.summary.slo))).toMatch(/a +\$315\.1k[\s\S]*b +\$315\.4k/);
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
