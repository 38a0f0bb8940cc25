import { z } from 'zod';
import { dbInstanceClasses } from '../catalog/db-instance-classes.js';
import { duration, memory } from './schema-units.js';
import { distributionSchema, positive } from './distribution-schema.js';

const fraction = z.number().min(0).max(1);

export const querySchema = z.strictObject({
  cpu: distributionSchema.meta({ description: "CPU work on the database's vCPUs per execution, at one core." }),
  io: distributionSchema.prefault('0s').meta({ description: 'I/O wait per execution (uses no CPU; the connection stays held). Default 0s.' }),
});

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

export const databaseSchema = z.strictObject({
  instanceClass: z
    .union([
      z.enum(Object.keys(dbInstanceClasses) as [string, ...string[]]),
      z.strictObject({ vcpu: positive('a vCPU count'), memory: memory(), hourlyPriceUsd: z.number().nonnegative() }),
    ])
    .meta({ description: `An RDS instance class from the catalog (${Object.keys(dbInstanceClasses).join(', ')}) or { vcpu, memory, hourlyPriceUsd }.` }),
  maxConnections: z.number().int().positive().max(262143).optional().meta({ description: "max_connections (default: RDS PostgreSQL's LEAST(DBInstanceClassMemory/9531392, 5000)). PostgreSQL's own limit is 262143." }),
  queries: z.record(z.string(), querySchema).meta({ description: 'Named query types that `db` steps run.' }),
  proxy: proxySchema.optional(),
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
  .meta({ description: "A pod's connection pool for one database, as HikariCP / node-postgres behave." });

export type DatabaseSpec = z.output<typeof databaseSchema>;
export type ConnectionPoolSpec = z.output<typeof connectionPoolSchema>;
