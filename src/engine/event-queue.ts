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
 * Each event is a (handler, argument) pair of integers, so scheduling allocates nothing
 * once the arrays are large enough (they double when full).
 */
export class EventQueue {
  private capacity: number;
  // Per slot.
  private slotTime: Float64Array;
  private slotSeq: Float64Array;
  private slotHandler: Int32Array;
  private slotArg: Int32Array;
  private slotHeapPos: Int32Array; // -1 when not in the heap
  private slotGeneration: Float64Array;
  private freeSlots: Int32Array;
  private freeCount: number;
  // The heap holds slot indices.
  private heap: Int32Array;
  private heapSize = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.slotTime = new Float64Array(this.capacity);
    this.slotSeq = new Float64Array(this.capacity);
    this.slotHandler = new Int32Array(this.capacity);
    this.slotArg = new Int32Array(this.capacity);
    this.slotHeapPos = new Int32Array(this.capacity).fill(-1);
    this.slotGeneration = new Float64Array(this.capacity);
    this.freeSlots = new Int32Array(this.capacity);
    this.heap = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.freeSlots[i] = this.capacity - 1 - i;
    this.freeCount = this.capacity;
  }

  get size(): number {
    return this.heapSize;
  }

  /** Inserts an event; returns a handle for `cancel`. */
  push(time: number, handler: number, arg: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.slotTime[slot] = time;
    this.slotSeq[slot] = this.nextSeq++;
    this.slotHandler[slot] = handler;
    this.slotArg[slot] = arg;
    const pos = this.heapSize++;
    this.heap[pos] = slot;
    this.slotHeapPos[slot] = pos;
    this.siftUp(pos);
    return this.slotGeneration[slot] * HANDLE_SLOTS + slot;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.heapSize === 0 ? Infinity : this.slotTime[this.heap[0]];
  }

  /**
   * Removes the earliest event. Its fields are readable through `poppedTime`,
   * `poppedHandler` and `poppedArg` until the next pop (no object is returned).
   */
  pop(): boolean {
    if (this.heapSize === 0) return false;
    const slot = this.heap[0];
    this.poppedTime = this.slotTime[slot];
    this.poppedHandler = this.slotHandler[slot];
    this.poppedArg = this.slotArg[slot];
    this.removeAt(0);
    return true;
  }
  poppedTime = 0;
  poppedHandler = 0;
  poppedArg = 0;

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
    const slot = this.heap[pos];
    this.slotHeapPos[slot] = -1;
    this.slotGeneration[slot]++;
    this.freeSlots[this.freeCount++] = slot;
    const last = --this.heapSize;
    if (pos !== last) {
      const moved = this.heap[last];
      this.heap[pos] = moved;
      this.slotHeapPos[moved] = pos;
      if (pos > 0 && this.less(moved, this.heap[(pos - 1) >> 1])) this.siftUp(pos);
      else this.siftDown(pos);
    }
  }

  private less(a: number, b: number): boolean {
    const ta = this.slotTime[a];
    const tb = this.slotTime[b];
    return ta < tb || (ta === tb && this.slotSeq[a] < this.slotSeq[b]);
  }

  private siftUp(pos: number): void {
    const heap = this.heap;
    const slot = heap[pos];
    while (pos > 0) {
      const parentPos = (pos - 1) >> 1;
      const parent = heap[parentPos];
      if (!this.less(slot, parent)) break;
      heap[pos] = parent;
      this.slotHeapPos[parent] = pos;
      pos = parentPos;
    }
    heap[pos] = slot;
    this.slotHeapPos[slot] = pos;
  }

  private siftDown(pos: number): void {
    const heap = this.heap;
    const size = this.heapSize;
    const slot = heap[pos];
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      if (child + 1 < size && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], slot)) break;
      heap[pos] = heap[child];
      this.slotHeapPos[heap[pos]] = pos;
      pos = child;
    }
    heap[pos] = slot;
    this.slotHeapPos[slot] = pos;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = old * 2;
    if (capacity > HANDLE_SLOTS) throw new Error(`event queue: more than ${HANDLE_SLOTS} pending events`);
    this.slotTime = growFloat(this.slotTime, capacity);
    this.slotSeq = growFloat(this.slotSeq, capacity);
    this.slotGeneration = growFloat(this.slotGeneration, capacity);
    this.slotHandler = growInt(this.slotHandler, capacity);
    this.slotArg = growInt(this.slotArg, capacity);
    const heapPos = new Int32Array(capacity).fill(-1);
    heapPos.set(this.slotHeapPos);
    this.slotHeapPos = heapPos;
    this.heap = growInt(this.heap, capacity);
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
