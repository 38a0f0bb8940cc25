import { describe, expect, test } from 'vitest';
import type { StrategyResult } from '../../src/scenario/run.js';
import { stories } from '../helpers/stories.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('redis-ttl.json: a 15-minute-TTL cache in front of a reporting database', { timeout: 180_000 }, () => {
  const { run, column } = stories('scenarios/redis-ttl.json');
  // After the first TTL: the cache has warmed up.
  const WARM_S = 900;

  test('without the cache the database runs near 90% CPU and pages take seconds', () => {
    const r = run('no-cache');
    expect(mean(column(r, 'db_cpu_pct', WARM_S))).toBeGreaterThan(80);
    expect(r.summary.latency_ms.mean).toBeGreaterThan(2000);
    expect(r.summary.latency_ms.p95).toBeGreaterThan(5000);
  });

  test('with it about 70% of the lookups hit, the database load falls by about 70%, and pages come under 2 s', () => {
    const without = mean(column(run('no-cache'), 'db_cpu_pct', WARM_S));
    const r = run('redis-15m-ttl');
    const hit = mean(column(r, 'cache_hit_ratio', WARM_S));
    expect(hit).toBeGreaterThan(0.6);
    expect(hit).toBeLessThan(0.8);
    const cut = 1 - mean(column(r, 'db_cpu_pct', WARM_S)) / without;
    expect(cut).toBeGreaterThan(0.6);
    expect(cut).toBeLessThan(0.8);
    expect(r.summary.latency_ms.p95).toBeLessThan(2000);
    expect(r.summary.slo.every((v) => v.met)).toBe(true);
    // The cache server is billed: one cache.t4g.medium node.
    expect(Object.keys(r.summary.cost.byResourceUsd).some((line) => line.startsWith('cache reports (1 × cache.t4g.medium)'))).toBe(true);
  });

  test('a 1-minute TTL keeps far fewer hits: the database still carries most of the load', () => {
    const short = mean(column(run('redis-1m-ttl'), 'cache_hit_ratio', WARM_S));
    expect(short).toBeLessThan(mean(column(run('redis-15m-ttl'), 'cache_hit_ratio', WARM_S)) - 0.2);
  });
});

describe('cache-stampede.json: a hot key expiring at peak, with and without cures', { timeout: 180_000 }, () => {
  const { run, column, timeline } = stories('scenarios/cache-stampede.json');
  // The peak: 13:58–14:13 (the spike from 13:55, 3 minutes to rise).
  const peak = (r: StrategyResult, name: string) => {
    const t = column(r, 't_s');
    return column(r, name).filter((_, i) => t[i] > 780 && t[i] <= 1680);
  };

  test('without a cure, each expiry at peak sends hundreds of concurrent loads of the key to the database, and requests fail', () => {
    const r = run('no-cure');
    expect(Math.max(...peak(r, 'cache_key_loads_max'))).toBeGreaterThan(300);
    expect(Math.max(...peak(r, 'db_cpu_pct'))).toBeGreaterThan(95);
    expect(r.summary.errorRate).toBeGreaterThan(0.002);
    expect(r.summary.cost.lostRevenueUsd).toBeGreaterThan(0);
    expect(timeline(r).some((line) => /^14:0\d:\d0 {2}cache: \d{3} loads of one key at once went to the database — a stampede/.test(line))).toBe(true);
  });

  test('coalescing bounds the loads of one key to one per pod (20): no failures', () => {
    const r = run('coalesce');
    expect(Math.max(...column(r, 'cache_key_loads_max'))).toBeLessThanOrEqual(20);
    expect(r.summary.errors).toBe(0);
  });

  test('early refresh reloads the hot key before it expires: no stampede at peak', () => {
    const r = run('early-refresh');
    expect(Math.max(...peak(r, 'cache_key_loads_max'))).toBeLessThan(30);
    expect(Math.max(...peak(r, 'db_cpu_pct'))).toBeLessThan(50);
    const both = run('coalesce-and-early-refresh');
    expect(both.summary.errors).toBe(0);
    expect(both.summary.latency_ms.p99).toBeLessThan(run('no-cure').summary.latency_ms.p99);
  });
});
