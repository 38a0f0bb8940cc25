import { auroraServerlessMaxConnections, dbInstanceClasses, GIB_BYTES, rdsMaxConnections } from '../../catalog/db-instance-classes.js';
import type { Distribution, RandomStream } from '../../engine/index.js';
import { LogHistogram } from '../../metrics/histogram.js';
import type { MeterLine } from '../../model/cost/cost-model.js';
import { ConnectionPool, type ConnectionTarget, type PoolConfig } from '../../model/database/connection-pool.js';
import { Database } from '../../model/database/database.js';
import { DbStep, type DbRoute, type PoolsByPod, type ReadCounts } from '../../model/database/db-step.js';
import { Proxy } from '../../model/database/proxy.js';
import { ReadReplicas } from '../../model/database/read-replicas.js';
import { ReaderEndpoint } from '../../model/database/reader-endpoint.js';
import { Replication } from '../../model/database/replication.js';
import { ScheduledResize, type DbClass } from '../../model/database/resize.js';
import { ServerlessCapacity, type QuantityMeter } from '../../model/database/serverless.js';
import type { Step } from '../../model/path/path-runner.js';
import type { Service } from '../../model/service/service.js';
import type { ConnectionPoolSpec, DatabaseSpec } from '../database-schema.js';
import type { StepSpec } from '../path-schema.js';
import { averageOf, increaseOf } from './columns.js';
import type { BuildContext } from './context.js';
import { buildDistribution } from './distribution.js';
import { addShardColumns, buildShards, type BuiltShards } from './shards.js';

/** HikariCP's defaults, for a service whose paths query a database it gives no pool for. */
const DEFAULT_POOL: ConnectionPoolSpec = {
  maximumPoolSize: 10,
  connectionTimeout: 30_000_000,
  idleTimeout: 600_000_000,
  maxLifetime: 1_800_000_000,
  connect: 3000,
};
const PGBOUNCER_MAX_CLIENT_CONN = 100;
/** RDS Proxy bills at least this many vCPUs of the database, or ACUs of a serverless one. */
const RDS_PROXY_MIN_VCPU = 2;
const RDS_PROXY_MIN_ACU = 8;
/**
 * One ACU is "approximately 2 GiB of memory, corresponding CPU and networking" (Aurora User
 * Guide). The CPU is assumed in the proportion of the memory-optimized classes an ACU is sized
 * against — db.r6g: 8 GiB per vCPU — so 0.25 vCPU per ACU (AWS's Aurora serverless sizing
 * guide for r-family instances, aws/agent-toolkit-for-aws: "1 vCPU … ≈ 4 ACU").
 */
const VCPU_PER_ACU = 0.25;
const MEMORY_PER_ACU_BYTES = 2 * GIB_BYTES;
/** The RDS max_connections formula's memory per connection: DBInstanceClassMemory / 9531392. */
const MEMORY_PER_CONNECTION_BYTES = 9531392;
/** A write's replay on a replica costs this share of its CPU on the primary, unless the query says. */
const DEFAULT_APPLY_SHARE = 0.25;
/** Default unavailability of a resize: a Multi-AZ failover (60–120 s), or a single-AZ restart ("a few minutes"). */
const MULTI_AZ_OUTAGE_MICROS = 90_000_000;
const SINGLE_AZ_OUTAGE_MICROS = 300_000_000;

type ClassSpec = DatabaseSpec['instanceClass'];
type ProvisionedClassSpec = Exclude<ClassSpec, { serverless: unknown }>;

/** A provisioned instance class resolved from the catalog or a custom one. */
interface ResolvedClass {
  readonly label: string;
  readonly vcpu: number;
  readonly memoryBytes: number;
  readonly price: string | number;
}

export interface BuiltDatabase {
  readonly name: string;
  readonly database: Database;
  readonly proxy: Proxy | undefined;
  readonly proxyLatencyMicros: number;
  /** Its read replicas behind a reader endpoint, when it has any. */
  readonly reader: { readonly endpoint: ReaderEndpoint; readonly replication: Replication } | undefined;
  readonly reads: ReadCounts;
  /** Starts its bill (and its proxy's), when it was built with `billFromStart` false. */
  readonly startBilling: () => void;
}

/** A database as the scenario names it: one instance, or its shards. */
interface LogicalDatabase {
  readonly name: string;
  /** Its instance, or every shard the run will have. */
  readonly members: readonly BuiltDatabase[];
  readonly shards: BuiltShards | undefined;
}

/** The data tier: databases, their proxies and replicas, each service's pools; it makes the `db` steps. */
/** One database as built, with its proxy and every pool that connects to its primary (pools of terminated pods included). */
export interface DatabaseView {
  readonly name: string;
  readonly database: Database;
  readonly proxy: Proxy | undefined;
  readonly pools: readonly ConnectionPool[];
}

export interface DataTier {
  dbStep(service: string, spec: NonNullable<StepSpec['db']>, streamName: string): Step;
  /** Adds the data tier's time-series columns (after the services'). */
  addColumns(): void;
  /** Read-only view of each database, each shard of a sharded one (tests check that connections are conserved). */
  readonly views: readonly DatabaseView[];
}

/**
 * Databases (billed from the catalog), proxies, read replicas, scheduled resizes and Aurora
 * Serverless v2 capacity, and a pool per pod for each (service, database endpoint) a path uses:
 * the primary (through its proxy, if any) for writes, and with replicas a second pool to the
 * reader endpoint for reads — as applications keep a writer and a reader data source. A pod
 * opens its pools when it first becomes Ready and closes them when it terminates. Columns:
 * `db_cpu_pct`, `db_connections`, `db_max_connections` (prefixed `<database>_` with several),
 * with a resize or serverless `db_vcpu`, serverless `db_acu`, with replicas `replicas_available`,
 * `replica_cpu_pct` (the busiest), `replica_connections`, `replica_lag_ms` (the worst),
 * `replica_reads`, `stale_reads`;
 * `pool_pending`, `pool_wait_p99_ms`, and with a proxy `proxy_client_connections`, `proxy_db_connections`.
 * A sharded database is one such database per shard (see ./shards.ts), each pod with a pool to each.
 */
export function buildDatabases(ctx: BuildContext): DataTier | undefined {
  const { scenario, sim, requests, runner, recorder } = ctx;
  const specs = scenario.databases ?? {};
  const names = Object.keys(specs);
  if (names.length === 0) return undefined;
  const databases = new Map<string, LogicalDatabase>();
  for (const name of names) {
    const spec = specs[name];
    const shards = spec.shards ? buildShards(ctx, name, spec, (member, billFromStart) => buildDatabase(ctx, member, spec, billFromStart)) : undefined;
    databases.set(name, { name, members: shards?.members ?? [buildDatabase(ctx, name, spec, true)], shards });
  }

  const poolWaits = new LogHistogram();
  const poolSets: ConnectionPool[][] = [];
  const routes = new Map<string, DbRoute>();
  /** The pools and servers a service's queries of one kind use on one database. */
  const primaryPools = new Map<string, ConnectionPool[][]>([...databases.values()].flatMap((db) => db.members.map((m) => [m.name, []])));
  const routeOf = (service: string, databaseName: string, db: BuiltDatabase, read: boolean): DbRoute => {
    const reader = read ? db.reader : undefined;
    const key = `${service}\u0000${db.name}\u0000${reader ? 'reader' : 'writer'}`;
    let route = routes.get(key);
    if (route) return route;
    const spec = scenario.services[service].connectionPools?.[databaseName] ?? DEFAULT_POOL;
    const config: PoolConfig = {
      maximumPoolSize: spec.maximumPoolSize,
      minimumIdle: spec.minimumIdle ?? spec.maximumPoolSize,
      connectionTimeoutMicros: spec.connectionTimeout,
      idleTimeoutMicros: spec.idleTimeout,
      maxLifetimeMicros: spec.maxLifetime,
      connect: buildDistribution(spec.connect),
      pinningFraction: reader ? 0 : (scenario.databases![databaseName].proxy?.pinning ?? 0),
    };
    const target: ConnectionTarget = reader ? reader.endpoint : (db.proxy ?? db.database);
    const random = sim.random(`pool:${service}:${db.name}${reader ? ':reader' : ''}`);
    const pools = openPools(ctx, service, target, config, random, poolSets);
    if (!reader) primaryPools.get(db.name)!.push(poolSets[poolSets.length - 1]);
    route = {
      pools,
      proxy: reader ? undefined : db.proxy,
      servers: reader ? reader.endpoint.servers : [db.database],
      streams: reader ? reader.endpoint.streams : undefined,
      replication: read ? undefined : db.reader?.replication,
      reads: db.reads,
    };
    routes.set(key, route);
    return route;
  };
  /** A route per shard (one for a database that is not sharded). */
  const routesOf = (service: string, databaseName: string, read: boolean): DbRoute[] => databases.get(databaseName)!.members.map((m) => routeOf(service, databaseName, m, read));
  // Pools exist before the pods that open them start (warm pods at time 0).
  for (const [service, spec] of Object.entries(scenario.services)) for (const db of Object.keys(spec.connectionPools ?? {})) routesOf(service, db, false);

  const addColumns = () => {
    for (const db of databases.values()) {
      const spec = specs[db.name];
      if (db.shards) addShardColumns(ctx, db.name, db.shards, (shard, prefix) => addDatabaseColumns(ctx, shard, spec, prefix));
      else addDatabaseColumns(ctx, db.members[0], spec, names.length > 1 ? `${db.name}_` : '');
    }
    // Time average over the interval, from the pools' occupancy integrals.
    recorder.addColumn({ name: 'pool_pending', sample: averageOf(() => poolSets.reduce((sum, all) => all.reduce((s, pool) => s + pool.waiters.waitingIntegral(), sum), 0)) });
    recorder.addColumn({ name: 'pool_wait_p99_ms', sample: () => poolWaits.quantile(0.99) / 1000 });
    recorder.onRow(() => poolWaits.reset());
  };

  const views = [...databases.values()].flatMap((logical) => logical.members).map((db) => ({
    name: db.name,
    database: db.database,
    proxy: db.proxy,
    get pools() {
      return primaryPools.get(db.name)!.flat();
    },
  }));
  return {
    addColumns,
    views,
    dbStep(service, spec, streamName) {
      const name = spec.database ?? names[0];
      const db = databases.get(name)!;
      const query = specs[name].queries[spec.query];
      const cpu = buildDistribution(query.cpu);
      const apply = query.apply !== undefined ? buildDistribution(query.apply) : scaled(cpu, DEFAULT_APPLY_SHARE);
      const routes = routesOf(service, name, query.kind === 'read');
      return new DbStep(sim, runner, requests, routes, { cpu, io: buildDistribution(query.io) }, apply, sim.random(streamName), db.members[0].proxyLatencyMicros, poolWaits, db.shards);
    },
  };
}

/**
 * One database instance (or shard) named `name`: its primary, billing, proxy, resize or
 * serverless capacity, and replicas. `billFromStart` false: a shard added later, billed (with
 * its proxy) from `startBilling`.
 */
function buildDatabase(ctx: BuildContext, name: string, spec: DatabaseSpec, billFromStart: boolean): BuiltDatabase {
  const { sim, requests, runner, cost, catalog, log } = ctx;
  const cls = spec.instanceClass;
  const serverless = typeof cls === 'object' && 'serverless' in cls ? cls.serverless : undefined;
  const provisioned = typeof cls === 'object' && 'serverless' in cls ? undefined : resolveClass(cls);
  const maxConnections = spec.maxConnections ?? (serverless ? auroraServerlessMaxConnections(serverless.maxACU, serverless.minACU) : rdsMaxConnections(provisioned!.memoryBytes));
  const resizedTo = spec.resize ? resolveClass(spec.resize.to) : undefined;
  const resizedMaxConnections = resizedTo ? (spec.maxConnections ?? rdsMaxConnections(resizedTo.memoryBytes)) : 0;
  const vcpu = serverless ? serverless.minACU * VCPU_PER_ACU : provisioned!.vcpu;
  const database = new Database({ name, vcpu, maxConnections, maxJobs: Math.max(maxConnections, resizedMaxConnections) }, sim, runner);

  let proxy: Proxy | undefined;
  let proxyLine: MeterLine | undefined;
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
    if (p.kind === 'rds-proxy') proxyLine = cost.meterLine(`RDS Proxy for ${name}`, serverless ? 'rds-proxy.acu-hour' : 'rds-proxy.vcpu-hour');
  }

  let startBilling: () => void;
  if (serverless) {
    const acuLine = cost.meterLine(`database ${name} (Aurora Serverless v2)`, 'aurora.serverless-v2.acu-hour');
    let billing = billFromStart;
    let acuNow = 0;
    const meter: QuantityMeter = {
      setQuantity(acu) {
        acuNow = acu;
        if (!billing) return;
        acuLine.setQuantity(acu);
        proxyLine?.setQuantity(Math.max(RDS_PROXY_MIN_ACU, acu));
      },
    };
    startBilling = () => {
      billing = true;
      meter.setQuantity(acuNow);
    };
    const capacity = new ServerlessCapacity(sim, database, {
      minAcu: serverless.minACU,
      maxAcu: serverless.maxACU,
      vcpuPerAcu: VCPU_PER_ACU,
      memoryPerAcuBytes: MEMORY_PER_ACU_BYTES,
      memoryPerConnectionBytes: MEMORY_PER_CONNECTION_BYTES,
      targetUtilization: serverless.targetUtilization,
      scaleUpPerSecond: serverless.scaleUpPerSecond,
      scaleDownPerSecond: serverless.scaleDownPerSecond,
    }, log, meter);
    ctx.start.warm.push(() => capacity.start());
  } else {
    const standbys = spec.multiAZ ? catalog.prices['rds.multi-az.multiplier'].priceUsd : 1;
    const az = spec.multiAZ ? ', Multi-AZ' : '';
    const line = cost.meterLine(`database ${name} (${provisioned!.label}${az})`, provisioned!.price);
    startBilling = () => {
      line.setQuantity(standbys);
      proxyLine?.setQuantity(Math.max(RDS_PROXY_MIN_VCPU, vcpu));
    };
    if (billFromStart) startBilling();
    if (spec.resize && resizedTo) {
      const newLine = cost.meterLine(`database ${name} (${resizedTo.label}${az}, from the resize)`, resizedTo.price);
      const from: DbClass = { label: provisioned!.label, vcpu, maxConnections };
      const to: DbClass = { label: resizedTo.label, vcpu: resizedTo.vcpu, maxConnections: resizedMaxConnections };
      const outageMicros = spec.resize.outage ?? (spec.multiAZ ? MULTI_AZ_OUTAGE_MICROS : SINGLE_AZ_OUTAGE_MICROS);
      const resize = new ScheduledResize(sim, database, { atMicros: spec.resize.at, outageMicros, from, to, multiAZ: spec.multiAZ }, log, () => {
        line.stop();
        newLine.setQuantity(standbys);
        proxyLine?.setQuantity(Math.max(RDS_PROXY_MIN_VCPU, resizedTo.vcpu));
      });
      ctx.start.loops.push(() => resize.start());
    }
  }

  return {
    name,
    database,
    proxy,
    proxyLatencyMicros: spec.proxy?.latency ?? 0,
    reader: spec.readReplicas ? buildReplicas(ctx, name, spec, database) : undefined,
    reads: { replicaReads: 0, staleReads: 0 },
    startBilling,
  };
}

/** Every replica the run will have (initial and requested later), the reader endpoint and the WAL stream. */
function buildReplicas(ctx: BuildContext, name: string, spec: DatabaseSpec, primary: Database): BuiltDatabase['reader'] {
  const { sim, runner, cost, log } = ctx;
  const r = spec.readReplicas!;
  const cls = resolveClass(r.instanceClass ?? (spec.instanceClass as ProvisionedClassSpec));
  const maxConnections = rdsMaxConnections(cls.memoryBytes);
  const total = r.count + r.add.reduce((sum, a) => sum + a.count, 0);
  const replicas: Database[] = [];
  const lines: MeterLine[] = [];
  for (let i = 1; i <= total; i++) {
    // No vCPUs until it exists: ReadReplicas gives them when it becomes available.
    replicas.push(new Database({ name: `${name}-replica-${i}`, vcpu: 0, maxConnections, maxJobs: maxConnections }, sim, runner));
    lines.push(cost.meterLine(`read replica ${name}-replica-${i} (${cls.label})`, cls.price));
  }
  const endpoint = new ReaderEndpoint(primary, replicas, r.routing, sim.random(`reader:${name}`));
  const replication = new Replication(sim, buildDistribution(r.replicaLag), sim.random(`replication:${name}`));
  const set = new ReadReplicas(sim, name, endpoint, replication, lines, {
    initial: r.count,
    additions: r.add.map((a) => ({ atMicros: a.at, count: a.count })),
    creationMicros: r.creationTime,
    classLabel: cls.label,
    vcpu: cls.vcpu,
  }, log);
  // Before the services' warm start: initial replicas are up before any pod opens its pools.
  ctx.start.warm.push(() => set.start());
  return { endpoint, replication };
}

/** A pool per pod of `service` for one endpoint, opened when the pod is first Ready and closed when it terminates. */
function openPools(ctx: BuildContext, service: string, target: ConnectionTarget, config: PoolConfig, random: RandomStream, poolSets: ConnectionPool[][]): PoolsByPod {
  const { sim, requests, runner } = ctx;
  const pools: (ConnectionPool | undefined)[] = [];
  const all: ConnectionPool[] = [];
  poolSets.push(all);
  ctx.services.get(service)!.addListener({
    podChanged(_s: Service, pod) {
      if (pod.phase === 'Ready' && pools[pod.hostIndex] === undefined) {
        const pool = new ConnectionPool(sim, requests, runner, target, config, random);
        pools[pod.hostIndex] = pool;
        all.push(pool);
        pool.start(pod.readyAt < 0); // pods running before the run have their pools open
      } else if (pod.phase === 'Terminated') pools[pod.hostIndex]?.close();
    },
  });
  return { pools };
}

function addDatabaseColumns(ctx: BuildContext, db: BuiltDatabase, spec: DatabaseSpec, prefix: string): void {
  const { recorder } = ctx;
  const d = db.database;
  const serverless = typeof spec.instanceClass === 'object' && 'serverless' in spec.instanceClass;
  recorder.addColumn({ name: `${prefix}db_cpu_pct`, sample: busiestCpuPercent([d]) });
  recorder.addColumn({ name: `${prefix}db_connections`, sample: () => d.connections });
  recorder.addColumn({ name: `${prefix}db_max_connections`, sample: () => d.maxConnections });
  if (spec.resize || serverless) recorder.addColumn({ name: `${prefix}db_vcpu`, sample: () => d.vcpu });
  if (serverless) recorder.addColumn({ name: `${prefix}db_acu`, sample: () => d.vcpu / VCPU_PER_ACU });
  const proxy = db.proxy;
  if (proxy) {
    recorder.addColumn({ name: `${prefix}proxy_client_connections`, sample: () => proxy.clientConnections });
    recorder.addColumn({ name: `${prefix}proxy_db_connections`, sample: () => proxy.databaseConnections });
  }
  const reader = db.reader;
  if (!reader) return;
  const replicas = reader.endpoint.servers.slice(1);
  const streams = reader.replication.streams;
  recorder.addColumn({ name: `${prefix}replicas_available`, sample: () => reader.endpoint.availableCount });
  // The busiest replica: a reader endpoint can load one replica while another idles.
  recorder.addColumn({ name: `${prefix}replica_cpu_pct`, sample: busiestCpuPercent(replicas) });
  recorder.addColumn({ name: `${prefix}replica_connections`, sample: () => replicas.reduce((sum, r) => sum + r.connections, 0) });
  // The worst replica's lag at any moment of the interval (as CloudWatch's Maximum of ReplicaLag).
  recorder.addColumn({ name: `${prefix}replica_lag_ms`, sample: () => streams.reduce((max, s) => Math.max(max, s.takeIntervalMaxLag()), 0) / 1000 });
  const reads = db.reads;
  recorder.addColumn({ name: `${prefix}replica_reads`, sample: increaseOf(() => reads.replicaReads) });
  recorder.addColumn({ name: `${prefix}stale_reads`, sample: increaseOf(() => reads.staleReads) });
}

/**
 * A sampler of the highest CPU utilization among `servers` over each interval, in percent of
 * the vCPUs each had (integrated over the interval, so a resize, an ACU change or a replica
 * joining mid-interval counts right; a replica that does not exist yet has none).
 */
function busiestCpuPercent(servers: readonly Database[]): () => number {
  const lastUsed = new Float64Array(servers.length);
  const lastVcpu = new Float64Array(servers.length);
  return () => {
    let busiest = 0;
    servers.forEach((d, i) => {
      d.cpu.advance();
      const used = d.cpu.cpuUsage - lastUsed[i];
      const vcpu = d.vcpuIntegral() - lastVcpu[i];
      lastUsed[i] = d.cpu.cpuUsage;
      lastVcpu[i] = d.vcpuIntegral();
      if (vcpu > 0) busiest = Math.max(busiest, (100 * used) / (1000 * vcpu));
    });
    return busiest;
  };
}

function resolveClass(spec: ProvisionedClassSpec): ResolvedClass {
  if (typeof spec === 'string') {
    const c = dbInstanceClasses[spec];
    return { label: spec, vcpu: c.vcpu, memoryBytes: c.memoryGiB * GIB_BYTES, price: c.priceId };
  }
  const custom = spec as { vcpu: number; memory: number; hourlyPriceUsd: number };
  return { label: 'custom', vcpu: custom.vcpu, memoryBytes: custom.memory, price: custom.hourlyPriceUsd };
}

/** `d` scaled by `k` (a write's replay as a share of its CPU on the primary). */
function scaled(d: Distribution, k: number): Distribution {
  return { kind: `${d.kind} × ${k}`, mean: d.mean * k, sample: (random) => d.sample(random) * k };
}
