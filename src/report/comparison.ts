import { meanConfidenceInterval } from '../metrics/stats.js';
import type { StrategyResult } from '../scenario/run.js';

/** A headline figure over replications: mean and 95% CI half-width (NaN with one replication). */
export interface Estimate {
  mean: number;
  halfWidth: number;
}

export interface SloOutcome {
  name: string;
  /** Met in every replication. */
  met: boolean;
  /** Replications that met it, of `replications`. */
  metIn: number;
  /** The first replication's detail line ("missed by 1,240 ms; worst window ended at …"). */
  detail: string;
}

export interface StrategyComparison {
  strategy: string;
  rank: number;
  recommended: boolean;
  meetsSlo: boolean;
  replications: number;
  slo: SloOutcome[];
  p99Ms: Estimate;
  errorRate: Estimate;
  costUsd: Estimate;
  lostRevenueUsd: Estimate;
  monthlyCostUsd: Estimate;
  peakPods: Estimate;
  peakNodes: Estimate;
}

/** The SLO verdicts a run carries (see metrics/slo.ts); none when the scenario has no `slo`. */
export interface SloVerdictLike {
  name: string;
  met: boolean;
  detail: string;
}

/**
 * Ranks strategies: those meeting every SLO first, then the cheapest (mean cost), then the
 * lowest p99. The recommended strategy is the first one that meets every SLO; there is none
 * when no strategy does. `runs` holds each strategy's replications (all the same length).
 */
export function compareStrategies(runs: ReadonlyMap<string, readonly StrategyResult[]>, sloOf: (r: StrategyResult) => readonly SloVerdictLike[]): StrategyComparison[] {
  const rows: StrategyComparison[] = [];
  for (const [strategy, results] of runs) {
    const estimate = (f: (r: StrategyResult) => number): Estimate => {
      const ci = meanConfidenceInterval(results.map(f));
      return { mean: ci.mean, halfWidth: ci.halfWidth };
    };
    const verdicts = results.map(sloOf);
    const slo = verdicts[0].map((v, i) => {
      const metIn = verdicts.filter((vs) => vs[i].met).length;
      return { name: v.name, met: metIn === results.length, metIn, detail: v.detail };
    });
    rows.push({
      strategy,
      rank: 0,
      recommended: false,
      meetsSlo: slo.every((s) => s.met),
      replications: results.length,
      slo,
      p99Ms: estimate((r) => r.summary.latency_ms.p99),
      errorRate: estimate((r) => r.summary.errorRate),
      costUsd: estimate((r) => r.summary.cost.totalUsd),
      lostRevenueUsd: estimate((r) => r.summary.cost.lostRevenueUsd),
      monthlyCostUsd: estimate((r) => r.summary.cost.monthlyExtrapolationUsd),
      peakPods: estimate((r) => r.summary.peakPodsReady),
      peakNodes: estimate((r) => r.summary.peakNodes),
    });
  }
  rows.sort((a, b) => Number(b.meetsSlo) - Number(a.meetsSlo) || a.costUsd.mean - b.costUsd.mean || a.p99Ms.mean - b.p99Ms.mean || a.strategy.localeCompare(b.strategy));
  rows.forEach((row, i) => (row.rank = i + 1));
  if (rows.length > 0 && rows[0].meetsSlo) rows[0].recommended = true;
  return rows;
}

/** comparison.csv: one row per strategy, ranked; `_ci95` columns are 95% half-widths (empty with one replication). */
export function comparisonTable(rows: readonly StrategyComparison[]): { columns: string[]; rows: (string | number)[][] } {
  const figures: [string, (r: StrategyComparison) => Estimate][] = [
    ['p99_ms', (r) => r.p99Ms],
    ['error_rate', (r) => r.errorRate],
    ['cost_usd', (r) => r.costUsd],
    ['lost_revenue_usd', (r) => r.lostRevenueUsd],
    ['monthly_cost_usd_extrapolated', (r) => r.monthlyCostUsd],
    ['peak_pods', (r) => r.peakPods],
    ['peak_nodes', (r) => r.peakNodes],
  ];
  const columns = ['rank', 'strategy', 'recommended', 'meets_slo', 'slo_missed', 'replications', ...figures.flatMap(([name]) => [name, `${name}_ci95`])];
  return {
    columns,
    rows: rows.map((r) => [
      r.rank,
      r.strategy,
      r.recommended ? 'yes' : '',
      r.slo.length === 0 ? '' : r.meetsSlo ? 'yes' : 'no',
      r.slo.filter((s) => !s.met).map((s) => s.name).join('; '),
      r.replications,
      ...figures.flatMap(([, f]) => {
        const e = f(r);
        return [e.mean, Number.isFinite(e.halfWidth) ? e.halfWidth : ''];
      }),
    ]),
  };
}
