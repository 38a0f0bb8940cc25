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

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(value: number): void {
    let i = value <= 1 ? 0 : Math.ceil(Math.log(value) / LOG_GAMMA);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Nearest-rank quantile (0 < q ≤ 1); NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, bucketValue(i));
    }
    return this.max;
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

function bucketValue(i: number): number {
  return i === 0 ? 1 : (2 * Math.pow(HISTOGRAM_GAMMA, i)) / (HISTOGRAM_GAMMA + 1);
}
