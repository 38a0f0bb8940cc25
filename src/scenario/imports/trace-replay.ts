/**
 * Replay of a parsed trace: one pass of the trace → sorted arrival times (µs from the pass start).
 * Pure and deterministic: all randomness comes from the injected `random` ([0, 1)), drawn in a
 * fixed order (request by request, or second by second), so the same stream gives the same pass.
 * Looping is the caller's: it calls expandTraceToArrivals once per pass and adds
 * pass × passDurationMicros(trace, options).
 */
import type { InputIssue } from '../issues.js';
import type { CountsTrace, ParsedTrace, TimestampTrace } from './trace.js';

export interface ReplayOptions {
  /** Skip the trace before this offset (trace time, µs); requests at exactly this offset are kept. */
  readonly startOffsetMicros: number;
  /** Time compression (> 0): trace times are divided by it, so its rate is multiplied by it. */
  readonly speedup: number;
  /** Rate multiplier (> 0); see expandTraceToArrivals. */
  readonly multiplier: number;
  /** Width of the window extra copies are spread over, replay time, µs (default 1 s). */
  readonly jitterMicros?: number;
}

const DEFAULT_JITTER_MICROS = 1_000_000;
/**
 * Most arrivals one pass may hold: a pass is materialized as one Float64Array, so 2^28 arrivals
 * take 2 GiB (of a 24 GiB machine, per worker thread). A trace or multiplier beyond it is refused
 * at load time rather than failing with "Invalid typed array length" mid-run.
 */
export const MAX_PASS_ARRIVALS = 2 ** 28;
const SECOND_MICROS = 1_000_000;

/** Problems with the options alone (no trace needed). */
function optionIssues(options: ReplayOptions): InputIssue[] {
  const issues: InputIssue[] = [];
  const { startOffsetMicros, speedup, multiplier } = options;
  const jitterMicros = options.jitterMicros ?? DEFAULT_JITTER_MICROS;
  if (!Number.isFinite(startOffsetMicros) || startOffsetMicros < 0) issues.push({ path: 'traffic.trace.startOffset', message: `expected a duration ≥ 0, got ${startOffsetMicros} µs` });
  if (!Number.isFinite(speedup) || speedup <= 0) issues.push({ path: 'traffic.trace.speedup', message: `expected a number > 0, got ${speedup}` });
  if (!Number.isFinite(multiplier) || multiplier <= 0) issues.push({ path: 'traffic.trace.multiplier', message: `expected a number > 0, got ${multiplier}` });
  if (!Number.isFinite(jitterMicros) || jitterMicros < 0) issues.push({ path: 'traffic.trace.jitter', message: `expected a duration ≥ 0, got ${jitterMicros} µs` });
  return issues;
}

/**
 * Problems with replay options for this trace, as values (the scenario schema catches most of them
 * first). Also flags a startOffset beyond the end of the trace, which would replay nothing.
 */
export function checkReplayOptions(trace: ParsedTrace, options: ReplayOptions): InputIssue[] {
  const issues = optionIssues(options);
  // A timestamps trace still has its last request at offset = duration; a counts trace ends there.
  const replaysNothing = trace.kind === 'timestamps' ? options.startOffsetMicros > trace.durationMicros : options.startOffsetMicros >= trace.durationMicros;
  if (issues.length === 0 && replaysNothing) {
    issues.push({ path: 'traffic.trace.startOffset', message: `expected less than the trace's length (${trace.durationMicros / 1e6} s), got ${options.startOffsetMicros / 1e6} s: nothing would be replayed` });
  }
  const requests = trace.kind === 'timestamps' ? trace.rows : trace.totalRequests;
  const arrivals = requests * Math.ceil(options.multiplier);
  if (issues.length === 0 && arrivals > MAX_PASS_ARRIVALS) {
    issues.push({
      path: 'traffic.trace.multiplier',
      message: `expected a multiplier that keeps one replay pass within ${MAX_PASS_ARRIVALS.toLocaleString('en-US')} arrivals (it is held in memory), got ${options.multiplier}: ${requests.toLocaleString('en-US')} requests × ${Math.ceil(options.multiplier)} = ${arrivals.toLocaleString('en-US')}`,
    });
  }
  return issues;
}

function assertValid(options: ReplayOptions): void {
  const issues = optionIssues(options);
  if (issues.length > 0) throw new RangeError(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
}

/**
 * Gap added after the last request of a timestamps pass: the trace's mean inter-arrival time, so
 * that looping neither stacks the last request of a pass on the first of the next (same instant)
 * nor changes the mean rate (rows arrivals per rows × mean gap). 1 s for a one-request trace.
 */
function seamGapMicros(trace: TimestampTrace): number {
  return trace.rows >= 2 && trace.durationMicros > 0 ? trace.durationMicros / (trace.rows - 1) : SECOND_MICROS;
}

/**
 * Length of one pass in replay time, µs: what the caller adds per loop.
 * - timestamps: (duration − startOffset + mean inter-arrival gap) / speedup — see seamGapMicros;
 * - counts: (duration − startOffset) / speedup, duration ending with the last listed second.
 * 0 when startOffset skips the whole trace (then there is nothing to loop).
 */
export function passDurationMicros(trace: ParsedTrace, options: ReplayOptions): number {
  const traceMicros = trace.kind === 'timestamps' ? trace.durationMicros + seamGapMicros(trace) : trace.durationMicros;
  return Math.max(0, traceMicros - options.startOffsetMicros) / options.speedup;
}

/** Folds x into [0, length) by reflecting at both ends (no point mass at an edge, unlike clamping). */
function reflectInto(x: number, length: number): number {
  if (x >= 0 && x < length) return x;
  if (length <= 0) return 0;
  const period = 2 * length;
  let y = x % period;
  if (y < 0) y += period;
  if (y >= length) y = period - y;
  // period − y = length only when y was exactly length: keep the pass half-open.
  return y < length ? y : length * (1 - Number.EPSILON);
}

/** First index with offsets[i] ≥ value (offsets ascending). */
function lowerBound(offsets: Float64Array, value: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (offsets[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * One pass of the trace as arrival times, µs from the pass start, ascending, all in
 * [0, passDurationMicros(trace, options)).
 *
 * **timestamps** — request i at trace offset oᵢ ≥ startOffset replays at tᵢ = (oᵢ − startOffset) / speedup.
 * The rate multiplier m works by *superposition of jittered copies plus thinning*: each request
 * gives ⌊m⌋ copies, plus one more with probability m − ⌊m⌋. The first copy is the request itself,
 * at tᵢ; every extra copy is moved by an independent uniform offset in [−jitter/2, +jitter/2]
 * (replay time), reflected back into the pass at its ends. Why:
 * - thinning alone can only lower a rate;
 * - exact duplicates would put m requests on the same microsecond — artificial bursts the real
 *   system never saw;
 * - jittered copies keep the trace's burst structure at time scales above the jitter (a busy
 *   minute stays m× busier) while smoothing it below (within ±jitter/2 the copies are spread out).
 * With m < 1 there are no extra copies: each request is just kept with probability m (thinning).
 * Draws, per request: one Bernoulli if m is fractional, then one uniform per extra copy.
 *
 * **counts** — second s with n requests gives ⌊n·m⌋ arrivals plus one with probability
 * n·m − ⌊n·m⌋, each uniform in [s, s + 1) s: given the count, that is a Poisson process's fine
 * structure inside the second (the trace says nothing finer). Arrivals before startOffset (in the
 * second that contains it) are dropped; the rest replay at (t − startOffset) / speedup.
 *
 * speedup compresses time (a 1 h trace at speedup 2 lasts 30 min), so it multiplies the rate too.
 * Throws RangeError on invalid options (speedup or multiplier ≤ 0, negative offset or jitter) —
 * the scenario schema rejects those first; checkReplayOptions reports them as values.
 */
export function expandTraceToArrivals(trace: ParsedTrace, options: ReplayOptions, random: () => number): Float64Array {
  assertValid(options);
  return trace.kind === 'timestamps' ? expandTimestamps(trace, options, random) : expandCounts(trace, options, random);
}

function expandTimestamps(trace: TimestampTrace, options: ReplayOptions, random: () => number): Float64Array {
  const { startOffsetMicros, speedup, multiplier } = options;
  const jitterMicros = options.jitterMicros ?? DEFAULT_JITTER_MICROS;
  const offsets = trace.offsetsMicros;
  const passMicros = passDurationMicros(trace, options);
  const wholeCopies = Math.floor(multiplier);
  const extraProbability = multiplier - wholeCopies;
  const first = lowerBound(offsets, startOffsetMicros);
  const out = new Float64Array((offsets.length - first) * Math.ceil(multiplier));
  let n = 0;
  for (let i = first; i < offsets.length; i++) {
    const copies = wholeCopies + (extraProbability > 0 && random() < extraProbability ? 1 : 0);
    if (copies === 0) continue;
    const t = (offsets[i] - startOffsetMicros) / speedup;
    out[n++] = t;
    for (let c = 1; c < copies; c++) out[n++] = reflectInto(t + (random() - 0.5) * jitterMicros, passMicros);
  }
  return finish(out, n);
}

function expandCounts(trace: CountsTrace, options: ReplayOptions, random: () => number): Float64Array {
  const { startOffsetMicros, speedup, multiplier } = options;
  const counts = trace.countsPerSecond;
  const firstSecond = Math.floor(startOffsetMicros / SECOND_MICROS);
  let capacity = 0;
  for (let s = firstSecond; s < counts.length; s++) capacity += Math.ceil(counts[s] * multiplier);
  const out = new Float64Array(capacity);
  let n = 0;
  for (let s = firstSecond; s < counts.length; s++) {
    if (counts[s] === 0) continue;
    const expected = counts[s] * multiplier;
    const whole = Math.floor(expected);
    const fraction = expected - whole;
    const arrivals = whole + (fraction > 0 && random() < fraction ? 1 : 0);
    const secondStart = s * SECOND_MICROS;
    for (let j = 0; j < arrivals; j++) {
      const t = secondStart + random() * SECOND_MICROS;
      if (t < startOffsetMicros) continue;
      out[n++] = (t - startOffsetMicros) / speedup;
    }
  }
  return finish(out, n);
}

/** Sorts the filled part in place (numeric typed-array sort) and returns a compact copy. */
function finish(out: Float64Array, n: number): Float64Array {
  const filled = out.subarray(0, n);
  filled.sort();
  return n === out.length ? out : filled.slice();
}
