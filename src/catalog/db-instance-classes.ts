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
