import { describe, expect, test } from 'vitest';
import { compareStrategies } from '../../src/report/comparison.js';
import { stories } from '../helpers/stories.js';

describe('flash-sale-50x.json: connection exhaustion while the HPA scales out', { timeout: 180_000 }, () => {
  const { run, column } = stories('scenarios/flash-sale-50x.json');

  test('without a proxy, pods × pool reach max_connections and over 5% of requests fail with db_too_many_connections', () => {
    const r = run('hpa-no-proxy');
    const limit = Math.max(...column(r, 'db_max_connections'));
    // The database's connections flatten at its limit (408 for a db.t3.medium by the RDS formula)...
    expect(limit).toBe(408);
    expect(Math.max(...column(r, 'db_connections'))).toBe(limit);
    // ...while the HPA goes on adding pods that each want 10 more.
    expect(Math.max(...column(r, 'pods_ready')) * 10).toBeGreaterThan(limit);
    expect(r.summary.errorRate).toBeGreaterThan(0.05);
    expect(r.summary.errorsByCause.db_too_many_connections).toBeGreaterThan(0.9 * r.summary.errors);
  });

  test('RDS Proxy multiplexes the same pools onto few database connections: under 0.1% errors', () => {
    const r = run('hpa-rds-proxy');
    expect(r.summary.errorRate).toBeLessThan(0.001);
    const clients = Math.max(...column(r, 'proxy_client_connections'));
    const backends = Math.max(...column(r, 'proxy_db_connections'));
    // Every pod's pool connects to the proxy; the database sees a small fraction of that.
    expect(clients).toBeGreaterThan(408);
    expect(backends).toBeLessThan(clients / 10);
  });

  test('a right-sized pool (4 per pod) stays under max_connections and survives', () => {
    const r = run('hpa-pool-4');
    expect(Math.max(...column(r, 'db_connections'))).toBeLessThan(408);
    expect(r.summary.errorRate).toBeLessThan(0.001);
  });
});

describe('microservices-chain.json: one slow dependency backs up the rest', { timeout: 180_000 }, () => {
  const { run, column } = stories('scenarios/microservices-chain.json');

  test('as-is: the payments database saturates and browse requests, which never touch it, fail too', () => {
    const r = run('as-is');
    expect(Math.max(...column(r, 'db_cpu_pct'))).toBeGreaterThan(99);
    expect(r.summary.byClass.browse.errors).toBeGreaterThan(0.02 * r.summary.byClass.browse.requests);
    // The queue builds at the front door, two hops away from the cause.
    expect(Math.max(...column(r, 'frontend_queue_length'))).toBeGreaterThan(500);
  });

  test('fail-fast call timeouts keep the frontend serving browse; checkouts fail with downstream errors instead', () => {
    const asIs = run('as-is');
    const failFast = run('fail-fast-timeouts');
    expect(failFast.summary.byClass.browse.errors).toBeLessThan(0.001 * failFast.summary.byClass.browse.requests);
    expect(failFast.summary.byClass.checkout.errors).toBeGreaterThan(asIs.summary.byClass.checkout.errors);
    expect(failFast.summary.errorsByCause.downstream_error).toBeGreaterThan(0);
  });

  test('a bigger payments database removes the cause: no errors, p99 under a second', () => {
    const r = run('bigger-payments-db');
    expect(r.summary.errors).toBe(0);
    expect(r.summary.latency_ms.p99).toBeLessThan(1000);
  });
});

describe('black-friday.json: headroom and a proxy meet the SLOs; waiting for nodes loses orders', { timeout: 300_000 }, () => {
  const { run } = stories('scenarios/black-friday.json');

  test('the shop takes about $5.8 M on the day; hpa-flash-200-headroom-proxy meets every SLO', () => {
    const r = run('hpa-flash-200-headroom-proxy');
    expect(r.summary.slo.map((v) => [v.short, v.met])).toEqual([
      ['p99', true],
      ['p95/5m', true],
      ['errors', true],
      ['availability', true],
    ]);
    // 6.6 million requests, a tenth of them checkouts, 6.5% of those an order of $140 (scenarios/README.md).
    const revenue = r.summary.cost.revenueUsd + r.summary.cost.lostRevenueUsd;
    expect(revenue).toBeGreaterThan(5.5e6);
    expect(revenue).toBeLessThan(6.5e6);
  });

  test('hpa-flash-200 is cheaper in nodes but loses over three times the orders, and ranks below it by business cost', () => {
    const proxy = run('hpa-flash-200-headroom-proxy');
    const waiting = run('hpa-flash-200');
    expect(waiting.summary.cost.totalUsd).toBeLessThan(proxy.summary.cost.totalUsd / 5);
    expect(waiting.summary.cost.lostRevenueUsd).toBeGreaterThan(3 * proxy.summary.cost.lostRevenueUsd);
    expect(waiting.summary.slo.filter((v) => !v.met).map((v) => v.short)).toEqual(['p99', 'errors', 'availability']);
    const ranked = compareStrategies(
      new Map([
        ['hpa-flash-200', [waiting]],
        ['hpa-flash-200-headroom-proxy', [proxy]],
      ]),
      (x) => x.summary.slo,
    );
    expect(ranked.map((c) => c.strategy)).toEqual(['hpa-flash-200-headroom-proxy', 'hpa-flash-200']);
  });
});
