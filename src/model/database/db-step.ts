import type { Distribution, EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { PathRunner, Step } from '../path/path-runner.js';
import { CAUSE_DB_TOO_MANY_CONNECTIONS, CAUSE_POOL_TIMEOUT, CAUSE_PROXY_TIMEOUT, type Requests } from '../requests.js';
import type { ConnectionPool, PoolClient } from './connection-pool.js';
import type { Database, QueryClient } from './database.js';
import type { Proxy, ProxyClient } from './proxy.js';

/** Anything that takes wait times (a latency histogram). */
export interface WaitRecorder {
  record(micros: number): void;
}

/** Pools of one database, one per pod (by the pod's host index); a pod gets its pool when it starts. */
export interface PoolsByPod {
  readonly pools: (ConnectionPool | undefined)[];
}

/** A named query: CPU work on the database, then I/O wait (no CPU), both drawn per execution. */
export interface QueryType {
  readonly cpu: Distribution;
  readonly io: Distribution;
}

/**
 * A `db` step: take a connection from the pod's pool (waiting up to `connectionTimeout`), with
 * a proxy borrow a backend for the transaction (up to the borrow timeout), run the query's
 * CPU on the database's shared vCPUs, wait its I/O, then give everything back. Each wait that
 * runs out fails the request with its own cause: `pool_timeout`, `db_too_many_connections`
 * (the connection opened for it was refused), `proxy_timeout`.
 */
export class DbStep implements Step, PoolClient, ProxyClient, QueryClient, EventHandler {
  private readonly ioEvent: number;

  constructor(
    private readonly sim: Simulation,
    private readonly runner: PathRunner,
    private readonly requests: Requests,
    private readonly pools: PoolsByPod,
    private readonly proxy: Proxy | undefined,
    private readonly database: Database,
    private readonly query: QueryType,
    private readonly random: RandomStream,
    /** Fixed time the proxy adds to each transaction. */
    private readonly proxyLatencyMicros: number,
    private readonly poolWaits: WaitRecorder,
  ) {
    this.ioEvent = sim.register(this);
  }

  begin(id: number): void {
    if (this.poolOf(id).acquire(id)) this.connected(id);
  }

  connected(id: number): void {
    this.poolWaits.record(this.sim.now - this.requests.stepStart[id]);
    const proxy = this.proxy;
    if (proxy === undefined) return this.run(id);
    const pool = this.poolOf(id);
    const conn = this.requests.conn[id];
    if (pool.holdsBackend[conn] === 1 || proxy.borrow(id)) this.borrowed(id);
  }

  borrowed(id: number): void {
    const pool = this.poolOf(id);
    const conn = this.requests.conn[id];
    if (pool.pinned[conn] === 1) pool.holdsBackend[conn] = 1;
    this.run(id);
  }

  queryCpuDone(id: number): void {
    this.sim.schedule(this.query.io.sample(this.random) + this.proxyLatencyMicros, this.ioEvent, id);
  }

  /** The query's I/O is done: the transaction ends. */
  handleEvent(id: number): void {
    const pool = this.poolOf(id);
    if (this.proxy !== undefined && pool.pinned[this.requests.conn[id]] === 0) this.proxy.giveBack();
    pool.release(id);
    this.runner.advance(id);
  }

  poolTimedOut(id: number): void {
    this.runner.fail(id, CAUSE_POOL_TIMEOUT);
  }

  connectFailed(id: number): void {
    this.runner.fail(id, CAUSE_DB_TOO_MANY_CONNECTIONS);
  }

  borrowTimedOut(id: number): void {
    this.poolOf(id).release(id);
    this.runner.fail(id, CAUSE_PROXY_TIMEOUT);
  }

  private run(id: number): void {
    this.database.execute(id, this.query.cpu.sample(this.random));
  }

  private poolOf(id: number): ConnectionPool {
    return this.pools.pools[this.requests.pod[id]]!;
  }
}
