import { expect, test } from 'vitest';
import { bucketIndex, bucketValue, HISTOGRAM_BUCKETS, LogHistogram, quantileOfCounts } from '../../src/metrics/histogram.js';

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

/** The original bottom-up nearest-rank scan, as a reference. */
function referenceQuantile(h: LogHistogram, q: number): number {
  if (h.count === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
    seen += h.counts[i];
    if (seen >= rank) return Math.min(h.max, bucketValue(i));
  }
  return h.max;
}

test('quantile (scanning from the nearer end) equals the bottom-up nearest-rank scan exactly', () => {
  let state = 11;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let trial = 0; trial < 50; trial++) {
    const h = new LogHistogram();
    const n = 1 + Math.floor(random() * (trial % 5 === 0 ? 3 : 2000));
    for (let i = 0; i < n; i++) h.record(10 ** (random() * 7));
    for (const q of [1e-6, 0.001, 0.01, 0.25, 0.5, 0.5000001, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1]) expect(h.quantile(q)).toBe(referenceQuantile(h, q));
  }
});

test('quantileOfCounts over raw counts and a bucket range matches the histogram', () => {
  const h = new LogHistogram();
  for (const v of [1_000, 2_000, 2_000, 50_000, 900_000]) h.record(v);
  for (const q of [0.2, 0.5, 0.8, 1]) {
    expect(quantileOfCounts(h.counts, h.count, h.max, q)).toBe(h.quantile(q));
    expect(quantileOfCounts(h.counts, h.count, h.max, q, h.lowestBucket(), h.highestBucket())).toBe(h.quantile(q));
  }
  expect(quantileOfCounts(new Float64Array(HISTOGRAM_BUCKETS), 0, 0, 0.5)).toBeNaN();
});

test('bucketIndex is the bucket record uses; lowest/highest occupied buckets', () => {
  const h = new LogHistogram();
  expect(h.lowestBucket()).toBe(HISTOGRAM_BUCKETS);
  expect(h.highestBucket()).toBe(-1);
  for (const v of [0, 0.5, 1, 1.02, 1.03, 99, 100_000, 123_456.7, 1e15]) {
    const single = new LogHistogram();
    single.record(v);
    expect(single.counts[bucketIndex(v)]).toBe(1);
    expect(single.lowestBucket()).toBe(bucketIndex(v));
    expect(single.highestBucket()).toBe(bucketIndex(v));
  }
  expect(bucketIndex(1e15)).toBe(HISTOGRAM_BUCKETS - 1); // clamped to the top bucket
  h.record(5_000);
  h.record(70);
  h.record(2e6);
  expect(h.lowestBucket()).toBe(bucketIndex(70));
  expect(h.highestBucket()).toBe(bucketIndex(2e6));
  // Reported value of a bucket is within 1% of every value in it.
  for (const v of [70, 5_000, 2e6]) expect(Math.abs(bucketValue(bucketIndex(v)) - v) / v).toBeLessThan(0.01);
});

test('the run histogram, summed from the interval histograms, holds every success', async () => {
  const { scenario, simulate } = await import('../helpers/scenario.js');
  // 10 min of 50/s on 10 s intervals: the run ends on an interval boundary, where the last
  // interval flush and the final flush fall on the same instant.
  const s = scenario({
    duration: '10m',
    traffic: { rate: { constant: 50 }, classes: { req: { share: 1, cpu: '20ms' } } },
    services: { web: { replicas: 4 } },
  });
  const { model, summary } = simulate(s);
  expect(summary.completed).toBeGreaterThan(25_000);
  expect(model.recorder.runHistogram.count).toBe(summary.completed);
  const perInterval = model.recorder.rows.reduce((sum, row) => sum + row[model.recorder.columns.indexOf('completed_rps')] * 10, 0);
  expect(perInterval).toBeCloseTo(summary.completed, 6);
});
