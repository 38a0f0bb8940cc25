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
  /** The tasks passed to runTasks (labels and the total count). */
  tasks: readonly Pick<RunTask, 'strategy' | 'replication'>[];
  /** Where to draw; default process.stderr. */
  stream?: NodeJS.WritableStream;
}

/** Redraws at most this often (ms) while the event loop is busy simulating (jobs = 1). */
const REDRAW_MS = 100;

/**
 * Progress bars on stderr: a line with the tasks done ("3/7 done") and one line per running task
 * with its simulated time ("hpa-aggressive r2 14:03 / 24:00"). Lines are reused as tasks finish,
 * so there are at most as many as tasks run at once; all are cleared by stop().
 *
 * The only wall-clock reader in src/ (cli-progress, and the redraw throttle): it never affects results.
 */
export function createProgress(options: ProgressOptions): ProgressDisplay {
  if (!options.enabled || options.tasks.length === 0) return { update() {}, stop() {} };

  const showReplication = options.tasks.some((t) => t.replication !== 0);
  const labels = options.tasks.map((t) => (showReplication ? `${t.strategy} r${t.replication}` : t.strategy));
  const width = Math.max(...labels.map((l) => l.length), 'all'.length);

  const multibar = new cliProgress.MultiBar({
    stream: options.stream ?? process.stderr,
    clearOnComplete: true,
    hideCursor: false,
    // cli-progress's own SIGINT handler would swallow Ctrl-C: leave signals alone.
    gracefulExit: false,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    fps: 1000 / REDRAW_MS,
  });
  const overall = multibar.create(options.tasks.length, 0, {}, { format: `${'all'.padEnd(width)} {bar} {value}/{total} done` });
  const taskFormat = { format: '{label} {bar} {clock}' };

  /** A line per running task; a finished task's line waits for the next task. */
  const slots: { bar: cliProgress.SingleBar; taskIndex: number | undefined }[] = [];
  const slotOf = new Map<number, (typeof slots)[number]>();
  const finished = new Set<number>();
  let lastDraw = 0;

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
    update({ taskIndex, simulatedS, durationS, done }) {
      if (finished.has(taskIndex) || labels[taskIndex] === undefined) return;
      const slot = slotFor(taskIndex);
      slot.bar.setTotal(durationS);
      slot.bar.update(simulatedS, { label: labels[taskIndex].padEnd(width), clock: `${formatClock(simulatedS, durationS)} / ${formatClock(durationS, durationS)}` });
      if (done) {
        finished.add(taskIndex);
        slotOf.delete(taskIndex);
        slot.taskIndex = undefined;
        overall.update(finished.size);
      }
      // MultiBar redraws on a timer, which can't fire while a simulation runs in this thread.
      const now = Date.now();
      if (now - lastDraw >= REDRAW_MS) {
        lastDraw = now;
        multibar.update();
      }
    },
    stop() {
      multibar.stop();
    },
  };
}

/** Simulated time as h:mm when the run lasts an hour or more ("14:03 / 24:00"), else m:ss ("2:30 / 5:00"). */
export function formatClock(seconds: number, durationS: number): string {
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (durationS >= 3600) return `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}`;
  return `${Math.floor(s / 60)}:${two(s % 60)}`;
}
