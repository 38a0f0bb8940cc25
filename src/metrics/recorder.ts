import type { EventHandler, Simulation } from '../engine/index.js';
import { FAILURE_CAUSES, type OutcomeListener } from './outcomes.js';
import { bucketIndex, LogHistogram } from './histogram.js';

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
 *
 * Run statistics (totals, latency percentiles overall and per class, Little's law) are the sum
 * of the intervals that start at or after `warmupMicros`: a queueing study's warm-up period,
 * rounded up to an interval boundary, is left out of them (but not out of the time series).
 */
export class Recorder implements OutcomeListener, EventHandler {
  readonly columns: string[];
  readonly rows: number[][] = [];
  /** Latencies of the measured run: each interval's histogram is added in when the interval ends. */
  readonly runHistogram = new LogHistogram();
  /** Latencies of each class's successful requests over the measured run. */
  readonly classHistograms: LogHistogram[];
  /** Sum and count of every answered request's time in system (successes and failures), for Little's law. */
  responseTimeSumMicros = 0;
  responses = 0;
  readonly classTotals: ClassTotals[];
  readonly failuresByCause = new Float64Array(FAILURE_CAUSES.length);
  totalArrivals = 0;
  totalSucceeded = 0;
  /** Start of the measured run (the first interval start at or after the warm-up), µs. */
  measuredFrom = 0;
  /** Called at the end of every measured interval, before its histogram is reset (e.g. SloTracker.onInterval). */
  intervalListener?: (tEndMicros: number, intervalHistogram: LogHistogram, arrivals: number, failures: number) => void;
  /** Called once, when the measured run begins (to snapshot time integrals). */
  measuredStartListener?: () => void;

  private readonly intervalHistogram = new LogHistogram();
  private readonly intervalClassHistograms: LogHistogram[];
  private intervalArrivals = 0;
  private intervalSucceeded = 0;
  private intervalResponseSum = 0;
  private intervalResponses = 0;
  private readonly intervalClass: ClassTotals[];
  private readonly intervalFailures = new Float64Array(FAILURE_CAUSES.length);
  private readonly extraColumns: Column[] = [];
  /** Run after each row is written (per-service statistics start their next interval). */
  private readonly rowListeners: (() => void)[] = [];
  private readonly event: number;
  private intervalStart = 0;
  private measuring: boolean;

  constructor(
    private readonly sim: Simulation,
    readonly intervalMicros: number,
    classCount: number,
    readonly warmupMicros = 0,
  ) {
    this.event = sim.register(this);
    const totals = () => Array.from({ length: classCount }, () => ({ arrivals: 0, succeeded: 0, failed: 0 }));
    this.classTotals = totals();
    this.intervalClass = totals();
    this.classHistograms = Array.from({ length: classCount }, () => new LogHistogram());
    this.intervalClassHistograms = Array.from({ length: classCount }, () => new LogHistogram());
    this.measuring = warmupMicros <= 0;
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

  /** `listener` runs at every flush, after the row (if any) was written. */
  onRow(listener: () => void): void {
    this.rowListeners.push(listener);
  }

  start(): void {
    if (this.measuring) this.measuredStartListener?.();
    this.sim.schedule(this.intervalMicros, this.event);
  }

  arrived(classId: number): void {
    this.intervalArrivals++;
    this.intervalClass[classId].arrivals++;
  }

  succeeded(classId: number, latencyMicros: number): void {
    this.intervalSucceeded++;
    this.intervalClass[classId].succeeded++;
    const bucket = bucketIndex(latencyMicros);
    this.intervalHistogram.recordInBucket(latencyMicros, bucket);
    this.intervalClassHistograms[classId].recordInBucket(latencyMicros, bucket);
    this.intervalResponseSum += latencyMicros;
    this.intervalResponses++;
  }

  failed(classId: number, cause: number, latencyMicros: number): void {
    this.intervalFailures[cause]++;
    this.intervalClass[classId].failed++;
    this.intervalResponseSum += latencyMicros;
    this.intervalResponses++;
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
    // row, but outcomes recorded since still count for the run.
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
      if (this.intervalListener && this.measuring) this.intervalListener(this.sim.now, h, this.intervalArrivals, this.intervalFailures.reduce((sum, x) => sum + x, 0));
    }
    if (this.measuring) this.addIntervalToRun();
    this.resetInterval();
    this.intervalStart = this.sim.now;
    if (!this.measuring && this.sim.now >= this.warmupMicros) {
      this.measuring = true;
      this.measuredFrom = this.sim.now;
      this.measuredStartListener?.();
    }
    for (const listener of this.rowListeners) listener();
  }

  private addIntervalToRun(): void {
    this.runHistogram.add(this.intervalHistogram);
    this.totalArrivals += this.intervalArrivals;
    this.totalSucceeded += this.intervalSucceeded;
    this.responseTimeSumMicros += this.intervalResponseSum;
    this.responses += this.intervalResponses;
    for (let c = 0; c < this.failuresByCause.length; c++) this.failuresByCause[c] += this.intervalFailures[c];
    this.classTotals.forEach((t, i) => {
      const interval = this.intervalClass[i];
      t.arrivals += interval.arrivals;
      t.succeeded += interval.succeeded;
      t.failed += interval.failed;
      this.classHistograms[i].add(this.intervalClassHistograms[i]);
    });
  }

  private resetInterval(): void {
    this.intervalHistogram.reset();
    this.intervalArrivals = 0;
    this.intervalSucceeded = 0;
    this.intervalResponseSum = 0;
    this.intervalResponses = 0;
    this.intervalFailures.fill(0);
    for (const t of this.intervalClass) t.arrivals = t.succeeded = t.failed = 0;
    for (const h of this.intervalClassHistograms) h.reset();
  }
}
