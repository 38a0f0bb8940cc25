import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectedArrivals, expectedWork, formatRequests } from '../../src/scenario/estimate.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { scenario } from '../helpers/scenario.js';

const classes = { req: { share: 1, cpu: '10ms' } };
const services = { web: { replicas: 1 } };
const arrivalsOf = (rate: unknown, duration: string) => expectedArrivals(scenario({ duration, traffic: { rate: rate as never, classes }, services }), new Map());

describe('expected arrivals: the integral of the rate curve over the run', () => {
  test('constant 50/s for 1h: 180,000', () => expect(arrivalsOf({ constant: '50/s' }, '1h')).toBe(180_000));

  test('10/s × spike(×5, rise 100s, hold 200s, decay 300s) over 4000 s: 62,000 (by hand, as in the arrivals test)', () => {
    const rate = { product: [{ constant: 10 }, { spike: { at: '0s', multiplier: 5, rise: '100s', hold: '200s', decay: '300s' } }] };
    expect(arrivalsOf(rate, '4000s')).toBeCloseTo(62_000, -1);
  });

  test('a diurnal × spike product over a year: mean × duration plus the spike, within 1%', () => {
    // Whole days: the sinusoid integrates to 0, so the product ≈ 100/s × 366 d + the spike's excess, (10 − 1)·(5 + 60 + 30) s at ≈ 100/s.
    const rate = { product: [{ diurnal: { mean: '100/s', peakHour: 13, troughToPeak: 0.3 } }, { spike: { at: '4m', multiplier: 10, rise: '10s', hold: '1m', decay: '30s' } }] };
    const expected = 100 * 366 * 86_400;
    expect(Math.abs(arrivalsOf(rate, '366d') - expected) / expected).toBeLessThan(0.01);
  });

  test('a counts trace: its requests × multiplier per pass, one pass without loop, as many as fit with loop', async () => {
    // test/fixtures/traces/counts.csv: 11 requests over 6 s.
    const doc = (loop: boolean) => ({
      name: 't',
      duration: '60s',
      traffic: { trace: { file: 'counts.csv', format: 'counts', multiplier: 2, loop }, classes },
      services,
    });
    for (const [loop, expected] of [[false, 22], [true, 220]] as const) {
      const loaded = await resolveScenario(doc(loop), resolve('test/fixtures/traces/scenario.json'));
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      expect(expectedArrivals(loaded.value.base, loaded.value.traces)).toBeCloseTo(expected, 6);
    }
  });

  test('the work of a run: every strategy × replications', () => {
    const a = scenario({ duration: '1h', traffic: { rate: { constant: '50/s' }, classes }, services });
    const b = scenario({ duration: '1h', traffic: { rate: { constant: '10/s' }, classes }, services });
    expect(expectedWork([a, a, b], new Map(), 3)).toBe(3 * (180_000 + 180_000 + 36_000));
  });

  test('formatted by order of magnitude', () => {
    expect(formatRequests(116_398.4)).toBe('116,398');
    expect(formatRequests(52_512_345)).toBe('52.5 million');
    expect(formatRequests(6.324e9)).toBe('6.32 billion');
  });
});
