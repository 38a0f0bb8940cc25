import { join } from 'node:path';
import type { StrategyResult } from '../scenario/run.js';
import { toCsv, toJson, writeFileAtomic } from './files.js';

/** A strategy's files besides the numbers it was run for. */
export interface StrategyFiles {
  result: StrategyResult;
  /** Extra summary fields (SLO verdicts, cost, spike response …). */
  summaryExtras: Record<string, unknown>;
  timeline: string[];
}

/**
 * Renders `<out>/<scenario>/<strategy>/{summary.json,timeseries.csv,decisions.csv,timeline.txt}`
 * for every strategy plus scenario-level files, then writes them all; rendering first means a
 * failure leaves nothing half-done, and each file is written atomically.
 */
export async function writeResults(outDir: string, scenarioName: string, strategies: readonly StrategyFiles[], scenarioFiles: [string, string][] = []): Promise<string> {
  const scenarioDir = join(outDir, scenarioName);
  const files: [string, string][] = [];
  for (const { result: r, summaryExtras, timeline } of strategies) {
    const dir = join(scenarioDir, r.strategy);
    files.push([join(dir, 'summary.json'), toJson({ scenario: scenarioName, strategy: r.strategy, seed: r.seed, duration_s: r.durationS, ...r.summary, ...summaryExtras })]);
    files.push([join(dir, 'timeseries.csv'), await toCsv(r.timeseries.columns, r.timeseries.rows)]);
    files.push([join(dir, 'decisions.csv'), await toCsv(['t_s', 'controller', 'from', 'to', 'reason', 'message'], r.decisions.map((d) => [d.t_s, d.controller, d.from, d.to, d.reason, d.message]))]);
    files.push([join(dir, 'timeline.txt'), timeline.length > 0 ? `${timeline.join('\n')}\n` : '']);
  }
  for (const [name, content] of scenarioFiles) files.push([join(scenarioDir, name), content]);
  for (const [path, content] of files) writeFileAtomic(path, content);
  return scenarioDir;
}
