import { LogHistogram } from './histogram.js';

/**
 * What one service answered (its server-side view: from a request reaching the service to
 * its path ending there), for the per-service columns and summary: where a chain broke.
 */
export class ServiceStats {
  /** Latencies of the whole run; each interval's are added in when its row is written. */
  readonly runHistogram = new LogHistogram();
  readonly intervalHistogram = new LogHistogram();
  servedCount = 0;
  failedCount = 0;
  intervalServed = 0;
  intervalFailed = 0;
  /** Failures by cause index, over the run. */
  readonly failuresByCause: Float64Array;

  constructor(causeCount: number) {
    this.failuresByCause = new Float64Array(causeCount);
  }

  servedOne(latencyMicros: number): void {
    this.servedCount++;
    this.intervalServed++;
    this.intervalHistogram.record(latencyMicros);
  }

  failedOne(cause: number): void {
    this.failedCount++;
    this.intervalFailed++;
    this.failuresByCause[cause]++;
  }

  /** Ends an interval: its latencies join the run's. */
  endInterval(): void {
    this.runHistogram.add(this.intervalHistogram);
    this.intervalHistogram.reset();
    this.intervalServed = 0;
    this.intervalFailed = 0;
  }
}
