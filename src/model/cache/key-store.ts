import type { RandomStream } from '../../engine/index.js';

/** Which entry makes room for a new one when the store is full (Redis `maxmemory-policy`). */
export const EVICT_LRU = 0;
export const EVICT_LFU = 1;
export const EVICT_RANDOM = 2;
/** Nothing is evicted: a new key is not stored (Redis answers the SET with an OOM error). */
export const EVICT_NONE = 3;

/** Keys Redis samples to pick an LFU victim (`maxmemory-samples`, default 5). */
const LFU_SAMPLES = 5;
/** Redis's LFU: a new key's counter, `lfu-log-factor` and `lfu-decay-time` (one minute) defaults. */
const LFU_INIT = 5;
const LFU_LOG_FACTOR = 10;
const MINUTE_MICROS = 60_000_000;
/** Redis's active expiry: keys examined per loop, and it loops again while more than this many of them had expired (10%). */
const EXPIRE_SAMPLE = 20;
const EXPIRE_AGAIN_ABOVE = 2;
/** Loops per cycle at most (Redis bounds a cycle's time, 25% of a 100 ms tick), and slots visited per loop (empty buckets count too). */
const EXPIRE_MAX_LOOPS = 16;
const EXPIRE_MAX_SLOTS = 400;
const EMPTY = -1;
/** Entries a store starts with; it doubles (up to its capacity) as it fills, so memory follows the keys held. */
const INITIAL_ENTRIES = 1024;
// Per entry, 4 ints: its key, the newer and older entries of the LRU list, and the LFU counter with the minute it was last decayed.
const KEY = 0;
const NEWER = 1;
const OLDER = 2;
const LFU = 3;
// Per entry, 2 doubles: when it expires, and how long its value took to load.
const EXPIRES = 0;
const LOAD = 1;

/**
 * The keys a cache holds, in typed arrays laid out so that one operation touches few cache
 * lines: an open-addressing hash table (linear probing, backward-shift deletion, load ≤ ½) of
 * (key, entry) pairs, and per entry 4 ints (key, the links of an exact LRU list — most recent
 * first —, Redis's LFU counter) and 2 doubles (expiry, and the time its value took to load:
 * XFetch's δ). Freed entries are reused from a free list. The arrays double as the store fills,
 * up to its capacity, and never shrink: memory follows the most keys held, then stays flat.
 * Nothing is allocated per operation.
 *
 * Expiry is Redis's: lazy (an expired key found by a lookup is deleted and is a miss) and
 * active (`expireCycle`, run 10 times a second, walks the table from a cursor as Redis walks
 * its buckets, deleting expired keys, and goes on while more than 10% of those it saw had
 * expired), so expired keys hold memory for a while, as they do in Redis. LRU is exact (Redis
 * samples instead: its `maxmemory-samples` 5 comes within a few percent of exact LRU); LFU is
 * Redis's own approximation: a logarithmic 8-bit counter that decays by one per idle minute,
 * the victim the least counted of 5 keys sampled from the table (without Redis's 16-entry
 * eviction pool).
 */
export class KeyStore {
  /** Entries held. */
  count = 0;
  /** Keys evicted to make room, and expired keys deleted, since the start. */
  evictions = 0;
  expired = 0;
  private ints: Int32Array;
  private floats: Float64Array;
  /** Per slot: the entry (−1: empty) and its key. */
  private table: Int32Array;
  private mask: number;
  private shift: number;
  /** Entries ever handed out (the rest of the arrays is unused), and the free list through NEWER. */
  private used = 0;
  private freeHead = EMPTY;
  private mru = EMPTY;
  private lru = EMPTY;
  private cursor = 0;

  constructor(
    /** Most entries it holds (Infinity: unbounded). */
    private readonly capacity: number,
    private readonly policy: number,
    private readonly random: RandomStream,
  ) {
    const size = Math.min(capacity, INITIAL_ENTRIES);
    this.ints = new Int32Array(4 * size);
    this.floats = new Float64Array(2 * size);
    const bits = Math.max(4, Math.ceil(Math.log2(size * 2)));
    this.table = new Int32Array(2 << bits).fill(EMPTY);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  /** The entry of `key`, live at `now`; −1 when absent or expired (an expired one is deleted, as Redis does on access). */
  lookup(key: number, now: number): number {
    const slot = this.find(key);
    if (slot === EMPTY) return EMPTY;
    const e = this.table[2 * slot];
    if (this.floats[2 * e + EXPIRES] <= now) {
      this.expired++;
      this.removeAt(slot);
      return EMPTY;
    }
    return e;
  }

  /** A read of a live entry: it becomes the most recently used, and is counted for LFU. */
  touch(e: number, now: number): void {
    if (this.policy === EVICT_LFU) this.countUse(e, now);
    else if (this.mru !== e) {
      this.unlink(e);
      this.pushFront(e);
    }
  }

  /** When entry `e` expires, µs (Infinity without a TTL). */
  expiry(e: number): number {
    return this.floats[2 * e + EXPIRES];
  }

  /** How long entry `e`'s value took to load, µs (XFetch's δ). */
  loadTime(e: number): number {
    return this.floats[2 * e + LOAD];
  }

  /**
   * Stores `key` (a SET): a new value expiring at `expiresAt`, which took `loadMicros` to load
   * (negative: unknown, the previous value's time is kept). Makes room by the eviction policy
   * when full; under `noeviction` a new key that does not fit is not stored. Returns its entry, or −1.
   */
  set(key: number, now: number, expiresAt: number, loadMicros: number): number {
    const slot = this.find(key);
    let e: number;
    if (slot === EMPTY) {
      if (this.count >= this.capacity && !this.makeRoom(now)) return EMPTY;
      e = this.allocate();
      this.ints[4 * e + KEY] = key;
      this.place(e, key);
      this.pushFront(e);
      if (this.policy === EVICT_LFU) this.ints[4 * e + LFU] = LFU_INIT | (Math.floor(now / MINUTE_MICROS) << 8);
      this.floats[2 * e + LOAD] = 0;
    } else {
      e = this.table[2 * slot];
      this.touch(e, now);
    }
    this.floats[2 * e + EXPIRES] = expiresAt;
    if (loadMicros >= 0) this.floats[2 * e + LOAD] = loadMicros;
    return e;
  }

  /** Deletes `key` if present (a DEL). */
  delete(key: number): void {
    const slot = this.find(key);
    if (slot !== EMPTY) this.removeAt(slot);
  }

  /** Empties the store (FLUSHALL, or a new pod's empty memory). */
  clear(): void {
    this.table.fill(EMPTY);
    this.count = this.used = 0;
    this.freeHead = this.mru = this.lru = EMPTY;
  }

  /** One active-expiry cycle: walks the table from its cursor deleting expired keys, again while many of those it saw were. */
  expireCycle(now: number): void {
    const table = this.table;
    for (let loop = 0; loop < EXPIRE_MAX_LOOPS && this.count > 0; loop++) {
      let seen = 0;
      let found = 0;
      for (let visited = 0; seen < EXPIRE_SAMPLE && visited < EXPIRE_MAX_SLOTS; visited++) {
        const slot = this.cursor;
        const e = table[2 * slot];
        if (e === EMPTY) {
          this.cursor = (slot + 1) & this.mask;
          continue;
        }
        seen++;
        if (this.floats[2 * e + EXPIRES] <= now) {
          this.expired++;
          found++;
          this.removeAt(slot); // a later key may shift into this slot: look at it again
        } else this.cursor = (slot + 1) & this.mask;
      }
      if (found <= EXPIRE_AGAIN_ABOVE) return;
    }
  }

  /** Evicts one entry by the policy; false under `noeviction`. */
  private makeRoom(now: number): boolean {
    if (this.policy === EVICT_NONE || this.count === 0) return false;
    let slot: number;
    if (this.policy === EVICT_LRU) slot = this.find(this.ints[4 * this.lru + KEY]);
    else if (this.policy === EVICT_RANDOM) slot = this.randomSlot();
    else {
      slot = EMPTY;
      let least = Infinity;
      for (let i = 0; i < LFU_SAMPLES; i++) {
        const candidate = this.randomSlot();
        const counter = this.decayed(this.table[2 * candidate], now);
        if (counter < least) {
          least = counter;
          slot = candidate;
        }
      }
    }
    this.evictions++;
    this.removeAt(slot);
    return true;
  }

  /** A random occupied slot (the table is at least a quarter full when the store is). */
  private randomSlot(): number {
    for (;;) {
      const slot = Math.floor(this.random() * (this.mask + 1));
      if (this.table[2 * slot] !== EMPTY) return slot;
    }
  }

  /** Redis's LFU counter after its decay: one less per idle minute. */
  private decayed(e: number, now: number): number {
    const packed = this.ints[4 * e + LFU];
    return Math.max(0, (packed & 0xff) - (Math.floor(now / MINUTE_MICROS) - (packed >>> 8)));
  }

  /** Redis's logarithmic increment: likely while the counter is low, rare as it grows (255 at about a million uses). */
  private countUse(e: number, now: number): void {
    let counter = this.decayed(e, now);
    if (counter < 255 && this.random() < 1 / (Math.max(0, counter - LFU_INIT) * LFU_LOG_FACTOR + 1)) counter++;
    this.ints[4 * e + LFU] = counter | (Math.floor(now / MINUTE_MICROS) << 8);
  }

  private hash(key: number): number {
    // Fibonacci hashing: the top bits of key × 2^32/φ.
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `key`, −1 when none. */
  private find(key: number): number {
    const table = this.table;
    for (let i = this.hash(key); ; i = (i + 1) & this.mask) {
      if (table[2 * i] === EMPTY) return EMPTY;
      if (table[2 * i + 1] === key) return i;
    }
  }

  private place(e: number, key: number): void {
    let i = this.hash(key);
    while (this.table[2 * i] !== EMPTY) i = (i + 1) & this.mask;
    this.table[2 * i] = e;
    this.table[2 * i + 1] = key;
  }

  /** Deletes the entry at `slot`: backward-shift the slots after it, unlink it, free it. */
  private removeAt(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    const e = table[2 * slot];
    let hole = slot;
    for (let i = (hole + 1) & mask; table[2 * i] !== EMPTY; i = (i + 1) & mask) {
      const home = this.hash(table[2 * i + 1]);
      // Move slot i into the hole unless its home lies cyclically in (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        table[2 * hole] = table[2 * i];
        table[2 * hole + 1] = table[2 * i + 1];
        hole = i;
      }
    }
    table[2 * hole] = EMPTY;
    this.unlink(e);
    this.ints[4 * e + NEWER] = this.freeHead;
    this.freeHead = e;
    this.count--;
  }

  private allocate(): number {
    this.count++;
    if (this.freeHead !== EMPTY) {
      const e = this.freeHead;
      this.freeHead = this.ints[4 * e + NEWER];
      return e;
    }
    if (4 * this.used === this.ints.length) this.grow();
    return this.used++;
  }

  private pushFront(e: number): void {
    const ints = this.ints;
    ints[4 * e + NEWER] = EMPTY;
    ints[4 * e + OLDER] = this.mru;
    if (this.mru !== EMPTY) ints[4 * this.mru + NEWER] = e;
    this.mru = e;
    if (this.lru === EMPTY) this.lru = e;
  }

  private unlink(e: number): void {
    const ints = this.ints;
    const newer = ints[4 * e + NEWER];
    const older = ints[4 * e + OLDER];
    if (newer === EMPTY) this.mru = older;
    else ints[4 * newer + OLDER] = older;
    if (older === EMPTY) this.lru = newer;
    else ints[4 * older + NEWER] = newer;
  }

  /** Doubles the entries (up to the capacity) and the table. */
  private grow(): void {
    const size = Math.min(this.capacity, (this.ints.length / 4) * 2);
    const ints = new Int32Array(4 * size);
    ints.set(this.ints);
    this.ints = ints;
    const floats = new Float64Array(2 * size);
    floats.set(this.floats);
    this.floats = floats;
    const old = this.table;
    const bits = Math.ceil(Math.log2(size * 2));
    this.table = new Int32Array(2 << bits).fill(EMPTY);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.cursor = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.place(old[i], old[i + 1]);
  }
}
