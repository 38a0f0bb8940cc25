import { formatClock, formatDuration } from '../engine/time.js';
import { bucketIndex, HISTOGRAM_BUCKETS, quantileOfCounts, type LogHistogram } from './histogram.js';

/**
 * SLO evaluation over a run, streaming: the recorder hands over each interval's latency
 * histogram and counts, and sliding windows are kept as rings of per-interval summaries,
 * so memory is O(window intervals × buckets), independent of the run's length.
 */

/** The `slo` block as parsed (scenario/slo-schema.ts produces it): durations µs, ratios 0..1. */
export interface SloSpec {
  readonly latency?: readonly LatencyObjective[];
  readonly errorRate?: { readonly below: number; readonly window?: number };
  readonly availability?: { readonly atLeast: number };
  /** Strategies whose misses make `--check` fail (absent: every strategy). */
  readonly gate?: readonly string[];
}

export interface LatencyObjective {
  /** "p99", "p99.9". */
  readonly percentile: string;
  /** The percentile as a fraction for LogHistogram.quantile (0.99). */
  readonly quantile: number;
  /** Threshold, µs. */
  readonly below: number;
  /** Window, µs; absent: the whole run. */
  readonly window?: number;
}

/**
 * Cross-checks that need the metrics interval: every window must be a positive multiple
 * of it. One line per problem, `slo.latency[1].window: expected a multiple of
 * metricsInterval (10s), got "7s"`; empty when all is well.
 */
export function validateSloAgainstInterval(slo: SloSpec, intervalMicros: number): string[] {
  const problems: string[] = [];
  const check = (path: string, window: number | undefined) => {
    if (window === undefined) return;
    if (window <= 0 || window % intervalMicros !== 0)
      problems.push(`slo.${path}.window: expected a multiple of metricsInterval (${formatDuration(intervalMicros)}), got "${formatDuration(window)}"`);
  };
  (slo.latency ?? []).forEach((objective, i) => check(`latency[${i}]`, objective.window));
  check('errorRate', slo.errorRate?.window);
  return problems;
}

/** One judged objective, as shown in the report and checked by `--check`. */
export interface SloVerdict {
  /** "p99 < 500 ms in every 5m window", "error rate < 1% over the run", "availability ≥ 99.9% over the run". */
  name: string;
  /** The objective in a word, for tables: "p99", "p95/5m", "errors", "errors/5m", "availability". */
  short: string;
  met: boolean;
  /** The run's value, or the worst window's; NaN when there was nothing to measure (then met). */
  measured: number;
  threshold: number;
  unit: 'ms' | 'ratio';
  /** How far `measured` is on the wrong side of `threshold`; ≥ 0, 0 when met. */
  missedBy: number;
  /** End of the worst window, seconds from the start (windowed objectives only). */
  worstWindowEndS?: number;
  /** "missed by 1,240 ms (p99 1,740 ms); worst window ended at 14:00:30" (clock time, see `clockStart`). */
  detail: string;
}

/** Whole-run totals for the error-rate and availability objectives. */
export interface SloTotals {
  arrivals: number;
  failures: number;
}

/**
 * The largest of the last k values pushed (a push may carry no value), in amortized O(1):
 * a monotonic deque, at most k entries.
 */
class SlidingMax {
  private readonly values: Float64Array;
  private readonly seqs: Float64Array;
  private head = 0;
  private length = 0;
  private pushed = 0;

  constructor(private readonly k: number) {
    this.values = new Float64Array(k);
    this.seqs = new Float64Array(k);
  }

  push(value: number | undefined): void {
    const k = this.k;
    const seq = this.pushed++;
    while (this.length > 0 && this.seqs[this.head] <= seq - k) {
      this.head = (this.head + 1) % k;
      this.length--;
    }
    if (value === undefined) return;
    while (this.length > 0 && this.values[(this.head + this.length - 1) % k] <= value) this.length--;
    const at = (this.head + this.length) % k;
    this.values[at] = value;
    this.seqs[at] = seq;
    this.length++;
  }

  /** -Infinity when none of the last k pushes carried a value. */
  get max(): number {
    return this.length === 0 ? -Infinity : this.values[this.head];
  }
}

/**
 * A percentile over a sliding window of the last `k` intervals, without keeping samples:
 * a ring of the last k intervals' bucket counts and a running sum of them (add the newest
 * interval, subtract the one that falls out). A quantile of the window is exactly the
 * quantile of one histogram fed the window's samples (same buckets, same max clamp).
 * Counts are integers, so the running sums stay exact.
 *
 * A slot holds its interval's counts at their bucket positions up to the interval's top
 * bucket (grown on demand, reused, never shrunk), so one pass over the union of the old
 * and the new interval's occupied range both subtracts the old and adds the new; the
 * latencies of one interval typically span a few hundred of the 1,400 buckets. The
 * window's max and lowest bucket come from monotonic deques (amortized O(1)); a p99 scans
 * down from the top bucket and a p50 up from the lowest occupied one.
 *
 * Memory: k slots of ≤ (top bucket + 1) 32-bit counts, about 2.8 KB per slot for latencies
 * up to 10 s (5 m window at 10 s intervals: 84 KB; 1 h: 1 MB), whatever the run's length.
 * A 32-bit count per bucket per interval caps an interval at 4 billion samples per bucket.
 */
export class RollingPercentile {
  private readonly sum = new Float64Array(HISTOGRAM_BUCKETS);
  private readonly slotCounts: Uint32Array[];
  /** Occupied range of each slot's interval (lo > hi when empty). */
  private readonly slotLo: Int32Array;
  private readonly slotHi: Int32Array;
  private readonly slotTotal: Float64Array;
  private readonly maxes: SlidingMax;
  /** Of −(lowest occupied bucket), so its max is minus the window's lowest bucket. */
  private readonly lows: SlidingMax;
  private next = 0;
  /** Intervals pushed so far. */
  pushed = 0;
  /** Samples in the window. */
  count = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`RollingPercentile: expected a window of ≥ 1 intervals, got ${k}`);
    this.slotCounts = Array.from({ length: k }, () => new Uint32Array(0));
    this.slotLo = new Int32Array(k).fill(HISTOGRAM_BUCKETS);
    this.slotHi = new Int32Array(k).fill(-1);
    this.slotTotal = new Float64Array(k);
    this.maxes = new SlidingMax(k);
    this.lows = new SlidingMax(k);
  }

  /** Slots kept: always k, however many intervals were pushed. */
  get ringSize(): number {
    return this.slotCounts.length;
  }

  /** Bucket counts held in the slot buffers (≤ k × buckets). */
  get storedBuckets(): number {
    let n = 0;
    for (const buffer of this.slotCounts) n += buffer.length;
    return n;
  }

  /** The window's bucket counts (a live view: what LogHistogram.counts of the window's samples would hold). */
  windowCounts(): Readonly<Float64Array> {
    return this.sum;
  }

  /** True once k intervals have been pushed: the window is full. */
  get full(): boolean {
    return this.pushed >= this.k;
  }

  /**
   * Slides the window by one interval: `histogram` holds that interval's samples (it is
   * read, not kept). `lo`/`hi` are its lowest and highest non-empty buckets, passed in when
   * several windows share one interval.
   */
  push(histogram: LogHistogram, lo = histogram.lowestBucket(), hi = histogram.highestBucket()): void {
    const slot = this.next;
    let buffer = this.slotCounts[slot];
    if (buffer.length <= hi) {
      const grown = new Uint32Array(Math.min(HISTOGRAM_BUCKETS, Math.max(hi + 1, 2 * buffer.length)));
      grown.set(buffer);
      buffer = this.slotCounts[slot] = grown;
    }
    // One pass over both intervals' ranges: the histogram is empty outside [lo, hi] and
    // the slot outside its old range, so this adds the new counts and drops the old ones.
    const sum = this.sum;
    const counts = histogram.counts;
    const from = Math.min(lo, this.slotLo[slot]);
    const to = Math.max(hi, this.slotHi[slot]);
    for (let i = from; i <= to; i++) {
      const c = counts[i];
      sum[i] += c - buffer[i];
      buffer[i] = c;
    }
    this.count += histogram.count - this.slotTotal[slot];
    this.slotLo[slot] = lo;
    this.slotHi[slot] = hi;
    this.slotTotal[slot] = histogram.count;
    this.next = slot + 1 === this.k ? 0 : slot + 1;
    this.pushed++;
    const occupied = histogram.count > 0;
    this.maxes.push(occupied ? histogram.max : undefined);
    this.lows.push(occupied ? -lo : undefined);
  }

  /** Nearest-rank quantile (0 < q ≤ 1) of the window's samples, in µs; NaN when it has none. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const max = this.maxes.max;
    // Every interval's top bucket is that of its max, so none lies above the window max's.
    return quantileOfCounts(this.sum, this.count, max, q, -this.lows.max, bucketIndex(max));
  }
}

/** Error rate (failures / arrivals) over a sliding window of the last k intervals. */
export class RollingErrorRate {
  private readonly arrivalsRing: Float64Array;
  private readonly failuresRing: Float64Array;
  private next = 0;
  pushed = 0;
  arrivals = 0;
  failures = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`RollingErrorRate: expected a window of ≥ 1 intervals, got ${k}`);
    this.arrivalsRing = new Float64Array(k);
    this.failuresRing = new Float64Array(k);
  }

  get full(): boolean {
    return this.pushed >= this.k;
  }

  push(arrivals: number, failures: number): void {
    // Counts are integers, so the running sums stay exact.
    this.arrivals += arrivals - this.arrivalsRing[this.next];
    this.failures += failures - this.failuresRing[this.next];
    this.arrivalsRing[this.next] = arrivals;
    this.failuresRing[this.next] = failures;
    this.next = (this.next + 1) % this.k;
    this.pushed++;
  }

  /** failures / arrivals in the window; NaN when nothing arrived in it. */
  rate(): number {
    return this.arrivals === 0 ? NaN : this.failures / this.arrivals;
  }
}

/** The worst window seen so far of one windowed objective. */
interface Worst {
  value: number;
  endMicros: number;
}

interface WindowedLatency {
  index: number;
  quantile: number;
  rolling: RollingPercentile;
  worst: Worst;
}

/**
 * Judges a scenario's `slo` block over one run.
 *
 * Windows: a window of `window` = k metrics intervals slides by one interval. Only full
 * windows are judged (the first ends k intervals into the run); when the run is shorter
 * than the window, the whole run is judged as one window (ending at the run's end). When
 * the run's duration is not a multiple of the interval, the last window holds the final,
 * partial interval and so is that much shorter than `window`.
 *
 * The worst window is the one with the largest percentile (or error rate); on a tie the
 * earliest. A window with no successful requests (or, for the error rate, no arrivals)
 * has nothing to miss and counts as met: it never becomes the worst window.
 *
 * Latency is that of successful requests (the recorder's histograms); the error rate is
 * failures / arrivals counted in the same windows.
 */
export class SloTracker {
  private readonly latencyWindows = new Map<number, RollingPercentile>();
  private readonly windowedLatency: WindowedLatency[] = [];
  private readonly errorRolling?: RollingErrorRate;
  private readonly errorWorst: Worst = { value: -Infinity, endMicros: NaN };
  private lastEndMicros = 0;

  /** `clockStartS`: the clock time at t = 0, seconds after midnight, for the worst window's time in `detail`. */
  constructor(
    readonly slo: SloSpec,
    readonly intervalMicros: number,
    private readonly clockStartS = 0,
  ) {
    const problems = validateSloAgainstInterval(slo, intervalMicros);
    if (problems.length > 0) throw new Error(problems.join('\n'));
    (slo.latency ?? []).forEach((objective, index) => {
      if (objective.window === undefined) return;
      const k = objective.window / intervalMicros;
      let rolling = this.latencyWindows.get(k);
      if (rolling === undefined) {
        rolling = new RollingPercentile(k);
        this.latencyWindows.set(k, rolling); // objectives with the same window share one ring
      }
      this.windowedLatency.push({ index, quantile: objective.quantile, rolling, worst: { value: -Infinity, endMicros: NaN } });
    });
    if (slo.errorRate?.window !== undefined) this.errorRolling = new RollingErrorRate(slo.errorRate.window / intervalMicros);
  }

  /** End of a metrics interval (Recorder.intervalListener): its latency histogram and counts. */
  onInterval(tEndMicros: number, intervalHistogram: LogHistogram, arrivals: number, failures: number): void {
    this.lastEndMicros = tEndMicros;
    if (this.latencyWindows.size > 0) {
      const lo = intervalHistogram.lowestBucket();
      const hi = intervalHistogram.highestBucket();
      for (const rolling of this.latencyWindows.values()) rolling.push(intervalHistogram, lo, hi);
      for (const w of this.windowedLatency) {
        if (!w.rolling.full) continue;
        const value = w.rolling.quantile(w.quantile);
        // NaN (no successful requests in the window) is not > anything: counts as met.
        if (value > w.worst.value) w.worst = { value, endMicros: tEndMicros };
      }
    }
    if (this.errorRolling !== undefined) {
      this.errorRolling.push(arrivals, failures);
      if (this.errorRolling.full) {
        const rate = this.errorRolling.rate();
        if (rate > this.errorWorst.value) {
          this.errorWorst.value = rate;
          this.errorWorst.endMicros = tEndMicros;
        }
      }
    }
  }

  /** The verdicts, in the block's order: latency objectives, error rate, availability. */
  verdicts(runHistogram: LogHistogram, totals: SloTotals): SloVerdict[] {
    const verdicts: SloVerdict[] = [];
    const clockStartS = this.clockStartS;
    (this.slo.latency ?? []).forEach((objective, index) => {
      const thresholdMs = objective.below / 1000;
      const what = objective.percentile;
      if (objective.window === undefined) {
        const name = `${what} < ${ms(thresholdMs)} over the run`;
        verdicts.push(judgeAbove({ name, short: what, what, unit: 'ms', threshold: thresholdMs, clockStartS }, runHistogram.quantile(objective.quantile) / 1000, undefined, false));
        return;
      }
      const w = this.windowedLatency.find((x) => x.index === index)!;
      const window = formatDuration(objective.window);
      const spec: Objective = { name: `${what} < ${ms(thresholdMs)} in every ${window} window`, short: `${what}/${window}`, what, unit: 'ms', threshold: thresholdMs, clockStartS };
      if (w.rolling.full) {
        const worst = w.worst.value === -Infinity ? NaN : w.worst.value / 1000;
        verdicts.push(judgeAbove(spec, worst, w.worst.endMicros, false));
      } else {
        // The run is shorter than the window: the window holds the whole run.
        verdicts.push(judgeAbove(spec, w.rolling.quantile(w.quantile) / 1000, this.lastEndMicros, true));
      }
    });
    const errorRate = this.slo.errorRate;
    if (errorRate !== undefined) {
      const objective = { what: 'error rate', unit: 'ratio' as const, threshold: errorRate.below, clockStartS };
      if (errorRate.window === undefined) {
        const rate = totals.arrivals === 0 ? NaN : totals.failures / totals.arrivals;
        verdicts.push(judgeAbove({ ...objective, name: `error rate < ${percent(errorRate.below)} over the run`, short: 'errors' }, rate, undefined, false));
      } else {
        const window = formatDuration(errorRate.window);
        const spec: Objective = { ...objective, name: `error rate < ${percent(errorRate.below)} in every ${window} window`, short: `errors/${window}` };
        const rolling = this.errorRolling!;
        if (rolling.full) {
          const worst = this.errorWorst.value === -Infinity ? NaN : this.errorWorst.value;
          verdicts.push(judgeAbove(spec, worst, this.errorWorst.endMicros, false));
        } else {
          verdicts.push(judgeAbove(spec, rolling.rate(), this.lastEndMicros, true));
        }
      }
    }
    const availability = this.slo.availability;
    if (availability !== undefined) {
      const name = `availability ≥ ${percent(availability.atLeast)} over the run`;
      // Nothing arrived: nothing was unavailable to anyone.
      const measured = totals.arrivals === 0 ? 1 : 1 - totals.failures / totals.arrivals;
      const met = measured >= availability.atLeast;
      const missedBy = met ? 0 : availability.atLeast - measured;
      verdicts.push({
        name,
        short: 'availability',
        met,
        measured,
        threshold: availability.atLeast,
        unit: 'ratio',
        missedBy,
        detail: met ? `measured ${percent(measured)}` : `missed by ${points(missedBy)} (measured ${percent(measured)})`,
      });
    }
    return verdicts;
  }
}

/** An objective "measured < threshold", as named in verdicts. */
interface Objective {
  name: string;
  short: string;
  /** The measured figure's name in the detail line: "p99", "error rate". */
  what: string;
  unit: 'ms' | 'ratio';
  threshold: number;
  /** Clock time at t = 0 [s after midnight]: the worst window's end is given as a clock time. */
  clockStartS: number;
}

/** Judges `measured < threshold`: NaN (nothing measured) counts as met. */
function judgeAbove(objective: Objective, measured: number, worstEndMicros: number | undefined, wholeRunAsWindow: boolean): SloVerdict {
  const { name, short, what, unit, threshold } = objective;
  const windowed = worstEndMicros !== undefined;
  const worstWindowEndS = windowed && Number.isFinite(worstEndMicros) && !Number.isNaN(measured) ? worstEndMicros / 1e6 : undefined;
  const met = Number.isNaN(measured) || measured < threshold;
  const missedBy = met ? 0 : measured - threshold;
  const show = (x: number) => (unit === 'ms' ? ms(x) : percent(x));
  const at = worstWindowEndS === undefined ? '' : formatClock(worstWindowEndS, objective.clockStartS);
  let detail: string;
  if (Number.isNaN(measured)) detail = unit === 'ms' ? 'no successful requests to measure (met)' : 'no requests to measure (met)';
  else {
    const value = `${what} ${show(measured)}`;
    detail = met ? value : `missed by ${unit === 'ms' ? ms(missedBy) : points(missedBy)} (${value})`;
    if (wholeRunAsWindow) detail += `; run shorter than the window, judged as one window ending at ${at}`;
    else if (at !== '') detail += met ? ` in the worst window, which ended at ${at}` : `; worst window ended at ${at}`;
  }
  const verdict: SloVerdict = { name, short, met, measured, threshold, unit, missedBy, detail };
  if (worstWindowEndS !== undefined) verdict.worstWindowEndS = worstWindowEndS;
  return verdict;
}

/** 1234.5 → "1,234.5" (at most `decimals` decimals, trailing zeros dropped). */
function grouped(x: number, decimals: number): string {
  const [whole, fractional] = (+x.toFixed(decimals)).toString().split('.');
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fractional === undefined ? withCommas : `${withCommas}.${fractional}`;
}

/** Milliseconds: "1,240 ms", "87.5 ms", "0.25 ms". */
function ms(x: number): string {
  const a = Math.abs(x);
  return `${grouped(x, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)} ms`;
}

/** A ratio as a percentage: 0.01 → "1%", 0.999 → "99.9%", 2e-6 → "0.0002%". */
function percent(r: number): string {
  const p = r * 100;
  if (p !== 0 && Math.abs(p) < 0.001) return `${+p.toPrecision(2)}%`;
  return `${grouped(p, 3)}%`;
}

/** A difference of ratios in percentage points. */
function points(r: number): string {
  const p = r * 100;
  if (p !== 0 && Math.abs(p) < 0.001) return `${+p.toPrecision(2)} percentage points`;
  return `${grouped(p, 3)} percentage points`;
}
