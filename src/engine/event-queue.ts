/**
 * A 4-ary min-heap of events held in typed arrays, keyed by (time, sequence).
 *
 * Ordering contract:
 * - Events run in non-decreasing time order.
 * - Events scheduled for the same time run in the order they were scheduled (FIFO by a
 *   monotonically increasing sequence number), whoever scheduled them. No other tie-break
 *   exists, so a run is a pure function of the scheduling calls.
 * - A cancelled event never runs; cancelling an event that already ran or was already
 *   cancelled is a no-op (handles carry a generation, so a stale handle cannot cancel a
 *   later event that reused the same slot).
 *
 * Each event is a (handler, argument) pair of integers stored in a slot; the heap holds
 * the keys next to the slot index, so comparisons touch contiguous memory. Scheduling
 * allocates nothing once the arrays are large enough (they double when full).
 */
export class EventQueue {
  private capacity: number;
  // Heap order (position → key and slot).
  private heapTime: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  private heapSize = 0;
  // Per slot.
  private slotHandler: Int32Array;
  private slotArg: Int32Array;
  private slotHeapPos: Int32Array; // -1 when not in the heap
  private slotGeneration: Float64Array;
  private freeSlots: Int32Array;
  private freeCount: number;
  private nextSeq = 0;

  /** Fields of the event removed by the last `pop` (no object is returned). */
  poppedTime = 0;
  poppedHandler = 0;
  poppedArg = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.capacity = capacity;
    this.heapTime = new Float64Array(capacity);
    this.heapSeq = new Float64Array(capacity);
    this.heapSlot = new Int32Array(capacity);
    this.slotHandler = new Int32Array(capacity);
    this.slotArg = new Int32Array(capacity);
    this.slotHeapPos = new Int32Array(capacity).fill(-1);
    this.slotGeneration = new Float64Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = capacity;
  }

  get size(): number {
    return this.heapSize;
  }

  /** Inserts an event; returns a handle for `cancel`. */
  push(time: number, handler: number, arg: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.slotHandler[slot] = handler;
    this.slotArg[slot] = arg;
    this.siftUp(this.heapSize++, time, this.nextSeq++, slot);
    return this.slotGeneration[slot] * HANDLE_SLOTS + slot;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.heapSize === 0 ? Infinity : this.heapTime[0];
  }

  /** Removes the earliest event into `poppedTime`, `poppedHandler`, `poppedArg`. */
  pop(): boolean {
    if (this.heapSize === 0) return false;
    const slot = this.heapSlot[0];
    this.poppedTime = this.heapTime[0];
    this.poppedHandler = this.slotHandler[slot];
    this.poppedArg = this.slotArg[slot];
    this.removeAt(0);
    return true;
  }

  /** Cancels a pending event. Returns false when the handle is stale (already ran or cancelled). */
  cancel(handle: number): boolean {
    if (handle < 0) return false;
    const slot = handle % HANDLE_SLOTS;
    const generation = (handle - slot) / HANDLE_SLOTS;
    if (slot >= this.capacity || this.slotGeneration[slot] !== generation) return false;
    const pos = this.slotHeapPos[slot];
    if (pos < 0) return false;
    this.removeAt(pos);
    return true;
  }

  private removeAt(pos: number): void {
    const slot = this.heapSlot[pos];
    this.slotHeapPos[slot] = -1;
    this.slotGeneration[slot]++;
    this.freeSlots[this.freeCount++] = slot;
    const last = --this.heapSize;
    if (pos === last) return;
    const time = this.heapTime[last];
    const seq = this.heapSeq[last];
    const moved = this.heapSlot[last];
    const parent = (pos - 1) >> 2;
    if (pos > 0 && (time < this.heapTime[parent] || (time === this.heapTime[parent] && seq < this.heapSeq[parent]))) this.siftUp(pos, time, seq, moved);
    else this.siftDown(pos, time, seq, moved);
  }

  /** Places (time, seq, slot) at `pos` or above, moving larger parents down. */
  private siftUp(pos: number, time: number, seq: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    const slotHeapPos = this.slotHeapPos;
    while (pos > 0) {
      const parent = (pos - 1) >> 2;
      const pt = heapTime[parent];
      if (pt < time || (pt === time && heapSeq[parent] < seq)) break;
      heapTime[pos] = pt;
      heapSeq[pos] = heapSeq[parent];
      const ps = heapSlot[parent];
      heapSlot[pos] = ps;
      slotHeapPos[ps] = pos;
      pos = parent;
    }
    heapTime[pos] = time;
    heapSeq[pos] = seq;
    heapSlot[pos] = slot;
    slotHeapPos[slot] = pos;
  }

  /** Places (time, seq, slot) at `pos` or below, moving smaller children up. */
  private siftDown(pos: number, time: number, seq: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    const slotHeapPos = this.slotHeapPos;
    const size = this.heapSize;
    for (;;) {
      const first = 4 * pos + 1;
      if (first >= size) break;
      let best = first;
      let bt = heapTime[first];
      let bs = heapSeq[first];
      const end = first + 4 < size ? first + 4 : size;
      for (let c = first + 1; c < end; c++) {
        const ct = heapTime[c];
        if (ct < bt || (ct === bt && heapSeq[c] < bs)) {
          best = c;
          bt = ct;
          bs = heapSeq[c];
        }
      }
      if (time < bt || (time === bt && seq < bs)) break;
      heapTime[pos] = bt;
      heapSeq[pos] = bs;
      const cs = heapSlot[best];
      heapSlot[pos] = cs;
      slotHeapPos[cs] = pos;
      pos = best;
    }
    heapTime[pos] = time;
    heapSeq[pos] = seq;
    heapSlot[pos] = slot;
    slotHeapPos[slot] = pos;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = old * 2;
    if (capacity > HANDLE_SLOTS) throw new Error(`event queue: more than ${HANDLE_SLOTS} pending events`);
    this.heapTime = growFloat(this.heapTime, capacity);
    this.heapSeq = growFloat(this.heapSeq, capacity);
    this.heapSlot = growInt(this.heapSlot, capacity);
    this.slotGeneration = growFloat(this.slotGeneration, capacity);
    this.slotHandler = growInt(this.slotHandler, capacity);
    this.slotArg = growInt(this.slotArg, capacity);
    const heapPos = new Int32Array(capacity).fill(-1);
    heapPos.set(this.slotHeapPos);
    this.slotHeapPos = heapPos;
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < old; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = old;
    this.capacity = capacity;
  }
}

/** Handles encode (generation, slot); slots are below 2^24, so handles stay exact doubles. */
const HANDLE_SLOTS = 1 << 24;

function growFloat(a: Float64Array, capacity: number): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}
function growInt(a: Int32Array, capacity: number): Int32Array {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}
