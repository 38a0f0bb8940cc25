/**
 * A binary min-heap of events held in typed arrays, keyed by (time, sequence).
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
 * Each event is a (handler, argument) pair of integers stored in a slot with its sequence
 * number; the heap holds the time next to the slot index, so a heap move writes two values
 * and the sequence is read only on a tie. Cancellation is lazy: the slot is marked, and its
 * heap entry is dropped when it reaches the top, or all at once when cancelled entries
 * outnumber live ones — so memory stays proportional to the pending events. Scheduling
 * allocates nothing once the arrays are large enough (they double when full).
 */
export class EventQueue {
  private capacity: number;
  // Heap order (position → time and slot).
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private heapSize = 0;
  // Per slot.
  private slotSeq: Float64Array;
  private slotHandler: Int32Array;
  private slotArg: Int32Array;
  private slotGeneration: Float64Array;
  private slotState: Uint8Array; // FREE, PENDING or CANCELLED
  private freeSlots: Int32Array;
  private freeCount: number;
  private nextSeq = 0;
  private cancelled = 0;

  /** Fields of the event removed by the last `pop` (no object is returned). */
  poppedTime = 0;
  poppedHandler = 0;
  poppedArg = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.capacity = capacity;
    this.heapTime = new Float64Array(capacity);
    this.heapSlot = new Int32Array(capacity);
    this.slotSeq = new Float64Array(capacity);
    this.slotHandler = new Int32Array(capacity);
    this.slotArg = new Int32Array(capacity);
    this.slotGeneration = new Float64Array(capacity);
    this.slotState = new Uint8Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = capacity;
  }

  /** Pending (not cancelled) events. */
  get size(): number {
    return this.heapSize - this.cancelled;
  }

  /** Inserts an event; returns a handle for `cancel`. */
  push(time: number, handler: number, arg: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.slotHandler[slot] = handler;
    this.slotArg[slot] = arg;
    this.slotSeq[slot] = this.nextSeq++;
    this.slotState[slot] = PENDING;
    this.siftUp(this.heapSize++, time, slot);
    return this.slotGeneration[slot] * HANDLE_SLOTS + slot;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    this.dropCancelledTop();
    return this.heapSize === 0 ? Infinity : this.heapTime[0];
  }

  /** Removes the earliest event into `poppedTime`, `poppedHandler`, `poppedArg`. */
  pop(): boolean {
    return this.popUntil(Infinity);
  }

  /** Like `pop`, but only when the earliest event's time is ≤ `until`. */
  popUntil(until: number): boolean {
    this.dropCancelledTop();
    if (this.heapSize === 0 || this.heapTime[0] > until) return false;
    const slot = this.heapSlot[0];
    this.poppedTime = this.heapTime[0];
    this.poppedHandler = this.slotHandler[slot];
    this.poppedArg = this.slotArg[slot];
    this.removeTop();
    this.release(slot);
    return true;
  }

  /** Cancels a pending event. Returns false when the handle is stale (already ran or cancelled). */
  cancel(handle: number): boolean {
    if (handle < 0) return false;
    const slot = handle % HANDLE_SLOTS;
    const generation = (handle - slot) / HANDLE_SLOTS;
    if (slot >= this.capacity || this.slotGeneration[slot] !== generation || this.slotState[slot] !== PENDING) return false;
    this.slotState[slot] = CANCELLED;
    this.cancelled++;
    if (this.cancelled > 64 && this.cancelled * 2 > this.heapSize) this.compact();
    return true;
  }

  private dropCancelledTop(): void {
    while (this.heapSize > 0 && this.slotState[this.heapSlot[0]] === CANCELLED) {
      const slot = this.heapSlot[0];
      this.removeTop();
      this.release(slot);
      this.cancelled--;
    }
  }

  private release(slot: number): void {
    this.slotState[slot] = FREE;
    this.slotGeneration[slot]++;
    this.freeSlots[this.freeCount++] = slot;
  }

  private removeTop(): void {
    const last = --this.heapSize;
    if (last > 0) this.siftDown(0, this.heapTime[last], this.heapSlot[last]);
  }

  /** Drops every cancelled entry and rebuilds the heap; (time, sequence) keys keep the order. */
  private compact(): void {
    let n = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heapSlot[i];
      if (this.slotState[slot] === CANCELLED) {
        this.release(slot);
        continue;
      }
      this.heapTime[n] = this.heapTime[i];
      this.heapSlot[n] = slot;
      n++;
    }
    this.heapSize = n;
    this.cancelled = 0;
    for (let pos = (n - 2) >> 1; pos >= 0; pos--) this.siftDown(pos, this.heapTime[pos], this.heapSlot[pos]);
  }

  /** Places (time, slot) at `pos` or above, moving larger parents down. */
  private siftUp(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const slotSeq = this.slotSeq;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = heapTime[parent];
      if (pt < time || (pt === time && slotSeq[heapSlot[parent]] < slotSeq[slot])) break;
      heapTime[pos] = pt;
      heapSlot[pos] = heapSlot[parent];
      pos = parent;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
  }

  /** Places (time, slot) at `pos` or below, moving smaller children up. */
  private siftDown(pos: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const slotSeq = this.slotSeq;
    const size = this.heapSize;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      let ct = heapTime[child];
      const right = child + 1;
      if (right < size) {
        const rt = heapTime[right];
        if (rt < ct || (rt === ct && slotSeq[heapSlot[right]] < slotSeq[heapSlot[child]])) {
          child = right;
          ct = rt;
        }
      }
      if (time < ct || (time === ct && slotSeq[slot] < slotSeq[heapSlot[child]])) break;
      heapTime[pos] = ct;
      heapSlot[pos] = heapSlot[child];
      pos = child;
    }
    heapTime[pos] = time;
    heapSlot[pos] = slot;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = old * 2;
    if (capacity > HANDLE_SLOTS) throw new Error(`event queue: more than ${HANDLE_SLOTS} pending events`);
    this.heapTime = growFloat(this.heapTime, capacity);
    this.heapSlot = growInt(this.heapSlot, capacity);
    this.slotSeq = growFloat(this.slotSeq, capacity);
    this.slotGeneration = growFloat(this.slotGeneration, capacity);
    this.slotHandler = growInt(this.slotHandler, capacity);
    this.slotArg = growInt(this.slotArg, capacity);
    const state = new Uint8Array(capacity);
    state.set(this.slotState);
    this.slotState = state;
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < old; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = old;
    this.capacity = capacity;
  }
}

const FREE = 0;
const PENDING = 1;
const CANCELLED = 2;
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
