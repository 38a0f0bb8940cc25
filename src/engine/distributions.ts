import type { RandomStream } from './random.js';

/**
 * A distribution of non-negative values (durations in µs, sizes, …). Every distribution
 * knows its exact mean, which the tests and the Little's-law check rely on.
 * Sampling takes the caller's stream, so the distribution owns no randomness itself.
 */
export interface Distribution {
  readonly kind: string;
  readonly mean: number;
  sample(random: RandomStream): number;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

const finite = (x: number) => Number.isFinite(x);

/*
 * Each kind is a class, not a closure: a call site that sees one kind is monomorphic, so the
 * compiler inlines `sample` (and the number it returns is not boxed on the way out).
 */

class Constant implements Distribution {
  readonly kind = 'constant';
  constructor(readonly mean: number) {}
  sample(): number {
    return this.mean;
  }
}

export function constant(value: number): Distribution {
  check(finite(value) && value >= 0, `constant: value must be a finite number ≥ 0, got ${value}`);
  return new Constant(value);
}

class Exponential implements Distribution {
  readonly kind = 'exponential';
  constructor(readonly mean: number) {}
  sample(random: RandomStream): number {
    return -this.mean * Math.log(1 - random());
  }
}

export function exponential(mean: number): Distribution {
  check(finite(mean) && mean > 0, `exponential: mean must be > 0, got ${mean}`);
  return new Exponential(mean);
}

class Uniform implements Distribution {
  readonly kind = 'uniform';
  readonly mean: number;
  private readonly width: number;
  constructor(private readonly min: number, max: number) {
    this.mean = (min + max) / 2;
    this.width = max - min;
  }
  sample(random: RandomStream): number {
    return this.min + this.width * random();
  }
}

export function uniform(min: number, max: number): Distribution {
  check(finite(min) && finite(max) && min >= 0 && max >= min, `uniform: need 0 ≤ min ≤ max, got [${min}, ${max}]`);
  return new Uniform(min, max);
}

class Normal implements Distribution {
  readonly kind = 'normal';
  constructor(
    readonly mean: number,
    private readonly mu: number,
    private readonly sd: number,
  ) {}
  sample(random: RandomStream): number {
    // Box–Muller; one of the pair is used so each sample consumes exactly two draws.
    const u1 = 1 - random();
    const u2 = random();
    const x = this.mu + this.sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return x > 0 ? x : 0;
  }
}

/** Normal(mean, sd) rectified at 0 (a duration cannot be negative); `mean` is the rectified mean. */
export function normal(mu: number, sd: number): Distribution {
  check(finite(mu) && finite(sd) && sd >= 0, `normal: need a finite mean and sd ≥ 0, got mean ${mu}, sd ${sd}`);
  check(mu > 0, `normal: mean must be > 0, got ${mu}`);
  const z = sd === 0 ? Infinity : mu / sd;
  return new Normal(sd === 0 ? mu : mu * standardNormalCdf(z) + sd * standardNormalPdf(z), mu, sd);
}

class Lognormal implements Distribution {
  readonly kind = 'lognormal';
  constructor(
    readonly mean: number,
    private readonly mu: number,
    private readonly sigma: number,
  ) {}
  sample(random: RandomStream): number {
    const u1 = 1 - random();
    const u2 = random();
    return Math.exp(this.mu + this.sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  }
}

/** Lognormal given its mean and coefficient of variation (sd / mean), as people measure latency. */
export function lognormal(mean: number, cv: number): Distribution {
  check(finite(mean) && mean > 0, `lognormal: mean must be > 0, got ${mean}`);
  check(finite(cv) && cv >= 0, `lognormal: cv must be ≥ 0, got ${cv}`);
  const sigma2 = Math.log(1 + cv * cv);
  return new Lognormal(mean, Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2));
}

class BoundedPareto implements Distribution {
  readonly kind = 'pareto';
  constructor(
    readonly mean: number,
    private readonly alpha: number,
    private readonly min: number,
    private readonly ratio: number,
  ) {}
  sample(random: RandomStream): number {
    return this.min / Math.pow(1 - random() * (1 - this.ratio), 1 / this.alpha);
  }
}

/** Bounded Pareto on [min, max] with shape alpha: heavy-tailed work without infinite variance. */
export function boundedPareto(alpha: number, min: number, max: number): Distribution {
  check(finite(alpha) && alpha > 0, `pareto: alpha must be > 0, got ${alpha}`);
  check(finite(min) && finite(max) && min > 0 && max > min, `pareto: need 0 < min < max, got [${min}, ${max}]`);
  const ratio = Math.pow(min / max, alpha);
  const mean =
    alpha === 1
      ? ((max * min) / (max - min)) * Math.log(max / min)
      : (Math.pow(min, alpha) / (1 - ratio)) * (alpha / (alpha - 1)) * (Math.pow(min, 1 - alpha) - Math.pow(max, 1 - alpha));
  return new BoundedPareto(mean, alpha, min, ratio);
}

class EmpiricalSamples implements Distribution {
  readonly kind = 'empirical';
  constructor(
    readonly mean: number,
    private readonly values: Float64Array,
  ) {}
  sample(random: RandomStream): number {
    const n = this.values.length;
    return this.values[Math.min(n - 1, Math.floor(random() * n))];
  }
}

/** Resamples observed values with equal probability. */
export function empiricalSamples(samples: readonly number[]): Distribution {
  check(samples.length > 0, 'empirical: needs at least one sample');
  check(samples.every((x) => finite(x) && x >= 0), 'empirical: samples must be finite numbers ≥ 0');
  const values = Float64Array.from(samples);
  return new EmpiricalSamples(values.reduce((a, b) => a + b, 0) / values.length, values);
}

class EmpiricalHistogram implements Distribution {
  readonly kind = 'histogram';
  constructor(
    readonly mean: number,
    private readonly upper: Float64Array,
    private readonly cumulative: Float64Array,
  ) {}
  sample(random: RandomStream): number {
    const u = random();
    const n = this.upper.length;
    let i = 0;
    while (i < n - 1 && this.cumulative[i] <= u) i++;
    const low = i === 0 ? 0 : this.upper[i - 1];
    return low + (this.upper[i] - low) * random();
  }
}

/**
 * A histogram of observations: bucket i covers (upTo[i-1], upTo[i]] (the first starts at 0)
 * and holds `weight[i]`; a sample picks a bucket by weight, then a uniform value inside it.
 */
export function empiricalHistogram(buckets: readonly { upTo: number; weight: number }[]): Distribution {
  check(buckets.length > 0, 'histogram: needs at least one bucket');
  let previous = 0;
  let total = 0;
  let weightedMidpoints = 0;
  for (const b of buckets) {
    check(finite(b.upTo) && b.upTo > previous, `histogram: bucket bounds must increase, got ${b.upTo} after ${previous}`);
    check(finite(b.weight) && b.weight >= 0, `histogram: weights must be ≥ 0, got ${b.weight}`);
    total += b.weight;
    weightedMidpoints += (b.weight * (previous + b.upTo)) / 2;
    previous = b.upTo;
  }
  check(total > 0, 'histogram: total weight must be > 0');
  const upper = Float64Array.from(buckets, (b) => b.upTo);
  const cumulative = new Float64Array(buckets.length);
  let running = 0;
  buckets.forEach((b, i) => (cumulative[i] = running += b.weight / total));
  return new EmpiricalHistogram(weightedMidpoints / total, upper, cumulative);
}

export function standardNormalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Φ(z) via the complementary error function (W. J. Cody-style rational fit, |error| < 1.2e-7). */
export function standardNormalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
