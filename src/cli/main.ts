#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { formatIssue, type InputIssue } from '../scenario/issues.js';
import { loadScenarioFile, type LoadedScenario } from '../scenario/load.js';
import type { StrategyResult } from '../scenario/run.js';
import type { z } from 'zod';
import { parseCpuMillicores } from '../scenario/units.js';
import { duration, period, runDuration } from '../scenario/schema-units.js';
import { DEFAULT_EXPORT_METRIC, formatInClock, parseMetricsExport, runHpaDryRun } from '../dryrun/index.js';
import { parseHpaManifest } from '../scenario/hpa-manifest.js';
import { fileTargetProblem, toCsv, writeFileAtomic } from '../report/files.js';
import { resultsTargetProblem, writeResults } from '../report/results.js';
import { formatTable } from '../report/table.js';
import { assembleOutputs } from '../report/assemble.js';
import { formatRankingLegend, formatRankingTable } from '../report/ranking-table.js';
import type { TimeSpan } from '../report/charts/charts.js';
import { parseWindow } from '../report/window.js';
import { sloGates } from '../scenario/slo-schema.js';
import { SCENARIO_RESULT_FILES } from '../scenario/names.js';
import { expectedWork, formatRequests, WORK_LIMIT_REQUESTS } from '../scenario/estimate.js';
import { buildTasks } from '../runner/tasks.js';
import { defaultJobs, runTasks } from '../runner/pool.js';
import { asTerminal, createProgress } from './progress.js';
import { Interrupted, listenForInterrupts, type InterruptListener } from './interrupt.js';
import { inlineDeeper } from './v8-inlining.js';

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
  strategy?: string[];
  duration?: string;
  replications: string;
  jobs?: string;
  check?: boolean;
  listStrategies?: boolean;
  report: boolean;
  quiet?: boolean;
  json?: boolean;
  allowOutsideFiles?: boolean;
  force?: boolean;
  window?: string;
}

async function run(file: string, options: RunOptions): Promise<number> {
  const durationMicros = options.duration === undefined ? undefined : flagValue(runDuration(), options.duration, '--duration');
  // Each replication is a whole run (and a task): a confidence interval needs tens, not millions, even when the runs are empty.
  const replications = wholeNumber(options.replications, '--replications', 1, MAX_REPLICATIONS);
  const jobs = options.jobs === undefined ? defaultJobs() : wholeNumber(options.jobs, '--jobs', 1);
  const seed = options.seed === undefined ? undefined : flagSeed(options.seed);
  const allowOutsideFiles = options.allowOutsideFiles === true;
  const loaded = await loadScenarioFile(file, { seed, durationMicros, allowOutsideFiles });
  if (!loaded.ok) {
    printIssues(loaded.issues);
    return EXIT_BAD_INPUT;
  }
  const scenario = loaded.value;
  if (!options.quiet) for (const note of scenario.notes) process.stderr.write(`${formatIssue(note)}\n`);
  if (options.listStrategies) {
    process.stdout.write(listStrategies(scenario.raw, scenario.strategies.map((s) => s.name)));
    return EXIT_OK;
  }
  const slo = scenario.base.slo;
  if (options.check && !slo) throw new UsageError('--check: the scenario has no `slo` block to check');
  const strategies = selectStrategies(scenario.strategies, options.strategy);
  const outProblem = resultsTargetProblem(options.out, scenario.base.name);
  if (outProblem) throw new UsageError(`--out: ${outProblem}`);
  const window = options.window === undefined ? undefined : parseWindow(options.window, scenario.base.clockStart, scenario.base.duration / 1e6);
  if (window && !window.ok) throw new UsageError(`--window: expected ${window.expected}, got ${JSON.stringify(options.window)}`);

  const work = expectedWork(strategies.map((s) => s.scenario), scenario.traces, replications);
  const shape = `${strategies.length} ${strategies.length === 1 ? 'strategy' : 'strategies'} × ${replications} ${replications === 1 ? 'replication' : 'replications'}`;
  if (!(work <= WORK_LIMIT_REQUESTS) && !options.force)
    throw new UsageError(
      `estimate: expected at most ${formatRequests(WORK_LIMIT_REQUESTS)} simulated requests (about ten minutes of one core; shorten the run, or --force runs it anyway), got ${formatRequests(work)} (${shape})`,
    );
  if (!options.quiet && !options.json) process.stderr.write(`estimate: ${formatRequests(work)} simulated requests (${shape})\n`);

  const interrupts = listenForInterrupts();
  let written: Awaited<ReturnType<typeof simulateAndWrite>>;
  try {
    written = await simulateAndWrite(file, scenario, strategies, { ...options, seed, durationMicros, replications, jobs, allowOutsideFiles, window: window?.window }, interrupts);
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    process.stderr.write(`interrupted by ${error.signalName}: stopped, nothing written (${join(options.out, scenario.base.name)} is as it was)\n`);
    return error.exitCode;
  } finally {
    interrupts.dispose();
  }
  const { dir, results, tasks, outputs } = written;

  if (options.json) {
    const byName = new Map(results.filter((_, i) => tasks[i].replication === 0).map((r) => [r.strategy, r]));
    const summary = outputs.comparison.map((c) => ({ ...c, seed: byName.get(c.strategy)!.seed, summary: byName.get(c.strategy)!.summary }));
    process.stdout.write(`${JSON.stringify({ scenario: scenario.base.name, replications, strategies: summary }, null, 2)}\n`);
  } else if (!options.quiet) {
    process.stdout.write(`\n${scenario.base.name}${replications > 1 ? ` (${replications} replications, mean ± 95% CI)` : ''}\n\n${formatRankingTable(outputs.comparison)}\n\n${formatRankingLegend(outputs.comparison)}results: ${dir}\n`);
  }

  if (options.check && slo) {
    const failed = outputs.comparison.filter((c) => sloGates(slo, c.strategy) && !c.meetsSlo);
    for (const c of failed)
      for (const s of c.slo.filter((x) => !x.met)) process.stderr.write(`SLO missed: ${c.strategy}: ${s.name} — ${s.detail}\n`);
    if (failed.length > 0) return EXIT_SLO_MISSED;
  }
  return EXIT_OK;
}

/** The strategies named by --strategy (all when absent), in the scenario's order; one line per unknown name. */
function selectStrategies<T extends { name: string }>(all: readonly T[], requested: readonly string[] | undefined): readonly T[] {
  if (requested === undefined) return all;
  const known = all.map((s) => s.name);
  const problems = requested
    .filter((name) => !known.includes(name))
    .map((name) => (name === '' ? '--strategy: expected a strategy name, got ""' : `--strategy: expected one of ${known.join(', ')}, got ${JSON.stringify(name)}`));
  if (problems.length > 0) throw new UsageError([...new Set(problems)].join('\n'));
  return all.filter((s) => requested.includes(s.name));
}

/** --strategy a,b and --strategy a --strategy b alike: every name, in the order given. */
function collectNames(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((name) => name.trim())];
}

interface RunSettings {
  seed?: number | string;
  allowOutsideFiles: boolean;
  durationMicros?: number;
  replications: number;
  jobs: number;
  out: string;
  report: boolean;
  quiet?: boolean;
  json?: boolean;
  /** Draw the time charts for this span only (--window). */
  window?: TimeSpan;
}

/**
 * Runs the strategies in worker threads with the progress display, then writes the results
 * folder whole. A signal stops it between steps: the workers are terminated, the display is
 * stopped (the terminal restored), and nothing is left under --out (throws Interrupted).
 */
async function simulateAndWrite(file: string, scenario: LoadedScenario, strategies: LoadedScenario['strategies'], settings: RunSettings, interrupts: InterruptListener) {
  const { seed, durationMicros, replications, allowOutsideFiles } = settings;
  const tasks = buildTasks(file, strategies.map((s) => s.name), replications, { seed, durationMicros, allowOutsideFiles });
  const durationS = new Map(strategies.map((s) => [s.name, s.scenario.duration / 1e6]));
  const forced = process.env.SCALESIM_PROGRESS === '1';
  const progress = createProgress({
    enabled: !settings.quiet && !settings.json && (process.stderr.isTTY === true || forced),
    tasks: tasks.map((t) => ({ ...t, durationS: durationS.get(t.strategy)! })),
    stream: forced && !process.stderr.isTTY ? asTerminal(process.stderr) : process.stderr,
  });
  let results: StrategyResult[];
  try {
    results = await runTasks(tasks, { jobs: settings.jobs, onProgress: (p) => progress.update(p), signal: interrupts.signal });
  } finally {
    progress.stop();
  }
  const runs = new Map<string, StrategyResult[]>(strategies.map((s) => [s.name, []]));
  results.forEach((result, i) => runs.get(tasks[i].strategy)!.push(result));

  const outputs = await assembleOutputs(scenario, runs);
  const scenarioFiles: [string, string][] = [[SCENARIO_RESULT_FILES.comparison, outputs.comparisonCsv]];
  if (settings.report) {
    // Loaded here, not at start-up: vega takes long enough to load to delay the first progress line.
    const [{ renderCharts, renderEventZooms }, { renderReportHtml }] = await Promise.all([import('../report/charts/charts.js'), import('../report/html.js')]);
    const charts = await renderCharts(outputs.report, { window: settings.window });
    // With a window the user chose the minutes to see; without, each traffic event gets its own zoom.
    const zooms = settings.window ? [] : await renderEventZooms(outputs.report);
    for (const chart of [...charts, ...zooms]) scenarioFiles.push([join(SCENARIO_RESULT_FILES.charts, chart.file), chart.svg]);
    scenarioFiles.push([SCENARIO_RESULT_FILES.report, renderReportHtml(outputs.report, charts, { window: settings.window })]);
  }
  interrupts.throwIfInterrupted();
  const dir = await writeResults(settings.out, scenario.base.name, outputs.strategies, scenarioFiles, { beforeSwap: () => pauseForTests(interrupts) });
  return { dir, results, tasks, outputs };
}

/**
 * The last check before the swap. SCALESIM_TEST_PAUSE_BEFORE_SWAP=<ms> (for tests only) waits
 * there, after a line on stderr, so a test can signal or kill a run in its write phase.
 */
async function pauseForTests(interrupts: InterruptListener): Promise<void> {
  const pauseMs = Number(process.env.SCALESIM_TEST_PAUSE_BEFORE_SWAP ?? 0);
  if (pauseMs > 0) {
    process.stderr.write('paused before the swap (SCALESIM_TEST_PAUSE_BEFORE_SWAP)\n');
    await sleep(pauseMs, undefined, { signal: interrupts.signal }).catch(() => {});
  }
  interrupts.throwIfInterrupted();
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

async function validate(file: string, options: { allowOutsideFiles?: boolean }): Promise<number> {
  const loaded = await loadScenarioFile(file, { allowOutsideFiles: options.allowOutsideFiles === true });
  if (!loaded.ok) {
    printIssues(loaded.issues);
    return EXIT_BAD_INPUT;
  }
  const names = loaded.value.strategies.map((s) => s.name).join(', ');
  for (const note of loaded.value.notes) process.stdout.write(`${formatIssue(note)}\n`);
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
  metric: string;
  load: string;
  recordedPods?: string;
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
  const outProblem = options.out === undefined ? undefined : fileTargetProblem(options.out);
  if (outProblem) throw new UsageError(`--out: ${outProblem}`);
  if (options.load !== 'raw' && options.load !== 'constant') throw new UsageError(`--load: expected raw or constant, got ${JSON.stringify(options.load)}`);
  if (!/^[A-Za-z_][A-Za-z0-9_:]*$/.test(options.metric)) throw new UsageError(`--metric: expected a metric column name like cpu_cores, got ${JSON.stringify(options.metric)}`);
  const recordedPods = options.recordedPods === undefined ? undefined : wholeNumber(options.recordedPods, '--recorded-pods', 1);
  const manifest = parseHpaManifest(readInput(options.hpa, '--hpa'), options.hpa);
  const recorded = await parseMetricsExport(readInput(options.metrics, '--metrics'), options.metrics, { metric: options.metric });
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
    load: options.load,
    ...(recordedPods !== undefined ? { recordedPods } : {}),
  });
  if (!result.ok) {
    printIssues(result.issues);
    return EXIT_BAD_INPUT;
  }
  const samples = recorded.metrics;
  const pods = new Set(samples.rows.map((r) => r.pod)).size;
  process.stderr.write(
    `${samples.fileName}: read as ${samples.source}${samples.perPod ? `, ${pods} pods` : ', averaged over pods'}, columns ${samples.metricColumns.join(', ')}; load ${options.load}\n`,
  );
  const rows = options.all ? result.rows : result.rows.filter((r, i) => r.changed || i === 0 || r.reason !== result.rows[i - 1].reason);
  // Times in the input's own clock and column name.
  const columns = [samples.timeColumn, 'from', 'to', 'reason', 'message'];
  const table = rows.map((r) => [formatInClock(samples.clock, samples.startUnixSeconds ?? 0, r.t_s), r.from, r.to, r.reason, r.message]);
  if (options.out !== undefined) writeFileAtomic(options.out, await toCsv(columns, table));
  process.stdout.write(`${formatTable(columns, table)}\n`);
  return EXIT_OK;
}

/** The package's version, read from its package.json (two levels above dist/cli/). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const ALLOW_OUTSIDE_FILES_HELP = "let the scenario read files (hpa.file, trace.file) by absolute path or outside its folder";

function program(setExit: (code: number) => void): Command {
  const cli = new Command()
    .name('simulate')
    .description('Simulate how a web system scales: replay traffic against a scenario, compare strategies.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', '\nExit codes: 0 ok; 1 an SLO was missed (with --check); 2 bad input (scenario, flags or files); 3 internal error; 130/143 interrupted by SIGINT/SIGTERM (nothing written).');
  cli
    .command('run <scenario>', { isDefault: true })
    .description('run every strategy of a scenario (JSON or YAML) and write results/<scenario>/')
    .option('--seed <seed>', 'seed of every random stream (overrides the scenario)')
    .option('--out <dir>', 'output directory; results/<scenario>/ in it is replaced whole by each run', 'results')
    .option('--strategy <names>', 'run only these strategies: comma-separated, or the flag repeated (--strategy a,b or --strategy a --strategy b)', collectNames)
    .option('--duration <duration>', 'simulated time to run, e.g. "2h" (overrides the scenario)')
    .option('--replications <n>', 'runs per strategy with derived seeds; headline figures get 95% confidence intervals', '1')
    .option('--jobs <n>', 'parallel worker threads (default: all cores); results are identical for any value')
    .option('--check', "exit 1 when a gated strategy misses an SLO of the scenario's `slo` block (like k6 thresholds)")
    .option('--list-strategies', 'list the strategies and their merge patches, and exit')
    .option('--no-report', 'skip the charts and report.html')
    .option('--window <HH:MM-HH:MM>', "draw the time charts for these clock times only (the scenario's clock), e.g. 13:50-14:30")
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--allow-outside-files', ALLOW_OUTSIDE_FILES_HELP)
    .option('--force', 'run even when the estimated work is above 1 billion simulated requests')
    .action(async (file: string, options: RunOptions) => setExit(await run(file, options)));
  cli
    .command('validate <scenario>')
    .description('check a scenario file without running it; lists every problem')
    .option('--allow-outside-files', ALLOW_OUTSIDE_FILES_HELP)
    .action(async (file: string, options: { allowOutsideFiles?: boolean }) => setExit(await validate(file, options)));
  cli
    .command('hpa-dryrun')
    .description('replay recorded metrics through the exact HPA algorithm and print the decisions it would have made')
    .requiredOption('--hpa <file>', 'an autoscaling/v2 HorizontalPodAutoscaler manifest (YAML)')
    .requiredOption(
      '--metrics <file>',
      'recorded metrics: a Prometheus /api/v1/query_range JSON or its CSV (timestamp, labels, value), a Grafana CSV (Time, a column per pod), or a CSV with timestamp or t_s, optionally pod, and a column per metric',
    )
    .option('--metric <name>', 'what the values of a Prometheus or Grafana export are: cpu_cores, cpu_millicores, cpu_utilization_pct, memory_bytes, or a custom metric name', DEFAULT_EXPORT_METRIC)
    .option('--load <mode>', 'raw: replay each pod\'s recorded value; constant: keep the recorded total load and spread it over the simulated pods', 'raw')
    .option('--recorded-pods <n>', 'with --load constant and a recording averaged over pods: how many pods it averaged (default --pods)')
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
inlineDeeper();
process.exitCode = await main(process.argv);
