/**
 * Where a key lives: a shard layout maps a key (0…keys−1 within its key space) to a shard
 * (0…count−1). Lookups allocate nothing; the tables are typed arrays built once.
 */
export interface ShardLayout {
  readonly count: number;
  shardOf(key: number): number;
}

/**
 * murmur3's 32-bit finalizer (fmix32): a bijection of 32-bit integers in which every input bit
 * flips each output bit with probability about ½, so consecutive ids (time-ordered keys) land
 * far apart. Returns an unsigned 32-bit integer.
 */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Seeds that keep a key's hash and the ring's points independent (and key 0 off the fixed point 0). */
const KEY_SEED = 0x9e3779b9;
const RING_SEED = 0x632be5ab;

/** The hash of a key that `hash` and `consistent` place by. */
export const keyHash = (key: number): number => mix32(key ^ KEY_SEED);

/**
 * Range sharding: shard i holds the keys from `firsts[i−1]` (0 for the first) up to the next
 * boundary, as Vitess keyranges, Citus range distribution or MongoDB ranged chunks do on the
 * key itself. Time-ordered keys put the newest — often the hottest — together in one shard.
 */
export class RangeLayout implements ShardLayout {
  readonly count: number;

  /** `firsts`: the first key of shards 1…count−1, increasing. */
  constructor(private readonly firsts: Float64Array) {
    this.count = firsts.length + 1;
  }

  /** `count` ranges of (nearly) equal width over `keys` keys. */
  static equal(keys: number, count: number): RangeLayout {
    const firsts = new Float64Array(count - 1);
    for (let i = 1; i < count; i++) firsts[i - 1] = Math.round((i * keys) / count);
    return new RangeLayout(firsts);
  }

  shardOf(key: number): number {
    // The number of boundaries at or below the key (binary search).
    let lo = 0;
    let hi = this.firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.firsts[mid] <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Hash sharding by modulo: hash(key) mod count. Even on any key order, but changing the count
 * moves a key unless hash mod N = hash mod M: N → N+1 moves N/(N+1) of the keys.
 */
export class ModuloLayout implements ShardLayout {
  constructor(readonly count: number) {}

  shardOf(key: number): number {
    return keyHash(key) % this.count;
  }
}

/**
 * Consistent hashing (Karger et al. 1997; Dynamo, Cassandra's tokens, ketama): each shard puts
 * `virtualNodes` points on a ring of 2³² positions, a key belongs to the first point at or after
 * its hash (clockwise, wrapping). A shard's points depend only on the shard, so adding one moves
 * only the keys that now fall just before its points: about 1/(N+1) of them. With V points per
 * shard a shard's share of the ring varies by about 1/√V (relative) around 1/N.
 */
export class RingLayout implements ShardLayout {
  /** Point positions, increasing, and the shard of each. */
  private readonly points: Uint32Array;
  private readonly owners: Int32Array;

  constructor(
    readonly count: number,
    readonly virtualNodes: number,
  ) {
    const n = count * virtualNodes;
    const position = new Float64Array(n);
    for (let s = 0; s < count; s++) {
      const base = mix32(s ^ RING_SEED);
      for (let v = 0; v < virtualNodes; v++) position[s * virtualNodes + v] = mix32(base ^ mix32(v));
    }
    // Sorted by position, ties by shard (deterministic).
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => position[a] - position[b] || a - b);
    this.points = new Uint32Array(n);
    this.owners = new Int32Array(n);
    order.forEach((i, k) => {
      this.points[k] = position[i];
      this.owners[k] = Math.floor(i / virtualNodes);
    });
  }

  shardOf(key: number): number {
    const h = keyHash(key);
    const points = this.points;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === points.length ? 0 : lo];
  }
}

/**
 * A directory: a lookup table from blocks of consecutive keys to shards, as MongoDB's config
 * servers keep a chunk map and Vitess a lookup vindex. Any block can be moved on its own, so
 * adding a shard moves only the blocks given to it. Blocks start dealt out in turn (block b on
 * shard b mod count); a block of hot keys stays hot wherever it goes.
 */
export class DirectoryLayout implements ShardLayout {
  readonly keysPerBlock: number;

  constructor(
    readonly count: number,
    keys: number,
    /** The shard of each block. */
    readonly table: Int32Array,
  ) {
    this.keysPerBlock = Math.ceil(keys / table.length);
  }

  static dealt(count: number, keys: number, blocks: number): DirectoryLayout {
    const table = new Int32Array(blocks);
    for (let b = 0; b < blocks; b++) table[b] = b % count;
    return new DirectoryLayout(count, keys, table);
  }

  shardOf(key: number): number {
    return this.table[Math.floor(key / this.keysPerBlock)];
  }

  /**
   * The same directory over `count` shards, moving as few blocks as it can: each new shard
   * gets the share of blocks an even spread gives it, taken from the old shards holding the most
   * (their highest-numbered blocks), as a balancer evening out chunk counts does.
   */
  grownTo(count: number, keys: number): DirectoryLayout {
    const table = Int32Array.from(this.table);
    const held = new Int32Array(count);
    for (const s of table) held[s]++;
    const quota = (s: number) => Math.floor(table.length / count) + (s < table.length % count ? 1 : 0);
    for (let target = this.count; target < count; target++) {
      while (held[target] < quota(target)) {
        let donor = 0;
        for (let s = 1; s < this.count; s++) if (held[s] > held[donor]) donor = s;
        const b = table.lastIndexOf(donor);
        table[b] = target;
        held[donor]--;
        held[target]++;
      }
    }
    return new DirectoryLayout(count, keys, table);
  }
}
