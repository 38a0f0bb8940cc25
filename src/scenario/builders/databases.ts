import { dbInstanceClasses, GIB_BYTES, rdsMaxConnections } from '../../catalog/db-instance-classes.js';
import { LogHistogram } from '../../metrics/histogram.js';
import { ConnectionPool, type ConnectionTarget, type PoolConfig } from '../../model/database/connection-pool.js';
import { Database } from '../../model/database/database.js';
import { DbStep, type PoolsByPod } from '../../model/database/db-step.js';
import { Proxy } from '../../model/database/proxy.js';
import type { Step } from '../../model/path/path-runner.js';
import type { Service } from '../../model/service/service.js';
import type { ConnectionPoolSpec, DatabaseSpec } from '../database-schema.js';
import type { StepSpec } from '../path-schema.js';
import type { BuildContext } from './context.js';
import { buildDistribution } from './distribution.js';

/** HikariCP's defaults, for a service whose paths query a database it gives no pool for. */
const DEFAULT_POOL: ConnectionPoolSpec = {
  maximumPoolSize: 10,
  connectionTimeout: 30_000_000,
  idleTimeout: 600_000_000,
  maxLifetime: 1_800_000_000,
  connect: 3000,
};
const PGBOUNCER_MAX_CLIENT_CONN = 100;
/** RDS Proxy bills at least this many vCPUs of the database. */
const RDS_PROXY_MIN_VCPU = 2;

interface BuiltDatabase {
  readonly name: string;
  readonly database: Database;
  readonly proxy: Proxy | undefined;
  readonly proxyLatencyMicros: number;
  readonly queries: DatabaseSpec['queries'];
}

/** One database as built, with its proxy and every pool that connects to it (pools of terminated pods included). */
export interface DatabaseView {
  readonly name: string;
  readonly database: Database;
  readonly proxy: Proxy | undefined;
  readonly pools: readonly ConnectionPool[];
}

/** The data tier: databases, their proxies, each service's pools; it makes the `db` steps. */
export interface DataTier {
  dbStep(service: string, spec: NonNullable<StepSpec['db']>, streamName: string): Step;
  /** Adds the data tier's time-series columns (after the services'). */
  addColumns(): void;
  /** Read-only view of each database (tests check that connections are conserved). */
  readonly views: readonly DatabaseView[];
}

/**
 * Databases (billed from the catalog), proxies, and a pool per pod for each (service,
 * database) pair a path uses: a pod opens its pool when it first becomes Ready and closes it
 * when it terminates. Columns: `db_cpu_pct`, `db_connections`, `db_max_connections` (prefixed
 * `<database>_` with several), `pool_pending`, `pool_wait_p99_ms`, and with a proxy
 * `proxy_client_connections`, `proxy_db_connections`.
 */
export function buildDatabases(ctx: BuildContext): DataTier | undefined {
  const { scenario, sim, requests, runner, recorder, cost } = ctx;
  const specs = scenario.databases ?? {};
  const names = Object.keys(specs);
  if (names.length === 0) return undefined;
  const databases = new Map<string, BuiltDatabase>();
  for (const name of names) {
    const spec = specs[name];
    const type = typeof spec.instanceClass === 'string' ? dbInstanceClasses[spec.instanceClass] : undefined;
    const vcpu = type?.vcpu ?? (spec.instanceClass as { vcpu: number }).vcpu;
    const memoryBytes = type ? type.memoryGiB * GIB_BYTES : (spec.instanceClass as { memory: number }).memory;
    const maxConnections = spec.maxConnections ?? rdsMaxConnections(memoryBytes);
    const database = new Database({ name, vcpu, maxConnections }, sim, runner);
    const className = typeof spec.instanceClass === 'string' ? spec.instanceClass : 'custom';
    cost.meterFromStart(`database ${name} (${className})`, type?.priceId ?? (spec.instanceClass as { hourlyPriceUsd: number }).hourlyPriceUsd);
    let proxy: Proxy | undefined;
    if (spec.proxy) {
      const p = spec.proxy;
      proxy = new Proxy(
        {
          maxBackends: p.defaultPoolSize ?? Math.max(1, Math.floor((maxConnections * p.maxConnectionsPercent) / 100)),
          borrowTimeoutMicros: p.connectionBorrowTimeout,
          maxClientConnections: p.maxClientConnections ?? (p.kind === 'pgbouncer' ? PGBOUNCER_MAX_CLIENT_CONN : Infinity),
        },
        sim,
        requests,
        runner,
        database,
      );
      if (p.kind === 'rds-proxy') cost.meterFromStart(`RDS Proxy for ${name}`, 'rds-proxy.vcpu-hour', Math.max(RDS_PROXY_MIN_VCPU, vcpu));
    }
    databases.set(name, { name, database, proxy, proxyLatencyMicros: spec.proxy?.latency ?? 0, queries: spec.queries });
  }

  const poolWaits = new LogHistogram();
  const poolSets: ConnectionPool[][] = [];
  const poolsByDatabase = new Map<string, ConnectionPool[]>(names.map((name) => [name, []]));
  const poolsFor = new Map<string, PoolsByPod>();
  const poolsOf = (service: string, databaseName: string): PoolsByPod => {
    const key = `${service}\u0000${databaseName}`;
    let set = poolsFor.get(key);
    if (set) return set;
    const db = databases.get(databaseName)!;
    const spec = scenario.services[service].connectionPools?.[databaseName] ?? DEFAULT_POOL;
    const config: PoolConfig = {
      maximumPoolSize: spec.maximumPoolSize,
      minimumIdle: spec.minimumIdle ?? spec.maximumPoolSize,
      connectionTimeoutMicros: spec.connectionTimeout,
      idleTimeoutMicros: spec.idleTimeout,
      maxLifetimeMicros: spec.maxLifetime,
      connect: buildDistribution(spec.connect),
      pinningFraction: scenario.databases![databaseName].proxy?.pinning ?? 0,
    };
    const target: ConnectionTarget = db.proxy ?? { connect: () => db.database.connect(), disconnect: () => db.database.disconnect() };
    const random = sim.random(`pool:${service}:${databaseName}`);
    const pools: (ConnectionPool | undefined)[] = [];
    const all: ConnectionPool[] = [];
    poolSets.push(all);
    ctx.services.get(service)!.addListener({
      podChanged(_s: Service, pod) {
        if (pod.phase === 'Ready' && pools[pod.hostIndex] === undefined) {
          const pool = new ConnectionPool(sim, requests, runner, target, config, random);
          pools[pod.hostIndex] = pool;
          all.push(pool);
          poolsByDatabase.get(databaseName)!.push(pool);
          pool.start(pod.readyAt < 0); // pods running before the run have their pools open
        } else if (pod.phase === 'Terminated') pools[pod.hostIndex]?.close();
      },
    });
    set = { pools };
    poolsFor.set(key, set);
    return set;
  };
  // Pools exist before the pods that open them start (warm pods at time 0).
  for (const [service, spec] of Object.entries(scenario.services)) for (const db of Object.keys(spec.connectionPools ?? {})) poolsOf(service, db);

  const prefix = (name: string) => (names.length > 1 ? `${name}_` : '');
  const addColumns = () => {
    for (const db of databases.values()) {
      let lastCpu = 0;
      const d = db.database;
      recorder.addColumn({
        name: `${prefix(db.name)}db_cpu_pct`,
        sample: (width) => {
          d.cpu.advance();
          const used = d.cpu.cpuUsage - lastCpu;
          lastCpu = d.cpu.cpuUsage;
          return (100 * used) / (d.config.vcpu * 1000 * width);
        },
      });
      recorder.addColumn({ name: `${prefix(db.name)}db_connections`, sample: () => d.connections });
      recorder.addColumn({ name: `${prefix(db.name)}db_max_connections`, sample: () => d.config.maxConnections });
      const proxy = db.proxy;
      if (proxy) {
        recorder.addColumn({ name: `${prefix(db.name)}proxy_client_connections`, sample: () => proxy.clientConnections });
        recorder.addColumn({ name: `${prefix(db.name)}proxy_db_connections`, sample: () => proxy.databaseConnections });
      }
    }
    recorder.addColumn({ name: 'pool_pending', sample: () => poolSets.reduce((sum, all) => all.reduce((s, pool) => s + pool.waiters.waiting, sum), 0) });
    recorder.addColumn({ name: 'pool_wait_p99_ms', sample: () => poolWaits.quantile(0.99) / 1000 });
    recorder.onRow(() => poolWaits.reset());
  };

  return {
    addColumns,
    views: [...databases.values()].map((db) => ({ name: db.name, database: db.database, proxy: db.proxy, pools: poolsByDatabase.get(db.name)! })),
    dbStep(service, spec, streamName) {
      const name = spec.database ?? names[0];
      const db = databases.get(name)!;
      const query = db.queries[spec.query];
      return new DbStep(sim, runner, requests, poolsOf(service, name), db.proxy, db.database, { cpu: buildDistribution(query.cpu), io: buildDistribution(query.io) }, sim.random(streamName), db.proxyLatencyMicros, poolWaits);
    },
  };
}
