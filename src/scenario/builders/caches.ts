import { cacheNodeTypes, ELASTICACHE_RESERVED_MEMORY } from '../../catalog/cache-node-types.js';
import { GIB_BYTES } from '../../catalog/db-instance-classes.js';
import { clockSeconds } from '../../engine/time.js';
import { Cache, type CacheConfig } from '../../model/cache/cache.js';
import { crc16 } from '../../model/cache/hash-slot.js';
import { EVICT_LFU, EVICT_LRU, EVICT_NONE, EVICT_RANDOM } from '../../model/cache/key-store.js';
import type { CacheSpec } from '../cache-schema.js';
import { increaseOf } from './columns.js';
import type { BuildContext } from './context.js';

const DEFAULT_NODE_TYPE = 'cache.r6g.large';
/** Round trip to a cache server in the same availability zone (≈0.45 ms measured). */
const SERVER_ROUND_TRIP_MICROS = 500;
const DAY_S = 86_400;

/** The scenario's caches, by name; they add their columns after the data tier's. */
export interface BuiltCaches {
  readonly caches: ReadonlyMap<string, Cache>;
  addColumns(): void;
}

/**
 * Every cache of the scenario: its key store(s), its nodes billed from the catalog (shards ×
 * (1 + replicas) nodes), its flushes, and the pods whose termination ends their loads (and
 * empties their local store). Columns per cache (prefixed `<cache>_` with several):
 * `cache_hit_ratio` (GETs that found a live value), `cache_ops_per_s` (commands, or lookups and
 * stores of a local cache), `cache_evictions_per_s`, `cache_keys`, `cache_key_loads_max` (the
 * most loads of one key in flight at once: a stampede), for a server `cache_cpu_pct` (its
 * busiest node's command thread), and with write-behind `cache_writes_lost`.
 */
export function buildCaches(ctx: BuildContext): BuiltCaches | undefined {
  const specs = ctx.scenario.caches ?? {};
  const names = Object.keys(specs);
  if (names.length === 0) return undefined;
  const caches = new Map(names.map((name) => [name, buildCache(ctx, name, specs[name])]));
  return {
    caches,
    addColumns() {
      for (const [name, cache] of caches) addCacheColumns(ctx, cache, names.length > 1 ? `${name}_` : '');
    },
  };
}

function buildCache(ctx: BuildContext, name: string, spec: CacheSpec): Cache {
  const { scenario, sim, requests, runner, cost } = ctx;
  const nodeType = spec.nodeType ?? DEFAULT_NODE_TYPE;
  const node = typeof nodeType === 'string' ? { label: nodeType, memoryBytes: cacheNodeTypes[nodeType].memoryGiB * GIB_BYTES, price: cacheNodeTypes[nodeType].priceId } : { label: 'custom', memoryBytes: nodeType.memory, price: nodeType.hourlyPriceUsd };
  const maxmemory = spec.maxmemory ?? (spec.local ? undefined : node.memoryBytes * (1 - ELASTICACHE_RESERVED_MEMORY) * spec.shards);
  const capacityEntries = spec.maxEntries ?? (maxmemory !== undefined && spec.entrySize !== undefined ? Math.max(1, Math.floor(maxmemory / spec.entrySize)) : Infinity);
  const start = clockSeconds(scenario.clockStart)!;
  const config: CacheConfig = {
    name,
    local: spec.local,
    ttlMicros: spec.ttl ?? Infinity,
    ttlJitter: spec.ttlJitter,
    capacityEntries,
    evictionPolicy: evictionPolicy(spec),
    shards: spec.shards,
    serviceMicros: 1e6 / spec.opsPerSecond,
    roundTripMicros: spec.latency ?? (spec.local ? 0 : SERVER_ROUND_TRIP_MICROS),
    coalesce: spec.coalesce,
    earlyRefreshBeta: spec.earlyRefresh?.beta ?? 0,
    // A clock time before the start is the next day's.
    declaredHitRatio: spec.declaredHitRatio ?? NaN,
    flushAtMicros: spec.flush.map((clock) => ((clockSeconds(clock)! - start + DAY_S) % DAY_S) * 1e6),
  };
  // A key's Redis name is `<space>:<n>` (the class's name for its own space): the CRC of the prefix, per class.
  const classes = Object.entries(scenario.traffic.classes);
  const names = {
    prefixCrc: classes.map(([className, c]) => crc16(`${c.key?.space ?? className}:`)),
    firstId: classes.map((_, i) => ctx.keys.classSpace[i]?.firstId ?? 0),
  };
  const cache = new Cache(config, sim, requests, runner, names, sim.random(`cache:${name}`));
  for (const service of ctx.services.values())
    service.addListener({
      podChanged(_service, pod) {
        if (pod.phase === 'Terminated') cache.podTerminated(pod.hostIndex);
      },
    });
  ctx.start.loops.push(() => cache.start());
  if (!spec.local) {
    const nodes = spec.shards * (1 + spec.replicas);
    const layout = spec.shards > 1 ? `${spec.shards} shards × ${1 + spec.replicas}` : `${nodes}`;
    cost.meterLine(`cache ${name} (${layout} × ${node.label})`, node.price).setQuantity(nodes);
  }
  return cache;
}

/** Redis's policy as the key store's: volatile-* evicts among keys with a TTL — every key with `ttl`, none without. */
function evictionPolicy(spec: CacheSpec): number {
  const policy = spec.evictionPolicy;
  if (policy === 'noeviction' || (policy.startsWith('volatile-') && spec.ttl === undefined)) return EVICT_NONE;
  if (policy.endsWith('-lfu')) return EVICT_LFU;
  if (policy.endsWith('-random')) return EVICT_RANDOM;
  return EVICT_LRU;
}

function addCacheColumns(ctx: BuildContext, cache: Cache, prefix: string): void {
  const { recorder } = ctx;
  const gets = increaseOf(() => cache.gets);
  const hits = increaseOf(() => cache.hits);
  recorder.addColumn({
    name: `${prefix}cache_hit_ratio`,
    sample: () => {
      const g = gets();
      const h = hits();
      return g > 0 ? h / g : NaN;
    },
  });
  const perSecond = (total: () => number) => {
    const increase = increaseOf(total);
    return (widthMicros: number) => (increase() * 1e6) / widthMicros;
  };
  recorder.addColumn({ name: `${prefix}cache_ops_per_s`, sample: perSecond(() => (cache.config.local ? cache.gets + cache.writes : cache.commands)) });
  recorder.addColumn({ name: `${prefix}cache_evictions_per_s`, sample: perSecond(() => cache.evictions()) });
  if (!cache.config.local) {
    const shards = cache.config.shards;
    const last = new Float64Array(shards);
    recorder.addColumn({
      name: `${prefix}cache_cpu_pct`,
      sample: (widthMicros) => {
        let busiest = 0;
        for (let node = 0; node < shards; node++) {
          const busy = cache.busyMicros(node);
          busiest = Math.max(busiest, busy - last[node]);
          last[node] = busy;
        }
        return (100 * busiest) / widthMicros;
      },
    });
  }
  recorder.addColumn({ name: `${prefix}cache_keys`, sample: () => cache.keys() });
  // Write-behind: background writes that failed or timed out — writes the database never got.
  if (cache.writeBehinds.length > 0) recorder.addColumn({ name: `${prefix}cache_writes_lost`, sample: increaseOf(() => cache.writeBehinds.reduce((sum, b) => sum + b.lost, 0)) });
  recorder.addColumn({ name: `${prefix}cache_key_loads_max`, sample: () => cache.takeKeyLoadsMax() });
}
