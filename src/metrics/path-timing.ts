import type { Simulation } from '../engine/index.js';
import { LogHistogram } from './histogram.js';
import { latencyFigures } from './summary.js';
import { meanConfidenceInterval } from './stats.js';

/** Percentiles and mean of one time, ms. */
export interface TimeFigures {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * One entry of an operation's path in the summary: the wait for a worker (`step: "worker"`),
 * or a step (`cpu`, `call payments.charge`, `external`, `db insert_order`) with its whole time
 * and, for a step that can wait, its waiting part and the rest (service).
 */
export interface PathStepFigures {
  step: string;
  time_ms?: TimeFigures;
  wait_ms?: TimeFigures;
  service_ms?: TimeFigures;
}

/** The histograms of one step of one operation. */
interface StepHistograms {
  readonly label: string;
  readonly time: LogHistogram;
  /** Only for steps that can wait (a `db` step): its waiting part, and the rest. */
  readonly wait: LogHistogram | undefined;
  readonly service: LogHistogram | undefined;
}

/**
 * Where each operation's time went, over the measured period (after the warm-up): per
 * operation the wait for a worker (arrival at the service → worker granted), and per step
 * the time of each completion, split into waiting and service for steps that wait. Steps
 * that failed are not counted: their time is a timeout's, not the path's. Histograms are
 * made when an operation is declared, so recording allocates nothing.
 */
export class PathTiming {
  private readonly workerWaits: LogHistogram[] = [];
  private readonly steps: StepHistograms[][] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly measuredFromMicros: number,
  ) {}

  /** Declares operation `op` (in the runner's order) with its steps' labels and whether each can wait. */
  addOperation(op: number, labels: readonly string[], waits: readonly boolean[]): void {
    this.workerWaits[op] = new LogHistogram();
    this.steps[op] = labels.map((label, i) => ({
      label,
      time: new LogHistogram(),
      wait: waits[i] ? new LogHistogram() : undefined,
      service: waits[i] ? new LogHistogram() : undefined,
    }));
  }

  // Operations never declared here (a readiness probe's) are not users' paths: not timed.
  workerGranted(op: number, waitMicros: number): void {
    const h = this.workerWaits[op];
    if (h !== undefined && this.sim.now >= this.measuredFromMicros) h.record(waitMicros);
  }

  stepDone(op: number, step: number, timeMicros: number, waitMicros: number): void {
    const steps = this.steps[op];
    if (steps === undefined || this.sim.now < this.measuredFromMicros) return;
    const h = steps[step];
    h.time.record(timeMicros);
    if (h.wait !== undefined) {
      h.wait.record(waitMicros);
      h.service!.record(timeMicros - waitMicros);
    }
  }

  /** The summary's `path` of operation `op`: the worker wait, then each step. */
  figures(op: number): PathStepFigures[] {
    return [
      { step: 'worker', wait_ms: timeFigures(this.workerWaits[op]) },
      ...this.steps[op].map((h) => ({
        step: h.label,
        time_ms: timeFigures(h.time),
        ...(h.wait !== undefined ? { wait_ms: timeFigures(h.wait), service_ms: timeFigures(h.service!) } : {}),
      })),
    ];
  }
}

function timeFigures(h: LogHistogram): TimeFigures {
  const { mean, p50, p95, p99 } = latencyFigures(h);
  return { mean, p50, p95, p99 };
}

/** One figure over replications: the mean and its 95% Student-t half-width. */
export interface FigureAcross {
  mean: number;
  halfWidth: number;
}

export type PathStepAcross = { step: string } & Partial<Record<'time_ms' | 'wait_ms' | 'service_ms', Record<keyof TimeFigures, FigureAcross>>>;

/**
 * The same path's figures from several replications, as means with 95% half-widths: step by
 * step and figure by figure (a p99 of the means is not a p99, so each replication's own p99
 * is averaged). Replications of one scenario have the same steps.
 */
export function pathFiguresAcross(replications: readonly PathStepFigures[][]): PathStepAcross[] {
  const groups = ['time_ms', 'wait_ms', 'service_ms'] as const;
  const stats = ['mean', 'p50', 'p95', 'p99'] as const;
  return replications[0].map((first, i) => {
    const across: PathStepAcross = { step: first.step };
    for (const group of groups) {
      if (first[group] === undefined) continue;
      across[group] = Object.fromEntries(
        stats.map((stat) => {
          const { mean, halfWidth } = meanConfidenceInterval(replications.map((r) => r[i][group]![stat]));
          return [stat, { mean, halfWidth }];
        }),
      ) as Record<keyof TimeFigures, FigureAcross>;
    }
    return across;
  });
}
