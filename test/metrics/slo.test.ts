import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { Simulation } from '../../src/engine/index.js';
import { bucketIndex, LogHistogram, HISTOGRAM_BUCKETS } from '../../src/metrics/histogram.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { RollingErrorRate, RollingPercentile, SloTracker, type SloVerdict } from '../../src/metrics/slo.js';
import { formatPath } from '../../src/scenario/issues.js';
import { sloGates, sloSchema, validateSloAgainstInterval, validateSloGate, type SloInput } from '../../src/scenario/slo-schema.js';

const S = 1e6; // µs per second
const MS = 1e3; // µs per millisecond
const INTERVAL = 10 * S;

/** A histogram holding `n` samples of each latency in `values` (µs). */
function histogramOf(values: [latencyMicros: number, n: number][]): LogHistogram {
  const h = new LogHistogram();
  for (const [v, n] of values) for (let i = 0; i < n; i++) h.record(v);
  return h;
}

/** A deterministic pseudo-random generator (LCG) in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function tracker(slo: SloInput, interval = INTERVAL): SloTracker {
  return new SloTracker(sloSchema.parse(slo), interval);
}

/**
 * Feeds `intervals` intervals to a tracker and a run histogram: `latencies(i)` gives the
 * samples of interval i (1-based, ending at i × 10 s); arrivals/failures likewise.
 */
function run(
  t: SloTracker,
  intervals: number,
  latencies: (i: number) => [number, number][],
  counts: (i: number) => [arrivals: number, failures: number] = () => [100, 0],
): { runHistogram: LogHistogram; totals: { arrivals: number; failures: number }; verdicts: SloVerdict[] } {
  const runHistogram = new LogHistogram();
  const totals = { arrivals: 0, failures: 0 };
  for (let i = 1; i <= intervals; i++) {
    const h = histogramOf(latencies(i));
    runHistogram.add(h);
    const [arrivals, failures] = counts(i);
    totals.arrivals += arrivals;
    totals.failures += failures;
    t.onInterval(i * INTERVAL, h, arrivals, failures);
  }
  return { runHistogram, totals, verdicts: t.verdicts(runHistogram, totals) };
}

describe('latency objectives', () => {
  // 2 h at 10 s intervals: 100 requests per interval at 100 ms, except the 5 minutes
  // (3000 s, 3300 s] = intervals 301…330, all at 900 ms.
  const slow = (i: number) => i >= 301 && i <= 330;
  const stream = (i: number): [number, number][] => [[slow(i) ? 900 * MS : 100 * MS, 100]];

  test('a 5-minute stretch at 900 ms misses the 5m-window p99 < 500 ms SLO; worst window and missedBy as computed', () => {
    const t = tracker({
      latency: [
        { percentile: 'p99', below: '500ms', window: '5m' },
        { percentile: 'p50', below: '500ms', window: '5m' },
        { percentile: 'p99', below: '1s', window: '5m' },
      ],
    });
    const [p99, p50, p99loose] = run(t, 720, stream).verdicts;

    // A 5 m window is 30 intervals × 100 requests. Its p99 (rank 2970 of 3000) is 900 ms as
    // soon as it holds one slow interval (100 > 30 requests above rank); the first full
    // window holding one ends with interval 301, at t = 3010 s. All later windows up to
    // t = 3590 s tie at 900 ms, and a tie goes to the earliest window.
    expect(p99.name).toBe('p99 < 500 ms in every 5m window');
    expect(p99.short).toBe('p99/5m');
    expect(p99.met).toBe(false);
    expect(p99.unit).toBe('ms');
    expect(p99.threshold).toBe(500);
    expect(p99.worstWindowEndS).toBe(3010);
    // Histogram error: the reported value is within 1% of 900 ms and clamped to the window's
    // max (exactly 900 ms), so measured ∈ [891, 900] ms and missedBy ∈ [391, 400] ms.
    expect(p99.measured).toBeLessThanOrEqual(900);
    expect(p99.measured).toBeGreaterThanOrEqual(891);
    expect(p99.missedBy).toBeCloseTo(p99.measured - 500, 9);
    expect(p99.missedBy).toBeGreaterThanOrEqual(391);
    expect(p99.missedBy).toBeLessThanOrEqual(400);
    expect(p99.detail).toMatch(/^missed by \d{3} ms \(p99 \d{3} ms\); worst window ended at 00:50:10$/);

    // p50 (rank 1500 of 3000) is 900 ms once fewer than 15 intervals are fast, i.e. ≥ 16
    // slow ones: first at the window ending with interval 316, t = 3160 s.
    expect(p50.met).toBe(false);
    expect(p50.worstWindowEndS).toBe(3160);

    expect(p99loose.met).toBe(true);
    expect(p99loose.missedBy).toBe(0);
    expect(p99loose.detail).toMatch(/^p99 \d{3} ms in the worst window, which ended at 00:50:10$/);
  });

  test('the worst window agrees with a brute-force scan that rebuilds every window from its samples', () => {
    // Latency varies per interval; the brute force builds a fresh histogram per window.
    const random = lcg(7);
    const perInterval: [number, number][][] = [];
    for (let i = 1; i <= 200; i++) {
      const base = (50 + 400 * random()) * MS * (i >= 120 && i <= 125 ? 3 : 1);
      perInterval.push([[base, 1 + Math.floor(20 * random())], [base * 1.5, 1]]);
    }
    const t = tracker({ latency: [{ percentile: 'p95', below: '800ms', window: '1m' }] });
    const [verdict] = run(t, 200, (i) => perInterval[i - 1]).verdicts;

    let worst = -Infinity;
    let worstEnd = NaN;
    for (let end = 6; end <= 200; end++) {
      const fresh = new LogHistogram();
      for (let i = end - 5; i <= end; i++) fresh.add(histogramOf(perInterval[i - 1]));
      const value = fresh.quantile(0.95);
      if (value > worst) [worst, worstEnd] = [value, end * 10];
    }
    expect(verdict.measured).toBe(worst / 1000);
    expect(verdict.worstWindowEndS).toBe(worstEnd);
    expect(verdict.met).toBe(worst / 1000 < 800);
  });

  test('whole-run p99 of 98.5% at 100 ms and 1.5% at 900 ms is 900 ms', () => {
    // 1000 requests: rank ⌈0.99 × 1000⌉ = 990 > 985 fast ones ⇒ p99 = 900 ms; p95 (rank 950) = 100 ms.
    const t = tracker({
      latency: [
        { percentile: 'p99', below: '500ms' },
        { percentile: 'p95', below: '0.5s' },
      ],
    });
    const { verdicts, runHistogram } = run(t, 10, (i) => [[100 * MS, 98 + (i <= 5 ? 1 : 0)], [900 * MS, i <= 5 ? 2 : 1]]);
    expect(runHistogram.count).toBe(1000);
    const [p99, p95] = verdicts;
    expect(p99.name).toBe('p99 < 500 ms over the run');
    expect(p99.short).toBe('p99');
    expect(p99.met).toBe(false);
    expect(Math.abs(p99.measured - 900) / 900).toBeLessThanOrEqual(0.01);
    expect(Math.abs(p99.missedBy - 400)).toBeLessThanOrEqual(9);
    expect(p99.worstWindowEndS).toBeUndefined();
    expect(p99.detail).toMatch(/^missed by \d{3} ms \(p99 \d{3} ms\)$/);
    expect(p95.met).toBe(true);
    expect(Math.abs(p95.measured - 100) / 100).toBeLessThanOrEqual(0.01);
    expect(p95.detail).toMatch(/^p95 (99|100)(\.\d+)? ms$/);
  });

  test('only full windows are judged: a slow first interval alone does not fail a 1m p50', () => {
    // Interval 1 is all slow; the first full window (intervals 1–6) is 1/6 slow ⇒ p50 = 100 ms.
    // The partial window holding interval 1 alone (p50 = 900 ms) is not judged.
    const t = tracker({ latency: [{ percentile: 'p50', below: '500ms', window: '1m' }] });
    const [v] = run(t, 60, (i) => [[i === 1 ? 900 * MS : 100 * MS, 100]]).verdicts;
    expect(v.met).toBe(true);
    expect(v.worstWindowEndS).toBe(60);
  });

  test('a run shorter than the window is judged as one window over the whole run', () => {
    const t = tracker({ latency: [{ percentile: 'p99', below: '500ms', window: '5m' }] });
    // 10 intervals (100 s) < 5 m: 1 slow interval of 10 ⇒ p99 over the run is 900 ms.
    const { verdicts, runHistogram } = run(t, 10, (i) => [[i === 4 ? 900 * MS : 100 * MS, 100]]);
    const [v] = verdicts;
    expect(v.met).toBe(false);
    expect(v.measured).toBe(runHistogram.quantile(0.99) / 1000);
    expect(v.worstWindowEndS).toBe(100);
    expect(v.detail).toContain('run shorter than the window, judged as one window ending at 00:01:40');
  });

  test('windows with no successful requests count as met; a run with none is met with nothing measured', () => {
    // Requests only in intervals 1–3, slow ones in interval 2; windows of 3 intervals.
    // Windows ending at 30 s hold them all; later windows are empty (met) and do not erase it.
    const t = tracker({ latency: [{ percentile: 'p99', below: '500ms', window: '30s' }] });
    const [v] = run(t, 50, (i) => (i <= 3 ? [[i === 2 ? 900 * MS : 100 * MS, 100]] : [])).verdicts;
    expect(v.met).toBe(false);
    expect(v.worstWindowEndS).toBe(30);

    const empty = tracker({ latency: [{ percentile: 'p99', below: '500ms', window: '30s' }, { percentile: 'p99', below: '500ms' }] });
    const verdicts = run(empty, 20, () => [], () => [0, 0]).verdicts;
    for (const e of verdicts) {
      expect(e.met).toBe(true);
      expect(e.measured).toBeNaN();
      expect(e.missedBy).toBe(0);
      expect(e.worstWindowEndS).toBeUndefined();
      expect(e.detail).toBe('no successful requests to measure (met)');
    }
  });
});

describe('RollingPercentile', () => {
  test('the window quantile equals a fresh histogram of the same samples, exactly (same buckets, same max)', () => {
    const random = lcg(42);
    const k = 7;
    const rolling = new RollingPercentile(k);
    const history: number[][] = [];
    for (let step = 0; step < 80; step++) {
      // Some intervals empty, others spread over four decades.
      const samples = step % 11 === 3 ? [] : Array.from({ length: 1 + Math.floor(random() * 300) }, () => 10 ** (3 + 4 * random()));
      history.push(samples);
      const h = new LogHistogram();
      for (const v of samples) h.record(v);
      rolling.push(h);

      const fresh = new LogHistogram();
      for (const s of history.slice(-k)) for (const v of s) fresh.record(v);
      expect(rolling.count).toBe(fresh.count);
      expect(Array.from(rolling.windowCounts())).toEqual(Array.from(fresh.counts));
      for (const q of [0.001, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
        const expected = fresh.quantile(q);
        if (Number.isNaN(expected)) expect(rolling.quantile(q)).toBeNaN();
        else expect(rolling.quantile(q)).toBe(expected);
      }
      expect(rolling.full).toBe(step + 1 >= k);
    }
  });

  test('memory is independent of the run length: k slots, however many intervals', () => {
    const rolling = new RollingPercentile(30);
    const h = histogramOf([[100 * MS, 50], [200 * MS, 50], [5 * S, 1]]);
    for (let i = 0; i < 30; i++) rolling.push(h);
    const stored = rolling.storedBuckets;
    for (let i = 0; i < 10_000; i++) rolling.push(h);
    expect(rolling.ringSize).toBe(30);
    expect(rolling.storedBuckets).toBe(stored); // no growth after the first window
    // Each slot holds counts up to its interval's top bucket (that of 5 s).
    expect(stored).toBe(30 * (bucketIndex(5 * S) + 1));
    expect(stored).toBeLessThanOrEqual(30 * HISTOGRAM_BUCKETS);
    expect(rolling.count).toBe(30 * 101);
    expect(rolling.windowCounts().length).toBe(HISTOGRAM_BUCKETS);
  });

  test('rejects a window that is not a whole number of intervals', () => {
    expect(() => new RollingPercentile(0)).toThrow(/≥ 1 intervals/);
    expect(() => new RollingErrorRate(2.5)).toThrow(/≥ 1 intervals/);
  });

  test('a 24 h run at 10 s intervals with 5 m windows and a handful of SLOs costs well under 100 ms', () => {
    // Realistic interval histograms: ~2,000 requests spread log-normally over ~300 buckets.
    const random = lcg(3);
    const shapes = Array.from({ length: 50 }, () => {
      const h = new LogHistogram();
      for (let i = 0; i < 2000; i++) h.record(80 * MS * Math.exp(0.8 * (random() + random() + random() - 1.5) * 2));
      return h;
    });
    const t = tracker({
      latency: [
        { percentile: 'p50', below: '200ms', window: '5m' },
        { percentile: 'p95', below: '400ms', window: '5m' },
        { percentile: 'p99', below: '500ms', window: '5m' },
        { percentile: 'p99.9', below: '1s', window: '5m' },
        { percentile: 'p99', below: '500ms' },
      ],
      errorRate: { below: '1%', window: '5m' },
      availability: { atLeast: '99.9%' },
    });
    const start = performance.now();
    for (let i = 1; i <= 8640; i++) t.onInterval(i * INTERVAL, shapes[i % shapes.length], 2000, i % 97 === 0 ? 30 : 0);
    const elapsed = performance.now() - start;
    // ~70 ms cold (JIT warm-up included), ~30 ms warm on a slow shared 2-core VM; the
    // bound is loose so a busy machine does not fail it.
    console.log(`SLO tracking, 8640 intervals × 7 SLOs: ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(400);
  });
});

describe('error rate and availability', () => {
  test('error rate in every 1m window: the worst window is the one holding the whole failure burst', () => {
    // 1000 arrivals per 10 s interval; intervals 100–105 fail 100 each. A 6-interval window
    // holding j of them has rate 100 j / 6000: the maximum, 10%, only for the window of
    // exactly intervals 100–105, ending at t = 1050 s.
    const t = tracker({ errorRate: { below: '1%', window: '1m' }, availability: { atLeast: 0.999 } });
    const burst = (i: number) => i >= 100 && i <= 105;
    const { verdicts } = run(t, 360, () => [[100 * MS, 1]], (i) => [1000, burst(i) ? 100 : 0]);
    const [errorRate, availability] = verdicts;
    expect(errorRate.name).toBe('error rate < 1% in every 1m window');
    expect(errorRate.unit).toBe('ratio');
    expect(errorRate.met).toBe(false);
    expect(errorRate.measured).toBeCloseTo(0.1, 12);
    expect(errorRate.missedBy).toBeCloseTo(0.09, 12);
    expect(errorRate.worstWindowEndS).toBe(1050);
    expect(errorRate.detail).toBe('missed by 9 percentage points (error rate 10%); worst window ended at 00:17:30');
    expect(verdicts.map((v) => v.short)).toEqual(['errors/1m', 'availability']);
    // With the scenario's clockStart (14:00) the same window ends at 14:17:30.
    const atTwo = new SloTracker(sloSchema.parse({ errorRate: { below: '1%', window: '1m' } }), INTERVAL, 14 * 3600);
    expect(run(atTwo, 360, () => [[100 * MS, 1]], (i) => [1000, burst(i) ? 100 : 0]).verdicts[0].detail).toMatch(/ended at 14:17:30$/);

    // Whole run: 600 failures of 360,000 arrivals ⇒ availability 1 − 1/600 ≈ 99.833% < 99.9%.
    expect(availability.name).toBe('availability ≥ 99.9% over the run');
    expect(availability.met).toBe(false);
    expect(availability.measured).toBeCloseTo(1 - 600 / 360_000, 12);
    expect(availability.missedBy).toBeCloseTo(0.999 - (1 - 600 / 360_000), 12);
    expect(availability.worstWindowEndS).toBeUndefined();
  });

  test('whole-run error rate; windows with no arrivals count as met; no arrivals at all is met', () => {
    const t = tracker({ errorRate: { below: 0.01 } });
    const [v] = run(t, 10, () => [], () => [1000, 5]).verdicts; // 50 / 10,000 = 0.5%
    expect(v.name).toBe('error rate < 1% over the run');
    expect(v.short).toBe('errors');
    expect(v.met).toBe(true);
    expect(v.measured).toBeCloseTo(0.005, 12);
    expect(v.detail).toBe('error rate 0.5%');

    // Arrivals only in intervals 1–6 (1% failing); the idle windows after them are not errors.
    const w = tracker({ errorRate: { below: '2%', window: '1m' } });
    const [windowed] = run(w, 30, () => [], (i) => (i <= 6 ? [100, 1] : [0, 0])).verdicts;
    expect(windowed.met).toBe(true);
    expect(windowed.measured).toBeCloseTo(0.01, 12);
    expect(windowed.worstWindowEndS).toBe(60);

    const idle = tracker({ errorRate: { below: '1%', window: '1m' }, availability: { atLeast: '99%' } });
    const [rate, availability] = run(idle, 30, () => [], () => [0, 0]).verdicts;
    expect(rate.met).toBe(true);
    expect(rate.measured).toBeNaN();
    expect(rate.detail).toBe('no requests to measure (met)');
    expect(availability.met).toBe(true);
    expect(availability.measured).toBe(1);
  });
});

describe('slo schema', () => {
  const issues = (input: unknown) => {
    const result = sloSchema.safeParse(input);
    expect(result.success).toBe(false);
    return result.error!.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  };

  test('human units are parsed into µs and fractions; percentiles into a label and an exact fraction', () => {
    const slo = sloSchema.parse({
      latency: [
        { percentile: 'p99', below: '500ms' },
        { percentile: 'p99.9', below: '1.5s', window: '5m' },
        { percentile: 95, below: '250ms', window: 600 },
      ],
      errorRate: { below: '1%', window: '1m' },
      availability: { atLeast: '99.9%' },
      gate: ['hpa-aggressive'],
    });
    expect(slo.latency).toEqual([
      { percentile: 'p99', quantile: 0.99, below: 500_000, window: undefined },
      { percentile: 'p99.9', quantile: 0.999, below: 1_500_000, window: 300_000_000 },
      { percentile: 'p95', quantile: 0.95, below: 250_000, window: 600_000_000 },
    ]);
    expect(slo.errorRate).toEqual({ below: 0.01, window: 60_000_000 });
    expect(slo.availability).toEqual({ atLeast: 0.999 }); // not 0.9990000000000001: exactly 99.9% available meets it
    expect(slo.gate).toEqual(['hpa-aggressive']);
  });

  test('bad values produce path-named messages', () => {
    expect(
      issues({
        latency: [
          { percentile: 'p99', below: 500 },
          { percentile: 'p100', below: 'fast' },
          { percentile: 'p99', below: '500ms', window: '0s', extra: 1 },
        ],
        errorRate: { below: 2 },
        availability: { atLeast: 'most' },
        gate: [''],
      }),
    ).toEqual([
      'latency[0].below: expected a latency with a unit like "500ms" or "1.5s" (a bare number would be seconds), got 500',
      'latency[1].percentile: expected a percentile like "p50", "p90", "p95", "p99", "p99.9" or a number between 0 and 100, got "p100"',
      'latency[1].below: expected a latency with a unit like "500ms" or "1.5s", got "fast"',
      'latency[2].window: expected a window > 0 (at least 1µs), got "0s"',
      'latency[2]: Unrecognized key: "extra"',
      'errorRate.below: expected a fraction below 1 or a percentage: write "2%" for 2 percent, got 2',
      'availability.atLeast: expected a fraction like 0.001 or a percentage like "0.1%", got "most"',
      'gate[0]: expected a strategy name',
    ]);
    expect(issues({})).toEqual([': expected at least one objective (latency, errorRate or availability)']);
    expect(issues({ latency: [{ percentile: true, below: '1s' }] })[0]).toBe(
      'latency[0].percentile: expected a percentile like "p50", "p90", "p95", "p99", "p99.9" or a number between 0 and 100, got true',
    );
  });

  test('every field has a description (JSON Schema for editors)', () => {
    const json = z.toJSONSchema(sloSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown> & {
      properties: Record<string, { description?: string; items?: { properties: Record<string, { description?: string }> }; properties?: Record<string, { description?: string }> }>;
    };
    const described: string[] = [];
    const { latency, errorRate, availability, gate } = json.properties;
    for (const [name, field] of Object.entries({ latency, errorRate, availability, gate })) if (field.description) described.push(name);
    for (const [name, field] of Object.entries(latency.items!.properties)) if (field.description) described.push(`latency.${name}`);
    for (const [name, field] of Object.entries(errorRate.properties!)) if (field.description) described.push(`errorRate.${name}`);
    for (const [name, field] of Object.entries(availability.properties!)) if (field.description) described.push(`availability.${name}`);
    expect(described.sort()).toEqual(
      ['availability', 'availability.atLeast', 'errorRate', 'errorRate.below', 'errorRate.window', 'gate', 'latency', 'latency.below', 'latency.percentile', 'latency.window'].sort(),
    );
    expect(json.properties.gate.description).toContain('default: every strategy');
    expect(latency.items!.properties.window.description).toContain('Default: none');
  });

  test('validateSloAgainstInterval: windows must be positive multiples of metricsInterval', () => {
    const slo = sloSchema.parse({
      latency: [
        { percentile: 'p99', below: '500ms', window: '5m' },
        { percentile: 'p99', below: '500ms', window: '7s' },
        { percentile: 'p99', below: '500ms' },
      ],
      errorRate: { below: '1%', window: '25s' },
    });
    expect(validateSloAgainstInterval(slo, 10 * S)).toEqual([
      'slo.latency[1].window: expected a multiple of metricsInterval (10s), got "7s"',
      'slo.errorRate.window: expected a multiple of metricsInterval (10s), got "25s"',
    ]);
    expect(validateSloAgainstInterval(slo, 1 * S)).toEqual([]);
    expect(() => new SloTracker(slo, 10 * S)).toThrow('slo.latency[1].window: expected a multiple of metricsInterval (10s), got "7s"');
  });

  test('gate: unknown strategy names are reported; absent gates every strategy', () => {
    const gated = sloSchema.parse({ errorRate: { below: '1%' }, gate: ['hpa-aggressive', 'typo'] });
    expect(validateSloGate(gated, ['baseline', 'hpa-aggressive'])).toEqual(['slo.gate[1]: expected one of the strategies (baseline, hpa-aggressive), got "typo"']);
    expect(sloGates(gated, 'hpa-aggressive')).toBe(true);
    expect(sloGates(gated, 'baseline')).toBe(false);
    expect(sloGates(sloSchema.parse({ errorRate: { below: '1%' } }), 'baseline')).toBe(true);
  });
});

test('Recorder.intervalListener gets each interval histogram and counts before the reset', () => {
  const sim = new Simulation(1);
  const recorder = new Recorder(sim, INTERVAL, 1);
  const seen: [number, number, number, number, number][] = [];
  recorder.intervalListener = (tEnd, h, arrivals, failures) => seen.push([tEnd, h.count, Math.round(h.quantile(1) / MS), arrivals, failures]);
  recorder.start();
  for (let i = 0; i < 5; i++) recorder.arrived(0);
  recorder.succeeded(0, 120 * MS);
  recorder.succeeded(0, 40 * MS);
  recorder.failed(0, 0, 30 * S);
  recorder.failed(0, 1, 1 * MS);
  sim.runUntil(INTERVAL); // first interval ends
  recorder.arrived(0);
  recorder.succeeded(0, 80 * MS);
  sim.runUntil(20 * S); // second interval
  expect(seen).toEqual([
    [10 * S, 2, 120, 5, 2],
    [20 * S, 1, 80, 1, 0],
  ]);
  recorder.arrived(0);
  recorder.succeeded(0, 60 * MS);
  sim.runUntil(27 * S);
  recorder.flush(); // partial interval (20 s, 27 s]
  expect(seen[2]).toEqual([27 * S, 1, 60, 1, 0]);
  expect(recorder.rows.length).toBe(3);
});
