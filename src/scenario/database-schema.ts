import { z } from 'zod';
import { dbInstanceClasses } from '../catalog/db-instance-classes.js';
import { duration, memory } from './schema-units.js';
import { distributionSchema, positive } from './distribution-schema.js';

const fraction = z.number().min(0).max(1);

export const querySchema = z.strictObject({
  cpu: distributionSchema.meta({ description: "CPU work on the database's vCPUs per execution, at one core." }),
  io: distributionSchema.prefault('0s').meta({ description: 'I/O wait per execution (uses no CPU; the connection stays held). Default 0s.' }),
  kind: z.enum(['read', 'write']).default('write').meta({ description: "`read` queries go to the read replicas (through each pod's reader-endpoint pool) when the database has `readReplicas`; `write` queries (the default) go to the primary and are replayed on every replica." }),
  apply: distributionSchema.optional().meta({ description: "A write's WAL replay work on each read replica, at one core, done by the replica's single apply thread. Default: a quarter of `cpu` (replay applies page changes the primary already worked out)." }),
});

const provisionedClassSchema = z.union([
  z.enum(Object.keys(dbInstanceClasses) as [string, ...string[]]),
  z.strictObject({ vcpu: positive('a vCPU count'), memory: memory(), hourlyPriceUsd: z.number().nonnegative() }),
]);

const acu = (what: string) => z.number().min(0.5).max(256).multipleOf(0.5, { error: `expected ${what} in 0.5-ACU steps` });

export const serverlessSchema = z
  .strictObject({
    minACU: acu('a minimum capacity').meta({ description: 'Lowest capacity, ACUs (0.5–256 in 0.5 steps); the instance starts here.' }),
    maxACU: acu('a maximum capacity').meta({ description: 'Highest capacity, ACUs; also sets max_connections (Aurora PostgreSQL: 189 at 1 ACU … 5,000 from 32 ACU; at most 2,000 when minACU is 0.5).' }),
    targetUtilization: z.number().gt(0).max(1).default(0.7).meta({ description: 'CPU utilization the capacity aims at (default 0.7; Aurora does not publish its own).' }),
    scaleUpPerSecond: z.number().gt(0).max(10).default(0.25).meta({ description: 'Largest rise per second as a fraction of the current capacity, at least 0.5 ACU (default 0.25: AWS documents that a larger instance scales faster, not the rate).' }),
    scaleDownPerSecond: z.number().gt(0).max(1).default(0.1).meta({ description: "Largest fall per second as a fraction of the current capacity, at least 0.5 ACU, toward the highest need of the last minute (default 0.1)." }),
  })
  .refine((s) => s.minACU <= s.maxACU, { error: 'expected minACU ≤ maxACU' })
  .meta({ description: 'Aurora Serverless v2 (db.serverless): capacity in ACUs (1 ACU ≈ 2 GiB and 0.25 vCPU) that follows CPU and connections every second, billed per ACU-hour (catalog aurora.serverless-v2.acu-hour).' });

export const readReplicasSchema = z
  .strictObject({
    count: z.number().int().min(0).max(15).meta({ description: 'Read replicas from the start (Aurora allows 15 per cluster).' }),
    instanceClass: provisionedClassSchema.optional().meta({ description: "Each replica's instance class (default: the primary's; a serverless primary needs one). Replicas are billed like the primary." }),
    replicaLag: distributionSchema.prefault('20ms').meta({ description: "Time to ship a write's WAL to a replica before it can be replayed (network and flush): the lag with no apply backlog (default 20ms; Aurora reports 10–20 ms typically). The lag grows beyond it when writes outpace a replica's single apply thread (see queries' `apply`)." }),
    routing: z.enum(['random', 'round-robin', 'least-connections']).default('random').meta({ description: "How the reader endpoint picks a replica for each new connection; a connection stays on its replica (default random: Aurora's reader endpoint resolves by DNS to a random replica, as the AWS JDBC wrapper's default `random`)." }),
    add: z
      .array(z.strictObject({ at: duration().meta({ description: 'When the replica is requested.' }), count: z.number().int().positive().default(1) }))
      .default([])
      .meta({ description: 'Replicas requested during the run: each is billed from the request and takes connections after `creationTime`.' }),
    creationTime: duration().prefault('10m').meta({ description: 'From a request to a replica taking connections (default 10m: AWS says minutes; an Aurora replica copies no data, an RDS one restores a snapshot first).' }),
  })
  .meta({ description: "Read replicas behind a reader endpoint: pods send `read` queries through a second pool per database to it, each connection landing on one replica; every write is replayed on each replica by one apply thread, so lag grows with the primary's write rate." });

export const resizeSchema = z
  .strictObject({
    at: duration().meta({ description: 'When the instance switches to the new class (the outage starts).' }),
    to: provisionedClassSchema.meta({ description: 'The new instance class; billed from the switch (per second, 10-minute minimum per class).' }),
    outage: duration().optional().meta({ description: 'How long the database is unavailable (default 90s with multiAZ — RDS failovers take 60–120 s — else 5m for a restart on a new host: "a few minutes").' }),
  })
  .meta({ description: 'A scheduled change of instance class: the database is unavailable for `outage` (queries in progress fail, connections are refused, pools reconnect), then runs with the new vCPUs and max_connections.' });

export const proxySchema = z
  .strictObject({
    kind: z.enum(['rds-proxy', 'pgbouncer']).default('rds-proxy').meta({ description: 'RDS Proxy (billed per vCPU-hour of the database, 2 vCPU minimum) or PgBouncer in transaction mode (runs on your pods: not billed here). Default rds-proxy.' }),
    maxConnectionsPercent: z.number().gt(0).max(100).default(100).meta({ description: 'RDS Proxy MaxConnectionsPercent: database connections the proxy may hold, as a percentage of max_connections (default 100).' }),
    defaultPoolSize: z.number().int().positive().optional().meta({ description: 'PgBouncer default_pool_size: database connections, instead of maxConnectionsPercent.' }),
    connectionBorrowTimeout: duration().prefault('120s').meta({ description: 'RDS Proxy ConnectionBorrowTimeout / PgBouncer query_wait_timeout: a transaction waiting longer for a database connection fails with `proxy_timeout` (default 120s).' }),
    maxClientConnections: z.number().int().positive().optional().meta({ description: 'PgBouncer max_client_conn (default 100 for pgbouncer; RDS Proxy: unlimited here).' }),
    pinning: fraction.default(0).meta({ description: 'Fraction of client connections pinned to one database connection for their lifetime (session state: SET, prepared statements, advisory locks). Default 0.' }),
    latency: duration().prefault('1ms').meta({ description: 'Time the proxy adds to each transaction (default 1ms).' }),
  })
  .meta({ description: 'A connection proxy in front of the database, multiplexing client connections onto few database connections.' });

/** Shards per database: each is a database instance with its own pools on every pod. */
export const MAX_SHARDS = 256;
const MAX_VIRTUAL_NODES = 1000;

const shardCount = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: 'expected a whole number of shards', abort: true })
    .min(1, { error: 'expected at least 1 shard', abort: true })
    .max(MAX_SHARDS, { error: `expected at most ${MAX_SHARDS} shards`, abort: true });

const boundaries = z
  .array(z.number().int({ error: 'expected a whole key number' }))
  .meta({ description: 'Range sharding: the first key of each shard after the first (count − 1 increasing keys inside the key space, keys counted from 0). Default: equal ranges.' });

export const reshardingSchema = z
  .strictObject({
    at: duration().meta({ description: 'When the new shards start taking keys (the copy starts); they are billed from then.' }),
    to: shardCount('a number of shards').meta({ description: 'Shards after the resharding (more than `count`).' }),
    duration: duration().prefault('30m').meta({ description: 'The copy of moved keys is paced over this long, one batch a second in key order; it takes longer when the shards cannot keep up (default 30m).' }),
    ranges: boundaries.optional(),
    migration: z
      .strictObject({
        sourceCpuPerKey: duration().prefault('200us').meta({ description: "CPU to read one moved key's data on its old shard, at one core (default 200us: a key owning ~20 rows at ~10 µs a row)." }),
        targetCpuPerKey: duration().prefault('2ms').meta({ description: "CPU to write one moved key's data on its new shard, at one core (default 2ms: ~20 rows at ~100 µs a row, indexes and log included)." }),
      })
      .prefault({})
      .meta({ description: 'The copy work per moved key on the databases (a background job on each, at most one core).' }),
  })
  .meta({ description: 'Adding shards during the run: every key whose shard changes is copied (CPU on its old and new shard) and its queries switch once it is copied. Modulo hashing moves about N/(N+1) of the keys, consistent hashing about 1/(N+1).' });

export const shardsSchema = z
  .strictObject({
    count: shardCount('a number of shards').meta({ description: `Shards: database instances of the same class (each with the proxy and replicas given, billed each), at most ${MAX_SHARDS}. A pod keeps one pool per shard (an app with one data source per shard), so connections multiply.` }),
    key: z.string().optional().meta({ description: "The key space it is sharded on: a `key.space` name, or a class name (that class's key space). Default: the key space of the classes whose paths query it." }),
    strategy: z.enum(['range', 'hash', 'consistent', 'directory']).default('hash').meta({ description: 'range: consecutive keys together (`ranges`); hash: murmur3-mixed key modulo count; consistent: a hash ring with `virtualNodes` points per shard; directory: a table of key blocks to shards (blocks dealt out in turn). Default hash.' }),
    virtualNodes: z.number().int({ error: 'expected a whole number of virtual nodes' }).min(1, { error: 'expected at least 1 virtual node per shard' }).max(MAX_VIRTUAL_NODES, { error: `expected at most ${MAX_VIRTUAL_NODES} virtual nodes per shard` }).default(100).meta({ description: 'Consistent hashing: points per shard on the ring (default 100; a shard\'s share varies by about 1/√virtualNodes).' }),
    ranges: boundaries.optional(),
    blocks: z.number().int().min(1).max(1_000_000).default(1024).meta({ description: 'Directory: blocks of consecutive keys the table maps (default 1024; at least the number of shards).' }),
    resharding: reshardingSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const check = (firsts: number[] | undefined, count: number, path: (string | number)[]) => {
      if (firsts === undefined) return;
      if (s.strategy !== 'range') ctx.addIssue({ code: 'custom', path, message: `ranges belong to range sharding, got strategy ${JSON.stringify(s.strategy)}` });
      else if (firsts.length !== count - 1) ctx.addIssue({ code: 'custom', path, message: `expected ${count - 1} boundaries (the first key of shards 2…${count}), got ${firsts.length}` });
      else if (firsts.some((k, i) => i > 0 && k <= firsts[i - 1])) ctx.addIssue({ code: 'custom', path, message: `expected increasing boundaries, got ${JSON.stringify(firsts)}` });
    };
    check(s.ranges, s.count, ['ranges']);
    const r = s.resharding;
    if (r && r.to <= s.count) ctx.addIssue({ code: 'custom', path: ['resharding', 'to'], message: `expected more shards than count (${s.count}), got ${r.to}` });
    else if (r) check(r.ranges, r.to, ['resharding', 'ranges']);
    const most = Math.max(s.count, r?.to ?? 0);
    if (s.strategy === 'directory' && s.blocks < most) ctx.addIssue({ code: 'custom', path: ['blocks'], message: `expected at least one block per shard (${most}), got ${s.blocks}` });
  })
  .meta({ description: 'Split the database into shards by the key of each request: each shard is its own database (same class, queries, max_connections, proxy, replicas) with its own CPU, connections and bill.' });

export const databaseSchema = z
  .strictObject({
    instanceClass: z
      .union([provisionedClassSchema, z.strictObject({ serverless: serverlessSchema })])
      .meta({ description: `An RDS instance class from the catalog (${Object.keys(dbInstanceClasses).join(', ')}), { vcpu, memory, hourlyPriceUsd }, or { serverless: { minACU, maxACU } } for Aurora Serverless v2.` }),
    maxConnections: z.number().int().positive().max(262143).optional().meta({ description: "max_connections (default: RDS PostgreSQL's LEAST(DBInstanceClassMemory/9531392, 5000); serverless: from maxACU). PostgreSQL's own limit is 262143." }),
    multiAZ: z.boolean().default(false).meta({ description: 'An RDS Multi-AZ deployment: a standby in another zone, billed as a second instance (catalog rds.multi-az.multiplier); a resize then fails over to the resized standby. Default false.' }),
    queries: z.record(z.string(), querySchema).meta({ description: 'Named query types that `db` steps run.' }),
    proxy: proxySchema.optional(),
    readReplicas: readReplicasSchema.optional(),
    resize: resizeSchema.optional(),
    shards: shardsSchema.optional(),
  })
  .superRefine((db, ctx) => {
    const serverless = typeof db.instanceClass === 'object' && 'serverless' in db.instanceClass;
    if (serverless && db.resize) ctx.addIssue({ code: 'custom', path: ['resize'], message: 'a serverless instance changes capacity on its own: remove `resize`' });
    if (serverless && db.multiAZ) ctx.addIssue({ code: 'custom', path: ['multiAZ'], message: 'Aurora Serverless v2 has no RDS standby: add `readReplicas` for another zone instead of `multiAZ`' });
    if (serverless && db.readReplicas && db.readReplicas.instanceClass === undefined) ctx.addIssue({ code: 'custom', path: ['readReplicas', 'instanceClass'], message: 'expected an instance class for the replicas of a serverless primary' });
    const replicas = db.readReplicas;
    if (replicas) {
      const total = replicas.count + replicas.add.reduce((sum, a) => sum + a.count, 0);
      if (total > 15) ctx.addIssue({ code: 'custom', path: ['readReplicas', 'add'], message: `expected at most 15 replicas in all, got ${total}` });
    }
  });

export const connectionPoolSchema = z
  .strictObject({
    maximumPoolSize: z.number().int().positive().max(10000).default(10).meta({ description: 'HikariCP maximumPoolSize (node-postgres `max`): connections per pod (default 10).' }),
    minimumIdle: z.number().int().nonnegative().optional().meta({ description: 'Connections kept open even when idle (default: maximumPoolSize, as HikariCP).' }),
    connectionTimeout: duration().prefault('30s').meta({ description: 'Longest wait for a connection before the step fails with `pool_timeout` (default 30s, as HikariCP).' }),
    idleTimeout: duration().prefault('10m').meta({ description: 'Idle connections above minimumIdle close after this (default 10m; 0s: never).' }),
    maxLifetime: duration().prefault('30m').meta({ description: 'Connections are retired at this age when idle (default 30m; 0s: never).' }),
    connect: distributionSchema.prefault('3ms').meta({ description: 'Time to open a connection: TCP + TLS + authentication + backend start (default 3ms, same VPC).' }),
  })
  .refine((p) => p.minimumIdle === undefined || p.minimumIdle <= p.maximumPoolSize, { error: 'expected minimumIdle ≤ maximumPoolSize' })
  .meta({ description: "A pod's connection pool for one database, as HikariCP / node-postgres behave. With `readReplicas` each pod has a second pool with the same settings to the reader endpoint, for the `read` queries." });

export type DatabaseSpec = z.output<typeof databaseSchema>;
export type ShardsSpec = z.output<typeof shardsSchema>;
export type ConnectionPoolSpec = z.output<typeof connectionPoolSchema>;
