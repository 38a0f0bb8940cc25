/**
 * scalesim as a library (`import … from 'scalesim'`): a deliberate, small surface.
 *
 * - Load and validate a scenario: `loadScenarioFile(path)` or `resolveScenario(document, path)`;
 *   problems come back as values (`{ ok: false, issues }`), one `InputIssue` per problem.
 * - Run it: `runStrategy(name, scenario, traces)` runs one strategy in this thread;
 *   `runTasks(buildTasks(file, strategies, replications))` runs strategies × replications on worker threads.
 * - The Kubernetes HPA as a pure policy: `computeHpaDecision(input)`, and `parseHpaManifest(yaml, fileName)`
 *   for its `hpa` argument.
 *
 * Everything else under src/ is internal and may change without notice.
 */
export { loadScenarioFile, resolveScenario, type LoadedScenario, type LoadedTraces, type LoadOverrides, type StrategyScenario } from './scenario/load.js';
export { formatIssue, type InputIssue, type Loaded } from './scenario/issues.js';
export type { Scenario, ScenarioInput } from './scenario/schema.js';
export { runStrategy, type CostSummary, type StrategyResult } from './scenario/run.js';
export type { RunSummary } from './metrics/summary.js';
export type { SloVerdict } from './metrics/slo.js';
export type { DecisionRow } from './metrics/decisions.js';
export { buildTasks, replicationSeed, type RunTask } from './runner/tasks.js';
export { defaultJobs, runTasks, type RunTasksOptions, type TaskProgress } from './runner/pool.js';
export { parseHpaManifest, type HorizontalPodAutoscalerManifest, type ManifestIssue, type ParseHpaManifestResult } from './scenario/hpa-manifest.js';
export * from './policy/hpa/index.js';
