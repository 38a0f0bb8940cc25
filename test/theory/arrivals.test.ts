import { describe, expect, test } from 'vitest';
import { buildCurve } from '../../src/model/traffic/rate-curve.js';
import { curveSchema } from '../../src/scenario/schema.js';
import { scenario, simulate } from '../helpers/scenario.js';

/** Arrivals counted over a run against the curve's integral, computed by hand. */
function arrivalsFor(rate: unknown, duration: string) {
  const s = scenario({
    duration,
    traffic: { rate: rate as never, classes: { req: { share: 1, cpu: '1ms' } } },
    services: { web: { replicas: 50, workers: 8 } },
  });
  return simulate(s).summary.requests;
}

// A Poisson count N with mean m lies within m ± 4√m with probability > 0.9999.
const withinPoisson = (count: number, mean: number) => expect(Math.abs(count - mean)).toBeLessThan(4 * Math.sqrt(mean));

describe('non-homogeneous Poisson arrivals match the integral of the rate curve', () => {
  test('constant 50/s for 1h: 180,000', () => withinPoisson(arrivalsFor({ constant: '50/s' }, '1h'), 180_000));

  test('ramp 0 → 200/s over 1000 s: ½·1000·200 = 100,000', () => {
    withinPoisson(arrivalsFor({ ramp: { from: 0, to: '200/s', start: '0s', end: '1000s' } }, '1000s'), 100_000);
  });

  test('10/s × spike(×5, rise 100s, hold 200s, decay 300s) over 4000 s: 62,000', () => {
    // 10·[4000 + (5−1)·(100/2 + 200 + 300·(1 − e^(−3600/300)))] = 10·(4000 + 4·550) = 62,000 (e^−12 negligible).
    const rate = { product: [{ constant: 10 }, { spike: { at: '0s', multiplier: 5, rise: '100s', hold: '200s', decay: '300s' } }] };
    withinPoisson(arrivalsFor(rate, '4000s'), 62_000);
  });

  test('diurnal with mean 5/s over exactly one day: 432,000 (the sinusoid integrates to zero)', () => {
    withinPoisson(arrivalsFor({ diurnal: { mean: 5, peakHour: 13, troughToPeak: 0.3 } }, '24h'), 432_000);
  });

  test('step 0 → 100/s at 30 min, plus 20/s, over 1 h: 20·3600 + 100·1800 = 252,000', () => {
    withinPoisson(arrivalsFor({ sum: [{ step: { at: '30m', to: 100 } }, { constant: 20 }] }, '1h'), 252_000);
  });

  test('the diurnal peak is at peakHour and the trough/peak ratio holds', () => {
    const s = scenario({
      duration: '24h',
      metricsInterval: '1h',
      traffic: { rate: { diurnal: { mean: 20, peakHour: 15, troughToPeak: 0.25 } }, classes: { req: { share: 1, cpu: '1ms' } } },
      services: { web: { replicas: 5 } },
    });
    const { model } = simulate(s);
    const rates = model.recorder.rows.map((r) => r[1]);
    const peakHour = rates.indexOf(Math.max(...rates)); // row h covers [h, h+1): peak 15:00 falls in row 14 or 15
    expect([14, 15]).toContain(peakHour);
    // Hourly averages flatten the sinusoid a little; at ratio 0.25 the hourly trough/peak is ≈0.26 ± noise.
    const ratio = Math.min(...rates) / Math.max(...rates);
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.32);
  });
});

describe('rate-curve bounds used by thinning', () => {
  // maxOver must bound the curve from above (else thinning under-samples) and minOver from
  // below (else a window would be wrongly taken as flat and its acceptance test skipped).
  const curves: Record<string, unknown> = {
    constant: { constant: 40 },
    ramp: { ramp: { from: 10, to: 200, start: '100s', end: '900s' } },
    step: { step: { at: '500s', from: 50, to: 5 } },
    spike: { spike: { at: '200s', multiplier: 30, rise: '30s', hold: '60s', decay: '120s' } },
    'diurnal around its peak': { diurnal: { mean: 20, peakHour: 0.2, troughToPeak: 0.25 } },
    'diurnal around its trough': { diurnal: { mean: 20, peakHour: 12.2, troughToPeak: 0.25 } },
    'sum and product': { sum: [{ constant: 3 }, { product: [{ diurnal: { mean: 5, peakHour: 12, troughToPeak: 0.5 } }, { spike: { at: '300s', multiplier: 4, rise: '10s', hold: '20s', decay: '60s' } }] }] },
  };
  for (const [name, spec] of Object.entries(curves)) {
    test(`${name}: minOver ≤ value ≤ maxOver on every window, and both are attained on a 1 ms grid (±0.5%)`, () => {
      const curve = buildCurve(curveSchema.parse(spec), 0);
      const primitive = !('sum' in (spec as object));
      for (let start = 0; start < 1_800e6; start += 37e6) {
        const end = start + 60e6;
        const lo = curve.minOver(start, end);
        const hi = curve.maxOver(start, end);
        let seenMin = Infinity;
        let seenMax = -Infinity;
        for (let t = start; t <= end; t += 1000) {
          const v = curve.at(t);
          seenMin = Math.min(seenMin, v);
          seenMax = Math.max(seenMax, v);
        }
        expect(lo).toBeLessThanOrEqual(seenMin * (1 + 1e-12));
        expect(hi).toBeGreaterThanOrEqual(seenMax * (1 - 1e-12));
        if (primitive) {
          expect(Math.abs(lo - seenMin)).toBeLessThanOrEqual(0.005 * seenMax);
          expect(Math.abs(hi - seenMax)).toBeLessThanOrEqual(0.005 * seenMax);
        }
      }
    });
  }
});
