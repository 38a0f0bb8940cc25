#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue, type InputIssue } from '../scenario/issues.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { StrategyResult } from '../scenario/run.js';
import type { z } from 'zod';
import { parseCpuMillicores } from '../scenario/units.js';
import { duration, period, runDuration } from '../scenario/schema-units.js';
import { parseRecordedMetricsCsv, runHpaDryRun } from '../dryrun/index.js';
import { parseHpaManifest } from '../scenario/hpa-manifest.js';
import { toCsv, writeFileAtomic } from '../report/files.js';
import { writeResults } from '../report/results.js';
import { formatTable } from '../report/table.js';
import { assembleOutputs } from '../report/assemble.js';
import type { Estimate, StrategyComparison } from '../report/comparison.js';
import { renderCharts } from '../report/charts/charts.js';
import { renderReportHtml } from '../report/html.js';
import { sloGates } from '../scenario/slo-schema.js';
import { expectedWork, formatRequests, WORK_LIMIT_REQUESTS } from '../scenario/estimate.js';
import { buildTasks } from '../runner/tasks.js';
import { defaultJobs, runTasks } from '../runner/pool.js';
import { createProgress } from './progress.js';

/** Exit codes, documented in the README. */
const EXIT_OK = 0;
const EXIT_SLO_MISSED = 1;
const EXIT_BAD_INPUT = 2;
const EXIT_INTERNAL = 3;

class UsageError extends Error {}

const MAX_REPLICATIONS = 1000;

function printIssues(issues: readonly InputIssue[]): void {
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
}

interface RunOptions {
  seed?: string;
  out: string;
  strategy?: string;
  duration?: string;
  replications: string;
  jobs?: string;
  check?: boolean;
  listStrategies?: boolean;
  report: boolean;
  quiet?: boolean;
  json?: boolean;
  force?: boolean;
}

async function run(file: string, options: RunOptions): Promise<number> {
  const durationMicros = options.duration === undefined ? undefined : flagValue(runDuration(), options.duration, '--duration');
  // Each replication is a whole run (and a task): a confidence interval needs tens, not millions, even when the runs are empty.
  const replications = wholeNumber(options.replications, '--replications', 1, MAX_REPLICATIONS);
  const jobs = options.jobs === undefined ? defaultJobs() : wholeNumber(options.jobs, '--jobs', 1);
  const seed = options.seed === undefined ? undefined : flagSeed(options.seed);
  const loaded = await loadScenarioFile(file, { seed, durationMicros });
  if (!loaded.ok) {
    printIssues(loaded.issues);
    return EXIT_BAD_INPUT;
  }
  const scenario = loaded.value;
  if (options.listStrategies) {
    process.stdout.write(listStrategies(scenario.raw, scenario.strategies.map((s) => s.name)));
    return EXIT_OK;
  }
  const slo = scenario.base.slo;
  if (options.check && !slo) throw new UsageError('--check: the scenario has no `slo` block to check');
  let strategies = scenario.strategies;
  if (options.strategy !== undefined) {
    strategies = strategies.filter((s) => s.name === options.strategy);
    if (strategies.length === 0)
      throw new UsageError(`--strategy: expected one of ${scenario.strategies.map((s) => s.name).join(', ')}, got ${JSON.stringify(options.strategy)}`);
  }

  const work = expectedWork(strategies.map((s) => s.scenario), scenario.traces, replications);
  const shape = `${strategies.length} ${strategies.length === 1 ? 'strategy' : 'strategies'} × ${replications} ${replications === 1 ? 'replication' : 'replications'}`;
  if (!(work <= WORK_LIMIT_REQUESTS) && !options.force)
    throw new UsageError(
      `estimate: expected at most ${formatRequests(WORK_LIMIT_REQUESTS)} simulated requests (about ten minutes of one core; shorten the run, or --force runs it anyway), got ${formatRequests(work)} (${shape})`,
    );
  if (!options.quiet && !options.json) process.stderr.write(`estimate: ${formatRequests(work)} simulated requests (${shape})\n`);

  const tasks = buildTasks(file, strategies.map((s) => s.name), replications, { seed, durationMicros });
  const progress = createProgress({ enabled: !options.quiet && !options.json && process.stderr.isTTY === true, tasks });
  let results: StrategyResult[];
  try {
    results = await runTasks(tasks, { jobs, onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  const runs = new Map<string, StrategyResult[]>(strategies.map((s) => [s.name, []]));
  results.forEach((result, i) => runs.get(tasks[i].strategy)!.push(result));

  const outputs = await assembleOutputs(scenario, runs);
  const scenarioFiles: [string, string][] = [['comparison.csv', outputs.comparisonCsv]];
  if (options.report) {
    const charts = await renderCharts(outputs.report);
    for (const chart of charts) scenarioFiles.push([join('charts', chart.file), chart.svg]);
    scenarioFiles.push(['report.html', renderReportHtml(outputs.report, charts)]);
  }
  const dir = await writeResults(options.out, scenario.base.name, outputs.strategies, scenarioFiles);

  if (options.json) {
    const byName = new Map(results.filter((_, i) => tasks[i].replication === 0).map((r) => [r.strategy, r]));
    const summary = outputs.comparison.map((c) => ({ ...c, seed: byName.get(c.strategy)!.seed, summary: byName.get(c.strategy)!.summary }));
    process.stdout.write(`${JSON.stringify({ scenario: scenario.base.name, replications, strategies: summary }, null, 2)}\n`);
  } else if (!options.quiet) {
    process.stdout.write(`\n${scenario.base.name}${replications > 1 ? ` (${replications} replications, mean ± 95% CI)` : ''}\n\n${rankingTable(outputs.comparison)}\n\n${verdictLine(outputs.comparison)}\nresults: ${dir}\n`);
  }

  if (options.check && slo) {
    const failed = outputs.comparison.filter((c) => sloGates(slo, c.strategy) && !c.meetsSlo);
    for (const c of failed)
      for (const s of c.slo.filter((x) => !x.met)) process.stderr.write(`SLO missed: ${c.strategy}: ${s.name} — ${s.detail}\n`);
    if (failed.length > 0) return EXIT_SLO_MISSED;
  }
  return EXIT_OK;
}

/** A flag read by the scenario field's own schema, so both follow the same rules. */
function flagValue<T>(schema: z.ZodType<T>, value: string, flag: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** `--seed`: a whole number (as in the file) or a non-empty string. */
function flagSeed(value: string): number | string {
  if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (value.trim() === '') throw new UsageError(`--seed: expected a whole number or a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function wholeNumber(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag}: expected a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  if (n > max) throw new UsageError(`${flag}: expected at most ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** Each strategy and the merge patch it applies to the base scenario. */
function listStrategies(raw: Record<string, unknown>, names: readonly string[]): string {
  const patches = (raw.strategies ?? {}) as Record<string, unknown>;
  const lines = names.map((name) => `${name}\n  ${JSON.stringify(patches[name] ?? {})}`);
  return `${lines.join('\n')}\n`;
}

function rankingTable(rows: readonly StrategyComparison[]): string {
  const n = rows[0]?.replications ?? 1;
  const fmt = (e: Estimate, digits: number, scale = 1) =>
    n > 1 && Number.isFinite(e.halfWidth) ? `${formatFigure(e.mean * scale, digits)} ± ${formatFigure(e.halfWidth * scale, digits)}` : e.mean * scale;
  return formatTable(
    ['rank', 'strategy', 'slo', 'p99_ms', 'errors_pct', 'cost_usd', 'lost_revenue_usd', 'monthly_usd*', 'peak_pods', 'peak_nodes'],
    rows.map((r) => [
      r.rank,
      `${r.strategy}${r.recommended ? ' ◀ recommended' : ''}`,
      r.slo.length === 0 ? '–' : r.meetsSlo ? 'met' : `missed ${r.slo.filter((s) => !s.met).length}/${r.slo.length}`,
      fmt(r.p99Ms, 0),
      fmt(r.errorRate, 2, 100),
      fmt(r.costUsd, 2),
      fmt(r.lostRevenueUsd, 0),
      r.monthlyCostUsd.mean,
      r.peakPods.mean,
      r.peakNodes.mean,
    ]),
  );
}

function formatFigure(x: number, digits: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function verdictLine(rows: readonly StrategyComparison[]): string {
  const recommended = rows.find((r) => r.recommended);
  const note = '* monthly_usd extrapolates the simulated period to 30 days at the same rate.\n';
  if (rows.every((r) => r.slo.length === 0)) return `${note}No SLOs in the scenario: ranked by cost, then p99.\n`;
  if (!recommended) return `${note}No strategy meets every SLO; the closest are ranked first by cost.\n`;
  return `${note}Recommended: ${recommended.strategy} — meets every SLO at the lowest cost ($${formatFigure(recommended.costUsd.mean, 2)}).\n`;
}

async function validate(file: string): Promise<number> {
  const loaded = await loadScenarioFile(file);
  if (!loaded.ok) {
    printIssues(loaded.issues);
    return EXIT_BAD_INPUT;
  }
  const names = loaded.value.strategies.map((s) => s.name).join(', ');
  process.stdout.write(`${file}: valid (strategies: ${names})\n`);
  return EXIT_OK;
}

interface DryRunOptions {
  hpa: string;
  metrics: string;
  pods: string;
  syncPeriod: string;
  podStartup: string;
  cpuRequest: string;
  out?: string;
  all?: boolean;
}

function readInput(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function positiveNumber(value: string, flag: string, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag}: expected ${integer ? 'a whole number' : 'a number'} ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

async function hpaDryRun(options: DryRunOptions): Promise<number> {
  const manifest = parseHpaManifest(readInput(options.hpa, '--hpa'), options.hpa);
  const recorded = await parseRecordedMetricsCsv(readInput(options.metrics, '--metrics'), options.metrics);
  const issues = [...(manifest.ok ? [] : manifest.issues), ...(recorded.ok ? [] : recorded.issues)];
  if (!manifest.ok || !recorded.ok) {
    printIssues(issues);
    return EXIT_BAD_INPUT;
  }
  const syncPeriodSeconds = flagValue(period(), options.syncPeriod, '--sync-period') / 1e6;
  const podStartupSeconds = flagValue(duration(), options.podStartup, '--pod-startup') / 1e6;
  const cpu = parseCpuMillicores(options.cpuRequest);
  if (cpu === undefined || cpu <= 0) throw new UsageError(`--cpu-request: expected a CPU quantity like "500m", got ${JSON.stringify(options.cpuRequest)}`);
  const result = runHpaDryRun({
    hpa: manifest.hpa,
    samples: recorded.metrics,
    initialReplicas: positiveNumber(options.pods, '--pods', true),
    syncPeriodSeconds,
    podStartupSeconds,
    podCpuRequestMillicores: cpu,
  });
  if (!result.ok) {
    printIssues(result.issues);
    return EXIT_BAD_INPUT;
  }
  const rows = options.all ? result.rows : result.rows.filter((r, i) => r.changed || i === 0 || r.reason !== result.rows[i - 1].reason);
  const columns = ['t_s', 'from', 'to', 'reason', 'message'];
  const table = rows.map((r) => [r.t_s, r.from, r.to, r.reason, r.message]);
  if (options.out) writeFileAtomic(options.out, await toCsv(columns, table));
  process.stdout.write(`${formatTable(columns, table)}\n`);
  return EXIT_OK;
}

/** The package's version, read from its package.json (two levels above dist/cli/). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function program(setExit: (code: number) => void): Command {
  const cli = new Command()
    .name('simulate')
    .description('Simulate how a web system scales: replay traffic against a scenario, compare strategies.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', '\nExit codes: 0 ok; 1 an SLO was missed (with --check); 2 bad input (scenario, flags or files); 3 internal error.');
  cli
    .command('run <scenario>', { isDefault: true })
    .description('run every strategy of a scenario (JSON or YAML) and write results/<scenario>/')
    .option('--seed <seed>', 'seed of every random stream (overrides the scenario)')
    .option('--out <dir>', 'output directory', 'results')
    .option('--strategy <name>', 'run only this strategy')
    .option('--duration <duration>', 'simulated time to run, e.g. "2h" (overrides the scenario)')
    .option('--replications <n>', 'runs per strategy with derived seeds; headline figures get 95% confidence intervals', '1')
    .option('--jobs <n>', 'parallel worker threads (default: all cores); results are identical for any value')
    .option('--check', "exit 1 when a gated strategy misses an SLO of the scenario's `slo` block (like k6 thresholds)")
    .option('--list-strategies', 'list the strategies and their merge patches, and exit')
    .option('--no-report', 'skip the charts and report.html')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--force', 'run even when the estimated work is above 1 billion simulated requests')
    .action(async (file: string, options: RunOptions) => setExit(await run(file, options)));
  cli
    .command('validate <scenario>')
    .description('check a scenario file without running it; lists every problem')
    .action(async (file: string) => setExit(await validate(file)));
  cli
    .command('hpa-dryrun')
    .description('replay recorded metrics (CSV) through the exact HPA algorithm and print the decisions it would have made')
    .requiredOption('--hpa <file>', 'an autoscaling/v2 HorizontalPodAutoscaler manifest (YAML)')
    .requiredOption('--metrics <file>', 'recorded metrics CSV: timestamp plus a column per metric (e.g. cpu_utilization_pct), optionally a pod column')
    .option('--pods <n>', 'replicas at the start', '1')
    .option('--sync-period <duration>', 'HPA sync period', '15s')
    .option('--pod-startup <duration>', 'time from a scale-up to the new pods being Ready', '0s')
    .option('--cpu-request <cpu>', "each pod's CPU request (turns utilization into millicores)", '1')
    .option('--all', 'print every sync, not only changes')
    .option('--out <file>', 'also write the decisions as CSV')
    .action(async (options: DryRunOptions) => setExit(await hpaDryRun(options)));
  return cli;
}

async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  try {
    await program((c) => (code = c)).parseAsync(argv);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // Help and version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    if (error instanceof UsageError || error instanceof InvalidArgumentError) {
      process.stderr.write(`${(error as Error).message}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`internal error: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.SCALESIM_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT_INTERNAL;
  }
  return code;
}

// A reader that stops early (`simulate --help | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
  throw error;
});
process.exitCode = await main(process.argv);
