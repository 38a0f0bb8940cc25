import type { DecisionRow } from '../metrics/decisions.js';
import { summarize, type RunSummary } from '../metrics/summary.js';
import { buildModel } from './build.js';
import type { LoadedTraces } from './load.js';
import type { Scenario } from './schema.js';

/** Everything one strategy's run produces: plain data, so it can cross a worker boundary. */
export interface StrategyResult {
  strategy: string;
  seed: number | string;
  durationS: number;
  summary: RunSummary;
  timeseries: { columns: string[]; rows: number[][] };
  decisions: DecisionRow[];
  /** Engine statistics (not written to result files: they describe the run, not the system). */
  events: number;
}

export function runStrategy(strategy: string, scenario: Scenario, traces: LoadedTraces, onProgress?: (simulatedMicros: number) => void): StrategyResult {
  const model = buildModel(scenario, traces);
  model.run(onProgress);
  return {
    strategy,
    seed: scenario.seed,
    durationS: model.durationMicros / 1e6,
    summary: summarize(model.recorder, model.classNames, model.durationMicros, model.requests.inSystemIntegral()),
    timeseries: { columns: model.recorder.columns, rows: model.recorder.rows },
    decisions: model.log.decisions,
    events: model.sim.eventsProcessed,
  };
}
