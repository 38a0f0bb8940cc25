import type { EventHandler, Simulation } from '../../engine/index.js';
import type { Requests } from '../requests.js';
import { TaggedRing, type EntryCheck } from './tagged-ring.js';

/** What `QueuedResource.request` did with a request. */
export const GRANTED = 0;
export const QUEUED = 1;
/** The wait queue was full: the caller fails the request. */
export const REFUSED = 2;

/** The component a resource serves: told when a waiting request gets a unit or waits too long. */
export interface ResourceOwner {
  granted(requestId: number): void;
  /** The request waited `maxWait` without getting a unit; it has left the queue. */
  waitTimedOut(requestId: number): void;
}

export interface QueuedResourceConfig {
  /** Units (workers, connections, slots). */
  readonly capacity: number;
  /** Waiting requests beyond which `request` refuses (Infinity: unbounded). */
  readonly queueCapacity: number;
  /** Longest wait before `waitTimedOut` (Infinity: wait forever). */
  readonly maxWaitMicros: number;
}

/**
 * Units of something requests hold for a while — pod workers, pool connections, proxy and
 * database connection slots — with a bounded FIFO of waiters, like SimPy's `Resource`.
 * The waiting queue is a ring of (request id, ticket, enqueue time): every waiter waits at
 * most the same `maxWait`, so the queue is also in deadline order and one timer for its
 * head serves every wait timeout. A request that leaves early (`abandon`) is skipped when
 * reached. Time integrals of units in use and of waiters give exact time averages.
 *
 * A request's `station` column names the resource it waits at (the `stationId` given at
 * construction), so abandonment reaches it wherever it is; its `ticket` tells a live entry
 * from one it left.
 */
export class QueuedResource implements EventHandler, EntryCheck {
  capacity: number;
  inUse = 0;
  /** Live waiters. */
  waiting = 0;
  /** Waiters in order: (request id, ticket, when it began waiting). */
  private readonly ring: TaggedRing;
  private readonly queueCapacity: number;
  private readonly maxWaitMicros: number;
  private readonly timerEvent: number;
  private timerHandle = -1;
  private inUseArea = 0;
  private waitingArea = 0;
  private areaSince = 0; // initialized here so V8 keeps it an unboxed double field (see ProcessorSharing.lastUpdate)
  /** Requests granted a unit since the start (for rates). */
  grants = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly owner: ResourceOwner,
    readonly stationId: number,
    config: QueuedResourceConfig,
  ) {
    this.capacity = config.capacity;
    this.queueCapacity = config.queueCapacity;
    this.maxWaitMicros = config.maxWaitMicros;
    this.ring = new TaggedRing(ringSize(config.queueCapacity));
    this.areaSince = sim.now;
    this.timerEvent = Number.isFinite(config.maxWaitMicros) ? sim.register(this) : -1;
  }

  /** Grants a unit at once, queues the request, or refuses it when the queue is full. */
  request(id: number): number {
    if (this.inUse < this.capacity) {
      this.accumulate();
      this.inUse++;
      this.grants++;
      return GRANTED;
    }
    if (this.waiting >= this.queueCapacity) return REFUSED;
    this.enqueue(id);
    return QUEUED;
  }

  /** A unit comes back: the longest waiter gets it (through `owner.granted`). */
  release(): void {
    this.accumulate();
    this.inUse--;
    this.grantWaiters();
  }

  /** Changes the number of units; units above a lower capacity are not taken back, only not re-granted. */
  setCapacity(capacity: number): void {
    this.capacity = capacity;
    this.grantWaiters();
  }

  /** Every unit is taken back at once (a killed pod's workers, a closed pool). */
  clear(): void {
    this.accumulate();
    this.inUse = 0;
  }

  /** A waiting request leaves the queue (its client gave up, or it is being dropped). */
  abandon(id: number): void {
    if (this.requests.station[id] !== this.stationId) return;
    this.accumulate();
    this.requests.station[id] = -1;
    this.waiting--;
  }

  /** Removes and returns the next live waiter, or -1 (for draining a queue). */
  dequeue(): number {
    const ring = this.ring;
    while (ring.length > 0) {
      const id = ring.peekId();
      const live = this.isLive(id, ring.peekTag());
      ring.shift();
      if (live) {
        this.accumulate();
        this.waiting--;
        this.requests.station[id] = -1;
        return id;
      }
    }
    return -1;
  }

  /** ∫ units in use dt, unit·µs since construction. */
  inUseIntegral(): number {
    return this.inUseArea + this.inUse * (this.sim.now - this.areaSince);
  }

  /** ∫ waiters dt, request·µs since construction. */
  waitingIntegral(): number {
    return this.waitingArea + this.waiting * (this.sim.now - this.areaSince);
  }

  /** The wait timer: times out waiters from the head whose `maxWait` has passed. */
  handleEvent(): void {
    this.timerHandle = -1;
    const deadline = this.sim.now - this.maxWaitMicros;
    const ring = this.ring;
    while (ring.length > 0) {
      const id = ring.peekId();
      const live = this.isLive(id, ring.peekTag());
      if (live && ring.peekTime() > deadline) break;
      ring.shift();
      if (!live) continue;
      this.accumulate();
      this.waiting--;
      this.requests.station[id] = -1;
      this.owner.waitTimedOut(id);
    }
    this.armTimer();
  }

  private grantWaiters(): void {
    while (this.inUse < this.capacity) {
      const id = this.dequeue();
      if (id < 0) break;
      this.inUse++;
      this.grants++;
      this.owner.granted(id);
    }
    if (this.timerEvent >= 0 && this.ring.length === 0 && this.timerHandle >= 0) {
      this.sim.cancel(this.timerHandle);
      this.timerHandle = -1;
    }
  }

  private enqueue(id: number): void {
    this.ring.push(id, this.requests.nextTicket(id), this.sim.now, this);
    this.accumulate();
    this.waiting++;
    this.requests.station[id] = this.stationId;
    if (this.timerEvent >= 0 && this.timerHandle < 0) this.armTimer();
  }

  private armTimer(): void {
    if (this.timerEvent < 0 || this.timerHandle >= 0) return;
    // The head may be a request that left: its slot still marks the earliest possible deadline.
    if (this.ring.length > 0) this.timerHandle = this.sim.scheduleAt(Math.max(this.sim.now, this.ring.peekTime() + this.maxWaitMicros), this.timerEvent);
  }

  /** A ring entry still stands for a request waiting here (EntryCheck). */
  isLive(id: number, ticket: number): boolean {
    return this.requests.ticket[id] === ticket && this.requests.station[id] === this.stationId;
  }

  private accumulate(): void {
    const now = this.sim.now;
    const dt = now - this.areaSince;
    if (dt === 0) return;
    this.inUseArea += this.inUse * dt;
    this.waitingArea += this.waiting * dt;
    this.areaSince = now;
  }
}

/** A power of two above a bounded queue's capacity (a ring that need not grow), or a start size. */
function ringSize(queueCapacity: number): number {
  let size = 16;
  const want = Number.isFinite(queueCapacity) ? Math.min(queueCapacity + 1, 1 << 16) : 256;
  while (size < want) size *= 2;
  return size;
}
