import { describe, expect, it } from 'vitest';
import {
  billedSeconds,
  costPerBlock,
  costPerMillion,
  gbSecondsCost,
  lambdaBilledGbSeconds,
  monthlyExtrapolation,
  timeMeteredCostUsd,
} from '../../src/model/cost/index.js';

const EC2 = { granularitySeconds: 1, minimumSeconds: 60 };
const RDS = { granularitySeconds: 1, minimumSeconds: 600 };
const LAMBDA = { granularitySeconds: 0.001, minimumSeconds: 0 };
const PROVISIONED_CONCURRENCY = { granularitySeconds: 300, minimumSeconds: 300 };

describe('billedSeconds', () => {
  it('raises a short EC2 lifetime to the 60 s minimum', () => {
    expect(billedSeconds(20, EC2)).toBe(60);
    expect(billedSeconds(0, EC2)).toBe(60); // launched and stopped at once still bills the minimum
    expect(billedSeconds(60, EC2)).toBe(60);
  });

  it('rounds up to the next whole second past the minimum', () => {
    expect(billedSeconds(61.2, EC2)).toBe(62);
    expect(billedSeconds(90.5, EC2)).toBe(91);
    expect(billedSeconds(7200, EC2)).toBe(7200);
  });

  it('does not round up float noise: 0.1 + 0.2 s is 0.3 s at µs resolution', () => {
    // 0.1 + 0.2 = 0.30000000000000004; ceil(0.30000000000000004 / 0.1) would be 4 steps.
    expect(billedSeconds(0.1 + 0.2, { granularitySeconds: 0.1, minimumSeconds: 0 })).toBe(0.3);
  });

  it('bills RDS 5 minutes as the 10-minute minimum', () => {
    expect(billedSeconds(300, RDS)).toBe(600);
    expect(billedSeconds(600.4, RDS)).toBe(601);
  });

  it('rounds Lambda to 1 ms and Provisioned Concurrency to 5 minutes', () => {
    expect(billedSeconds(0.0123, LAMBDA)).toBeCloseTo(0.013, 12);
    expect(billedSeconds(0.2, LAMBDA)).toBeCloseTo(0.2, 12);
    expect(billedSeconds(301, PROVISIONED_CONCURRENCY)).toBe(600);
    expect(billedSeconds(60, PROVISIONED_CONCURRENCY)).toBe(300);
  });
});

describe('time-metered cost', () => {
  it('a 20 s m5.large costs 60 s × 0.096/3600 = $0.0016', () => {
    expect(timeMeteredCostUsd(20, 0.096, EC2)).toBeCloseTo(0.0016, 12);
  });

  it('2 h of m5.large costs 2 × 0.096 = $0.192', () => {
    expect(timeMeteredCostUsd(7200, 0.096, EC2)).toBeCloseTo(0.192, 12);
  });

  it('90.5 s of m5.large bills 91 s: 91 × 0.096 / 3600 = $0.0024266…', () => {
    expect(timeMeteredCostUsd(90.5, 0.096, EC2)).toBeCloseTo((91 * 0.096) / 3600, 14);
  });

  it('5 min of db.t3.medium bills 10 min: 0.072 / 6 = $0.012', () => {
    expect(timeMeteredCostUsd(300, 0.072, RDS)).toBeCloseTo(0.012, 12);
  });

  it('scales by quantity: a 2 vCPU Fargate task for 1 h is 2 × 0.04048 = $0.08096', () => {
    expect(timeMeteredCostUsd(3600, 0.04048, EC2, 2)).toBeCloseTo(0.08096, 12);
  });
});

describe('request and GB-second pricing', () => {
  it('prices per million', () => {
    // 2.5M SQS requests × $0.40/M = $1.00; 1 request of API Gateway REST = $0.0000035
    expect(costPerMillion(2_500_000, 0.4)).toBeCloseTo(1.0, 12);
    expect(costPerMillion(1, 3.5)).toBeCloseTo(0.0000035, 15);
  });

  it('prices per block of 10,000 (CloudFront HTTPS)', () => {
    // 1M requests = 100 blocks × $0.01 = $1.00
    expect(costPerBlock(1_000_000, 0.01, 10_000)).toBeCloseTo(1.0, 12);
  });

  it('prices Lambda duration in GB-seconds', () => {
    // 512 MB for 100.4 ms bills 0.5 GB × 0.101 s = 0.0505 GB-s
    const gbSeconds = lambdaBilledGbSeconds(512, 0.1004, LAMBDA);
    expect(gbSeconds).toBeCloseTo(0.0505, 12);
    // 1M such invocations: 50,500 GB-s × 0.0000166667 = $0.84166835
    expect(gbSecondsCost(gbSeconds * 1_000_000, 0.0000166667)).toBeCloseTo(0.84166835, 8);
  });
});

describe('monthlyExtrapolation', () => {
  it('scales to a 30-day month', () => {
    // 1 h cost $0.096 → × 720 h = $69.12
    expect(monthlyExtrapolation(0.096, 3600)).toBeCloseTo(69.12, 10);
    // 1 day cost $10 → × 30 = $300
    expect(monthlyExtrapolation(10, 86_400)).toBeCloseTo(300, 10);
  });

  it('is NaN when nothing was simulated', () => {
    expect(monthlyExtrapolation(1, 0)).toBeNaN();
  });
});
