import { meanConfidenceInterval } from '../metrics/stats.js';
import type { StrategyResult } from '../scenario/run.js';

/** A headline figure over replications: mean and 95% CI half-width (NaN with one replication). */
export interface Estimate {
  mean: number;
  halfWidth: number;
}

export interface SloOutcome {
  name: string;
  /** "p99", "p95/5m", "errors", "availability": for tables. */
  short: string;
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
  /** Infrastructure. */
  costUsd: Estimate;
  /** Infrastructure plus lost revenue: what the strategy costs the business, the ranking's key. */
  businessCostUsd: Estimate;
  /** Undefined without a revenue model (no class with an `orderValueUsd`). */
  lostRevenueUsd?: Estimate;
  monthlyCostUsd: Estimate;
  peakPods: Estimate;
  /** Undefined without node pools (pods on Fargate). */
  peakNodes?: Estimate;
}

/** The SLO verdicts a run carries (see metrics/slo.ts); none when the scenario has no `slo`. */
export interface SloVerdictLike {
  name: string;
  short: string;
  met: boolean;
  detail: string;
}

/**
 * Ranks strategies: those meeting every SLO first, then by what they cost the business (mean
 * infrastructure + lost revenue: a strategy that saves on nodes and loses checkouts is not
 * cheap), then the lowest p99. The recommended strategy is the first one that meets every SLO;
 * there is none when no strategy does. `runs` holds each strategy's replications (all the same
 * length); `hasRevenueModel` says whether a strategy's scenario values any request (without one,
 * lost revenue does not apply rather than being 0).
 */
export function compareStrategies(
  runs: ReadonlyMap<string, readonly StrategyResult[]>,
  sloOf: (r: StrategyResult) => readonly SloVerdictLike[],
  hasRevenueModel: (strategy: string) => boolean = () => true,
): StrategyComparison[] {
  const rows: StrategyComparison[] = [];
  for (const [strategy, results] of runs) {
    const estimate = (f: (r: StrategyResult) => number): Estimate => {
      const ci = meanConfidenceInterval(results.map(f));
      return { mean: ci.mean, halfWidth: ci.halfWidth };
    };
    const verdicts = results.map(sloOf);
    const slo = verdicts[0].map((v, i) => {
      const metIn = verdicts.filter((vs) => vs[i].met).length;
      return { name: v.name, short: v.short, met: metIn === results.length, metIn, detail: v.detail };
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
      businessCostUsd: estimate((r) => r.summary.cost.totalUsd + r.summary.cost.lostRevenueUsd),
      ...(hasRevenueModel(strategy) ? { lostRevenueUsd: estimate((r) => r.summary.cost.lostRevenueUsd) } : {}),
      monthlyCostUsd: estimate((r) => r.summary.cost.monthlyExtrapolationUsd),
      peakPods: estimate((r) => r.summary.peakPodsReady),
      // Without node pools there is no nodes_ready column: pods run on Fargate.
      ...(results[0].timeseries.columns.includes('nodes_ready') ? { peakNodes: estimate((r) => r.summary.peakNodes) } : {}),
    });
  }
  rows.sort(
    (a, b) =>
      Number(b.meetsSlo) - Number(a.meetsSlo) || a.businessCostUsd.mean - b.businessCostUsd.mean || a.p99Ms.mean - b.p99Ms.mean || a.strategy.localeCompare(b.strategy),
  );
  rows.forEach((row, i) => (row.rank = i + 1));
  if (rows.length > 0 && rows[0].meetsSlo) rows[0].recommended = true;
  return rows;
}

/**
 * comparison.csv: one row per strategy, ranked; `_ci95` columns are 95% half-widths (empty with one
 * replication); a figure that does not apply (lost revenue without a revenue model, peak nodes
 * without node pools) is an empty cell, never 0. `slo_missed` lists the short names (`p99; errors`).
 */
export function comparisonTable(rows: readonly StrategyComparison[]): { columns: string[]; rows: (string | number)[][] } {
  const figures: [string, (r: StrategyComparison) => Estimate | undefined][] = [
    ['business_cost_usd', (r) => r.businessCostUsd],
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
      r.slo.filter((s) => !s.met).map((s) => s.short).join('; '),
      r.replications,
      ...figures.flatMap(([, f]) => {
        const e = f(r);
        if (e === undefined) return ['', ''];
        return [e.mean, Number.isFinite(e.halfWidth) ? e.halfWidth : ''];
      }),
    ]),
  };
}
