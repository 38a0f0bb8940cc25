import type { EventHandler, Simulation } from '../engine/index.js';
import { TaggedRing, type EntryCheck } from './resource/tagged-ring.js';
import { CAUSE_TIMEOUT, type OutcomeListener } from '../metrics/outcomes.js';

export {
  CAUSE_DB_TOO_MANY_CONNECTIONS,
  CAUSE_DB_UNAVAILABLE,
  CAUSE_DOWNSTREAM_ERROR,
  CAUSE_DOWNSTREAM_TIMEOUT,
  CAUSE_EXTERNAL_TIMEOUT,
  CAUSE_POD_TERMINATED,
  CAUSE_POOL_TIMEOUT,
  CAUSE_PROXY_TIMEOUT,
  CAUSE_REJECTED,
  CAUSE_TIMEOUT,
  FAILURE_CAUSES,
  type FailureCause,
  type OutcomeListener,
} from '../metrics/outcomes.js';

/** Told when a client gives up, so the server can drop the request wherever it still waits. */
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

/** The client of a child request (a `call` step): its parent, which resumes or fails with it. */
export interface ChildClient {
  childAnswered(parentId: number, ok: boolean, cause: number): void;
}

const CLIENT_DONE = 1;
const SERVER_DONE = 2;
/** The pod holding the request died: the step in progress ends, then the request is let go. */
const ORPHANED = 4;

const GROUP_USER = 0;
const GROUP_INTERNAL = 1;
const GROUP_CHILD = 2;

/**
 * Every request in flight, as columns of typed arrays indexed by request id (ids are
 * recycled), so a request costs no allocation. A request has two sides: the client, which
 * gets exactly one outcome (success, failure, or its deadline passing), and the server,
 * which may still be working on it after the client gave up — as real servers do.
 * The slot is freed once both sides are done; answering or freeing twice throws.
 *
 * Clients: a user request class (its outcome goes to the metrics), an internal class (a
 * probe; its outcome goes to its `InternalClient`), or a parent request (a `call` step; its
 * outcome goes to the `ChildClient`, which resumes the parent).
 *
 * Deadlines: requests of one deadline group (a request class, or one `call` step) share one
 * timeout and arrive in time order, so their deadlines are already sorted. Each group keeps
 * a FIFO of (id, serial, deadline) and one timer for its earliest deadline; answered requests
 * are skipped when the timer reaches them, or dropped when the FIFO fills. A request
 * therefore costs no heap operation for its timeout.
 */
export class Requests implements EventHandler, EntryCheck {
  arrivalTime = new Float64Array(1024);
  /** User (or internal) class; a child request carries its root's class. */
  classId = new Int32Array(1024);
  /** The operation (path) the request walks: see model/path. */
  op = new Int32Array(1024);
  /** Index of the step in progress on its path. */
  step = new Int32Array(1024);
  /** Station (a queued resource) where the request waits, -1 if none. */
  station = new Int32Array(1024);
  /** Ticket of its latest place in a wait queue (tells a live entry from one it left). */
  ticket = new Float64Array(1024);
  /** Parent request of a `call` step's child, -1 for a client's own request. */
  parent = new Int32Array(1024);
  /** Global index of the pod whose worker the request holds, -1 if none. */
  pod = new Int32Array(1024);
  /** When the step in progress began (waits are measured from it). */
  stepStart = new Float64Array(1024);
  /** Of the step in progress, the time spent waiting (for a connection, a proxy backend) so far, µs; the rest is service. */
  stepWait = new Float64Array(1024);
  /** Connection held in its pod's pool (a `db` step), -1 if none. */
  conn = new Int32Array(1024);
  /** Shard of the database its `db` step queries (0 when the database is not sharded). */
  shard = new Int32Array(1024);
  /** Log sequence number of the request's latest committed write, 0 if none (read-your-writes on replicas). */
  lastWriteLsn = new Float64Array(1024);
  /** The key the request is about (a cache's or a shard's lookup), −1 if its class has none; a child carries its parent's. */
  key = new Int32Array(1024);
  /** CPU work: drawn for the first step at arrival (µs at one full core), then its finish on the CPU's virtual scale. */
  work = new Float64Array(1024);
  /** Arrival number of the request now using this id: tells a recycled id from its predecessor. */
  serial = new Float64Array(1024);
  private arrivals = 0;
  private tickets = 0;
  private flags = new Int32Array(1024);
  private free = new Int32Array(1024);
  private freeCount = 0;
  private capacity = 0;
  /** Per deadline group, its requests in deadline order: (id, serial, deadline µs). */
  private readonly deadlines: TaggedRing[] = [];
  private readonly deadlineEvent: number;
  /** User requests whose client has no answer yet (for Little's law). */
  inSystem = 0;
  private inSystemArea = 0;
  private inSystemSince = 0;
  private abandonListener: AbandonListener | undefined;
  private childClient: ChildClient | undefined;
  /** Classes from this id on are internal (not users' traffic): see `addInternalClass`. */
  private readonly firstInternalClass: number;
  private readonly timeoutMicros: number[] = [];
  private readonly groupKind: number[] = [];
  /** The client of each internal class, by its id (internal classes and call groups may be added in any order). */
  private readonly internalClients: InternalClient[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly outcomes: OutcomeListener,
    /** Client timeout of each request class, µs: classes are deadline groups 0…n−1. */
    timeoutMicros: readonly number[],
  ) {
    this.deadlineEvent = sim.register(this);
    for (const timeout of timeoutMicros) this.addGroup(timeout, GROUP_USER);
    this.firstInternalClass = timeoutMicros.length;
    this.grow();
  }

  /**
   * A class of requests that are not users' traffic (readiness probes): they queue and use
   * workers like any request but stay out of the metrics and of Little's law; `client` gets
   * their outcomes. Returns the class id (also its deadline group).
   */
  addInternalClass(timeoutMicros: number, client: InternalClient): number {
    const group = this.addGroup(timeoutMicros, GROUP_INTERNAL);
    this.internalClients[group] = client;
    return group;
  }

  /** A deadline group for child requests (one `call` step's timeout); returns its id. */
  addChildGroup(timeoutMicros: number): number {
    return this.addGroup(timeoutMicros, GROUP_CHILD);
  }

  onAbandon(listener: AbandonListener): void {
    this.abandonListener = listener;
  }

  onChildAnswered(client: ChildClient): void {
    this.childClient = client;
  }

  /** A user's (or internal) request of class `classId`; its client gives up after the class's timeout. */
  arrive(classId: number, op: number, workMicros: number): number {
    const id = this.take(classId, op, workMicros, classId);
    this.parent[id] = -1;
    this.key[id] = -1;
    if (classId < this.firstInternalClass) {
      this.changeInSystem(1);
      this.outcomes.arrived(classId);
    }
    return id;
  }

  /** A child request made by `parentId`'s `call` step; its client (the parent) gives up after the group's timeout. */
  arriveChild(parentId: number, op: number, workMicros: number, group: number): number {
    const id = this.take(this.classId[parentId], op, workMicros, group);
    this.parent[id] = parentId;
    this.key[id] = this.key[parentId];
    return id;
  }

  /** Requests created so far (users', internal and child requests). */
  get arrivedCount(): number {
    return this.arrivals;
  }

  isClientDone(id: number): boolean {
    return (this.flags[id] & CLIENT_DONE) !== 0;
  }

  isOrphaned(id: number): boolean {
    return (this.flags[id] & ORPHANED) !== 0;
  }

  /** Its pod died while it was away at a step: the client got its error; the server lets go when the step ends. */
  orphan(id: number): void {
    this.flags[id] |= ORPHANED;
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
    this.station[id] = -1;
    this.free[this.freeCount++] = id;
    if (!(flags & CLIENT_DONE)) {
      const classId = this.classId[id];
      if (this.parent[id] >= 0) this.childClient!.childAnswered(this.parent[id], true, 0);
      else if (classId < this.firstInternalClass) {
        this.changeInSystem(-1);
        this.outcomes.succeeded(classId, this.sim.now - this.arrivalTime[id]);
      } else this.answerInternal(id, true);
    }
  }

  /** The client gets an error (once; later calls do nothing). */
  fail(id: number, cause: number): void {
    const flags = this.flags[id];
    if (flags & CLIENT_DONE) return;
    this.flags[id] = flags | CLIENT_DONE;
    const parent = this.parent[id];
    const classId = this.classId[id];
    if (parent < 0 && classId < this.firstInternalClass) this.changeInSystem(-1);
    const latency = this.sim.now - this.arrivalTime[id];
    if (flags & SERVER_DONE) this.release(id);
    if (parent >= 0) this.childClient!.childAnswered(parent, false, cause);
    else if (classId < this.firstInternalClass) this.outcomes.failed(classId, cause, latency);
    else this.answerInternal(id, false);
  }

  // Out of line, so that the hot `served` stays small enough to be inlined.
  private answerInternal(id: number, ok: boolean): void {
    this.internalClients[this.classId[id]].answered(id, ok);
  }

  /** The server has let go of the request (finished, dropped or killed it). */
  releaseServer(id: number): void {
    const flags = this.flags[id];
    if (flags & SERVER_DONE) throwServerDoneTwice(id);
    this.flags[id] = flags | SERVER_DONE;
    this.pod[id] = -1;
    this.station[id] = -1;
    if (flags & CLIENT_DONE) this.release(id);
  }

  /** A fresh ticket for a place in a wait queue. */
  nextTicket(id: number): number {
    return (this.ticket[id] = ++this.tickets);
  }

  /** Ids of the requests whose worker is held at `podIndex` (a pod being killed); O(slots). */
  heldAt(podIndex: number, into: number[]): number[] {
    into.length = 0;
    for (let id = 0; id < this.capacity; id++) if (this.pod[id] === podIndex && !(this.flags[id] & (SERVER_DONE | ORPHANED))) into.push(id);
    return into;
  }

  /**
   * A group's timer: drops answered requests from the front of its deadline FIFO, times out
   * the unanswered ones whose deadline has passed, and re-arms at the first one still waiting.
   * The timer thus fires about once per timeout period, not once per request.
   */
  handleEvent(group: number): void {
    const queue = this.deadlines[group];
    const now = this.sim.now;
    while (queue.length > 0) {
      const id = queue.peekId();
      const live = this.isLive(id, queue.peekTag());
      if (live && queue.peekTime() > now) break;
      queue.shift();
      if (!live) continue;
      this.fail(id, CAUSE_TIMEOUT);
      if (this.flags[id] & SERVER_DONE) continue;
      if (this.groupKind[group] === GROUP_INTERNAL) this.internalClients[group].abandoned(id);
      else this.abandonListener?.abandoned(id);
    }
    if (queue.length > 0) this.sim.scheduleAt(queue.peekTime(), this.deadlineEvent, group);
  }

  /** Request slots taken (in flight, or waiting for their server side to end): 0 once everything has ended. */
  inUseSlots(): number {
    return this.capacity - this.freeCount;
  }

  /** A deadline FIFO's entry still stands for an unanswered request (EntryCheck). */
  isLive(id: number, serial: number): boolean {
    return this.serial[id] === serial && !(this.flags[id] & CLIENT_DONE);
  }

  /** Slots held by the deadline FIFOs (a memory gauge: it follows requests in flight). */
  deadlineSlots(): number {
    return this.deadlines.reduce((sum, queue) => sum + queue.capacity, 0);
  }

  /** ∫ (requests in system) dt from the start to now, in request·µs. */
  inSystemIntegral(): number {
    return this.inSystemArea + this.inSystem * (this.sim.now - this.inSystemSince);
  }

  private addGroup(timeoutMicros: number, kind: number): number {
    this.timeoutMicros.push(timeoutMicros);
    this.groupKind.push(kind);
    this.deadlines.push(new TaggedRing(256));
    return this.deadlines.length - 1;
  }

  private take(classId: number, op: number, workMicros: number, group: number): number {
    if (this.freeCount === 0) this.grow();
    const id = this.free[--this.freeCount];
    const now = this.sim.now;
    this.arrivalTime[id] = now;
    this.classId[id] = classId;
    this.op[id] = op;
    this.step[id] = 0;
    this.work[id] = workMicros;
    this.pod[id] = -1;
    this.station[id] = -1;
    this.conn[id] = -1;
    this.lastWriteLsn[id] = 0;
    const serial = this.arrivals++;
    this.serial[id] = serial;
    this.flags[id] = 0;
    const queue = this.deadlines[group];
    const deadline = now + this.timeoutMicros[group];
    if (queue.length === 0) this.sim.scheduleAt(deadline, this.deadlineEvent, group);
    queue.push(id, serial, deadline, this);
    return id;
  }

  private release(id: number): void {
    this.free[this.freeCount++] = id;
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
    this.work = f64(this.work);
    this.serial = f64(this.serial);
    this.ticket = f64(this.ticket);
    this.stepStart = f64(this.stepStart);
    this.stepWait = f64(this.stepWait);
    this.lastWriteLsn = f64(this.lastWriteLsn);
    this.conn = i32(this.conn);
    this.shard = i32(this.shard);
    this.key = i32(this.key);
    this.classId = i32(this.classId);
    this.op = i32(this.op);
    this.step = i32(this.step);
    this.station = i32(this.station);
    this.parent = i32(this.parent);
    this.pod = i32(this.pod);
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
