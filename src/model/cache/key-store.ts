import type { RandomStream } from '../../engine/index.js';

/** Which entry makes room for a new one when the store is full (Redis `maxmemory-policy`). */
export const EVICT_LRU = 0;
export const EVICT_LFU = 1;
export const EVICT_RANDOM = 2;
/** Nothing is evicted: a new key is not stored (Redis answers the SET with an OOM error). */
export const EVICT_NONE = 3;

/** Keys Redis samples to pick an LFU victim (`maxmemory-samples`, default 5). */
const LFU_SAMPLES = 5;
/** Redis's LFU: a new key's counter, `lfu-log-factor` and `lfu-decay-time` (minutes) defaults. */
const LFU_INIT = 5;
const LFU_LOG_FACTOR = 10;
const LFU_DECAY_MICROS = 60_000_000;
/** Redis's active expiry: keys sampled per loop, and it loops again while more than this many of them had expired (10%). */
const EXPIRE_SAMPLE = 20;
const EXPIRE_AGAIN_ABOVE = 2;
/** Loops per cycle at most: Redis bounds a cycle's time (25% of a 100 ms tick), not its loops. */
const EXPIRE_MAX_LOOPS = 16;
const EMPTY = -1;
/** Entries a store starts with; it doubles (up to its capacity) as it fills, so memory follows the keys held. */
const INITIAL_ENTRIES = 1024;

/**
 * The keys a cache holds, in typed arrays: an open-addressing hash table (linear probing,
 * backward-shift deletion, load ≤ ½) from key id to a dense entry index, and per entry its
 * expiry, the time its value took to load (XFetch's δ), links of an exact LRU list (most
 * recent first) and Redis's LFU counter. Entries stay dense (0…count−1: a removal moves the
 * last entry into the hole), so a random entry — for LFU sampling, random eviction, active
 * expiry — is one draw. The arrays double as the store fills, up to its capacity, and never
 * shrink: memory follows the most keys held, then stays flat. Nothing is allocated per operation.
 *
 * Expiry is Redis's: lazy (an expired key found by a lookup is deleted and is a miss) and
 * active (`expireCycle`, run 10 times a second, samples keys and deletes the expired ones), so
 * expired keys hold memory for a while, as they do in Redis. LRU is exact (Redis samples
 * instead: its `maxmemory-samples` 5 comes within a few percent of exact LRU); LFU is Redis's
 * own approximation: a logarithmic 8-bit counter that decays by one per idle minute, the
 * victim the least counted of 5 sampled keys (without Redis's 16-entry eviction pool).
 */
export class KeyStore {
  /** Entries held. */
  count = 0;
  /** Keys evicted to make room, and expired keys deleted, since the start. */
  evictions = 0;
  expired = 0;
  private keys: Int32Array;
  private expiresAt: Float64Array;
  private loadMicros: Float64Array;
  private newer: Int32Array;
  private older: Int32Array;
  private lfu: Uint8Array;
  private lfuTouched: Float64Array;
  private slots: Int32Array;
  private mask: number;
  private shift: number;
  private mru = EMPTY;
  private lru = EMPTY;

  constructor(
    /** Most entries it holds (Infinity: unbounded). */
    private readonly capacity: number,
    private readonly policy: number,
    private readonly random: RandomStream,
  ) {
    const size = Math.min(capacity, INITIAL_ENTRIES);
    this.keys = new Int32Array(size);
    this.expiresAt = new Float64Array(size);
    this.loadMicros = new Float64Array(size);
    this.newer = new Int32Array(size);
    this.older = new Int32Array(size);
    this.lfu = new Uint8Array(policy === EVICT_LFU ? size : 0);
    this.lfuTouched = new Float64Array(policy === EVICT_LFU ? size : 0);
    const bits = Math.max(4, Math.ceil(Math.log2(size * 2)));
    this.slots = new Int32Array(2 ** bits).fill(EMPTY);
    this.mask = 2 ** bits - 1;
    this.shift = 32 - bits;
  }

  /** The entry of `key`, live at `now`; −1 when absent or expired (an expired one is deleted, as Redis does on access). */
  lookup(key: number, now: number): number {
    const e = this.find(key);
    if (e === EMPTY) return EMPTY;
    if (this.expiresAt[e] <= now) {
      this.expired++;
      this.remove(e);
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
    return this.expiresAt[e];
  }

  /** How long entry `e`'s value took to load, µs (XFetch's δ). */
  loadTime(e: number): number {
    return this.loadMicros[e];
  }

  /**
   * Stores `key` (a SET): a new value expiring at `expiresAt`, which took `loadMicros` to load.
   * Makes room by the eviction policy when full; under `noeviction` a new key that does not
   * fit is not stored. Returns its entry, or −1.
   */
  set(key: number, now: number, expiresAt: number, loadMicros: number): number {
    let e = this.find(key);
    if (e === EMPTY) {
      if (this.count >= this.capacity && !this.makeRoom(now)) return EMPTY;
      if (this.count === this.keys.length) this.grow();
      e = this.count++;
      this.keys[e] = key;
      this.place(e);
      this.pushFront(e);
      if (this.policy === EVICT_LFU) {
        this.lfu[e] = LFU_INIT;
        this.lfuTouched[e] = now;
      }
    } else this.touch(e, now);
    this.expiresAt[e] = expiresAt;
    this.loadMicros[e] = loadMicros;
    return e;
  }

  /** Deletes `key` if present (a DEL). */
  delete(key: number): void {
    const e = this.find(key);
    if (e !== EMPTY) this.remove(e);
  }

  /** Empties the store (FLUSHALL, or a new pod's empty memory). */
  clear(): void {
    this.slots.fill(EMPTY);
    this.count = 0;
    this.mru = this.lru = EMPTY;
  }

  /** One active-expiry cycle: samples random keys and deletes the expired, again while many were. */
  expireCycle(now: number): void {
    for (let loop = 0; loop < EXPIRE_MAX_LOOPS && this.count > 0; loop++) {
      let found = 0;
      for (let i = 0; i < EXPIRE_SAMPLE && this.count > 0; i++) {
        const e = Math.floor(this.random() * this.count);
        if (this.expiresAt[e] <= now) {
          this.expired++;
          this.remove(e);
          found++;
        }
      }
      if (found <= EXPIRE_AGAIN_ABOVE) return;
    }
  }

  /** Evicts one entry by the policy; false under `noeviction`. */
  private makeRoom(now: number): boolean {
    if (this.policy === EVICT_NONE || this.count === 0) return false;
    let victim = this.lru;
    if (this.policy === EVICT_RANDOM) victim = Math.floor(this.random() * this.count);
    else if (this.policy === EVICT_LFU) {
      let least = Infinity;
      for (let i = 0; i < LFU_SAMPLES; i++) {
        const e = Math.floor(this.random() * this.count);
        const counter = this.decayed(e, now);
        if (counter < least) {
          least = counter;
          victim = e;
        }
      }
    }
    this.evictions++;
    this.remove(victim);
    return true;
  }

  /** Redis's LFU counter after its decay: one less per idle `lfu-decay-time`. */
  private decayed(e: number, now: number): number {
    return Math.max(0, this.lfu[e] - Math.floor((now - this.lfuTouched[e]) / LFU_DECAY_MICROS));
  }

  /** Redis's logarithmic increment: likely while the counter is low, rare as it grows (255 at about a million uses). */
  private countUse(e: number, now: number): void {
    let counter = this.decayed(e, now);
    if (counter < 255 && this.random() < 1 / ((Math.max(0, counter - LFU_INIT)) * LFU_LOG_FACTOR + 1)) counter++;
    this.lfu[e] = counter;
    this.lfuTouched[e] = now;
  }

  private hash(key: number): number {
    // Fibonacci hashing: the top bits of key × 2^32/φ.
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  private find(key: number): number {
    const slots = this.slots;
    for (let i = this.hash(key); ; i = (i + 1) & this.mask) {
      const e = slots[i];
      if (e === EMPTY || this.keys[e] === key) return e;
    }
  }

  /** The slot that points at entry `e`. */
  private slotOf(e: number): number {
    for (let i = this.hash(this.keys[e]); ; i = (i + 1) & this.mask) if (this.slots[i] === e) return i;
  }

  private place(e: number): void {
    let i = this.hash(this.keys[e]);
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = e;
  }

  /** Deletes entry `e`: backward-shift its slot away, then move the last entry into its place. */
  private remove(e: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = this.slotOf(e);
    for (let i = (hole + 1) & mask; slots[i] !== EMPTY; i = (i + 1) & mask) {
      const home = this.hash(this.keys[slots[i]]);
      // Move slot i into the hole unless its home lies cyclically in (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        slots[hole] = slots[i];
        hole = i;
      }
    }
    slots[hole] = EMPTY;
    this.unlink(e);
    const last = --this.count;
    if (e === last) return;
    slots[this.slotOf(last)] = e;
    this.keys[e] = this.keys[last];
    this.expiresAt[e] = this.expiresAt[last];
    this.loadMicros[e] = this.loadMicros[last];
    if (this.policy === EVICT_LFU) {
      this.lfu[e] = this.lfu[last];
      this.lfuTouched[e] = this.lfuTouched[last];
    }
    const newer = this.newer[last];
    const older = this.older[last];
    this.newer[e] = newer;
    this.older[e] = older;
    if (newer === EMPTY) this.mru = e;
    else this.older[newer] = e;
    if (older === EMPTY) this.lru = e;
    else this.newer[older] = e;
  }

  private pushFront(e: number): void {
    this.newer[e] = EMPTY;
    this.older[e] = this.mru;
    if (this.mru !== EMPTY) this.newer[this.mru] = e;
    this.mru = e;
    if (this.lru === EMPTY) this.lru = e;
  }

  private unlink(e: number): void {
    const newer = this.newer[e];
    const older = this.older[e];
    if (newer === EMPTY) this.mru = older;
    else this.older[newer] = older;
    if (older === EMPTY) this.lru = newer;
    else this.newer[older] = newer;
  }

  /** Doubles the entries (up to the capacity) and the table. */
  private grow(): void {
    const size = Math.min(this.capacity, this.keys.length * 2);
    const i32 = (a: Int32Array) => { const b = new Int32Array(size); b.set(a); return b; };
    const f64 = (a: Float64Array) => { const b = new Float64Array(size); b.set(a); return b; };
    this.keys = i32(this.keys);
    this.newer = i32(this.newer);
    this.older = i32(this.older);
    this.expiresAt = f64(this.expiresAt);
    this.loadMicros = f64(this.loadMicros);
    if (this.policy === EVICT_LFU) {
      const lfu = new Uint8Array(size);
      lfu.set(this.lfu);
      this.lfu = lfu;
      this.lfuTouched = f64(this.lfuTouched);
    }
    const bits = Math.ceil(Math.log2(size * 2));
    this.slots = new Int32Array(2 ** bits).fill(EMPTY);
    this.mask = 2 ** bits - 1;
    this.shift = 32 - bits;
    for (let e = 0; e < this.count; e++) this.place(e);
  }
}
