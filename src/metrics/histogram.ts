/**
 * A log-bucketed histogram of positive values (µs). Bucket i holds values in
 * (γ^(i-1), γ^i] with γ = 1.02, and reports 2γ^i/(γ+1), so any quantile it returns is
 * within (γ-1)/(γ+1) < 1% of a value in the right bucket. Fixed size: memory does not
 * grow with the number of samples.
 */
export const HISTOGRAM_GAMMA = 1.02;
const LOG_GAMMA = Math.log(HISTOGRAM_GAMMA);
/** γ^1400 ≈ 1.1e12 µs ≈ 12 days: longer than any request. */
const BUCKETS = 1400;
/** Number of buckets of every LogHistogram (fixed). */
export const HISTOGRAM_BUCKETS = BUCKETS;

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(value: number): void {
    this.recordInBucket(value, bucketIndex(value));
  }

  /** `record` when the caller already has the value's bucket (one value going into two histograms). */
  recordInBucket(value: number, bucket: number): void {
    this.counts[bucket]++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Nearest-rank quantile (0 < q ≤ 1); NaN when empty. */
  quantile(q: number): number {
    // No sample lies above the max's bucket, so the scan stops there.
    return quantileOfCounts(this.counts, this.count, this.max, q, 0, bucketIndex(this.max));
  }

  /** Lowest non-empty bucket; HISTOGRAM_BUCKETS when empty. */
  lowestBucket(): number {
    if (this.count === 0) return BUCKETS;
    const c = this.counts;
    let i = 0;
    // Counts are ≥ 0, so a block sums to 0 only when all of it is empty; a sample in the
    // top bucket stops the scan before it runs past the end.
    while (i + 8 <= BUCKETS && c[i] + c[i + 1] + c[i + 2] + c[i + 3] + c[i + 4] + c[i + 5] + c[i + 6] + c[i + 7] === 0) i += 8;
    while (i < BUCKETS && c[i] === 0) i++;
    return i;
  }

  /** Highest non-empty bucket (that of the max); -1 when empty. */
  highestBucket(): number {
    return this.count === 0 ? -1 : bucketIndex(this.max);
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  add(other: LogHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}

/** The bucket of a value by its definition: ⌈ln(value)/ln γ⌉, clamped. */
function bucketByLog(value: number): number {
  const i = value <= 1 ? 0 : Math.ceil(Math.log(value) / LOG_GAMMA);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

/**
 * Faster than a logarithm per sample (four per request): `lowerBound[i]` is the smallest
 * double that `bucketByLog` puts in bucket i or above, found once by stepping through
 * neighbouring doubles, so comparing against the table gives the definition's bucket, bit
 * for bit. The value's exponent and top 8 mantissa bits (a 1/256 octave, narrower than a
 * bucket) index the bucket of that slice's lower end; one comparison finishes it.
 */
const lowerBound = new Float64Array(BUCKETS + 1);
/** Values up to 2^MAX_EXPONENT take the table; larger ones (never latencies) the logarithm. */
const MAX_EXPONENT = 62;
const SLICES = 256;
const bucketOfSlice = new Int32Array(MAX_EXPONENT * SLICES);
{
  const bits = new Float64Array(1);
  const word = new BigInt64Array(bits.buffer);
  const step = (x: number, by: bigint) => {
    bits[0] = x;
    word[0] += by;
    return bits[0];
  };
  lowerBound[0] = -Infinity;
  for (let i = 1; i < BUCKETS; i++) {
    let x = Math.pow(HISTOGRAM_GAMMA, i - 1);
    while (bucketByLog(x) >= i) x = step(x, -1n);
    while (bucketByLog(x) < i) x = step(x, 1n);
    lowerBound[i] = x;
  }
  lowerBound[BUCKETS] = Infinity;
  for (let e = 0; e < MAX_EXPONENT; e++) for (let m = 0; m < SLICES; m++) bucketOfSlice[e * SLICES + m] = bucketByLog(2 ** e * (1 + m / SLICES));
}
const valueBits = new Float64Array(1);
const valueWords = new Uint32Array(valueBits.buffer);
/** Index of the word holding the sign, exponent and top mantissa bits: the second on little-endian machines. */
const HIGH_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The bucket `record` puts a value in. */
export function bucketIndex(value: number): number {
  if (!(value > 1)) return 0;
  if (value >= 2 ** MAX_EXPONENT) return bucketByLog(value);
  valueBits[0] = value;
  // Exponent (11 bits) and top 8 mantissa bits, less the exponent bias.
  const i = bucketOfSlice[((valueWords[HIGH_WORD] >>> 12) & 0x7ffff) - 1023 * SLICES];
  // A slice holds at most one bucket boundary: one comparison, added without a branch (an unpredictable one here).
  return i + +(lowerBound[i + 1] <= value);
}

/** The value a bucket reports (before clamping to the histogram's max). */
export function bucketValue(i: number): number {
  return i === 0 ? 1 : (2 * Math.pow(HISTOGRAM_GAMMA, i)) / (HISTOGRAM_GAMMA + 1);
}

/**
 * Nearest-rank quantile (0 < q ≤ 1) over raw bucket counts whose sum is `total`, all of
 * them inside buckets [lo, hi]; the result is clamped to `max` as LogHistogram.quantile
 * does. NaN when `total` is 0. Scans from whichever end is nearer the rank, so a p99
 * touches only the top few buckets.
 */
export function quantileOfCounts(counts: Float64Array, total: number, max: number, q: number, lo = 0, hi = BUCKETS - 1): number {
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  if (rank <= total / 2) {
    let seen = 0;
    for (let i = lo; i <= hi; i++) {
      seen += counts[i];
      if (seen >= rank) return Math.min(max, bucketValue(i));
    }
  } else {
    // The answer is the smallest i with (samples ≤ i) ≥ rank, i.e. the largest i with
    // (samples ≥ i) > total − rank.
    const above = total - rank;
    let tail = 0;
    for (let i = hi; i >= lo; i--) {
      tail += counts[i];
      if (tail > above) return Math.min(max, bucketValue(i));
    }
  }
  return max;
}
