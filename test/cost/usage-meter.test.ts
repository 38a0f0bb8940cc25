import { describe, expect, it } from 'vitest';
import { UsageMeter, usageMeterFor } from '../../src/model/cost/index.js';
import { defaultPriceCatalog } from '../../src/catalog/prices.js';

const M5_LARGE = { hourlyRateUsd: 0.096, granularitySeconds: 1, minimumSeconds: 60 };
const PER_SECOND_M5 = 0.096 / 3600;

describe('UsageMeter', () => {
  it('bills a 20 s instance its 60 s minimum: $0.0016', () => {
    const meter = new UsageMeter(M5_LARGE);
    meter.start(1, 100);
    expect(meter.stop(1, 120)).toBeCloseTo(0.0016, 12);
    expect(meter.totalUsd(120)).toBeCloseTo(0.0016, 12);
  });

  it('bills 2 h at $0.192 and 90.5 s as 91 s', () => {
    const meter = new UsageMeter(M5_LARGE);
    meter.start(1, 0);
    meter.start(2, 0);
    expect(meter.stop(2, 90.5)).toBeCloseTo(91 * PER_SECOND_M5, 14);
    expect(meter.stop(1, 7200)).toBeCloseTo(0.192, 12);
    expect(meter.totalUsd(7200)).toBeCloseTo(0.192 + 91 * PER_SECOND_M5, 12);
  });

  it('accrues while running and charges the minimum surcharge at stop time', () => {
    const meter = new UsageMeter(M5_LARGE);
    meter.start(7, 0);
    // Running 20 s: 20 s accrued so far.
    expect(meter.costBetween(0, 10)).toBeCloseTo(10 * PER_SECOND_M5, 14);
    meter.stop(7, 20);
    // (10, 20] holds 10 s of running plus the 40 s lump charged at t = 20.
    expect(meter.costBetween(10, 20)).toBeCloseTo(50 * PER_SECOND_M5, 14);
    expect(meter.costBetween(20, 30)).toBe(0);
  });

  it('splits cost into intervals that sum to the total', () => {
    const meter = new UsageMeter(M5_LARGE);
    // Lifetimes (s): A 0→95.5 (bills 96), B 30→45 (bills 60), C 50→400 (bills 350), D 380→ still running.
    meter.start(1, 0);
    meter.start(2, 30);
    meter.stop(2, 45);
    meter.start(3, 50);
    meter.stop(1, 95.5);
    meter.start(4, 380);
    meter.stop(3, 400);
    meter.stopAll(420); // D: 40 s → 60 s
    const expectedTotal = (96 + 60 + 350 + 60) * PER_SECOND_M5;
    expect(meter.totalUsd(420)).toBeCloseTo(expectedTotal, 12);
    let sum = 0;
    const cumulative: number[] = [];
    for (let t = 0; t < 420; t += 15) {
      sum += meter.costBetween(t, t + 15);
      cumulative.push(sum);
    }
    expect(sum).toBeCloseTo(expectedTotal, 12);
    // Cumulative series is non-decreasing.
    for (let i = 1; i < cumulative.length; i++) expect(cumulative[i]).toBeGreaterThanOrEqual(cumulative[i - 1]);
    // First interval (0, 15]: only A running, 15 s.
    expect(meter.costBetween(0, 15)).toBeCloseTo(15 * PER_SECOND_M5, 14);
    // (30, 45]: A 15 s + B 15 s + B's 45 s lump at 45 = 75 s.
    expect(meter.costBetween(30, 45)).toBeCloseTo(75 * PER_SECOND_M5, 14);
  });

  it('totalUsd bills still-running resources as if stopped at tEnd', () => {
    const meter = new UsageMeter(M5_LARGE);
    meter.start(1, 0);
    meter.start(2, 100);
    // At 110: #1 ran 110 s (bills 110), #2 ran 10 s (bills the 60 s minimum).
    expect(meter.totalUsd(110)).toBeCloseTo(170 * PER_SECOND_M5, 14);
    // Accrued (no pending surcharge) is 110 + 10 = 120 s.
    expect(meter.accruedUsd(110)).toBeCloseTo(120 * PER_SECOND_M5, 14);
    expect(meter.runningCount).toBe(2);
  });

  it('bills quantity: a Fargate task of 0.25 vCPU for 2 min', () => {
    const meter = new UsageMeter({ hourlyRateUsd: 0.04048, granularitySeconds: 1, minimumSeconds: 60 });
    meter.start(1, 0, 0.25);
    // 0.25 × 120 s × 0.04048 / 3600 = $0.000337333…
    expect(meter.stop(1, 120)).toBeCloseTo((0.25 * 120 * 0.04048) / 3600, 15);
  });

  it('rejects out-of-order events and unknown keys', () => {
    const meter = new UsageMeter(M5_LARGE);
    meter.start(1, 10);
    expect(() => meter.start(2, 5)).toThrow(RangeError);
    expect(() => meter.start(1, 11)).toThrow(RangeError);
    expect(() => meter.stop(9, 12)).toThrow(RangeError);
  });

  it('handles many lifetimes (grows its breakpoint arrays)', () => {
    const meter = new UsageMeter(M5_LARGE);
    // 500 instances, each 30 s (bills 60 s), back to back.
    for (let i = 0; i < 500; i++) {
      meter.start(i, i * 30);
      meter.stop(i, i * 30 + 30);
    }
    expect(meter.totalUsd(15_000)).toBeCloseTo(500 * 60 * PER_SECOND_M5, 10);
    expect(meter.costBetween(0, 15_000)).toBeCloseTo(500 * 60 * PER_SECOND_M5, 10);
  });

  it('builds a meter from a catalog entry, and refuses a per-request entry', () => {
    const rds = usageMeterFor(defaultPriceCatalog.prices['rds.postgres.db.t3.medium.instance-hour']);
    expect(rds).toBeInstanceOf(UsageMeter);
    const meter = rds as UsageMeter;
    meter.start(1, 0);
    // 5 minutes bills 10 minutes: 0.072 / 6 = $0.012
    expect(meter.stop(1, 300)).toBeCloseTo(0.012, 12);

    const sqs = usageMeterFor(defaultPriceCatalog.prices['sqs.standard.per-million']);
    expect(sqs).toEqual({ path: 'prices.sqs.standard.per-million', message: expect.stringContaining('million-requests') });
  });
});
