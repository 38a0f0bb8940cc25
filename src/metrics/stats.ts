/**
 * Confidence intervals over replications (one value per seed), using Student's t.
 *
 * The t quantile is computed, not tabled:
 * - df = 1 and df = 2 have closed forms;
 * - 2 < df ≤ 1000: bisection on the exact upper tail, ½·I_{df/(df+t²)}(df/2, ½), with the
 *   regularized incomplete beta from its continued fraction (Numerical Recipes §6.4);
 * - df > 1000 (and ∞): the Cornish–Fisher expansion around the normal quantile
 *   (Abramowitz & Stegun 26.7.5), whose first omitted term is below 1e-14 there;
 * - the normal quantile is bisection on ½·erfc(z/√2), erfc from the regularized upper
 *   incomplete gamma Q(½, z²).
 * Accuracy is about 1e-12 or better everywhere, far beyond what the t-tables print.
 */

export interface MeanConfidenceInterval {
  /** Sample mean; NaN when n = 0. */
  readonly mean: number;
  /** t_{1−α/2, n−1} × stdDev / √n; NaN when n < 2 (no spread can be estimated from one value). */
  readonly halfWidth: number;
  readonly low: number;
  readonly high: number;
  readonly n: number;
  /** Sample standard deviation (divisor n − 1); NaN when n < 2. */
  readonly stdDev: number;
  /** Two-sided confidence level, e.g. 0.95. */
  readonly level: number;
}

/**
 * Two-sided Student-t confidence interval for the mean of `values` at `level` (0 < level < 1).
 * With n = 1 the mean is the value and halfWidth, low, high and stdDev are NaN: one
 * replication says nothing about its own variability, and NaN keeps that from being
 * mistaken for a zero-width interval. With n = 0 everything but n is NaN.
 */
export function meanConfidenceInterval(values: readonly number[], level = 0.95): MeanConfidenceInterval {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  const n = values.length;
  let sum = 0;
  for (const value of values) sum += value;
  const mean = n === 0 ? NaN : sum / n;
  if (n < 2) return { mean, halfWidth: NaN, low: NaN, high: NaN, n, stdDev: NaN, level };
  // Two passes: the sum of squared deviations from the mean does not cancel catastrophically.
  let squares = 0;
  for (const value of values) squares += (value - mean) * (value - mean);
  const stdDev = Math.sqrt(squares / (n - 1));
  const halfWidth = studentTQuantile(1 - (1 - level) / 2, n - 1) * (stdDev / Math.sqrt(n));
  return { mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, n, stdDev, level };
}

/** P(T ≤ t) for Student's t with `df` > 0 degrees of freedom (df = ∞ gives the normal). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (df === Infinity) return t >= 0 ? 1 - normalUpperTail(t) : normalUpperTail(-t);
  const upper = studentTUpperTail(Math.abs(t), df);
  return t >= 0 ? 1 - upper : upper;
}

/** The p-quantile of Student's t with `df` > 0 degrees of freedom (may be fractional or ∞). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) {
    if (p === 0 && df > 0) return -Infinity;
    if (p === 1 && df > 0) return Infinity;
    return NaN;
  }
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (p === 0.5) return 0;
  const tail = 1 - p;
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  if (df > 1000) return cornishFisherT(normalQuantile(p), df);
  return solveDecreasing((t) => studentTUpperTail(t, df), tail);
}

/** The p-quantile of the standard normal distribution. */
export function normalQuantile(p: number): number {
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (!(p > 0 && p < 1)) return NaN;
  if (p < 0.5) return -normalQuantile(1 - p);
  if (p === 0.5) return 0;
  return solveDecreasing(normalUpperTail, 1 - p);
}

/** x ≥ 0 with f(x) = target for a decreasing f on [0, ∞) with f(0) > target > 0. */
function solveDecreasing(f: (x: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  while (f(hi) > target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  // Bisection to the last representable digit: ~60 steps, cheap next to a simulation run.
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** P(T > t) for t ≥ 0: ½ · I_{df/(df+t²)}(df/2, ½). */
function studentTUpperTail(t: number, df: number): number {
  if (t === Infinity) return 0;
  return 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** P(Z > z) for z ≥ 0. */
function normalUpperTail(z: number): number {
  return 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
}

/** A&S 26.7.5: t ≈ z + g1/ν + g2/ν² + g3/ν³ + g4/ν⁴. */
function cornishFisherT(z: number, df: number): number {
  if (df === Infinity) return z;
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xm1 = x - 1;
  let series = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) series += LANCZOS_COEFFICIENTS[i] / (xm1 + i);
  const tt = xm1 + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (xm1 + 0.5) * Math.log(tt) - tt + Math.log(series);
}

/** I_x(a, b), the regularized incomplete beta function, for 0 ≤ x ≤ 1, a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  // The continued fraction converges fast only on this side of the mean; use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

const TINY = 1e-300;
const EPSILON = 1e-16;

/** Modified Lentz evaluation of the incomplete-beta continued fraction (NR §6.4). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/** Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma, for a > 0, x ≥ 0. */
function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFront = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 − P is accurate here because P is not close to 1.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return 1 - sum * Math.exp(logFront);
  }
  // Continued fraction for Q (modified Lentz), NR §6.2.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logFront) * h;
}
