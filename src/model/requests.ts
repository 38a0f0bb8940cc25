import type { EventHandler, Simulation } from '../engine/index.js';
import { CAUSE_TIMEOUT, type OutcomeListener } from '../metrics/outcomes.js';

export { CAUSE_POD_TERMINATED, CAUSE_REJECTED, CAUSE_TIMEOUT, type OutcomeListener } from '../metrics/outcomes.js';

/** Told when a client gives up, so a server can drop the request if it is still queued. */
export interface AbandonListener {
  abandoned(requestId: number): void;
}

/**
 * The client of an internal request class (a kubelet's readiness probe): gets the outcome
 * instead of the metrics, and the abandon when it gives up.
 */
export interface InternalClient extends AbandonListener {
  answered(requestId: number, ok: boolean): void;
}

export const STAGE_NONE = 0;
export const STAGE_QUEUED = 1;
export const STAGE_ACTIVE = 2;

const CLIENT_DONE = 1;
const SERVER_DONE = 2;

/**
 * Every request in flight, as columns of typed arrays indexed by request id (ids are
 * recycled), so a request costs no allocation. A request has two sides: the client, which
 * gets exactly one outcome (success, failure, or its deadline passing), and the server,
 * which may still be working on it after the client gave up — as real servers do.
 * The slot is freed once both sides are done.
 *
 * Deadlines: all requests of a class share one timeout and arrive in time order, so their
 * deadlines are already sorted. Each class keeps a FIFO of (id, serial, deadline) and one
 * timer for its earliest deadline; answered requests are skipped when the timer reaches
 * them, or dropped when the FIFO fills. A request therefore costs no heap operation for its timeout.
 */
export class Requests implements EventHandler {
  arrivalTime = new Float64Array(1024);
  classId = new Int32Array(1024);
  /** CPU work still to do, in µs at one full core. */
  remainingWork = new Float64Array(1024);
  /** Index of the pod holding the request, -1 if none. */
  pod = new Int32Array(1024);
  /** Where the server holds it: STAGE_NONE, STAGE_QUEUED or STAGE_ACTIVE. */
  stage = new Int8Array(1024);
  /** Arrival number of the request now using this id: tells a recycled id from its predecessor. */
  serial = new Float64Array(1024);
  private arrivals = 0;
  private flags = new Int32Array(1024);
  private free = new Int32Array(1024);
  private freeCount = 0;
  private capacity = 0;
  private readonly deadlines: DeadlineQueue[];
  private readonly deadlineEvent: number;
  /** Requests whose client has no answer yet (for Little's law). */
  inSystem = 0;
  private inSystemArea = 0;
  private inSystemSince = 0;
  private abandonListener: AbandonListener | undefined;
  /** Classes from this id on are internal (not users' traffic): see `addInternalClass`. */
  private readonly firstInternalClass: number;
  private readonly timeoutMicros: number[];
  private readonly internalClients: InternalClient[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly outcomes: OutcomeListener,
    /** Client timeout of each request class, µs. */
    timeoutMicros: readonly number[],
  ) {
    this.deadlineEvent = sim.register(this);
    this.timeoutMicros = [...timeoutMicros];
    this.firstInternalClass = timeoutMicros.length;
    this.deadlines = timeoutMicros.map(() => new DeadlineQueue());
    this.grow();
  }

  /**
   * A class of requests that are not users' traffic (readiness probes): they queue and use
   * workers like any request but stay out of the metrics and of Little's law; `client` gets
   * their outcomes. Returns the class id.
   */
  addInternalClass(timeoutMicros: number, client: InternalClient): number {
    this.timeoutMicros.push(timeoutMicros);
    this.deadlines.push(new DeadlineQueue());
    this.internalClients.push(client);
    return this.timeoutMicros.length - 1;
  }

  onAbandon(listener: AbandonListener): void {
    this.abandonListener = listener;
  }

  /** A new request; its client gives up after its class's timeout. */
  arrive(classId: number, workMicros: number): number {
    if (this.freeCount === 0) this.grow();
    const id = this.free[--this.freeCount];
    const now = this.sim.now;
    this.arrivalTime[id] = now;
    this.classId[id] = classId;
    this.remainingWork[id] = workMicros;
    this.pod[id] = -1;
    this.stage[id] = STAGE_NONE;
    const serial = this.arrivals++;
    this.serial[id] = serial;
    this.flags[id] = 0;
    const queue = this.deadlines[classId];
    const deadline = now + this.timeoutMicros[classId];
    if (queue.length === 0) this.sim.scheduleAt(deadline, this.deadlineEvent, classId);
    queue.push(id, serial, deadline, this.serial, this.flags);
    if (classId < this.firstInternalClass) {
      this.changeInSystem(1);
      this.outcomes.arrived(classId);
    }
    return id;
  }

  isClientDone(id: number): boolean {
    return (this.flags[id] & CLIENT_DONE) !== 0;
  }

  /**
   * The server finished the request: its slot is freed and the client gets its answer,
   * unless it already gave up.
   */
  served(id: number): void {
    const flags = this.flags[id];
    if (flags & SERVER_DONE) throwServerDoneTwice(id);
    this.flags[id] = flags | CLIENT_DONE | SERVER_DONE;
    this.pod[id] = -1;
    this.stage[id] = STAGE_NONE;
    if (!(flags & CLIENT_DONE)) {
      const classId = this.classId[id];
      if (classId < this.firstInternalClass) {
        this.changeInSystem(-1);
        this.outcomes.succeeded(classId, this.sim.now - this.arrivalTime[id]);
      } else this.answerInternal(id, true);
    }
    this.free[this.freeCount++] = id;
  }

  /** The client gets an error. */
  fail(id: number, cause: number): void {
    if (this.flags[id] & CLIENT_DONE) return;
    this.finishClient(id);
    const classId = this.classId[id];
    if (classId < this.firstInternalClass) this.outcomes.failed(classId, cause, this.sim.now - this.arrivalTime[id]);
    else this.answerInternal(id, false);
  }

  // Out of line, so that the hot `served` stays small enough to be inlined.
  private answerInternal(id: number, ok: boolean): void {
    this.internalClients[this.classId[id] - this.firstInternalClass].answered(id, ok);
  }

  /** The server has let go of the request (finished, dropped or killed it). */
  releaseServer(id: number): void {
    if (this.flags[id] & SERVER_DONE) throwServerDoneTwice(id);
    this.flags[id] |= SERVER_DONE;
    this.pod[id] = -1;
    this.stage[id] = STAGE_NONE;
    if (this.flags[id] & CLIENT_DONE) this.free[this.freeCount++] = id;
  }

  /**
   * A class's timer: drops answered requests from the front of its deadline FIFO, times out
   * the unanswered ones whose deadline has passed, and re-arms at the first one still waiting.
   * The timer thus fires about once per timeout period, not once per request.
   */
  handleEvent(classId: number): void {
    const queue = this.deadlines[classId];
    const now = this.sim.now;
    while (queue.length > 0) {
      const id = queue.peekId();
      const live = this.serial[id] === queue.peekSerial() && !(this.flags[id] & CLIENT_DONE);
      if (live && queue.peekDeadline() > now) break;
      queue.shift();
      if (!live) continue;
      this.fail(id, CAUSE_TIMEOUT);
      if (this.flags[id] & SERVER_DONE) continue;
      if (classId >= this.firstInternalClass) this.internalClients[classId - this.firstInternalClass].abandoned(id);
      else this.abandonListener?.abandoned(id);
    }
    if (queue.length > 0) this.sim.scheduleAt(queue.peekDeadline(), this.deadlineEvent, classId);
  }

  /** Slots held by the deadline FIFOs (a memory gauge: it follows requests in flight). */
  deadlineSlots(): number {
    return this.deadlines.reduce((sum, queue) => sum + queue.capacity, 0);
  }

  /** ∫ (requests in system) dt from the start to now, in request·µs. */
  inSystemIntegral(): number {
    return this.inSystemArea + this.inSystem * (this.sim.now - this.inSystemSince);
  }

  private finishClient(id: number): void {
    this.flags[id] |= CLIENT_DONE;
    if (this.classId[id] < this.firstInternalClass) this.changeInSystem(-1);
    if (this.flags[id] & SERVER_DONE) this.free[this.freeCount++] = id;
  }

  private changeInSystem(delta: number): void {
    const now = this.sim.now;
    this.inSystemArea += this.inSystem * (now - this.inSystemSince);
    this.inSystemSince = now;
    this.inSystem += delta;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = Math.max(1024, old * 2);
    const f64 = (a: Float64Array) => { const b = new Float64Array(capacity); b.set(a.subarray(0, old)); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(capacity); b.set(a.subarray(0, old)); return b; };
    this.arrivalTime = f64(this.arrivalTime);
    this.remainingWork = f64(this.remainingWork);
    this.serial = f64(this.serial);
    this.classId = i32(this.classId);
    this.pod = i32(this.pod);
    const stage = new Int8Array(capacity);
    stage.set(this.stage.subarray(0, old));
    this.stage = stage;
    this.flags = i32(this.flags);
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeCount));
    for (let id = capacity - 1; id >= old; id--) free[this.freeCount++] = id;
    this.free = free;
    this.capacity = capacity;
  }
}

/**
 * The server side of a request ended twice: its id would sit twice in the free list and later be
 * handed to two requests at once. Out of line, so that `served` stays small enough to inline.
 */
function throwServerDoneTwice(id: number): never {
  throw new Error(`request ${id}: the server already let go of it (answered, dropped or killed): a request is answered once`);
}

/** A growable ring of (request id, serial, deadline µs), in deadline order. */
class DeadlineQueue {
  private ids = new Int32Array(256);
  private serials = new Float64Array(256);
  private times = new Float64Array(256);
  private head = 0;
  length = 0;

  /**
   * Appends a request. A full ring first drops the requests already answered (keeping the
   * order), and grows only if more than half are still waiting: memory follows the requests
   * in flight, not arrival rate × timeout.
   */
  push(id: number, serial: number, deadline: number, requestSerial: Float64Array, flags: Int32Array): void {
    if (this.length === this.ids.length) {
      this.dropAnswered(requestSerial, flags);
      if (2 * this.length > this.ids.length) this.grow();
    }
    const i = (this.head + this.length) & (this.ids.length - 1);
    this.ids[i] = id;
    this.serials[i] = serial;
    this.times[i] = deadline;
    this.length++;
  }

  private dropAnswered(requestSerial: Float64Array, flags: Int32Array): void {
    const mask = this.ids.length - 1;
    let kept = 0;
    // Writes trail reads around the ring, so nothing unread is overwritten.
    for (let k = 0; k < this.length; k++) {
      const from = (this.head + k) & mask;
      const id = this.ids[from];
      if (requestSerial[id] !== this.serials[from] || flags[id] & CLIENT_DONE) continue;
      const to = (this.head + kept++) & mask;
      this.ids[to] = id;
      this.serials[to] = this.serials[from];
      this.times[to] = this.times[from];
    }
    this.length = kept;
  }

  get capacity(): number {
    return this.ids.length;
  }

  peekId(): number {
    return this.ids[this.head];
  }
  peekSerial(): number {
    return this.serials[this.head];
  }
  peekDeadline(): number {
    return this.times[this.head];
  }

  shift(): void {
    this.head = (this.head + 1) & (this.ids.length - 1);
    this.length--;
  }

  private grow(): void {
    const size = this.ids.length * 2;
    const ids = new Int32Array(size);
    const serials = new Float64Array(size);
    const times = new Float64Array(size);
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & (this.ids.length - 1);
      ids[k] = this.ids[i];
      serials[k] = this.serials[i];
      times[k] = this.times[i];
    }
    this.ids = ids;
    this.serials = serials;
    this.times = times;
    this.head = 0;
  }
}
