import { formatIssue } from '../scenario/issues.js';
import { loadScenarioFile, type LoadedScenario, type LoadOverrides } from '../scenario/load.js';
import { runStrategy, type StrategyResult } from '../scenario/run.js';

/**
 * One unit of work: one strategy of one scenario file, one replication. Plain data, so it can
 * be posted to a worker thread; the worker loads (and caches) the scenario itself.
 */
export interface RunTask {
  scenarioFile: string;
  strategy: string;
  /** 0 runs the scenario's own seed; r > 0 a seed derived from it (see replicationSeed). */
  replication: number;
  /** As on the command line: `seed` replaces the scenario's seed (the base of every replication). */
  overrides: { seed?: number | string; durationMicros?: number; allowOutsideFiles?: boolean };
}

/**
 * The seed of replication `replication` of a run whose seed is `baseSeed`.
 *
 * - Replication 0 is the run itself: `baseSeed`, unchanged (a number stays a number), so
 *   `--replications 1` reproduces a plain run byte for byte.
 * - Replication r > 0 uses the string `${baseSeed}/r${r}` (e.g. seed 7 → "7/r1", "7/r2", …).
 *   Every named random stream is seeded from (run seed, stream name), so a different run seed
 *   gives independent streams; the derivation is pure, so replications are reproducible.
 *
 * Every strategy of one replication gets the same seed: common random numbers. Arrivals and
 * per-request work come from named streams that don't depend on the strategy, so strategies of
 * one replication see the same traffic and differences between them are the strategies' own.
 */
export function replicationSeed(baseSeed: number | string, replication: number): number | string {
  if (!Number.isInteger(replication) || replication < 0) throw new RangeError(`replication: expected a whole number ≥ 0, got ${replication}`);
  return replication === 0 ? baseSeed : `${baseSeed}/r${replication}`;
}

/** Tasks for every (replication, strategy), replication-major: r0's strategies first, then r1's, … */
export function buildTasks(scenarioFile: string, strategies: readonly string[], replications: number, overrides: RunTask['overrides'] = {}): RunTask[] {
  if (!Number.isInteger(replications) || replications < 1) throw new RangeError(`replications: expected a whole number ≥ 1, got ${replications}`);
  const tasks: RunTask[] = [];
  for (let replication = 0; replication < replications; replication++)
    for (const strategy of strategies) tasks.push({ scenarioFile, strategy, replication, overrides: { ...overrides } });
  return tasks;
}

/** Loaded scenarios by (file, overrides): each file is read, validated and its traces parsed once per seed. */
export class ScenarioCache {
  private readonly loaded = new Map<string, Promise<LoadedScenario>>();

  load(file: string, overrides: LoadOverrides): Promise<LoadedScenario> {
    // JSON keeps 7 and "7" apart: they give the same streams but a different `seed` in the results.
    const key = JSON.stringify([file, overrides.seed ?? null, overrides.durationMicros ?? null, overrides.allowOutsideFiles === true]);
    let entry = this.loaded.get(key);
    if (!entry) {
      entry = loadScenarioFile(file, overrides).then((result) => {
        if (result.ok) return result.value;
        throw new Error(`cannot load ${file}:\n${result.issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`);
      });
      this.loaded.set(key, entry);
    }
    return entry;
  }
}

/**
 * Loads the task's scenario (through `cache`) and runs its strategy.
 *
 * Replication r > 0 is loaded with `seed: replicationSeed(base seed, r)`, where the base seed is
 * `overrides.seed` or else the file's own seed — exactly like `--seed`, it replaces the seed of
 * every strategy. Replication 0 is loaded with the overrides as given.
 *
 * `onProgress` receives simulated seconds done, the run's simulated duration and the requests
 * arrived so far, about every 1% of simulated time or `REQUESTS_PER_REPORT` requests, whichever
 * comes first (and at the end): often enough for a live display, rare enough to cost nothing.
 */
export async function executeTask(task: RunTask, cache: ScenarioCache, onProgress?: ProgressReport): Promise<StrategyResult> {
  const overrides: LoadOverrides = { ...task.overrides };
  let loaded = await cache.load(task.scenarioFile, overrides);
  if (task.replication !== 0)
    loaded = await cache.load(task.scenarioFile, { ...overrides, seed: replicationSeed(loaded.base.seed, task.replication) });
  const strategy = loaded.strategies.find((s) => s.name === task.strategy);
  if (!strategy)
    throw new Error(`${task.scenarioFile}: no strategy ${JSON.stringify(task.strategy)} (expected one of ${loaded.strategies.map((s) => s.name).join(', ')})`);
  return runStrategy(task.strategy, strategy.scenario, loaded.traces, onProgress && throttled(strategy.scenario.duration, onProgress));
}

export type ProgressReport = (simulatedS: number, durationS: number, requests: number) => void;

/** Simulated requests between two reports at most: a busy run simulates this many in some tens of ms. */
const REQUESTS_PER_REPORT = 20_000;

/** Forwards progress once 1% of `durationMicros` or REQUESTS_PER_REPORT requests have passed since the last report, and at the end. */
function throttled(durationMicros: number, report: ProgressReport): (simulatedMicros: number, requests: number) => void {
  const step = durationMicros / 100;
  let lastMicros = 0;
  let lastRequests = 0;
  return (simulatedMicros, requests) => {
    if (simulatedMicros - lastMicros < step && requests - lastRequests < REQUESTS_PER_REPORT && simulatedMicros < durationMicros) return;
    lastMicros = simulatedMicros;
    lastRequests = requests;
    report(simulatedMicros / 1e6, durationMicros / 1e6, requests);
  };
}
