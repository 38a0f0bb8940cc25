import { expect, test } from 'vitest';
import { LogHistogram } from '../../src/metrics/histogram.js';

test('quantiles are within 1% of the exact order statistic', () => {
  const h = new LogHistogram();
  const values: number[] = [];
  // A deterministic spread over six decades: 1 µs … 1 s.
  for (let i = 0; i < 20_000; i++) {
    const v = Math.pow(10, (i * 7919) % 20_000 / 20_000 * 6);
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  for (const q of [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999]) {
    const exact = values[Math.ceil(q * values.length) - 1]; // nearest rank
    expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01);
  }
  expect(h.max).toBe(values[values.length - 1]);
});

test('memory is fixed: the bucket array does not grow with samples', () => {
  const h = new LogHistogram();
  const before = h.counts.length;
  for (let i = 1; i < 1_000_000; i++) h.record(i);
  expect(h.counts.length).toBe(before);
  expect(h.count).toBe(999_999);
});

test('empty histogram has no quantile; reset empties it', () => {
  const h = new LogHistogram();
  expect(h.quantile(0.5)).toBeNaN();
  h.record(100);
  h.reset();
  expect(h.count).toBe(0);
  expect(h.quantile(0.99)).toBeNaN();
});
