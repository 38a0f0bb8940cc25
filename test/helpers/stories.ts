import { beforeAll, expect } from 'vitest';
import { buildTimeline } from '../../src/report/timeline.js';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load.js';
import { runStrategy, type StrategyResult } from '../../src/scenario/run.js';

/** Runs a shipped scenario's strategies on demand (each once), in this process; call inside a `describe`. */
export function stories(file: string) {
  let loaded: LoadedScenario;
  const results = new Map<string, StrategyResult>();
  beforeAll(async () => {
    const result = await loadScenarioFile(file);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    loaded = result.value;
  });
  const run = (name: string) => {
    if (!results.has(name)) results.set(name, runStrategy(name, loaded.strategies.find((s) => s.name === name)!.scenario, loaded.traces));
    return results.get(name)!;
  };
  /** A column's values over the rows whose interval ends after `fromS` (default: the whole run). */
  const column = (result: StrategyResult, name: string, fromS = 0) => {
    const c = result.timeseries.columns.indexOf(name);
    expect(c, `column ${name}`).toBeGreaterThanOrEqual(0);
    const t = result.timeseries.columns.indexOf('t_s');
    return result.timeseries.rows.filter((row) => row[t] > fromS).map((row) => row[c]);
  };
  const timeline = (result: StrategyResult) =>
    buildTimeline({ clockStart: loaded.base.clockStart, annotations: [], timeseries: result.timeseries, decisions: result.decisions, p99ThresholdMs: 1000 });
  return { run, column, timeline };
}
