import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { TaskProgress } from '../runner/pool.js';
import type { RunTask } from '../runner/tasks.js';

/** The progress display of a run: fed by runTasks' onProgress, stopped before printing results. */
export interface ProgressDisplay {
  update(progress: TaskProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Show anything at all: `!quiet && process.stderr.isTTY` (and not --json). Otherwise a no-op. */
  enabled: boolean;
  /** The tasks passed to runTasks (labels, the total count), each with its simulated duration. */
  tasks: readonly (Pick<RunTask, 'strategy' | 'replication'> & { durationS: number })[];
  /** Where to draw; default process.stderr. */
  stream?: NodeJS.WritableStream;
}

/** Redraws this often (ms): the simulations run in worker threads, so the redraw timer fires on time. */
const REDRAW_MS = 100;

/**
 * Progress bars on stderr. The first line covers the whole run: simulated time done out of all
 * tasks', simulated requests per second of wall time, and an ETA ("all ███░░ 1/3 done · 1.2M
 * req/s · ETA 0:42"). Below it, one line per running task with its simulated clock
 * ("hpa-aggressive r2 ███░░ 14:03 / 24:00"); lines are reused as tasks finish. A run of one
 * task is one line: its clock takes the place of the count. All lines are cleared by stop(),
 * which also turns line wrapping back on (cli-progress turns it off while drawing).
 *
 * The wall clock is read here, in the CLI, never by the simulation: it never affects results.
 */
export function createProgress(options: ProgressOptions): ProgressDisplay {
  const { tasks } = options;
  if (!options.enabled || tasks.length === 0) return { update() {}, stop() {} };

  const single = tasks.length === 1;
  const showReplication = tasks.some((t) => t.replication !== 0);
  const labels = tasks.map((t) => (showReplication ? `${t.strategy} r${t.replication}` : t.strategy));
  const width = Math.max(...labels.map((l) => l.length), 'all'.length);
  const totalS = tasks.reduce((sum, t) => sum + t.durationS, 0);
  const startedMs = Date.now();

  const multibar = new cliProgress.MultiBar({
    stream: options.stream ?? process.stderr,
    clearOnComplete: true,
    hideCursor: false,
    // cli-progress's own SIGINT handler would swallow Ctrl-C: the CLI handles signals.
    gracefulExit: false,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    fps: 1000 / REDRAW_MS,
  });

  /** Latest simulated seconds and requests of each task. */
  const simulatedS = tasks.map(() => 0);
  const requests = tasks.map(() => 0);
  const finished = new Set<number>();

  const overallPayload = () => {
    const done = simulatedS.reduce((a, b) => a + b, 0);
    const { requestsPerS, etaS } = runRates({ elapsedS: (Date.now() - startedMs) / 1000, simulatedS: done, totalS, requests: requests.reduce((a, b) => a + b, 0) });
    const status = single ? `${formatClock(simulatedS[0], tasks[0].durationS)} / ${formatClock(tasks[0].durationS, tasks[0].durationS)}` : `${finished.size}/${tasks.length} done`;
    return { value: done, payload: { status, rate: formatRate(requestsPerS), left: formatEta(etaS) } };
  };
  // Payload names must not be cli-progress's own placeholders ({eta}, {value}, {total} …).
  const overall = multibar.create(totalS, 0, overallPayload().payload, { format: `${(single ? labels[0] : 'all').padEnd(width)} {bar} {status} · {rate} · ETA {left}` });
  // Rates and the ETA move with the wall clock: refresh them on every redraw, not only on messages.
  multibar.on('redraw-pre', () => {
    const { value, payload } = overallPayload();
    overall.update(value, payload);
  });
  const taskFormat = { format: '{label} {bar} {clock}' };

  /** A line per running task; a finished task's line waits for the next task. */
  const slots: { bar: cliProgress.SingleBar; taskIndex: number | undefined }[] = [];
  const slotOf = new Map<number, (typeof slots)[number]>();

  function slotFor(taskIndex: number) {
    let slot = slotOf.get(taskIndex);
    if (slot) return slot;
    slot = slots.find((s) => s.taskIndex === undefined);
    if (!slot) {
      slot = { bar: multibar.create(1, 0, { label: '', clock: '' }, taskFormat), taskIndex: undefined };
      slots.push(slot);
    }
    slot.taskIndex = taskIndex;
    slotOf.set(taskIndex, slot);
    return slot;
  }

  return {
    update(progress) {
      const { taskIndex, durationS, done } = progress;
      if (finished.has(taskIndex) || labels[taskIndex] === undefined) return;
      simulatedS[taskIndex] = progress.simulatedS;
      requests[taskIndex] = progress.requests;
      if (done) finished.add(taskIndex);
      if (single) return;
      const slot = slotFor(taskIndex);
      slot.bar.setTotal(durationS);
      slot.bar.update(progress.simulatedS, { label: labels[taskIndex].padEnd(width), clock: `${formatClock(progress.simulatedS, durationS)} / ${formatClock(durationS, durationS)}` });
      if (done) {
        slotOf.delete(taskIndex);
        slot.taskIndex = undefined;
      }
    },
    stop() {
      multibar.stop();
    },
  };
}

/**
 * Rates of a run from `elapsedS` of wall time: simulated requests per wall second, and the wall
 * seconds left if the rest of the simulated time (`totalS − simulatedS`) goes as fast as the part
 * done. Undefined where nothing is known yet.
 */
export function runRates(at: { elapsedS: number; simulatedS: number; totalS: number; requests: number }): { requestsPerS?: number; etaS?: number } {
  if (!(at.elapsedS > 0)) return {};
  return {
    requestsPerS: at.requests / at.elapsedS,
    etaS: at.simulatedS > 0 ? (at.elapsedS * Math.max(0, at.totalS - at.simulatedS)) / at.simulatedS : undefined,
  };
}

/** "850 req/s", "12.3k req/s", "1.2M req/s"; "– req/s" before the first figure. */
export function formatRate(requestsPerS: number | undefined): string {
  if (requestsPerS === undefined) return '– req/s';
  if (requestsPerS >= 1e6) return `${(requestsPerS / 1e6).toFixed(1)}M req/s`;
  if (requestsPerS >= 1e4) return `${(requestsPerS / 1e3).toFixed(1)}k req/s`;
  return `${Math.round(requestsPerS)} req/s`;
}

/** Wall time left as m:ss, or h:mm:ss from an hour on; "–" while unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.ceil(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  return `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/** Simulated time as h:mm when the run lasts an hour or more ("14:03 / 24:00"), else m:ss ("2:30 / 5:00"). */
export function formatClock(seconds: number, durationS: number): string {
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (durationS >= 3600) return `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}`;
  return `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/**
 * `stream` presented to cli-progress as a terminal, so it draws exactly as on one (escape
 * sequences included). For SCALESIM_PROGRESS=1: the bar on a pipe, for tests and recordings.
 */
export function asTerminal(stream: NodeJS.WritableStream, columns = 100): NodeJS.WritableStream {
  const terminal = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stream.write(chunk);
      callback();
    },
  });
  return Object.assign(terminal, { isTTY: true, columns });
}
