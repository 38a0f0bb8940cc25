import { describe, expect, test } from 'vitest';
import { GIB_BYTES, rdsMaxConnections } from '../../src/catalog/db-instance-classes.js';
import { runStrategy } from '../../src/scenario/run.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { scenario } from '../helpers/scenario.js';

/** One service of 10 pods whose requests each run one query on `main`. */
function dataTier(rate: ScenarioInput['traffic']['rate'], database: Record<string, unknown>, duration = '20m') {
  return scenario({
    duration,
    traffic: { rate, classes: { q: { share: 1, path: [{ db: { query: 'q' } }], timeout: '30s' } } },
    services: { app: { replicas: 10, workers: 16, connectionPools: { main: { maximumPoolSize: 10 } } } },
    databases: { main: { queries: { q: { cpu: { exponential: { mean: '10ms' } }, io: '5ms' } }, ...database } as never },
  });
}

function columns(result: ReturnType<typeof runStrategy>) {
  const { columns: names, rows } = result.timeseries;
  return (name: string) => rows.map((row) => ({ t: row[names.indexOf('t_s')], v: row[names.indexOf(name)] }));
}

describe('a scheduled resize', () => {
  const result = runStrategy('resize', dataTier({ constant: 150 }, { instanceClass: 'db.t3.medium', resize: { at: '10m', to: 'db.r6g.xlarge', outage: '60s' } }), new Map());
  const col = columns(result);

  test('takes the database down at `at` and brings it back `outage` later with the new vCPUs and max_connections', () => {
    const [down, up] = result.decisions;
    expect(down).toMatchObject({ t_s: 600, controller: 'rds/main', from: 2, to: 4, reason: 'ScheduledResize' });
    expect(up).toMatchObject({ t_s: 660, reason: 'ResizeComplete' });
    for (const { t, v } of col('db_vcpu')) if (t < 660) expect(v).toBe(2);
    else if (t > 660) expect(v).toBe(4);
    // RDS PostgreSQL's formula on 4 GiB, then on 32 GiB.
    for (const { t, v } of col('db_max_connections')) if (t < 660) expect(v).toBe(rdsMaxConnections(4 * GIB_BYTES));
    else if (t > 660) expect(v).toBe(rdsMaxConnections(32 * GIB_BYTES));
    expect(rdsMaxConnections(32 * GIB_BYTES)).toBeGreaterThan(3000);
  });

  test('fails the queries in progress at the switch, refuses every request during the outage, and recovers after', () => {
    const lost = Number(/(\d+) quer(y|ies) in progress lost/.exec(result.decisions[0].message)![1]);
    expect(lost).toBeGreaterThan(0);
    const errors = col('errors_db_unavailable');
    const completed = col('completed_rps');
    for (const { t, v } of errors) if (t < 600 || t >= 680) expect(v).toBe(0);
    // The switch's own failures land in the row that ends at it or the next (queries in I/O notice a few ms later).
    expect(errors.filter((e) => e.t === 600 || e.t === 610).reduce((sum, e) => sum + e.v, 0)).toBeGreaterThanOrEqual(lost);
    for (const { t, v } of completed) if (t > 610 && t <= 660) expect(v).toBe(0);
    for (const { t, v } of completed) if (t >= 680) expect(v).toBeGreaterThan(140);
    // Every request of the minute fails: about 150/s × 60 s.
    expect(result.summary.errorsByCause.db_unavailable).toBeGreaterThan(150 * 60 * 0.95);
    expect(result.summary.errorsByCause.db_unavailable).toBeLessThan(150 * 61 * 1.05 + lost);
  });

  test('bills the old class up to the switch and the new one from it (RDS: per second, 10-minute minimum per class)', () => {
    const bill = result.summary.cost.byResourceUsd;
    expect(bill['database main (db.t3.medium)']).toBeCloseTo((0.072 * 600) / 3600, 9);
    expect(bill['database main (db.r6g.xlarge, from the resize)']).toBeCloseTo((0.449 * 600) / 3600, 9);
  });
});

describe('Aurora Serverless v2', () => {
  // 20/s of 10 ms queries, then 300/s from 5m: 3 cores, which at 70% of 0.25 vCPU per ACU need 17.5 ACUs.
  const rate = { step: { at: '5m', from: '20/s', to: '300/s' } };
  const result = runStrategy('serverless', dataTier(rate, { instanceClass: { serverless: { minACU: 2, maxACU: 32 } } }, '10m'), new Map());
  const ups = result.decisions.filter((d) => d.reason === 'CpuAboveTarget');

  test('capacity rises under load no faster than the rate allows: each second by at most 25% of the current ACUs, in 0.5-ACU steps', () => {
    expect(ups.length).toBeGreaterThan(5);
    ups.forEach((d, i) => {
      expect(d.controller).toBe('aurora-serverless-v2/main');
      const step = d.to - d.from;
      expect(step).toBeGreaterThanOrEqual(0.5);
      expect(step).toBeLessThanOrEqual(Math.max(0.5, Math.floor((d.from * 0.25) / 0.5) * 0.5));
      expect((d.to * 2) % 1).toBe(0);
      if (i > 0) expect(d.t_s - ups[i - 1].t_s).toBeGreaterThanOrEqual(1);
    });
    // From 2 ACU, the rule needs this many one-second steps to reach 17.5 ACU; it gets there in about that many seconds.
    let acu = 2;
    let steps = 0;
    while (acu < 17.5) {
      acu = Math.min(17.5, acu + Math.max(0.5, Math.floor((acu * 0.25) / 0.5) * 0.5));
      steps++;
    }
    const reached = result.decisions.find((d) => d.to >= 17.5)!;
    expect(reached.t_s - 300).toBeGreaterThanOrEqual(steps);
    expect(reached.t_s - 300).toBeLessThanOrEqual(steps + 5);
  });

  test('overshoots while the backlog of the ramp drains, then settles near the need once the last minute asks for less', () => {
    const acu = columns(result)('db_acu');
    expect(Math.max(...acu.map((a) => a.v))).toBeGreaterThan(17.5);
    const last = acu[acu.length - 1].v;
    expect(last).toBeGreaterThanOrEqual(17.5);
    expect(last).toBeLessThanOrEqual(24);
    expect(result.decisions.some((d) => d.reason === 'LoadDecreased' && d.t_s > 360)).toBe(true);
  });

  test('max_connections comes from the maximum ACU (Aurora PostgreSQL table: 5,000 at 32 ACU)', () => {
    for (const { v } of columns(result)('db_max_connections')) expect(v).toBe(5000);
  });

  test('is billed per ACU-hour of the capacity it had, second by second', () => {
    let acu = 2;
    let since = 0;
    let acuSeconds = 0;
    for (const d of result.decisions) {
      acuSeconds += acu * (d.t_s - since);
      acu = d.to;
      since = d.t_s;
    }
    acuSeconds += acu * (600 - since);
    expect(result.summary.cost.byResourceUsd['database main (Aurora Serverless v2)']).toBeCloseTo((acuSeconds / 3600) * 0.12, 9);
  });
});
