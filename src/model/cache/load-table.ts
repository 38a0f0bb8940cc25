const EMPTY = -1;

/**
 * Loads in flight, by (key, group): an open-addressing table (linear probing, backward-shift
 * deletion) onto dense entries, each with a count and a FIFO of waiting requests (linked
 * through the caller's `next` array, by request id). Grows with the loads in flight; nothing
 * is allocated per load once it has grown.
 */
export class LoadTable {
  count = 0;
  key = new Int32Array(64);
  group = new Int32Array(64);
  /** Loads in flight for the entry. */
  loads = new Int32Array(64);
  /** Its waiting requests, first and last (−1: none). */
  head = new Int32Array(64);
  tail = new Int32Array(64);
  private slots = new Int32Array(128).fill(EMPTY);
  private mask = 127;
  private shift = 25;

  /** The entry of (key, group), −1 when none. */
  find(key: number, group: number): number {
    for (let i = this.hash(key, group); ; i = (i + 1) & this.mask) {
      const e = this.slots[i];
      if (e === EMPTY || (this.key[e] === key && this.group[e] === group)) return e;
    }
  }

  /** A new entry for (key, group), which has none: no loads, no waiters. */
  add(key: number, group: number): number {
    if (this.count === this.key.length) this.grow();
    const e = this.count++;
    this.key[e] = key;
    this.group[e] = group;
    this.loads[e] = 0;
    this.head[e] = this.tail[e] = EMPTY;
    this.place(e);
    return e;
  }

  /** Deletes every entry. */
  clear(): void {
    this.slots.fill(EMPTY);
    this.count = 0;
  }

  /** Deletes entry `e`; the last entry moves into its place (an entry index is valid until the next removal). */
  remove(e: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = this.slotOf(e);
    for (let i = (hole + 1) & mask; slots[i] !== EMPTY; i = (i + 1) & mask) {
      const home = this.hash(this.key[slots[i]], this.group[slots[i]]);
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        slots[hole] = slots[i];
        hole = i;
      }
    }
    slots[hole] = EMPTY;
    const last = --this.count;
    if (e === last) return;
    slots[this.slotOf(last)] = e;
    this.key[e] = this.key[last];
    this.group[e] = this.group[last];
    this.loads[e] = this.loads[last];
    this.head[e] = this.head[last];
    this.tail[e] = this.tail[last];
  }

  private hash(key: number, group: number): number {
    // Fibonacci hashing (the top bits of the product) of the key mixed with the group.
    return Math.imul(key ^ Math.imul(group, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private slotOf(e: number): number {
    for (let i = this.hash(this.key[e], this.group[e]); ; i = (i + 1) & this.mask) if (this.slots[i] === e) return i;
  }

  private place(e: number): void {
    let i = this.hash(this.key[e], this.group[e]);
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = e;
  }

  private grow(): void {
    const size = this.key.length * 2;
    const i32 = (a: Int32Array) => { const b = new Int32Array(size); b.set(a); return b; };
    this.key = i32(this.key);
    this.group = i32(this.group);
    this.loads = i32(this.loads);
    this.head = i32(this.head);
    this.tail = i32(this.tail);
    this.slots = new Int32Array(size * 2).fill(EMPTY);
    this.mask = size * 2 - 1;
    this.shift--;
    for (let e = 0; e < this.count; e++) this.place(e);
  }
}
