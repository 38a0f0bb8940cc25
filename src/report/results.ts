import { join } from 'node:path';
import type { StrategyResult } from '../scenario/run.js';
import { toCsv, toJson, writeFileAtomic } from './files.js';

/** Writes `<out>/<scenario>/<strategy>/{summary.json,timeseries.csv}` for every strategy. */
export async function writeStrategyResults(outDir: string, scenarioName: string, results: readonly StrategyResult[]): Promise<string> {
  const scenarioDir = join(outDir, scenarioName);
  // Render everything first, then write: a failure while rendering leaves no files behind.
  const files: [string, string][] = [];
  for (const r of results) {
    const dir = join(scenarioDir, r.strategy);
    files.push([join(dir, 'summary.json'), toJson({ scenario: scenarioName, strategy: r.strategy, seed: r.seed, duration_s: r.durationS, ...r.summary })]);
    files.push([join(dir, 'timeseries.csv'), await toCsv(r.timeseries.columns, r.timeseries.rows)]);
  }
  for (const [path, content] of files) writeFileAtomic(path, content);
  return scenarioDir;
}
