import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StrategyResult } from '../scenario/run.js';
import { directoryTargetProblem, statOrUndefined, toCsv, toJson } from './files.js';

/** A strategy's files besides the numbers it was run for. */
export interface StrategyFiles {
  result: StrategyResult;
  /** Extra summary fields (SLO verdicts, cost, spike response …). */
  summaryExtras: Record<string, unknown>;
  timeline: string[];
}

export interface WriteResultsOptions {
  /**
   * Awaited once the whole run is written to the temporary folder, just before it replaces the
   * results: the caller's last chance to stop (throwing leaves the previous results as they were).
   */
  beforeSwap?: (temporaryDir: string) => Promise<void>;
}

/**
 * Why `<outDir>/<scenarioName>` cannot receive results, as "expected …, got …"; undefined when it can.
 * Checked before simulating, so a bad `--out` costs no run.
 */
export function resultsTargetProblem(outDir: string, scenarioName: string): string | undefined {
  const problem = directoryTargetProblem(outDir);
  if (problem) return problem;
  const target = join(outDir, scenarioName);
  if (statOrUndefined(target)?.isDirectory() === false) return `expected ${JSON.stringify(target)} to be a results directory or absent, got a file`;
  return undefined;
}

/**
 * Writes `<out>/<scenario>/<strategy>/{summary.json,timeseries.csv,decisions.csv,timeline.txt}`
 * for every strategy plus the scenario-level files, replacing the previous results whole: the
 * folder always holds exactly one complete run (see replaceDirectory).
 */
export async function writeResults(
  outDir: string,
  scenarioName: string,
  strategies: readonly StrategyFiles[],
  scenarioFiles: [string, string][] = [],
  options: WriteResultsOptions = {},
): Promise<string> {
  const files: [string, string][] = [];
  for (const { result: r, summaryExtras, timeline } of strategies) {
    files.push([join(r.strategy, 'summary.json'), toJson({ scenario: scenarioName, strategy: r.strategy, seed: r.seed, duration_s: r.durationS, ...r.summary, ...summaryExtras })]);
    files.push([join(r.strategy, 'timeseries.csv'), await toCsv(r.timeseries.columns, r.timeseries.rows)]);
    files.push([join(r.strategy, 'decisions.csv'), await toCsv(['t_s', 'controller', 'from', 'to', 'reason', 'message', 'event'], r.decisions.map((d) => [d.t_s, d.controller, d.from, d.to, d.reason, d.message, d.event ?? '']))]);
    files.push([join(r.strategy, 'timeline.txt'), timeline.length > 0 ? `${timeline.join('\n')}\n` : '']);
  }
  files.push(...scenarioFiles);
  return replaceDirectory(outDir, scenarioName, files, options.beforeSwap);
}

/**
 * A scenario's folder `<outDir>/<name>` is replaced, never merged: the run goes to the sibling
 * `.<name>.tmp-<pid>`, then the previous folder is renamed to `.<name>.old-<pid>`, the new one
 * renamed in, and the old one removed. Any failure before the swap removes the temporary folder
 * (and --out, if this run created it) and leaves the previous results untouched. Siblings left by
 * a killed run are tidied first.
 */
async function replaceDirectory(outDir: string, name: string, files: readonly [string, string][], beforeSwap: WriteResultsOptions['beforeSwap']): Promise<string> {
  // The first folder this creates (when --out did not exist): removed again if the run stops.
  const createdOutDir = mkdirSync(outDir, { recursive: true });
  tidyStaleSiblings(outDir);
  const target = join(outDir, name);
  const temporary = join(outDir, siblingName(name, 'tmp', process.pid));
  try {
    for (const [path, content] of files) {
      const file = join(temporary, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    await beforeSwap?.(temporary);
    swapIn(temporary, target, join(outDir, siblingName(name, 'old', process.pid)));
  } catch (error) {
    rmSync(createdOutDir ?? temporary, { recursive: true, force: true });
    throw error;
  }
  return target;
}

function swapIn(temporary: string, target: string, aside: string): void {
  const hadPrevious = lstatOrUndefined(target) !== undefined;
  if (hadPrevious) renameSync(target, aside);
  try {
    renameSync(temporary, target);
  } catch (error) {
    if (hadPrevious) renameSync(aside, target);
    throw error;
  }
  if (hadPrevious) rmSync(aside, { recursive: true, force: true });
}

function siblingName(name: string, kind: 'tmp' | 'old', pid: number): string {
  return `.${name}.${kind}-${pid}`;
}

/** `.<name>.tmp-<pid>` or `.<name>.old-<pid>`: only folders this code creates match. */
const SIBLING = /^\.(.+)\.(tmp|old)-(\d+)$/;

/**
 * Removes the temporary folders of runs that were killed (their process is gone, or its pid is
 * now ours). A run killed between the two renames of a swap left its previous results aside and
 * none in place: those are renamed back. Folders of a run still in progress are left alone.
 */
function tidyStaleSiblings(outDir: string): void {
  for (const entry of readdirSync(outDir)) {
    const match = SIBLING.exec(entry);
    if (!match) continue;
    const [, name, kind, pid] = match;
    if (Number(pid) !== process.pid && processExists(Number(pid))) continue;
    const path = join(outDir, entry);
    if (kind === 'old' && lstatOrUndefined(join(outDir, name)) === undefined) renameSync(path, join(outDir, name));
    else rmSync(path, { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
