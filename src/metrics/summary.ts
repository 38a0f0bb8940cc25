import type { LogHistogram } from './histogram.js';
import { FAILURE_CAUSES, type FailureCause } from './outcomes.js';
import type { PathStepFigures, PathTiming } from './path-timing.js';
import type { Recorder } from './recorder.js';
import { shardFigures, type ShardFigures } from './shard-summary.js';

/** The headline figures of one run. Units are in the names. */
export interface RunSummary {
  requests: number;
  completed: number;
  errors: number;
  errorsByCause: Record<FailureCause, number>;
  errorRate: number;
  latency_ms: LatencyFigures & { max: number };
  meanCpuUtilizationPct: number;
  peakPodsReady: number;
  /** Most pods the Deployment asked for at once (pods_desired). */
  peakPodsDesired: number;
  /** Most nodes running at once; 0 without node pools. */
  peakNodes: number;
  /**
   * Per class: counts, the latency of its successful requests, and where its time went on its
   * service (`path`: the wait for a worker, then each step's time, wait and service).
   */
  byClass: Record<string, { requests: number; completed: number; errors: number; latency_ms: LatencyFigures; path: PathStepFigures[] }>;
  /** Where the time of each service operation (`service.operation`, reached by calls) went; absent without any. */
  byOperation?: Record<string, PathStepFigures[]>;
  /** Start of the measured period (after the warm-up), s. */
  measuredFromS: number;
  /** Reads on a read replica that missed their own request's earlier write (replication lag); absent without replicas. */
  staleReads?: number;
  /** Per sharded database: queries and CPU per shard, and how uneven they were; absent without shards. */
  shards?: Record<string, ShardFigures>;
  /**
   * Little's law, L = λW, as a consistency check of the simulation itself: mean number of
   * requests in the system (time average) against arrival rate × mean time in system.
   */
  littlesLaw: { meanInSystem: number; arrivalRatePerS: number; meanTimeInSystemMs: number; lambdaW: number; relativeDifference: number };
}

export interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  mean: number;
}

/** Percentiles and mean of a latency histogram, ms; zeros when it is empty. */
export function latencyFigures(h: LogHistogram): LatencyFigures {
  return {
    p50: nanToZero(h.quantile(0.5) / 1000),
    p95: nanToZero(h.quantile(0.95) / 1000),
    p99: nanToZero(h.quantile(0.99) / 1000),
    p999: nanToZero(h.quantile(0.999) / 1000),
    mean: nanToZero(h.mean / 1000),
  };
}

/** Where the operations' time went, and which operation is each class's and each service operation's. */
export interface PathTimes {
  readonly timing: PathTiming;
  readonly classOperations: ArrayLike<number>;
  readonly serviceOperations: ReadonlyMap<string, number>;
}

/**
 * The run's headline figures over its measured period (after the warm-up);
 * `inSystemIntegral` is ∫ requests in system dt over that period, request·µs.
 */
export function summarize(recorder: Recorder, classNames: readonly string[], durationMicros: number, inSystemIntegral: number, paths: PathTimes): RunSummary {
  const errorsByCause = Object.fromEntries(FAILURE_CAUSES.map((c, i) => [c, recorder.failuresByCause[i]])) as Record<FailureCause, number>;
  const errors = recorder.failuresByCause.reduce((a, b) => a + b, 0);
  const h = recorder.runHistogram;
  const measuredMicros = durationMicros - recorder.measuredFrom;
  const seconds = measuredMicros / 1e6;
  const meanInSystem = measuredMicros > 0 ? inSystemIntegral / measuredMicros : 0;
  const arrivalRatePerS = recorder.totalArrivals / seconds;
  const meanTimeInSystemMs = recorder.responses > 0 ? recorder.responseTimeSumMicros / recorder.responses / 1000 : 0;
  const lambdaW = (arrivalRatePerS * meanTimeInSystemMs) / 1000;
  const column = (name: string) => recorder.columns.indexOf(name);
  const cpu = column('cpu_utilization_pct');
  const ready = column('pods_ready');
  const rows = recorder.rows;
  return {
    requests: recorder.totalArrivals,
    completed: recorder.totalSucceeded,
    errors,
    errorsByCause,
    errorRate: recorder.totalArrivals > 0 ? errors / recorder.totalArrivals : 0,
    latency_ms: { ...latencyFigures(h), max: h.max / 1000 },
    meanCpuUtilizationPct: cpu < 0 || rows.length === 0 ? 0 : rows.reduce((s, r) => s + r[cpu], 0) / rows.length,
    peakPodsReady: peak(rows, ready),
    peakPodsDesired: peak(rows, column('pods_desired')),
    peakNodes: peak(rows, column('nodes_ready')),
    byClass: Object.fromEntries(
      classNames.map((name, i) => {
        const t = recorder.classTotals[i];
        const path = paths.timing.figures(paths.classOperations[i]);
        return [name, { requests: t.arrivals, completed: t.succeeded, errors: t.failed, latency_ms: latencyFigures(recorder.classHistograms[i]), path }];
      }),
    ),
    byOperation: paths.serviceOperations.size === 0 ? undefined : Object.fromEntries([...paths.serviceOperations].map(([name, op]) => [name, paths.timing.figures(op)])),
    measuredFromS: recorder.measuredFrom / 1e6,
    staleReads: sumOfColumns(recorder, 'stale_reads'),
    shards: shardFigures(recorder.columns, rows, recorder.measuredFrom / 1e6),
    littlesLaw: {
      meanInSystem,
      arrivalRatePerS,
      meanTimeInSystemMs,
      lambdaW,
      relativeDifference: lambdaW > 0 ? Math.abs(meanInSystem - lambdaW) / lambdaW : 0,
    },
  };
}

/** Total over the run of the columns named `name` or `<prefix>_name`; undefined when there are none. */
function sumOfColumns(recorder: Recorder, name: string): number | undefined {
  const columns = recorder.columns.flatMap((c, i) => (c === name || c.endsWith(`_${name}`) ? [i] : []));
  return columns.length === 0 ? undefined : recorder.rows.reduce((sum, row) => columns.reduce((s, i) => s + row[i], sum), 0);
}

function nanToZero(x: number): number {
  return Number.isNaN(x) ? 0 : x;
}

function peak(rows: number[][], column: number): number {
  return column < 0 ? 0 : rows.reduce((m, r) => Math.max(m, r[column]), 0);
}
