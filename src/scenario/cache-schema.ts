import { z } from 'zod';
import { cacheNodeTypes } from '../catalog/cache-node-types.js';
import { positive } from './distribution-schema.js';
import { duration, fraction, memory, period } from './schema-units.js';

/** Redis `maxmemory-policy` values modelled (volatile-ttl is not). */
export const EVICTION_POLICIES = ['volatile-lru', 'allkeys-lru', 'volatile-lfu', 'allkeys-lfu', 'volatile-random', 'allkeys-random', 'noeviction'] as const;

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

const nodeTypeSchema = z.union([
  z.enum(Object.keys(cacheNodeTypes) as [string, ...string[]]),
  z.strictObject({ memory: memory(), hourlyPriceUsd: z.number().nonnegative() }),
]);

/**
 * A cache that `cache` steps use: an ElastiCache (Redis OSS) node or cluster, or an
 * in-process cache in every pod (`local`). Its hit ratio is never declared: it emerges from
 * the requests' keys and their popularity, the TTL, the capacity and the traffic.
 */
export const cacheSchema = z
  .strictObject({
    local: z.boolean().default(false).meta({ description: "An in-process cache in each pod (Caffeine, an LRU map): no server, no network, nothing billed — but each pod has its own, empty when the pod starts and lost when it goes, so more pods mean a lower hit ratio. Default false: a Redis server." }),
    nodeType: nodeTypeSchema.optional().meta({ description: `ElastiCache node type, billed per node-hour from the catalog (${Object.keys(cacheNodeTypes).join(', ')}), or { memory, hourlyPriceUsd }. Default cache.r6g.large.` }),
    shards: z.number().int().min(1).max(500).default(1).meta({ description: 'Redis Cluster shards (node groups): each key goes to hash slot CRC16(key) mod 16384, and each shard serves an equal range of slots. Default 1 (no cluster).' }),
    replicas: z.number().int().min(0).max(5).default(0).meta({ description: 'Replicas per shard: billed; they do not serve reads here (a cluster client reads from primaries unless told otherwise). Default 0.' }),
    opsPerSecond: positive('commands per second').default(100_000).meta({ description: "Commands one node executes per second on its one command thread (default 100000: Redis's benchmarks, without pipelining). Latency rises as a node nears it." }),
    latency: duration().optional().meta({ description: 'Network round trip of a command (default 0.5ms for a server: same availability zone; 0 for a local cache).' }),
    ttl: period().optional().meta({ description: 'Time to live of a value set (e.g. "15m"); default none: values stay until evicted or flushed.' }),
    ttlJitter: fraction().prefault(0).meta({ description: 'Spread of the TTL: each value lives ttl × (1 ± this), uniformly, so keys set together do not expire together (default 0).' }),
    maxEntries: z.number().int().positive().optional().meta({ description: 'Most keys held (per pod for a local cache).' }),
    maxmemory: memory().optional().meta({ description: "Memory for keys (Redis `maxmemory`), with `entrySize`: it holds maxmemory / entrySize keys. Default for a server with `entrySize`: 75% of its node type's memory per shard (ElastiCache's default reserved-memory-percent is 25%). Without maxEntries or entrySize the cache is unbounded." }),
    entrySize: memory().optional().meta({ description: 'Memory one key takes: key, value and Redis\'s per-key overhead (some 50–100 bytes).' }),
    evictionPolicy: z.enum(EVICTION_POLICIES).default('volatile-lru').meta({ description: "Redis `maxmemory-policy` when full (default volatile-lru, ElastiCache's default): *-lru evicts the least recently used key (exact LRU), *-lfu the least frequently used of 5 sampled (Redis's counter), *-random a random one; volatile-* evicts only keys with a TTL — all of them with `ttl`, none without (then, as noeviction, a new key that does not fit is not stored)." }),
    coalesce: z.boolean().default(false).meta({ description: "Single flight: concurrent misses of one key in one pod wait for the first one's load instead of each loading (Go's singleflight; a failed load fails its waiters). Default false: every miss loads — a hot key expiring at peak sends a stampede to the database." }),
    earlyRefresh: z
      .strictObject({ beta: positive('a β').default(1).meta({ description: 'β: above 1 favours earlier refreshes (default 1, as the paper recommends).' }) })
      .optional()
      .meta({ description: "Probabilistic early recomputation (XFetch, Vattani et al. 2015): a hit recomputes the value when now − δ·β·ln(random) ≥ its expiry, δ being how long its last load took — one request refreshes a hot key shortly before it expires, instead of many after." }),
    declaredHitRatio: fraction()
      .optional()
      .meta({ description: 'A teaching shortcut: every GET hits with this probability, whatever the keys, TTL and capacity — no key is stored, nothing is learnt from the traffic. The summary marks the cache `declared`. Leave it out to let the hit ratio emerge.' }),
    flush: z
      .array(z.string().regex(CLOCK_TIME, { error: 'expected a time of day like "14:00" or "14:00:30"' }))
      .default([])
      .meta({ description: 'Clock times (see `clockStart`) when the cache is emptied: a FLUSHALL, a restart or a deploy of a local cache. Default none; every cache starts empty.' }),
  })
  .superRefine((c, ctx) => {
    if (c.local) {
      const server = { nodeType: c.nodeType !== undefined, shards: c.shards > 1, replicas: c.replicas > 0 };
      for (const [field, given] of Object.entries(server)) if (given) ctx.addIssue({ code: 'custom', path: [field], message: 'a local cache has no server: remove it' });
    }
    if (c.maxmemory !== undefined && c.entrySize === undefined) ctx.addIssue({ code: 'custom', path: ['entrySize'], message: 'expected the memory one key takes, to turn maxmemory into keys' });
    if (c.maxmemory !== undefined && c.maxEntries !== undefined) ctx.addIssue({ code: 'custom', path: ['maxEntries'], message: 'give maxEntries or maxmemory, not both' });
    if (c.declaredHitRatio !== undefined)
      for (const [field, given] of Object.entries({ ttl: c.ttl !== undefined, maxEntries: c.maxEntries !== undefined, maxmemory: c.maxmemory !== undefined, earlyRefresh: c.earlyRefresh !== undefined, coalesce: c.coalesce, flush: c.flush.length > 0 }))
        if (given) ctx.addIssue({ code: 'custom', path: [field], message: 'a declared hit ratio ignores keys, TTLs and capacity: remove it, or remove declaredHitRatio to let the hit ratio emerge' });
    if (c.ttlJitter > 0 && c.ttl === undefined) ctx.addIssue({ code: 'custom', path: ['ttlJitter'], message: 'expected a `ttl` to spread' });
  })
  .meta({ id: 'Cache', description: 'A Redis (ElastiCache) server or cluster, or a local in-pod cache, that `cache` steps use.' });

export type CacheSpec = z.output<typeof cacheSchema>;
