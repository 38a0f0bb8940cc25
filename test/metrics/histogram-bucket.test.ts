import { expect, test } from 'vitest';
import { RandomStreams } from '../../src/engine/index.js';
import { bucketIndex, HISTOGRAM_BUCKETS, HISTOGRAM_GAMMA } from '../../src/metrics/histogram.js';

/** The bucket by its definition: ⌈ln v / ln γ⌉, clamped to the histogram. */
const byDefinition = (v: number) => {
  const i = v <= 1 ? 0 : Math.ceil(Math.log(v) / Math.log(HISTOGRAM_GAMMA));
  return i >= HISTOGRAM_BUCKETS ? HISTOGRAM_BUCKETS - 1 : i;
};

test('the table lookup puts every value in the bucket the logarithm defines, at and around every boundary', () => {
  const wrong: number[] = [];
  const check = (v: number) => bucketIndex(v) !== byDefinition(v) && wrong.push(v);
  for (let v = 0; v < 1_000_000; v++) check(v); // whole µs, as latencies are
  const random = new RandomStreams('buckets').get('values');
  for (let k = 0; k < 1_000_000; k++) check(Math.exp(random() * 50)); // up to e^50 ≈ 5e21, past the table
  for (let i = 1; i < HISTOGRAM_BUCKETS + 5; i++) {
    const b = Math.pow(HISTOGRAM_GAMMA, i);
    for (const v of [b, b * (1 + 2e-16), b * (1 - 2e-16), b * (1 + 1e-12), b * (1 - 1e-12), Math.floor(b), Math.ceil(b)]) check(v);
  }
  for (const v of [-1, 0, 0.5, 1, 1 + 1e-15, Infinity, 2 ** 62, 2 ** 62 - 1024]) check(v);
  expect(wrong).toEqual([]);
});
