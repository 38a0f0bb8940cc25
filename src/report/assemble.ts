import { pathFiguresAcross } from '../metrics/path-timing.js';
import { spikeResponse } from '../metrics/spike.js';
import { trafficAnnotations } from '../scenario/annotations.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { StrategyResult } from '../scenario/run.js';
import { autoscalerViews } from './autoscaler-views.js';
import { compareStrategies, comparisonTable, type StrategyComparison } from './comparison.js';
import { toCsv } from './files.js';
import type { ReportInput } from './report-input.js';
import type { StrategyFiles } from './results.js';
import { buildTimeline } from './timeline.js';

/** p99 that counts as degraded in the timeline when the scenario has no p99 SLO. */
const DEFAULT_P99_THRESHOLD_MS = 500;

export interface ScenarioOutputs {
  comparison: StrategyComparison[];
  /** Replication 0 of every strategy, with its summary extras and timeline. */
  strategies: StrategyFiles[];
  /** `comparison.csv`. */
  comparisonCsv: string;
  /** What the charts and report.html are drawn from. */
  report: ReportInput;
}

/**
 * Turns every strategy's runs into what gets written and shown: the ranking, each strategy's
 * summary extras (SLO verdicts, spike response, replication statistics) and timeline, and the
 * report's input. `runs` maps strategy → its replications, in the scenario's order.
 */
export async function assembleOutputs(loaded: LoadedScenario, runs: ReadonlyMap<string, readonly StrategyResult[]>): Promise<ScenarioOutputs> {
  const base = loaded.base;
  const p99ThresholdMs = p99Threshold(base);
  const revenueModel = new Map(loaded.strategies.map((s) => [s.name, Object.values(s.scenario.traffic.classes).some((c) => (c.orderValueUsd ?? 0) * c.conversionRate > 0)]));
  const comparison = compareStrategies(runs, (r) => r.summary.slo, (strategy) => revenueModel.get(strategy) ?? false);
  const byName = new Map(comparison.map((c) => [c.strategy, c]));
  const annotations = trafficAnnotations(base);

  const strategies: StrategyFiles[] = [];
  for (const [name, results] of runs) {
    const result = results[0];
    const scenario = loaded.strategies.find((s) => s.name === name)!.scenario;
    const biggest = trafficAnnotations(scenario)
      .filter((a) => a.label.startsWith('traffic spike'))
      .sort((a, b) => spikeSize(b.label) - spikeSize(a.label))[0];
    const c = byName.get(name)!;
    strategies.push({
      result,
      summaryExtras: {
        ...(biggest ? { spikeResponse: spikeResponse(result.timeseries, biggest.t_s, p99ThresholdMs) } : {}),
        ranking: { rank: c.rank, recommended: c.recommended, meetsSlo: c.meetsSlo },
        ...(results.length > 1
          ? {
              replications: {
                n: results.length,
                seeds: results.map((r) => r.seed),
                note: 'Figures above are replication 0 (the scenario seed); these are means with 95% Student-t half-widths over all replications.',
                p99_ms: c.p99Ms,
                error_rate: c.errorRate,
                cost_usd: c.costUsd,
                lost_revenue_usd: c.lostRevenueUsd,
                slo: c.slo.map((s) => ({ name: s.name, met_in: s.metIn })),
                path_by_class: Object.fromEntries(Object.keys(result.summary.byClass).map((cls) => [cls, pathFiguresAcross(results.map((r) => r.summary.byClass[cls].path))])),
              },
            }
          : {}),
      },
      timeline: buildTimeline({
        clockStart: scenario.clockStart,
        annotations,
        timeseries: result.timeseries,
        decisions: result.decisions,
        holds: result.holds,
        autoscalers: autoscalerViews(scenario),
        p99ThresholdMs,
      }),
    });
  }

  const table = comparisonTable(comparison);
  const timelineOf = new Map(strategies.map((s) => [s.result.strategy, s.timeline]));
  const report: ReportInput = {
    scenario: { name: base.name, description: base.description, document: loaded.raw, clockStart: base.clockStart, annotations },
    slo: base.slo
      ? {
          latency: (base.slo.latency ?? []).map((l) => ({ percentile: l.percentile, thresholdMs: l.below / 1000 })),
          errorRate: base.slo.errorRate?.below,
        }
      : undefined,
    strategies: comparison.map((c) => {
      const result = runs.get(c.strategy)![0];
      return {
        name: c.strategy,
        timeseries: result.timeseries,
        decisions: result.decisions,
        timeline: timelineOf.get(c.strategy)!,
        headline: { p99Ms: c.p99Ms, errorRate: c.errorRate, costUsd: c.costUsd, lostRevenueUsd: c.lostRevenueUsd ?? { mean: 0, halfWidth: NaN } },
        slo: c.slo.map((s) => ({ name: s.name, met: s.met, detail: s.detail })),
        meetsSlo: c.meetsSlo,
        autoscalers: autoscalerViews(loaded.strategies.find((s) => s.name === c.strategy)!.scenario),
      };
    }),
    recommended: comparison.find((c) => c.recommended)?.strategy,
  };
  return { comparison, strategies, comparisonCsv: await toCsv(table.columns, table.rows), report };
}

function p99Threshold(scenario: LoadedScenario['base']): number {
  const p99 = scenario.slo?.latency?.find((l) => l.percentile === 'p99');
  return p99 ? p99.below / 1000 : DEFAULT_P99_THRESHOLD_MS;
}

function spikeSize(label: string): number {
  return Number(/×([\d.]+)/.exec(label)?.[1] ?? 0);
}
