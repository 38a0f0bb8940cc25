import type { DecisionRow, HoldRow } from '../metrics/decisions.js';
import { summarize, type RunSummary } from '../metrics/summary.js';
import { buildModel } from './build.js';
import type { LoadedTraces } from './load.js';
import type { Scenario } from './schema.js';
import { monthlyExtrapolation } from '../model/cost/billing.js';
import type { SloVerdict } from '../metrics/slo.js';
import type { CacheTotals } from '../model/cache/cache.js';

/** What the run cost and what its failures cost the business. */
export interface CostSummary {
  totalUsd: number;
  byResourceUsd: Record<string, number>;
  perMillionRequestsUsd: number;
  /** The simulated period's cost scaled to 30 days at the same rate: an extrapolation, not a bill. */
  monthlyExtrapolationUsd: number;
  /** Orders (order value × conversion) of the requests that succeeded, USD. */
  revenueUsd: number;
  /** The same for requests that failed or timed out: the flash sale's real bill. */
  lostRevenueUsd: number;
}

/** A cache over the measured period: its hit ratio and the counts it comes from; `declared` when the scenario declared the ratio (a teaching shortcut). */
export type CacheSummary = CacheTotals & { hitRatio: number; declared?: true };

/** Everything one strategy's run produces: plain data, so it can cross a worker boundary. */
export interface StrategyResult {
  strategy: string;
  seed: number | string;
  durationS: number;
  summary: RunSummary & { cost: CostSummary; slo: SloVerdict[]; caches?: Record<string, CacheSummary> };
  timeseries: { columns: string[]; rows: number[][] };
  decisions: DecisionRow[];
  /** The HPAs' quiet syncs, summarised for the timeline (absent from results assembled by hand). */
  holds?: HoldRow[];
  /** Engine statistics (not written to result files: they describe the run, not the system). */
  events: number;
}

export function runStrategy(strategy: string, scenario: Scenario, traces: LoadedTraces, onProgress?: (simulatedMicros: number, requests: number) => void): StrategyResult {
  const model = buildModel(scenario, traces);
  model.run(onProgress);
  const summary = summarize(model.recorder, model.classNames, model.durationMicros, model.measuredInSystemIntegral(), model.paths);
  const totalUsd = model.cost.accruedUsd();
  const totals = model.recorder.classTotals;
  const cost: CostSummary = {
    totalUsd,
    byResourceUsd: model.cost.byResource(),
    perMillionRequestsUsd: summary.requests > 0 ? (totalUsd * 1e6) / summary.requests : 0,
    monthlyExtrapolationUsd: monthlyExtrapolation(totalUsd, model.durationMicros / 1e6),
    revenueUsd: model.revenuePerSuccessUsd.reduce((s, v, i) => s + v * totals[i].succeeded, 0),
    lostRevenueUsd: model.revenuePerSuccessUsd.reduce((s, v, i) => s + v * totals[i].failed, 0),
  };
  return {
    strategy,
    seed: scenario.seed,
    durationS: model.durationMicros / 1e6,
    summary: {
      ...summary,
      cost,
      slo: model.slo?.verdicts(model.recorder.runHistogram, { arrivals: summary.requests, failures: summary.errors }) ?? [],
      ...(model.caches.size > 0 ? { caches: cacheSummaries(model.measuredCacheTotals(), scenario) } : {}),
    },
    timeseries: { columns: model.recorder.columns, rows: model.recorder.rows },
    decisions: model.log.decisions,
    holds: model.log.holds,
    events: model.sim.eventsProcessed,
  };
}

function cacheSummaries(totals: Record<string, CacheTotals>, scenario: Scenario): Record<string, CacheSummary> {
  return Object.fromEntries(
    Object.entries(totals).map(([name, t]) => [name, { hitRatio: t.gets > 0 ? t.hits / t.gets : 0, ...t, ...(scenario.caches![name].declaredHitRatio !== undefined ? { declared: true as const } : {}) }]),
  );
}
