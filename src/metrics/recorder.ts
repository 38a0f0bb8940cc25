import type { EventHandler, Simulation } from '../engine/index.js';
import { FAILURE_CAUSES, type OutcomeListener } from './outcomes.js';
import { LogHistogram } from './histogram.js';

/** A column sampled at the end of every interval (a gauge, or a counter's delta). */
export interface Column {
  readonly name: string;
  /** Value for the interval that ends now; `intervalMicros` is its width. */
  sample(intervalMicros: number): number;
}

/** Request outcomes per class over the whole run. */
export interface ClassTotals {
  arrivals: number;
  succeeded: number;
  failed: number;
}

/**
 * Streams request outcomes into fixed per-interval counters and log histograms, and
 * appends one time-series row per interval (a scheduled event). Memory per interval is a
 * row of numbers; nothing per request is kept.
 */
export class Recorder implements OutcomeListener, EventHandler {
  readonly columns: string[];
  readonly rows: number[][] = [];
  /** Latencies of the whole run: each interval's histogram is added in when the interval ends. */
  readonly runHistogram = new LogHistogram();
  /** Sum and count of every answered request's time in system (successes and failures), for Little's law. */
  responseTimeSumMicros = 0;
  responses = 0;
  readonly classTotals: ClassTotals[];
  readonly failuresByCause = new Float64Array(FAILURE_CAUSES.length);
  totalArrivals = 0;
  totalSucceeded = 0;
  /** Called at the end of every interval, before its histogram is reset (e.g. SloTracker.onInterval). */
  intervalListener?: (tEndMicros: number, intervalHistogram: LogHistogram, arrivals: number, failures: number) => void;

  private readonly intervalHistogram = new LogHistogram();
  private intervalArrivals = 0;
  private intervalSucceeded = 0;
  private readonly intervalFailures = new Float64Array(FAILURE_CAUSES.length);
  private readonly extraColumns: Column[] = [];
  private readonly event: number;
  private intervalStart = 0;

  constructor(
    private readonly sim: Simulation,
    readonly intervalMicros: number,
    classCount: number,
  ) {
    this.event = sim.register(this);
    this.classTotals = Array.from({ length: classCount }, () => ({ arrivals: 0, succeeded: 0, failed: 0 }));
    this.columns = [
      't_s',
      'arrivals_rps',
      'completed_rps',
      'p50_ms',
      'p95_ms',
      'p99_ms',
      ...FAILURE_CAUSES.map((c) => `errors_${c}`),
    ];
  }

  timeseries(): { columns: string[]; rows: number[][] } {
    return { columns: this.columns, rows: this.rows };
  }

  /** Adds a column (pods, CPU, an autoscaler's metric …) before the run starts. */
  addColumn(column: Column): void {
    this.columns.push(column.name);
    this.extraColumns.push(column);
  }

  start(): void {
    this.sim.schedule(this.intervalMicros, this.event);
  }

  arrived(classId: number): void {
    this.totalArrivals++;
    this.intervalArrivals++;
    this.classTotals[classId].arrivals++;
  }

  succeeded(classId: number, latencyMicros: number): void {
    this.totalSucceeded++;
    this.intervalSucceeded++;
    this.classTotals[classId].succeeded++;
    this.intervalHistogram.record(latencyMicros);
    this.responseTimeSumMicros += latencyMicros;
    this.responses++;
  }

  failed(classId: number, cause: number, latencyMicros: number): void {
    this.failuresByCause[cause]++;
    this.intervalFailures[cause]++;
    this.classTotals[classId].failed++;
    this.responseTimeSumMicros += latencyMicros;
    this.responses++;
  }

  /** End of an interval: write its row and start the next. */
  handleEvent(): void {
    this.flush();
    this.sim.schedule(this.intervalMicros, this.event);
  }

  /** Writes the row for the (possibly partial) interval ending now. */
  flush(): void {
    const width = this.sim.now - this.intervalStart;
    const h = this.intervalHistogram;
    // A second flush at the same instant (the run's end on an interval boundary) writes no
    // row, but latencies recorded since still count for the run.
    if (width > 0) {
      const seconds = width / 1e6;
      const row = [
        this.sim.now / 1e6,
        this.intervalArrivals / seconds,
        this.intervalSucceeded / seconds,
        h.quantile(0.5) / 1000,
        h.quantile(0.95) / 1000,
        h.quantile(0.99) / 1000,
        ...this.intervalFailures,
      ];
      for (const column of this.extraColumns) row.push(column.sample(width));
      this.rows.push(row);
      if (this.intervalListener) this.intervalListener(this.sim.now, h, this.intervalArrivals, this.intervalFailures.reduce((sum, x) => sum + x, 0));
      this.intervalArrivals = 0;
      this.intervalSucceeded = 0;
      this.intervalFailures.fill(0);
      this.intervalStart = this.sim.now;
    }
    this.runHistogram.add(h);
    h.reset();
  }

}
