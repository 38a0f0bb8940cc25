import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'piscina';
import { adoptSharedTraces, type SharedTraces } from '../scenario/imports/trace-load.js';
import type { StrategyResult } from '../scenario/run.js';
import { executeTask, ScenarioCache, type RunTask } from './tasks.js';

/** What pool.ts posts to a worker: the task, and a port for progress messages. */
export interface WorkerRequest {
  task: RunTask;
  port?: MessagePort;
}

/** What every worker gets at start: the traces the parent thread parsed, in shared memory. */
export interface WorkerData {
  traces: SharedTraces;
}

/** A progress message on the port: simulated seconds done out of `durationS`, and requests arrived so far. */
export interface WorkerProgress {
  simulatedS: number;
  durationS: number;
  requests: number;
}

adoptSharedTraces((workerData as WorkerData).traces);

// One cache per worker thread: a worker that runs several tasks of one file loads it once per seed.
const cache = new ScenarioCache();

/** piscina's task handler: runs one task; the result is plain data, structured-cloned back. */
export default async function runTask({ task, port }: WorkerRequest): Promise<StrategyResult> {
  try {
    return await executeTask(task, cache, port && ((simulatedS, durationS, requests) => port.postMessage({ simulatedS, durationS, requests } satisfies WorkerProgress)));
  } finally {
    port?.close();
  }
}
