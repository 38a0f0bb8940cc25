import type { Distribution, EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { PathRunner, Station } from '../path/path-runner.js';
import { GRANTED, QueuedResource, type ResourceOwner } from '../resource/queued-resource.js';
import type { Requests } from '../requests.js';

/** `ConnectionTarget.connect` refused: the server is at `max_connections` (or the proxy at its client limit). */
export const REFUSED_FULL = -1;
/** `ConnectionTarget.connect` refused: the server is down. */
export const REFUSED_DOWN = -2;

/**
 * What a pool connects to: the database itself, a proxy in front of it, or a reader endpoint
 * that spreads connections over read replicas. A connection reaches one of its servers.
 */
export interface ConnectionTarget {
  /** A new connection: the index of the server it reached (≥ 0), or REFUSED_FULL / REFUSED_DOWN. */
  connect(): number;
  /**
   * A live connection to `server` closes. `pinnedBackendGeneration`: the database generation
   * of the proxy backend it was pinned to, which goes back unless lost since; -1 if none.
   */
  disconnect(server: number, pinnedBackendGeneration: number): void;
  /** The server's incarnation: a connection opened under an earlier one was dropped (failover). */
  generationOf(server: number): number;
}

/** The step waiting on a pool: told how its wait ended. */
export interface PoolClient {
  connected(requestId: number): void;
  /** Waited `connectionTimeout` without a connection. */
  poolTimedOut(requestId: number): void;
  /** The connection opened for it was refused (`REFUSED_FULL` or `REFUSED_DOWN`). */
  connectFailed(requestId: number, refusal: number): void;
}

export interface PoolConfig {
  readonly maximumPoolSize: number;
  readonly minimumIdle: number;
  readonly connectionTimeoutMicros: number;
  /** Idle connections above `minimumIdle` close after this (0: never). */
  readonly idleTimeoutMicros: number;
  /** A connection is retired when idle after this age (0: never). */
  readonly maxLifetimeMicros: number;
  /** Opening a connection: TCP + TLS + authentication + the backend's start. */
  readonly connect: Distribution;
  /** Fraction of connections pinned to a proxy backend for their lifetime (session state). */
  readonly pinningFraction: number;
}

/** HikariCP's maxLifetime variance: each connection lives up to this fraction less. */
const MAX_LIFETIME_VARIANCE = 0.025;
/** HikariCP's housekeeper period. */
const HOUSEKEEPING_MICROS = 30_000_000;
const HOUSEKEEPING = -1;

const SLOT_FREE = 0;
const SLOT_OPENING = 1;
const SLOT_IDLE = 2;
const SLOT_IN_USE = 3;

/**
 * One pod's connection pool for one database, as HikariCP behaves: a request takes an idle
 * connection or waits (FIFO) up to `connectionTimeout`; while requests wait and the pool is
 * below `maximumPoolSize`, it opens connections (each takes `connect` time and may be refused
 * by the database, failing the longest waiter, as node-postgres does). The housekeeper keeps
 * `minimumIdle` open, closes idle connections past `idleTimeout` above it, and retires
 * connections past `maxLifetime`. HikariCP's default `minimumIdle` equals the maximum: every
 * pod opens its whole pool at start — which is why scaling out pods can exhaust a database.
 *
 * Each connection remembers the server it reached and that server's generation: after a
 * failover it is dead, and like HikariCP's validation on borrow the pool discards it when it
 * next surfaces (taken, returned, or seen by the housekeeper) and opens a new one.
 */
export class ConnectionPool implements ResourceOwner, EventHandler, Station {
  /** Connections open or opening. */
  total = 0;
  opening = 0;
  readonly waiters: QueuedResource;
  private readonly state: Uint8Array;
  /** When each connection is retired (maxLifetime, less HikariCP's random variance), µs. */
  private readonly retireAt: Float64Array;
  private readonly idleSince: Float64Array;
  /** Pinned to a proxy backend (drawn when it opens) / holding that backend now. */
  readonly pinned: Uint8Array;
  readonly holdsBackend: Uint8Array;
  /** The server each connection reached (an index of the target's servers), and its generation then. */
  readonly server: Uint8Array;
  private readonly generation: Int32Array;
  /** Database generation when the connection's current query (or pinned backend) began: a later one means it was lost. */
  readonly queryGeneration: Int32Array;
  private readonly idle: Int32Array;
  private idleCount = 0;
  private readonly event: number;
  private closed = false;

  constructor(
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly runner: PathRunner,
    private readonly target: ConnectionTarget,
    private readonly config: PoolConfig,
    private readonly random: RandomStream,
  ) {
    const n = config.maximumPoolSize;
    this.state = new Uint8Array(n);
    this.retireAt = new Float64Array(n);
    this.idleSince = new Float64Array(n);
    this.pinned = new Uint8Array(n);
    this.holdsBackend = new Uint8Array(n);
    this.server = new Uint8Array(n);
    this.generation = new Int32Array(n);
    this.queryGeneration = new Int32Array(n);
    this.idle = new Int32Array(n);
    this.waiters = new QueuedResource(sim, requests, this, runner.addStation(this), {
      capacity: 0,
      queueCapacity: Infinity,
      maxWaitMicros: config.connectionTimeoutMicros,
    });
    this.event = sim.register(this);
  }

  /** Opens `minimumIdle` connections and starts the housekeeper. `warm`: they were open before the run. */
  start(warm: boolean): void {
    if (warm) for (let i = 0; i < this.config.minimumIdle; i++) this.openWarm(this.takeSlot());
    else this.fill();
    this.sim.schedule(Math.floor(this.random() * HOUSEKEEPING_MICROS), this.event, HOUSEKEEPING);
  }

  /** A connection for the request now (true), or later through `PoolClient.connected`. */
  acquire(id: number): boolean {
    while (this.idleCount > 0 && this.isBroken(this.idle[this.idleCount - 1])) this.retireIdle(this.idleCount - 1);
    if (this.waiters.request(id) === GRANTED) {
      this.take(id);
      return true;
    }
    if (this.opening < this.waiters.waiting && this.total < this.config.maximumPoolSize) this.open();
    return false;
  }

  granted(id: number): void {
    this.take(id);
    (this.runner.stepAt(id) as unknown as PoolClient).connected(id);
  }

  waitTimedOut(id: number): void {
    (this.runner.stepAt(id) as unknown as PoolClient).poolTimedOut(id);
  }

  /** A client that gave up does not stop the app waiting for its connection. */
  abandon(): void {}

  /** The request is done with its connection. */
  release(id: number): void {
    const conn = this.requests.conn[id];
    this.requests.conn[id] = -1;
    const now = this.sim.now;
    const c = this.config;
    if (this.closed || this.isBroken(conn) || now >= this.retireAt[conn]) {
      this.closeConnection(conn);
      this.waiters.capacity--;
      this.waiters.release();
      if (this.opening < this.waiters.waiting && this.total < c.maximumPoolSize && !this.closed) this.open();
      return;
    }
    this.state[conn] = SLOT_IDLE;
    this.idleSince[conn] = now;
    this.idle[this.idleCount++] = conn;
    this.waiters.release();
  }

  /** The pod is gone: idle connections close now, the others when returned. */
  close(): void {
    this.closed = true;
    while (this.idleCount > 0) this.retireIdle(this.idleCount - 1);
  }

  /** A connection finished opening (arg: its slot), or the housekeeper's tick (-1). */
  handleEvent(arg: number): void {
    if (arg === HOUSEKEEPING) {
      if (this.closed) return;
      this.housekeep();
      this.sim.schedule(HOUSEKEEPING_MICROS, this.event, HOUSEKEEPING);
      return;
    }
    this.opening--;
    if (this.closed) {
      this.freeSlot(arg);
      return;
    }
    const server = this.target.connect();
    if (server >= 0) {
      this.opened(arg, server);
      return;
    }
    this.freeSlot(arg);
    const id = this.waiters.dequeue();
    if (id >= 0) (this.runner.stepAt(id) as unknown as PoolClient).connectFailed(id, server);
  }

  /** The connection's server went down since it opened. */
  isBroken(conn: number): boolean {
    return this.target.generationOf(this.server[conn]) !== this.generation[conn];
  }

  private open(): void {
    const slot = this.takeSlot();
    this.state[slot] = SLOT_OPENING;
    this.opening++;
    this.sim.schedule(this.config.connect.sample(this.random), this.event, slot);
  }

  /** A connection open before the run. */
  private openWarm(slot: number): void {
    const server = this.target.connect();
    if (server >= 0) this.opened(slot, server);
    else this.freeSlot(slot);
  }

  private opened(slot: number, server: number): void {
    this.server[slot] = server;
    this.generation[slot] = this.target.generationOf(server);
    this.state[slot] = SLOT_IDLE;
    this.idleSince[slot] = this.sim.now;
    // HikariCP shortens each connection's lifetime by up to 2.5% at random, so a pool's connections do not all retire at once.
    const lifetime = this.config.maxLifetimeMicros;
    this.retireAt[slot] = lifetime > 0 ? this.sim.now + lifetime * (1 - MAX_LIFETIME_VARIANCE * this.random()) : Infinity;
    this.pinned[slot] = this.config.pinningFraction > 0 && this.random() < this.config.pinningFraction ? 1 : 0;
    this.holdsBackend[slot] = 0;
    this.idle[this.idleCount++] = slot;
    this.waiters.setCapacity(this.waiters.capacity + 1);
  }

  private take(id: number): void {
    const conn = this.idle[--this.idleCount];
    this.state[conn] = SLOT_IN_USE;
    this.requests.conn[id] = conn;
  }

  private takeSlot(): number {
    let slot = 0;
    while (this.state[slot] !== SLOT_FREE) slot++;
    this.total++;
    return slot;
  }

  private freeSlot(slot: number): void {
    this.state[slot] = SLOT_FREE;
    this.total--;
  }

  /** A dead connection just goes: its server already forgot it. */
  private closeConnection(conn: number): void {
    if (!this.isBroken(conn)) this.target.disconnect(this.server[conn], this.holdsBackend[conn] === 1 ? this.queryGeneration[conn] : -1);
    this.holdsBackend[conn] = 0;
    this.freeSlot(conn);
  }

  /** Closes the idle connection at position `i` of the idle stack. */
  private retireIdle(i: number): void {
    const conn = this.idle[i];
    this.idle[i] = this.idle[--this.idleCount];
    this.closeConnection(conn);
    this.waiters.capacity--;
  }

  private housekeep(): void {
    const now = this.sim.now;
    const c = this.config;
    for (let i = this.idleCount - 1; i >= 0; i--) {
      const conn = this.idle[i];
      const expired = now >= this.retireAt[conn];
      const surplus = c.idleTimeoutMicros > 0 && this.total > c.minimumIdle && now - this.idleSince[conn] >= c.idleTimeoutMicros;
      if (expired || surplus || this.isBroken(conn)) this.retireIdle(i);
    }
    this.fill();
  }

  private fill(): void {
    while (this.total < this.config.minimumIdle) this.open();
  }
}
