import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { sharedTraces } from '../scenario/imports/trace-load.js';
import type { StrategyResult } from '../scenario/run.js';
import { executeTask, ScenarioCache, type RunTask } from './tasks.js';
import type { WorkerData, WorkerProgress, WorkerRequest } from './worker.js';

/** Progress of one task: simulated seconds done and requests arrived so far; `done` once, when its result is in. */
export interface TaskProgress {
  /** Index into the `tasks` passed to runTasks. */
  taskIndex: number;
  simulatedS: number;
  durationS: number;
  requests: number;
  done: boolean;
}

export interface RunTasksOptions {
  /** Worker threads; 1 runs in this thread. Default: os.availableParallelism(). */
  jobs?: number;
  onProgress?: (progress: TaskProgress) => void;
  /**
   * Stops the run: its worker threads are terminated and runTasks rejects with the signal's
   * reason. With a signal every task runs in a worker thread, even with jobs = 1 or one task:
   * a simulation in this thread could be neither stopped nor interrupted by a signal handler.
   */
  signal?: AbortSignal;
}

/** The default for `jobs`: one worker per CPU the process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * Runs every task and returns the results in task order, whatever order they finish in.
 * Each result is exactly what a serial runStrategy gives (runs are deterministic, and results
 * are plain data, structured-cloned from the workers), so `jobs` never changes the output.
 *
 * jobs = 1, or a single task, without a `signal`: in this thread, no workers. Otherwise a piscina
 * pool of min(jobs, tasks) threads running worker.js; progress comes back over a MessagePort per task.
 */
export async function runTasks(tasks: readonly RunTask[], options: RunTasksOptions = {}): Promise<StrategyResult[]> {
  const jobs = options.jobs ?? defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`jobs: expected a whole number ≥ 1, got ${jobs}`);
  options.signal?.throwIfAborted();
  if (tasks.length === 0) return [];
  const inProcess = options.signal === undefined && (jobs === 1 || tasks.length === 1);
  return inProcess ? runInProcess(tasks, options.onProgress) : runInWorkers(tasks, Math.min(jobs, tasks.length), options.onProgress, options.signal);
}

async function runInProcess(tasks: readonly RunTask[], onProgress: RunTasksOptions['onProgress']): Promise<StrategyResult[]> {
  const cache = new ScenarioCache();
  const results: StrategyResult[] = [];
  for (const [taskIndex, task] of tasks.entries()) {
    const result = await executeTask(task, cache, onProgress && ((simulatedS, durationS, requests) => onProgress({ taskIndex, simulatedS, durationS, requests, done: false })));
    onProgress?.({ taskIndex, simulatedS: result.durationS, durationS: result.durationS, requests: result.summary.requests, done: true });
    results.push(result);
  }
  return results;
}

async function runInWorkers(tasks: readonly RunTask[], threads: number, onProgress: RunTasksOptions['onProgress'], signal: AbortSignal | undefined): Promise<StrategyResult[]> {
  // Traces are parsed here, once, and shared with every worker (see scenario/imports/trace-load.ts).
  const cache = new ScenarioCache();
  await Promise.all(tasks.map((task) => cache.load(task.scenarioFile, task.overrides)));
  const workerData: WorkerData = { traces: sharedTraces() };
  const pool = new Piscina<WorkerRequest, StrategyResult>({ filename: workerUrl().href, minThreads: threads, maxThreads: threads, workerData });
  try {
    return await untilAborted(Promise.all(tasks.map((task, taskIndex) => runInWorker(pool, task, taskIndex, onProgress))), signal);
  } finally {
    // Terminates the threads, also those still simulating after an abort.
    await pool.destroy();
  }
}

/** `work`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function runInWorker(pool: Piscina<WorkerRequest, StrategyResult>, task: RunTask, taskIndex: number, onProgress: RunTasksOptions['onProgress']): Promise<StrategyResult> {
  if (!onProgress) return pool.run({ task });
  const { port1, port2 } = new MessageChannel();
  // Messages may still be in flight when the result arrives (a different channel): after it, ignore them.
  let done = false;
  port1.on('message', ({ simulatedS, durationS, requests }: WorkerProgress) => {
    if (!done) onProgress({ taskIndex, simulatedS, durationS, requests, done: false });
  });
  try {
    const result = await pool.run({ task, port: port2 }, { transferList: [port2] });
    done = true;
    onProgress({ taskIndex, simulatedS: result.durationS, durationS: result.durationS, requests: result.summary.requests, done: true });
    return result;
  } finally {
    done = true;
    port1.close();
  }
}

/**
 * The compiled worker next to this file (dist/runner/worker.js). When this module runs from
 * source under a TypeScript loader that worker threads inherit (tsx), the sibling worker.ts.
 * (vitest's transform does not reach worker threads: tests import the pool from dist/.)
 */
function workerUrl(): URL {
  const compiled = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return compiled;
  const source = new URL('./worker.ts', import.meta.url);
  if (import.meta.url.endsWith('.ts') && existsSync(fileURLToPath(source))) return source;
  throw new Error(`cannot find the worker script ${fileURLToPath(compiled)} (npm run build)`);
}
