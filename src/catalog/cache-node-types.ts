/**
 * ElastiCache (Redis OSS) node types the catalog prices, us-east-1 on-demand: vCPUs, memory
 * (as AWS lists it per node type) and the price entry that bills them. Others can be given as
 * `{ memory, hourlyPriceUsd }` in a scenario.
 */
export interface CacheNodeType {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly priceId: string;
}

export const cacheNodeTypes: Readonly<Record<string, CacheNodeType>> = {
  'cache.t4g.medium': { vcpu: 2, memoryGiB: 3.09, priceId: 'elasticache.cache.t4g.medium.node-hour' },
  'cache.m6g.large': { vcpu: 2, memoryGiB: 6.38, priceId: 'elasticache.cache.m6g.large.node-hour' },
  'cache.r6g.large': { vcpu: 2, memoryGiB: 13.07, priceId: 'elasticache.cache.r6g.large.node-hour' },
  'cache.r6g.xlarge': { vcpu: 4, memoryGiB: 26.32, priceId: 'elasticache.cache.r6g.xlarge.node-hour' },
  'cache.r7g.large': { vcpu: 2, memoryGiB: 13.07, priceId: 'elasticache.cache.r7g.large.node-hour' },
};

/**
 * ElastiCache's default `reserved-memory-percent`: 25% of a node's memory is kept for
 * backups, replication and fragmentation, so `maxmemory` is the other 75%.
 */
export const ELASTICACHE_RESERVED_MEMORY = 0.25;
