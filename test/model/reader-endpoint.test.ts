import { describe, expect, test } from 'vitest';
import { constant, Simulation } from '../../src/engine/index.js';
import { REFUSED_DOWN, REFUSED_FULL } from '../../src/model/database/connection-pool.js';
import { Database } from '../../src/model/database/database.js';
import { ReaderEndpoint, type ReaderRouting } from '../../src/model/database/reader-endpoint.js';
import { Replication } from '../../src/model/database/replication.js';
import { runStrategy } from '../../src/scenario/run.js';
import { scenario } from '../helpers/scenario.js';

/** A primary and `replicas` replicas (max_connections `max` each) behind a reader endpoint, all available. */
function endpoint(routing: ReaderRouting, replicas: number, max = 100, available = replicas) {
  const sim = new Simulation(3);
  const db = (name: string) => new Database({ name, vcpu: 2, maxConnections: max, maxJobs: max }, sim, { stepAt: () => undefined });
  const primary = db('primary');
  const reader = new ReaderEndpoint(primary, Array.from({ length: replicas }, (_, i) => db(`r${i + 1}`)), routing, sim.random('reader'));
  const replication = new Replication(sim, constant(0), sim.random('ship'));
  for (let server = 1; server <= available; server++) reader.addAvailable(server, replication.attach(reader.servers[server]));
  return { reader, primary };
}

describe('the reader endpoint', () => {
  test('round-robin hands new connections to the replicas in turn', () => {
    const { reader } = endpoint('round-robin', 3);
    expect(Array.from({ length: 6 }, () => reader.connect())).toEqual([1, 2, 3, 1, 2, 3]);
  });

  test('least-connections fills the emptiest replica first', () => {
    const { reader } = endpoint('least-connections', 2);
    reader.servers[1].connections = 5;
    expect(Array.from({ length: 6 }, () => reader.connect())).toEqual([2, 2, 2, 2, 2, 1]);
  });

  test('random spreads connections evenly over the replicas (±5% over 30,000)', () => {
    const { reader } = endpoint('random', 3, 100_000);
    for (let i = 0; i < 30_000; i++) reader.connect();
    for (const r of reader.servers.slice(1)) expect(Math.abs(r.connections - 10_000)).toBeLessThan(500);
    expect(reader.servers[0].connections).toBe(0);
  });

  test('with no replica available it reaches the primary; a full replica refuses; a replica joining takes new connections only', () => {
    const { reader, primary } = endpoint('round-robin', 1, 1, 0);
    expect(reader.connect()).toBe(0);
    expect(primary.connections).toBe(1);
    reader.addAvailable(1, new Replication(new Simulation(1), constant(0), () => 0.5).attach(reader.servers[1]));
    expect(reader.connect()).toBe(1);
    expect(reader.connect()).toBe(REFUSED_FULL);
    expect(primary.connections).toBe(1);
    primary.goDown();
    expect(primary.connect()).toBe(REFUSED_DOWN);
  });
});

describe('RDS Proxy through a resize', () => {
  // 50/s, each one query through RDS Proxy (half the clients pinned); a 60 s single-AZ outage at 5m. Pools
  // wait up to 90 s for a connection, so the outage's arrivals can all wait for it to end.
  const result = runStrategy(
    'proxy',
    scenario({
      duration: '10m',
      traffic: { rate: { constant: 50 }, classes: { q: { share: 1, path: [{ db: { query: 'q' } }], timeout: '120s' } } },
      services: { app: { replicas: 4, workers: 400, queueCapacity: 1000, connectionPools: { main: { maximumPoolSize: 50, connectionTimeout: '90s' } } } },
      databases: {
        main: {
          instanceClass: 'db.t3.medium',
          queries: { q: { cpu: { exponential: { mean: '5ms' } }, io: '200ms' } },
          proxy: { pinning: 0.5 },
          resize: { at: '5m', to: 'db.r6g.xlarge', outage: '60s' },
        },
      },
    }),
    new Map(),
  );
  const { columns, rows } = result.timeseries;
  const col = (name: string) => rows.map((row) => ({ t: row[columns.indexOf('t_s')], v: row[columns.indexOf(name)] }));

  test('keeps the client connections: new transactions wait for a backend through the outage instead of failing', () => {
    // Only the transactions on the database at the switch fail (about 50/s × 205 ms of them; those in I/O notice it at its end).
    expect(result.summary.errorsByCause.db_unavailable).toBeGreaterThan(0);
    expect(result.summary.errorsByCause.db_unavailable).toBeLessThan(25);
    expect(result.summary.errors).toBe(result.summary.errorsByCause.db_unavailable);
    for (const { t, v } of col('proxy_client_connections')) if (t > 300 && t < 360) expect(v).toBeGreaterThan(0);
    for (const { t, v } of col('completed_rps')) if (t > 310 && t <= 360) expect(v).toBe(0);
    // The ones that waited complete when the database is back.
    expect(col('completed_rps').find((c) => c.t === 370)!.v).toBeGreaterThan(50 * 4);
  });

  test('its backends are dropped with the database and reopened after, within max_connections', () => {
    for (const { t, v } of col('proxy_db_connections')) if (t > 300 && t < 360) expect(v).toBe(0);
    const after = col('proxy_db_connections').filter((c) => c.t > 380);
    expect(Math.min(...after.map((c) => c.v))).toBeGreaterThan(0);
    for (const { t, v } of col('db_connections')) if (t > 380) expect(v).toBe(after.find((c) => c.t === t)!.v);
  });
});
