#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { formatIssue, type InputIssue } from '../scenario/issues.js';
import { loadScenarioFile } from '../scenario/load.js';
import { runStrategy, type StrategyResult } from '../scenario/run.js';
import { parseCpuMillicores, parseDurationMicros } from '../scenario/units.js';
import { readFileSync } from 'node:fs';
import { parseRecordedMetricsCsv, runHpaDryRun } from '../dryrun/index.js';
import { parseHpaManifest } from '../scenario/hpa-manifest.js';
import { toCsv, writeFileAtomic } from '../report/files.js';
import { writeResults, type StrategyFiles } from '../report/results.js';
import { buildTimeline } from '../report/timeline.js';
import { trafficAnnotations } from '../scenario/annotations.js';
import { spikeResponse } from '../metrics/spike.js';
import { formatTable } from '../report/table.js';

/** Exit codes, documented in the README. */
const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;
const EXIT_INTERNAL = 3;

class UsageError extends Error {}

function printIssues(issues: readonly InputIssue[]): void {
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
}

interface RunOptions {
  seed?: string;
  out: string;
  strategy?: string;
  duration?: string;
  quiet?: boolean;
  json?: boolean;
}

async function run(file: string, options: RunOptions): Promise<number> {
  const durationMicros = options.duration === undefined ? undefined : parseDurationMicros(options.duration);
  if (options.duration !== undefined && (durationMicros === undefined || durationMicros <= 0))
    throw new UsageError(`--duration: expected a duration like "15m" or "2h", got ${JSON.stringify(options.duration)}`);
  const seed = options.seed === undefined ? undefined : /^-?\d+$/.test(options.seed) ? Number(options.seed) : options.seed;
  const loaded = await loadScenarioFile(file, { seed, durationMicros });
  if (!loaded.ok) {
    printIssues(loaded.issues);
    return EXIT_BAD_INPUT;
  }
  const scenario = loaded.value;
  let strategies = scenario.strategies;
  if (options.strategy !== undefined) {
    strategies = strategies.filter((s) => s.name === options.strategy);
    if (strategies.length === 0)
      throw new UsageError(`--strategy: expected one of ${scenario.strategies.map((s) => s.name).join(', ')}, got ${JSON.stringify(options.strategy)}`);
  }

  const results: StrategyResult[] = [];
  for (const { name, scenario: s } of strategies) {
    if (!options.quiet && !options.json) process.stderr.write(`running ${name} …\n`);
    results.push(runStrategy(name, s, scenario.traces));
  }
  const annotations = trafficAnnotations(scenario.base);
  const p99ThresholdMs = 500;
  const files: StrategyFiles[] = results.map((result) => {
    const s = strategies.find((x) => x.name === result.strategy)!.scenario;
    const biggest = trafficAnnotations(s).filter((a) => a.label.startsWith('traffic spike')).sort((a, b) => spikeSize(b.label) - spikeSize(a.label))[0];
    return {
      result,
      summaryExtras: biggest ? { spikeResponse: spikeResponse(result.timeseries, biggest.t_s, p99ThresholdMs) } : {},
      timeline: buildTimeline({ clockStart: s.clockStart, annotations, timeseries: result.timeseries, decisions: result.decisions, p99ThresholdMs }),
    };
  });
  const dir = await writeResults(options.out, scenario.base.name, files);

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ scenario: scenario.base.name, results: results.map((r) => ({ strategy: r.strategy, seed: r.seed, ...r.summary })) }, null, 2)}\n`);
  } else if (!options.quiet) {
    process.stdout.write(`\n${scenario.base.name}\n\n${summaryTable(results)}\n\nresults: ${dir}\n`);
  }
  return EXIT_OK;
}

function spikeSize(label: string): number {
  return Number(/×([\d.]+)/.exec(label)?.[1] ?? 0);
}

function summaryTable(results: readonly StrategyResult[]): string {
  return formatTable(
    ['strategy', 'requests', 'errors_pct', 'p50_ms', 'p95_ms', 'p99_ms', 'peak_pods', 'cpu_pct'],
    results.map((r) => [
      r.strategy,
      r.summary.requests,
      100 * r.summary.errorRate,
      r.summary.latency_ms.p50,
      r.summary.latency_ms.p95,
      r.summary.latency_ms.p99,
      r.summary.peakPodsReady,
      r.summary.meanCpuUtilizationPct,
    ]),
  );
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
  const syncPeriodSeconds = (parseDurationMicros(options.syncPeriod) ?? NaN) / 1e6;
  const podStartupSeconds = (parseDurationMicros(options.podStartup) ?? NaN) / 1e6;
  if (!(syncPeriodSeconds > 0)) throw new UsageError(`--sync-period: expected a duration like "15s", got ${JSON.stringify(options.syncPeriod)}`);
  if (Number.isNaN(podStartupSeconds)) throw new UsageError(`--pod-startup: expected a duration like "30s", got ${JSON.stringify(options.podStartup)}`);
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

function program(setExit: (code: number) => void): Command {
  const cli = new Command()
    .name('simulate')
    .description('Simulate how a web system scales: replay traffic against a scenario, compare strategies.')
    .showHelpAfterError()
    .exitOverride();
  cli
    .command('run <scenario>', { isDefault: true })
    .description('run every strategy of a scenario (JSON or YAML) and write results/<scenario>/')
    .option('--seed <seed>', 'seed of every random stream (overrides the scenario)')
    .option('--out <dir>', 'output directory', 'results')
    .option('--strategy <name>', 'run only this strategy')
    .option('--duration <duration>', 'simulated time to run, e.g. "2h" (overrides the scenario)')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the summary as JSON on stdout')
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

process.exitCode = await main(process.argv);
