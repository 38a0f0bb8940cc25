import { expect, test } from 'vitest';
import { pathFiguresAcross } from '../../src/metrics/path-timing.js';

const figures = (p99: number) => ({ mean: p99 / 2, p50: p99 / 3, p95: p99 * 0.9, p99 });

test('path figures over replications: each figure averaged with its 95% Student-t half-width', () => {
  const replication = (p99: number, wait: number) => [
    { step: 'worker', wait_ms: figures(wait) },
    { step: 'db order', time_ms: figures(p99), wait_ms: figures(wait), service_ms: figures(p99 - wait) },
  ];
  const across = pathFiguresAcross([replication(10, 1), replication(12, 1), replication(14, 1)]);
  expect(across.map((s) => s.step)).toEqual(['worker', 'db order']);
  // p99s 10, 12, 14: mean 12, sd 2, half-width t(0.975, 2) · 2/√3 = 4.302653 · 1.154701 = 4.968275.
  expect(across[1].time_ms!.p99.mean).toBeCloseTo(12, 12);
  expect(across[1].time_ms!.p99.halfWidth).toBeCloseTo(4.968275, 5);
  // The same wait in every replication: no spread.
  expect(across[0].wait_ms!.p99).toEqual({ mean: 1, halfWidth: 0 });
  expect(across[0].time_ms).toBeUndefined();
});
