/**
 * The pending events of a simulation.
 *
 * Ordering contract:
 * - Events run in non-decreasing time order.
 * - Events scheduled for the same time run in the order they were scheduled (FIFO by a
 *   monotonically increasing sequence number), whoever scheduled them. No other tie-break
 *   exists, so a run is a pure function of the scheduling calls.
 * - A cancelled event never runs; cancelling an event that already ran or was already
 *   cancelled is a no-op. Handles are never reused (the n-th push returns n), so a stale
 *   handle cannot cancel a later event.
 * - Times are non-negative integers below 2^53 (the simulation's microseconds); `push`
 *   throws a RangeError for anything else (negative, fractional, NaN, Infinity).
 *
 * Keys. Each event gets an index `i`, handed out in push order (so it increases with the
 * sequence number), which addresses its key, handler and argument. Its key is the single
 * float64 `(time − base) · span + i`, where `span` is a power of two above every index in
 * use: keys are distinct integers, and comparing two keys compares (time, sequence) exactly
 * as long as keys stay below 2^53 (exact doubles), i.e. for `time − base < 2^53 / span`
 * (2^41 µs ≈ 25 days at the simulation's smallest span, 4096; 2^28 µs ≈ 4.5 min at the
 * largest, 2^25, which only millions of pending events would need).
 *
 * Structure: a ladder queue (Tang, Goh & Thng 2005) over the keys, with a binary heap as its
 * bottom. Newly scheduled events far enough ahead go to an unsorted `later` list; the ladder
 * spreads a list into the buckets of a rung (by key range, ~1 event per bucket), takes
 * buckets in order, splits a crowded bucket into a finer rung, and moves a small bucket into
 * the heap, which therefore stays small and cheap. Each bucket function is monotone in the
 * key, and an event is only ever placed where everything before it has not yet been taken,
 * so the heap always holds the earliest events: the order is exactly that of the keys. When
 * a bucket cannot be split further (8 rungs, or a bucket narrower than its event count in
 * keys) it goes to the heap as it is, so the worst case is that of a heap, O(log n).
 *
 * Re-keys. When the indices run out, or a push lands before `base`, the queue renumbers the
 * pending events 0, 1, … in index order (compacting the per-index arrays — monotone, so
 * same-time order survives), sets `span` to 16 × pending or more and `base` to the last
 * popped time, and puts every event back in the `later` list: O(span) sequential work once
 * every ≥ 15/16·span pushes, O(1) amortized. An event further than `2^53 / span` after `base`
 * cannot be packed: it waits in a far list, holding an index like any other event, and is
 * keyed at the re-key that happens when everything else has run. Every far event is later
 * than every packed one and equal times always share a tier, so the order stays exact.
 *
 * Cancellation is lazy: the event's handler becomes -1 and its entry is dropped wherever it
 * is next touched; when dead entries outnumber live ones they are all dropped at once. With
 * re-keys bounding the index space by the pending events, memory stays proportional to the
 * peak number of pending events, and nothing is allocated per event.
 */
export class EventQueue {
  // Per index.
  /** Packed key; for a far event −(time − base) − 1 (negative). */
  private keys: Float64Array;
  /** Next index in the same list (the `later` list or a bucket); -1 ends it. */
  private links: Int32Array;
  /** Interleaved: handler id (-1 once the event ran or was cancelled), argument. */
  private events: Int32Array;
  /** Handles of the events renumbered by the last re-key (indices below `epochStart`), ascending. */
  private survivorHandles = new Float64Array(64);
  private nextIndex = 0;
  private span: number;
  private invSpan: number;
  private base = 0;
  /** Largest `time − base` a key can hold. */
  private relLimit: number;
  private readonly minSpan: number;

  // Bottom: a binary heap of keys; entries at `heapSize` and beyond are +Infinity.
  private heap = new Float64Array(64).fill(Infinity);
  private heapSize = 0;

  // Rungs 0 (coarsest) … rungs − 1 (finest). Rung r + 1 was split from bucket next[r] − 1 of rung r.
  private rungs = 0;
  private readonly rungStart = new Float64Array(MAX_RUNGS);
  private readonly rungInverseWidth = new Float64Array(MAX_RUNGS);
  private readonly rungWidth = new Float64Array(MAX_RUNGS);
  private readonly rungBuckets = new Int32Array(MAX_RUNGS);
  /** Next bucket to take from each rung. */
  private readonly rungNext = new Int32Array(MAX_RUNGS);
  private readonly bucketHead: Int32Array[] = [];
  private readonly bucketCount: Int32Array[] = [];

  // The `later` list: events with key ≥ laterStart, unsorted.
  private laterHead = -1;
  private laterCount = 0;
  private laterMin = Infinity;
  private laterMax = -Infinity;
  private laterStart = -Infinity;

  /** Indices of the events beyond `base + relLimit`, unordered. */
  private far = new Int32Array(16);
  private farCount = 0;

  /** The n-th push returns handle n; index `epochStart + k` has handle `epochHandle + k`. */
  private nextHandle = 0;
  private epochHandle = 0;
  private epochStart = 0;
  private live = 0;
  /** Cancelled events still held somewhere. */
  private dead = 0;
  private lastTime = 0;

  /** Fields of the event removed by the last `pop` (no object is returned). */
  poppedTime = 0;
  poppedHandler = 0;
  poppedArg = 0;

  constructor(initialCapacity = 1024) {
    const span = powerOfTwoAtLeast(Math.max(64, initialCapacity));
    this.minSpan = span;
    this.span = span;
    this.invSpan = 1 / span;
    this.relLimit = KEY_LIMIT / span - 1;
    this.keys = new Float64Array(span);
    this.links = new Int32Array(span);
    this.events = new Int32Array(2 * span);
    for (let r = 0; r < MAX_RUNGS; r++) {
      this.bucketHead.push(new Int32Array(16));
      this.bucketCount.push(new Int32Array(16));
    }
  }

  /** Pending (not cancelled) events. */
  get size(): number {
    return this.live;
  }

  /**
   * Inserts an event at `time` (an integer, 0 ≤ time < 2^53); `handler` is a non-negative
   * int32 and `arg` an int32. Returns a handle for `cancel`.
   */
  push(time: number, handler: number, arg: number): number {
    const rel = time - this.base;
    const index = this.nextIndex;
    if (rel >= 0 && rel <= this.relLimit && index < this.span && Math.floor(rel) === rel && handler >= 0 && (handler | 0) === handler && (arg | 0) === arg) {
      this.nextIndex = index + 1;
      const key = rel * this.span + index;
      this.keys[index] = key;
      this.events[2 * index] = handler;
      this.events[2 * index + 1] = arg;
      this.live++;
      this.place(index, key);
      return this.nextHandle++;
    }
    return this.pushSlow(time, handler, arg);
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    for (;;) {
      if (this.heapSize === 0 && !this.refill()) {
        if (this.farCount === 0) return Infinity;
        this.rekey(NaN);
        continue;
      }
      const key = this.heap[0];
      const rel = Math.floor(key * this.invSpan);
      if (this.events[2 * ((key - rel * this.span) | 0)] >= 0) return this.base + rel;
      this.removeTop(); // cancelled
      this.dead--;
    }
  }

  /** Removes the earliest event into `poppedTime`, `poppedHandler`, `poppedArg`. */
  pop(): boolean {
    return this.popUntil(Infinity);
  }

  /** Like `pop`, but only when the earliest event's time is ≤ `until`. */
  popUntil(until: number): boolean {
    for (;;) {
      if (this.heapSize === 0 && !this.refill()) {
        if (this.farCount === 0) return false;
        this.rekey(NaN);
        continue;
      }
      const key = this.heap[0];
      const rel = Math.floor(key * this.invSpan);
      const at = 2 * ((key - rel * this.span) | 0);
      const events = this.events;
      const handler = events[at];
      if (handler < 0) {
        this.removeTop(); // cancelled
        this.dead--;
        continue;
      }
      const time = this.base + rel;
      if (time > until) return false;
      this.poppedTime = time;
      this.poppedHandler = handler;
      this.poppedArg = events[at + 1];
      events[at] = -1;
      this.live--;
      this.lastTime = time;
      this.removeTop();
      return true;
    }
  }

  /** Cancels a pending event. Returns false when the handle is stale (already ran or cancelled). */
  cancel(handle: number): boolean {
    if (!(handle >= 0 && handle < this.nextHandle) || Math.floor(handle) !== handle) return false;
    let index: number;
    if (handle >= this.epochHandle) index = this.epochStart + (handle - this.epochHandle);
    else {
      // Renumbered by a re-key: those events keep their handles, in ascending order.
      const handles = this.survivorHandles;
      let lo = 0;
      let hi = this.epochStart - 1;
      index = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const h = handles[mid];
        if (h < handle) lo = mid + 1;
        else if (h > handle) hi = mid - 1;
        else {
          index = mid;
          break;
        }
      }
      if (index < 0) return false;
    }
    if (this.events[2 * index] < 0) return false;
    this.events[2 * index] = -1;
    this.live--;
    this.dead++;
    if (this.dead > 64 && this.dead > this.live) this.dropDead();
    return true;
  }

  // ------------------------------------------------------------------ placement

  /** Puts a packed event where it belongs: the `later` list, a rung's bucket, or the heap. */
  private place(index: number, key: number): void {
    if (key >= this.laterStart) {
      this.links[index] = this.laterHead;
      this.laterHead = index;
      this.laterCount++;
      if (key < this.laterMin) this.laterMin = key;
      if (key > this.laterMax) this.laterMax = key;
      return;
    }
    for (let r = 0; r < this.rungs; r++) {
      const bucket = this.bucketOf(r, key);
      const next = this.rungNext[r];
      if (bucket >= next) {
        const heads = this.bucketHead[r];
        this.links[index] = heads[bucket];
        heads[bucket] = index;
        this.bucketCount[r][bucket]++;
        return;
      }
      // Only the bucket just taken continues in the next rung; anything earlier is for the heap.
      if (bucket !== next - 1) break;
    }
    this.heapPush(key);
  }

  /** Rung r's bucket for `key`: floor((key − start) / width), clamped — monotone in the key. */
  private bucketOf(r: number, key: number): number {
    const b = Math.floor((key - this.rungStart[r]) * this.rungInverseWidth[r]);
    const last = this.rungBuckets[r] - 1;
    return b > last ? last : b < 0 ? 0 : b;
  }

  /**
   * The heap is empty: fills it with the next events from the ladder, splitting crowded
   * buckets and spreading the `later` list into a new rung as needed. False when there is
   * nothing left but far events.
   */
  private refill(): boolean {
    for (;;) {
      if (this.rungs === 0) {
        const count = this.laterCount;
        if (count === 0) return false;
        const head = this.laterHead;
        const min = this.laterMin;
        const range = this.laterMax - min + 1;
        this.laterStart = this.laterMax + 1;
        this.laterHead = -1;
        this.laterCount = 0;
        this.laterMin = Infinity;
        this.laterMax = -Infinity;
        if (count <= BUCKET_TO_HEAP || range <= count) {
          if (this.moveToHeap(head)) return true;
        } else this.spread(0, min, range / count, count, head);
        continue;
      }
      const r = this.rungs - 1;
      const counts = this.bucketCount[r];
      const buckets = this.rungBuckets[r];
      let b = this.rungNext[r];
      while (b < buckets && counts[b] === 0) b++;
      if (b === buckets) {
        this.rungs--;
        continue;
      }
      const count = counts[b];
      const head = this.bucketHead[r][b];
      this.rungNext[r] = b + 1;
      const width = this.rungWidth[r];
      if (count <= BUCKET_TO_HEAP || r + 1 === MAX_RUNGS || width <= count) {
        if (this.moveToHeap(head)) return true;
      } else this.spread(r + 1, this.rungStart[r] + b * width, width / count, count, head);
    }
  }

  /** Makes rung `r` (the finest) of `buckets` buckets from `start`, and spreads a list over it. */
  private spread(r: number, start: number, width: number, buckets: number, head: number): void {
    if (this.bucketHead[r].length < buckets) {
      const size = powerOfTwoAtLeast(buckets);
      this.bucketHead[r] = new Int32Array(size);
      this.bucketCount[r] = new Int32Array(size);
    }
    const heads = this.bucketHead[r];
    const counts = this.bucketCount[r];
    heads.fill(-1, 0, buckets);
    counts.fill(0, 0, buckets);
    this.rungStart[r] = start;
    this.rungWidth[r] = width;
    this.rungInverseWidth[r] = 1 / width;
    this.rungBuckets[r] = buckets;
    this.rungNext[r] = 0;
    this.rungs = r + 1;
    const keys = this.keys;
    const links = this.links;
    const events = this.events;
    const checkDead = this.dead > 0;
    for (let i = head; i >= 0; ) {
      const next = links[i];
      if (checkDead && events[2 * i] < 0) this.dead--;
      else {
        const b = this.bucketOf(r, keys[i]);
        links[i] = heads[b];
        heads[b] = i;
        counts[b]++;
      }
      i = next;
    }
  }

  /** Moves a list into the heap (dropping cancelled events); true if the heap is no longer empty. */
  private moveToHeap(head: number): boolean {
    const keys = this.keys;
    const links = this.links;
    const events = this.events;
    for (let i = head; i >= 0; i = links[i]) {
      if (events[2 * i] < 0) this.dead--;
      else this.heapPush(keys[i]);
    }
    return this.heapSize > 0;
  }

  // ------------------------------------------------------------------ heap

  private heapPush(key: number): void {
    if (this.heapSize + 1 >= this.heap.length) {
      const heap = new Float64Array(this.heap.length * 2).fill(Infinity);
      heap.set(this.heap.subarray(0, this.heapSize));
      this.heap = heap;
    }
    const heap = this.heap;
    let pos = this.heapSize++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pk = heap[parent];
      if (pk < key) break;
      heap[pos] = pk;
      pos = parent;
    }
    heap[pos] = key;
  }

  /**
   * Removes the root. Keys are distinct and the slot after the last entry holds +Infinity,
   * so the right child is read unchecked and the smaller child is chosen without a branch
   * (the one a CPU cannot predict in a heap).
   */
  private removeTop(): void {
    const heap = this.heap;
    const size = --this.heapSize;
    const key = heap[size];
    heap[size] = Infinity;
    if (size === 0) return;
    let pos = 0;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      child += +(heap[child + 1] < heap[child]);
      const ck = heap[child];
      if (key < ck) break;
      heap[pos] = ck;
      pos = child;
    }
    heap[pos] = key;
  }

  // ------------------------------------------------------------------ re-keying

  private pushSlow(time: number, handler: number, arg: number): number {
    if (!(Number.isSafeInteger(time) && time >= 0)) throw new RangeError(`event queue: time must be an integer in [0, 2^53), got ${time}`);
    if (!(handler >= 0 && (handler | 0) === handler)) throw new RangeError(`event queue: handler must be a non-negative int32, got ${handler}`);
    // Stored in an Int32Array: anything else (a fraction, 2^31, NaN) would come back silently changed.
    if ((arg | 0) !== arg) throw new RangeError(`event queue: arg must be an int32, got ${arg}`);
    if (time < this.base || this.nextIndex >= this.span) this.rekey(time);
    if (time - this.base <= this.relLimit) return this.push(time, handler, arg); // now takes the fast path
    // Too far ahead to pack: the far list, until a re-key brings it into range.
    const index = this.nextIndex++;
    this.keys[index] = -(time - this.base) - 1;
    this.events[2 * index] = handler;
    this.events[2 * index + 1] = arg;
    this.live++;
    if (this.farCount === this.far.length) {
      const far = new Int32Array(this.farCount * 2);
      far.set(this.far);
      this.far = far;
    }
    this.far[this.farCount++] = index;
    return this.nextHandle++;
  }

  /**
   * Renumbers the live events 0, 1, … in index (= push) order, chooses `span` and `base`
   * (not above `incoming`, a time about to be pushed, unless NaN), re-keys them and puts them
   * all in the `later` list (or the far list). Monotone in (time, sequence): the order holds.
   */
  private rekey(incoming: number): void {
    if (this.survivorHandles.length < this.live) {
      const handles = new Float64Array(2 * this.live);
      handles.set(this.survivorHandles);
      this.survivorHandles = handles;
    }
    const keys = this.keys;
    const events = this.events;
    const survivorHandles = this.survivorHandles;
    const end = this.nextIndex;
    const epochStart = this.epochStart;
    const handleOffset = this.epochHandle - epochStart;
    const oldBase = this.base;
    const oldInverse = this.invSpan;
    // Compact in index order (moves go only downwards, so nothing unread is overwritten),
    // keeping each event's time in `keys` for now.
    let n = 0;
    let earliest = incoming >= 0 ? incoming : Infinity; // NaN: nothing incoming
    for (let index = 0; index < end; index++) {
      const handler = events[2 * index];
      if (handler < 0) continue;
      const key = keys[index];
      const time = key >= 0 ? oldBase + Math.floor(key * oldInverse) : oldBase - key - 1;
      if (time < earliest) earliest = time;
      survivorHandles[n] = index < epochStart ? survivorHandles[index] : index + handleOffset;
      keys[n] = time;
      events[2 * n] = handler;
      events[2 * n + 1] = events[2 * index + 1];
      n++;
    }
    const span = Math.min(MAX_SPAN, Math.max(this.minSpan, powerOfTwoAtLeast(SPAN_PER_EVENT * (n + 1))));
    if (span < 2 * (n + 1)) throw new RangeError(`event queue: more than ${MAX_SPAN / 2 - 1} pending events`);
    if (span > this.keys.length) this.growTo(span, n);
    const relLimit = KEY_LIMIT / span - 1;
    // From the last popped time, so that pushes at or after it need no re-key; from the
    // earliest event when that one would not fit (after a long gap: it must be packed).
    let base = Math.min(this.lastTime, earliest);
    if (earliest !== Infinity && earliest - base > relLimit) base = earliest;
    this.span = span;
    this.invSpan = 1 / span;
    this.relLimit = relLimit;
    this.base = base;
    this.nextIndex = n;
    this.epochStart = n;
    this.epochHandle = this.nextHandle;
    this.clearLadder();
    this.farCount = 0;
    if (this.far.length < n) this.far = new Int32Array(n);
    const newKeys = this.keys;
    for (let index = 0; index < n; index++) {
      const rel = newKeys[index] - base;
      if (rel <= relLimit) {
        const key = rel * span + index;
        newKeys[index] = key;
        this.addLater(index, key);
      } else {
        newKeys[index] = -rel - 1;
        this.far[this.farCount++] = index;
      }
    }
  }

  /** Drops every cancelled event: the live ones all go back to the `later` list. */
  private dropDead(): void {
    const events = this.events;
    const links = this.links;
    const keys = this.keys;
    // Gather the live entries of the heap, the rungs and the later list into one list.
    let head = -1;
    const heap = this.heap;
    const span = this.span;
    const inverse = this.invSpan;
    for (let k = 0; k < this.heapSize; k++) {
      const key = heap[k];
      const index = (key - Math.floor(key * inverse) * span) | 0;
      if (events[2 * index] >= 0) {
        links[index] = head;
        head = index;
      }
    }
    for (let r = 0; r < this.rungs; r++) {
      const heads = this.bucketHead[r];
      for (let b = this.rungNext[r]; b < this.rungBuckets[r]; b++) {
        for (let i = heads[b]; i >= 0; ) {
          const next = links[i];
          if (events[2 * i] >= 0) {
            links[i] = head;
            head = i;
          }
          i = next;
        }
      }
    }
    for (let i = this.laterHead; i >= 0; ) {
      const next = links[i];
      if (events[2 * i] >= 0) {
        links[i] = head;
        head = i;
      }
      i = next;
    }
    this.clearLadder();
    for (let i = head; i >= 0; ) {
      const next = links[i];
      this.addLater(i, keys[i]);
      i = next;
    }
    let farCount = 0;
    for (let k = 0; k < this.farCount; k++) {
      const index = this.far[k];
      if (events[2 * index] >= 0) this.far[farCount++] = index;
    }
    this.farCount = farCount;
    this.dead = 0;
  }

  /** Empties the heap, the rungs and the `later` list (whose bound goes back to −∞). */
  private clearLadder(): void {
    this.heap.fill(Infinity, 0, this.heapSize);
    this.heapSize = 0;
    this.rungs = 0;
    this.laterHead = -1;
    this.laterCount = 0;
    this.laterMin = Infinity;
    this.laterMax = -Infinity;
    this.laterStart = -Infinity;
    this.dead = 0;
  }

  private addLater(index: number, key: number): void {
    this.links[index] = this.laterHead;
    this.laterHead = index;
    this.laterCount++;
    if (key < this.laterMin) this.laterMin = key;
    if (key > this.laterMax) this.laterMax = key;
  }

  /** Larger per-index arrays for `span` indices, keeping the first `keep`. */
  private growTo(span: number, keep: number): void {
    const keys = new Float64Array(span);
    keys.set(this.keys.subarray(0, keep));
    this.keys = keys;
    const events = new Int32Array(2 * span);
    events.set(this.events.subarray(0, 2 * keep));
    this.events = events;
    this.links = new Int32Array(span);
  }
}

/** Keys stay below 2^53, where every integer is an exact double. */
const KEY_LIMIT = 2 ** 53;
/**
 * Indices per pending event at a re-key: more means rarer re-keys (each costs O(span)) but
 * larger per-index arrays; 16 keeps re-keys a few percent of the run time.
 */
const SPAN_PER_EVENT = 16;
/** At most this many indices (so `time − base` can still reach 2^28 µs in a key). */
const MAX_SPAN = 2 ** 25;
const MAX_RUNGS = 8;
/** A bucket (or `later` list) this small goes to the heap rather than into a finer rung. */
const BUCKET_TO_HEAP = 32;

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
