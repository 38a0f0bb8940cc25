/** Tells whether a ring entry still stands for a waiting request (its id was not freed or moved on). */
export interface EntryCheck {
  isLive(id: number, tag: number): boolean;
}

/**
 * A FIFO of (request id, tag, time) in typed arrays: a resource's waiters (tag: their ticket,
 * time: when they began waiting) or a deadline group (tag: the request's serial, time: its
 * deadline). Entries of requests that left are not removed at once; they are skipped at the
 * head, or dropped when the ring is full — it grows only when more than half are still live, so
 * memory follows the requests waiting, not the arrival rate.
 */
export class TaggedRing {
  private ids: Int32Array;
  private tags: Float64Array;
  private times: Float64Array;
  private head = 0;
  /** Entries held, live or not. */
  length = 0;

  /** `size`: a power of two. */
  constructor(size: number) {
    this.ids = new Int32Array(size);
    this.tags = new Float64Array(size);
    this.times = new Float64Array(size);
  }

  get capacity(): number {
    return this.ids.length;
  }

  push(id: number, tag: number, time: number, check: EntryCheck): void {
    if (this.length === this.ids.length) this.compact(check);
    const i = (this.head + this.length) & (this.ids.length - 1);
    this.ids[i] = id;
    this.tags[i] = tag;
    this.times[i] = time;
    this.length++;
  }

  peekId(): number {
    return this.ids[this.head];
  }
  peekTag(): number {
    return this.tags[this.head];
  }
  peekTime(): number {
    return this.times[this.head];
  }

  shift(): void {
    this.head = (this.head + 1) & (this.ids.length - 1);
    this.length--;
  }

  /** Drops the entries that are no longer live (keeping the order); doubles if most are live. */
  private compact(check: EntryCheck): void {
    const mask = this.ids.length - 1;
    let kept = 0;
    // Writes trail reads around the ring, so nothing unread is overwritten.
    for (let k = 0; k < this.length; k++) {
      const from = (this.head + k) & mask;
      if (!check.isLive(this.ids[from], this.tags[from])) continue;
      const to = (this.head + kept++) & mask;
      this.ids[to] = this.ids[from];
      this.tags[to] = this.tags[from];
      this.times[to] = this.times[from];
    }
    this.length = kept;
    if (2 * kept <= this.ids.length) return;
    const size = this.ids.length * 2;
    const ids = new Int32Array(size);
    const tags = new Float64Array(size);
    const times = new Float64Array(size);
    for (let k = 0; k < kept; k++) {
      const i = (this.head + k) & mask;
      ids[k] = this.ids[i];
      tags[k] = this.tags[i];
      times[k] = this.times[i];
    }
    this.ids = ids;
    this.tags = tags;
    this.times = times;
    this.head = 0;
  }
}
