import { describe, expect, it } from 'vitest';
import { fargateMemoryGb, fargateVcpu } from '../../src/model/cost/cost-model.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario } from '../helpers/scenario.js';

const traffic = { rate: { constant: '5/s' }, classes: { req: { share: 1, cpu: '10ms' } } };
const web = (replicas: number, cpu = '500m', memory = '512Mi') => ({ replicas, resources: { requests: { cpu, memory } } });
const run = (input: Parameters<typeof scenario>[0]) => runStrategy('x', scenario(input), new Map());
const column = (r: ReturnType<typeof run>, name: string) => r.timeseries.rows.map((row) => row[r.timeseries.columns.indexOf(name)]);

describe('cost of a run (prices from the catalog, hand-computed)', () => {
  it('two m5.large nodes for 1 h and the EKS control plane: 2 × $0.096 + $0.10 = $0.292', () => {
    const r = run({ duration: '1h', traffic, services: { web: web(2) }, cluster: { nodePools: { general: { instanceType: 'm5.large', minNodes: 2, maxNodes: 2 } }, clusterAutoscaler: { enabled: false } } });
    expect(r.summary.cost.byResourceUsd['nodes general (m5.large)']).toBeCloseTo(0.192, 12);
    expect(r.summary.cost.byResourceUsd['control plane (eks.cluster-hour)']).toBeCloseTo(0.1, 12);
    expect(r.summary.cost.totalUsd).toBeCloseTo(0.292, 12);
    // the interval costs add up to the cumulative column and to the total
    const perInterval = column(r, 'cost_usd');
    expect(perInterval.reduce((a, b) => a + b, 0)).toBeCloseTo(0.292, 9);
    expect(column(r, 'cost_cumulative_usd').at(-1)).toBeCloseTo(0.292, 9);
    // 360 intervals of 10 s, each 0.292 / 360
    expect(perInterval[100]).toBeCloseTo(0.292 / 360, 12);
    // a 30-day month at the same rate: 0.292 × 720 h
    expect(r.summary.cost.monthlyExtrapolationUsd).toBeCloseTo(0.292 * 720, 9);
    expect(r.summary.cost.perMillionRequestsUsd).toBeCloseTo((0.292 * 1e6) / r.summary.requests, 9);
  });

  it('a scenario price override replaces the catalog price', () => {
    const r = run({
      duration: '1h',
      traffic,
      services: { web: web(2) },
      cluster: { nodePools: { general: { instanceType: 'm5.large', minNodes: 2, maxNodes: 2 } }, clusterAutoscaler: { enabled: false } },
      cost: { controlPlane: 'none', prices: { 'ec2.m5.large.instance-hour': 0.05 } },
    });
    expect(r.summary.cost.totalUsd).toBeCloseTo(0.1, 12);
  });

  it('without nodes, pods bill as Fargate: 3 × (0.5 vCPU × $0.04048 + 0.5 GB × $0.004445) per hour', () => {
    const r = run({ duration: '1h', traffic, services: { web: web(3) }, cost: { controlPlane: 'none' } });
    expect(r.summary.cost.totalUsd).toBeCloseTo(3 * (0.5 * 0.04048 + 0.5 * 0.004445), 12);
  });

  it('rounds pod requests up to Fargate sizes', () => {
    expect(fargateVcpu(300)).toBe(0.5);
    expect(fargateVcpu(1000)).toBe(1);
    expect(fargateVcpu(1001)).toBe(2);
    expect(fargateMemoryGb(512 * 1024 ** 2)).toBe(0.5);
    expect(fargateMemoryGb(1.2 * 1024 ** 3)).toBe(2);
  });

  it('counts lost revenue: failed requests × order value × conversion rate', () => {
    // No pods: the load balancer answers 503 to every request.
    const r = run({
      duration: '10m',
      traffic: { rate: { constant: '5/s' }, classes: { checkout: { share: 1, cpu: '10ms', orderValueUsd: 100, conversionRate: 0.5 } } },
      services: { web: web(0) },
    });
    expect(r.summary.errors).toBe(r.summary.requests);
    expect(r.summary.cost.lostRevenueUsd).toBeCloseTo(r.summary.requests * 50, 9);
    expect(r.summary.cost.revenueUsd).toBe(0);
  });
});
