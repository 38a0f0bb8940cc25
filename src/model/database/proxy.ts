import type { Simulation } from '../../engine/index.js';
import type { PathRunner, Station } from '../path/path-runner.js';
import { GRANTED, QueuedResource, type ResourceOwner } from '../resource/queued-resource.js';
import type { Requests } from '../requests.js';
import { REFUSED_FULL, type ConnectionTarget } from './connection-pool.js';
import type { Database, DatabaseListener } from './database.js';

/** The step waiting on the proxy for a backend. */
export interface ProxyClient {
  borrowed(requestId: number): void;
  /** Waited the borrow timeout without a backend. */
  borrowTimedOut(requestId: number): void;
}

export interface ProxyConfig {
  /** Database connections the proxy may hold (MaxConnectionsPercent × max_connections, or PgBouncer's pool size). */
  readonly maxBackends: number;
  /** ConnectionBorrowTimeout / query_wait_timeout. */
  readonly borrowTimeoutMicros: number;
  /** Client connections it accepts (PgBouncer max_client_conn; RDS Proxy: effectively unlimited). */
  readonly maxClientConnections: number;
}

/**
 * RDS Proxy or PgBouncer in transaction mode: pods' pools connect to the proxy (client
 * connections, cheap), and each transaction borrows one of a bounded set of database
 * connections (backends), waiting up to the borrow timeout, and gives it back at its end —
 * many clients multiplexed onto few backends. Backends open as needed up to `maxBackends`
 * and stay open. A pinned client (session state: SET, prepared statements, advisory locks)
 * keeps its backend until it disconnects.
 *
 * When the database goes down its backends are lost (transactions on them fail) while the
 * client connections stay open, as RDS Proxy keeps them through a failover: new transactions
 * wait for a backend until the database is back or the borrow timeout passes.
 */
export class Proxy implements ConnectionTarget, ResourceOwner, Station, DatabaseListener {
  clientConnections = 0;
  /** Client connections refused for `maxClientConnections`. */
  refusedClients = 0;
  readonly backends: QueuedResource;

  constructor(
    readonly config: ProxyConfig,
    sim: Simulation,
    requests: Requests,
    private readonly runner: PathRunner,
    private readonly database: Database,
  ) {
    this.backends = new QueuedResource(sim, requests, this, runner.addStation(this), {
      capacity: 0,
      queueCapacity: Infinity,
      maxWaitMicros: config.borrowTimeoutMicros,
    });
    database.addListener(this);
  }

  /** Database connections the proxy holds. */
  get databaseConnections(): number {
    return this.backends.capacity;
  }

  connect(): number {
    if (this.clientConnections >= this.config.maxClientConnections) {
      this.refusedClients++;
      return REFUSED_FULL;
    }
    this.clientConnections++;
    return 0;
  }

  disconnect(_server: number, pinnedBackendGeneration: number): void {
    this.clientConnections--;
    if (pinnedBackendGeneration === this.database.generation) this.backends.release();
  }

  /** Client connections survive the database's failovers. */
  generationOf(): number {
    return 0;
  }

  /** Every backend is gone with the database. */
  databaseDown(): void {
    this.backends.clear();
    this.backends.capacity = 0;
  }

  /** Backends for the transactions that waited through the outage. */
  databaseUp(): void {
    const b = this.backends;
    let capacity = b.capacity;
    while (capacity < b.waiting && capacity < this.config.maxBackends && this.database.connect() >= 0) capacity++;
    b.setCapacity(capacity);
  }

  /** A backend for the request's transaction now (true), or later through `ProxyClient.borrowed`. */
  borrow(id: number): boolean {
    const b = this.backends;
    if (b.inUse >= b.capacity && b.capacity < this.config.maxBackends && this.database.connect() >= 0) b.capacity++;
    return b.request(id) === GRANTED;
  }

  giveBack(): void {
    this.backends.release();
  }

  granted(id: number): void {
    (this.runner.stepAt(id) as unknown as ProxyClient).borrowed(id);
  }

  waitTimedOut(id: number): void {
    (this.runner.stepAt(id) as unknown as ProxyClient).borrowTimedOut(id);
  }

  /** The app keeps waiting on its transaction when its client gave up. */
  abandon(): void {}
}
