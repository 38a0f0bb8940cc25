/** A curve as the scenario's `traffic.rate` describes it, parsed: rates per second, times µs. */
export type CurveSpec =
  | { constant: number }
  | { ramp: { from: number; to: number; start: number; end: number } }
  | { step: { at: number; from: number; to: number } }
  | { spike: { at: number; multiplier: number; rise: number; hold: number; decay: number } }
  | { diurnal: { mean: number; peakHour: number; troughToPeak: number } }
  | { sum: CurveSpec[] }
  | { product: CurveSpec[] };

/**
 * A request-rate curve over simulated time (per second, or a dimensionless factor for
 * spikes). Besides its value, each curve gives upper and lower bounds of itself over an interval,
 * which is what lets arrivals be generated exactly by thinning in short windows without
 * paying for the curve's global peak everywhere.
 */
export interface RateCurve {
  /** Value at time t (µs). */
  at(t: number): number;
  /** An upper bound of the value on [from, to] (µs); exact for the primitive curves. */
  maxOver(from: number, to: number): number;
  /** A lower bound of the value on [from, to] (µs); exact for the primitive curves. */
  minOver(from: number, to: number): number;
  /** ∫ value dt over [from, to], in value·seconds (expected arrivals for a rate). */
  integral(from: number, to: number): number;
}

const HOUR = 3_600_000_000;
const DAY = 24 * HOUR;

/** Builds a curve; `clockStartMicros` is the time of day at t = 0 (for diurnal curves). */
export function buildCurve(spec: CurveSpec, clockStartMicros: number): RateCurve {
  if ('constant' in spec) return constantCurve(spec.constant);
  if ('ramp' in spec) return rampCurve(spec.ramp);
  if ('step' in spec) return stepCurve(spec.step);
  if ('spike' in spec) return spikeCurve(spec.spike);
  if ('diurnal' in spec) return diurnalCurve(spec.diurnal, clockStartMicros);
  if ('sum' in spec) return sumCurve(spec.sum.map((s) => buildCurve(s, clockStartMicros)));
  if ('product' in spec) return productCurve(spec.product.map((s) => buildCurve(s, clockStartMicros)));
  const unknown: never = spec;
  throw new Error(`unknown curve ${JSON.stringify(unknown)}`);
}

function constantCurve(value: number): RateCurve {
  return { at: () => value, maxOver: () => value, minOver: () => value, integral: (a, b) => (value * (b - a)) / 1e6 };
}

function rampCurve({ from, to, start, end }: { from: number; to: number; start: number; end: number }): RateCurve {
  const at = (t: number) => (t <= start ? from : t >= end ? to : from + ((to - from) * (t - start)) / (end - start));
  return {
    at,
    maxOver: (a, b) => Math.max(at(a), at(b)),
    minOver: (a, b) => Math.min(at(a), at(b)),
    integral: (a, b) => piecewiseLinearIntegral(at, [start, end], a, b),
  };
}

function stepCurve({ at: stepAt, from, to }: { at: number; from: number; to: number }): RateCurve {
  const at = (t: number) => (t < stepAt ? from : to);
  return {
    at,
    maxOver: (a, b) => (b < stepAt ? from : a >= stepAt ? to : Math.max(from, to)),
    minOver: (a, b) => (b < stepAt ? from : a >= stepAt ? to : Math.min(from, to)),
    integral: (a, b) => (from * Math.max(0, Math.min(b, stepAt) - a) + to * Math.max(0, b - Math.max(a, stepAt))) / 1e6,
  };
}

/** 1 → linear rise to m → hold → 1 + (m−1)·e^(−Δt/decay). */
function spikeCurve(s: { at: number; multiplier: number; rise: number; hold: number; decay: number }): RateCurve {
  const peakStart = s.at + s.rise;
  const peakEnd = peakStart + s.hold;
  const extra = s.multiplier - 1;
  const at = (t: number) => {
    if (t < s.at) return 1;
    if (t < peakStart) return 1 + (extra * (t - s.at)) / s.rise;
    if (t <= peakEnd) return s.multiplier;
    return s.decay === 0 ? 1 : 1 + extra * Math.exp(-(t - peakEnd) / s.decay);
  };
  return {
    at,
    // Non-decreasing up to peakEnd and non-increasing after it.
    maxOver: (a, b) => (b < peakStart ? at(b) : a > peakEnd ? at(a) : s.multiplier),
    // …so its minimum over an interval is at one end.
    minOver: (a, b) => Math.min(at(a), at(b)),
    integral: (a, b) => {
      let total = piecewiseLinearIntegral(at, [s.at, peakStart, peakEnd], Math.min(a, peakEnd), Math.min(b, peakEnd));
      const from = Math.max(a, peakEnd);
      if (b > from) {
        const tail = s.decay === 0 ? 0 : extra * s.decay * (Math.exp(-(from - peakEnd) / s.decay) - Math.exp(-(b - peakEnd) / s.decay));
        total += (b - from + tail) / 1e6;
      }
      return total;
    },
  };
}

/** mean·(1 + A·cos(2π(h − peak)/24)), with A from the trough/peak ratio r: A = (1 − r)/(1 + r). */
function diurnalCurve(d: { mean: number; peakHour: number; troughToPeak: number }, clockStart: number): RateCurve {
  const amplitude = (1 - d.troughToPeak) / (1 + d.troughToPeak);
  const omega = (2 * Math.PI) / DAY;
  const phase = clockStart - d.peakHour * HOUR;
  const at = (t: number) => d.mean * (1 + amplitude * Math.cos(omega * (t + phase)));
  return {
    at,
    maxOver: (a, b) => {
      // The peak is at t ≡ −phase (mod a day); include it if it lies inside [a, b].
      const nextPeak = a + mod(-phase - a, DAY);
      return nextPeak <= b ? d.mean * (1 + amplitude) : Math.max(at(a), at(b));
    },
    minOver: (a, b) => {
      const nextTrough = a + mod(-phase + DAY / 2 - a, DAY);
      return nextTrough <= b ? d.mean * (1 - amplitude) : Math.min(at(a), at(b));
    },
    integral: (a, b) => (d.mean * (b - a + (amplitude / omega) * (Math.sin(omega * (b + phase)) - Math.sin(omega * (a + phase))))) / 1e6,
  };
}

function sumCurve(parts: RateCurve[]): RateCurve {
  return {
    at: (t) => {
      let total = 0;
      for (let i = 0; i < parts.length; i++) total += parts[i].at(t);
      return total;
    },
    maxOver: (a, b) => parts.reduce((s, p) => s + p.maxOver(a, b), 0),
    minOver: (a, b) => parts.reduce((s, p) => s + p.minOver(a, b), 0),
    integral: (a, b) => parts.reduce((s, p) => s + p.integral(a, b), 0),
  };
}

function productCurve(parts: RateCurve[]): RateCurve {
  const at = (t: number) => {
    let total = 1;
    for (let i = 0; i < parts.length; i++) total *= parts[i].at(t);
    return total;
  };
  return {
    at,
    // Every curve is non-negative, so the product of the bounds bounds the product.
    maxOver: (a, b) => parts.reduce((s, p) => s * p.maxOver(a, b), 1),
    minOver: (a, b) => parts.reduce((s, p) => s * p.minOver(a, b), 1),
    integral: (a, b) => numericIntegral(at, a, b),
  };
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** Exact integral of a function that is linear between the given breakpoints. */
function piecewiseLinearIntegral(f: (t: number) => number, breaks: number[], a: number, b: number): number {
  if (b <= a) return 0;
  const points = [a, ...breaks.filter((x) => x > a && x < b), b];
  let total = 0;
  for (let i = 1; i < points.length; i++) total += ((f(points[i - 1]) + f(points[i])) / 2) * (points[i] - points[i - 1]);
  return total / 1e6;
}

/** Composite Simpson on one-second steps: products have no closed form in general. */
function numericIntegral(f: (t: number) => number, a: number, b: number): number {
  if (b <= a) return 0;
  const n = Math.max(2, 2 * Math.ceil((b - a) / 2e6));
  const h = (b - a) / n;
  let total = f(a) + f(b);
  for (let i = 1; i < n; i++) total += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (total * h) / 3 / 1e6;
}
