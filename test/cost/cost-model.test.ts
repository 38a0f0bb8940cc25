import { describe, expect, it } from 'vitest';
import { fargateConfiguration } from '../../src/model/cost/cost-model.js';
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

  it('without nodes, pods bill as Fargate: 3 × (0.5 vCPU × $0.04048 + 1 GB × $0.004445) per hour (512Mi + 256 MB → 1 GB)', () => {
    const r = run({ duration: '1h', traffic, services: { web: web(3) }, cost: { controlPlane: 'none' } });
    expect(r.summary.cost.totalUsd).toBeCloseTo(3 * (0.5 * 0.04048 + 1 * 0.004445), 12);
  });

  it('bills the smallest Fargate configuration holding the requests plus 256 MB (EKS user guide examples)', () => {
    const MiB = 1024 ** 2;
    const GiB = 1024 ** 3;
    expect(fargateConfiguration(250, 256 * MiB)).toEqual({ vcpu: 0.25, memoryGb: 0.5 }); // 256 + 256 MB = 0.5 GB
    expect(fargateConfiguration(500, 512 * MiB)).toEqual({ vcpu: 0.5, memoryGb: 1 }); // 768 MB: 0.5 vCPU starts at 1 GB
    expect(fargateConfiguration(300, 1.2 * GiB)).toEqual({ vcpu: 0.5, memoryGb: 2 });
    expect(fargateConfiguration(1000, 2 * GiB)).toEqual({ vcpu: 1, memoryGb: 3 });
    // The guide's own case: 1 vCPU and 8 GB become 8.25 GB, which no 1-vCPU size holds: 2 vCPU, 9 GB.
    expect(fargateConfiguration(1000, 8 * GiB)).toEqual({ vcpu: 2, memoryGb: 9 });
    expect(fargateConfiguration(1001, 1 * GiB)).toEqual({ vcpu: 2, memoryGb: 4 });
    expect(fargateConfiguration(8000, 17 * GiB)).toEqual({ vcpu: 8, memoryGb: 20 }); // 4 GB steps
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
