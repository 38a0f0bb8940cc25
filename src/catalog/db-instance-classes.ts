/**
 * Database instance classes the catalog prices (RDS PostgreSQL, us-east-1 on-demand): vCPUs,
 * memory and the price entry that bills them. Others can be given as
 * `{ vcpu, memory, hourlyPriceUsd }` in a scenario.
 */
export interface DbInstanceClass {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly priceId: string;
}

export const dbInstanceClasses: Readonly<Record<string, DbInstanceClass>> = {
  'db.t3.medium': { vcpu: 2, memoryGiB: 4, priceId: 'rds.postgres.db.t3.medium.instance-hour' },
  'db.r5.large': { vcpu: 2, memoryGiB: 16, priceId: 'rds.postgres.db.r5.large.instance-hour' },
  'db.r6g.xlarge': { vcpu: 4, memoryGiB: 32, priceId: 'rds.postgres.db.r6g.xlarge.instance-hour' },
};

const GIB = 1024 ** 3;
/**
 * Memory RDS does not count in DBInstanceClassMemory (OS and RDS processes). Not documented;
 * 384 MiB reproduces the observed 413 connections of a 4 GiB class within 2%.
 */
const RESERVED_BYTES = 384 * 1024 ** 2;

/** RDS PostgreSQL's default `max_connections`: LEAST(DBInstanceClassMemory / 9531392, 5000). */
export function rdsMaxConnections(memoryBytes: number): number {
  return Math.max(1, Math.min(5000, Math.floor((memoryBytes - RESERVED_BYTES) / 9531392)));
}

export const GIB_BYTES = GIB;

/**
 * Aurora PostgreSQL Serverless v2's default max_connections, from the maximum capacity (it
 * uses the memory of maxACU and holds the value fixed): the Aurora User Guide's table gives
 * 189, 823, 1,669, 3,360 and 5,000 at 1, 4, 8, 16 and 32+ ACUs, interpolated linearly between;
 * with a minimum of 0.5 ACU it is capped at 2,000 ("Maximum connections for Aurora Serverless v2").
 */
export function auroraServerlessMaxConnections(maxAcu: number, minAcu: number): number {
  const table = AURORA_PG_SERVERLESS_MAX_CONNECTIONS;
  let i = 1;
  while (i < table.length - 1 && table[i][0] < maxAcu) i++;
  const [a0, c0] = table[i - 1];
  const [a1, c1] = table[i];
  const connections = Math.max(1, Math.min(5000, Math.floor(c0 + ((c1 - c0) * (maxAcu - a0)) / (a1 - a0))));
  return minAcu <= 0.5 ? Math.min(2000, connections) : connections;
}

const AURORA_PG_SERVERLESS_MAX_CONNECTIONS: readonly (readonly [number, number])[] = [
  [1, 189],
  [4, 823],
  [8, 1669],
  [16, 3360],
  [32, 5000],
];
