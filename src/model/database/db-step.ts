import type { Distribution, EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { PathRunner, Step } from '../path/path-runner.js';
import { CAUSE_DB_TOO_MANY_CONNECTIONS, CAUSE_DB_UNAVAILABLE, CAUSE_POOL_TIMEOUT, CAUSE_PROXY_TIMEOUT, type Requests } from '../requests.js';
import { REFUSED_DOWN, type ConnectionPool, type PoolClient } from './connection-pool.js';
import type { Database, QueryClient } from './database.js';
import type { Proxy, ProxyClient } from './proxy.js';
import type { ReplicaStream, Replication } from './replication.js';
import type { ShardRouter } from './sharding.js';

/** Anything that takes wait times (a latency histogram). */
export interface WaitRecorder {
  record(micros: number): void;
}

/** Pools of one database endpoint, one per pod (by the pod's host index); a pod gets its pool when it starts. */
export interface PoolsByPod {
  readonly pools: (ConnectionPool | undefined)[];
}

/** A named query: CPU work on the database, then I/O wait (no CPU), both drawn per execution. */
export interface QueryType {
  readonly cpu: Distribution;
  readonly io: Distribution;
}

/**
 * Where a `db` step's queries go: the pods' pools for one endpoint (the primary, possibly
 * through a proxy; or the reader endpoint), and the servers a pool's connection can reach
 * (`ConnectionPool.server` indexes them).
 */
export interface DbRoute {
  readonly pools: PoolsByPod;
  readonly proxy: Proxy | undefined;
  readonly servers: readonly Database[];
  /** Reads: each server's replication stream (undefined for the primary), to tell stale reads. */
  readonly streams: readonly (ReplicaStream | undefined)[] | undefined;
  /** Writes with replicas: the primary's WAL, to which each commit is appended. */
  readonly replication: Replication | undefined;
  /** Where its reads on replicas are counted. */
  readonly reads: ReadCounts;
}

/** A sharded database's shard picker, and where its key space starts among the request key ids. */
export interface ShardedRoutes {
  readonly router: ShardRouter;
  readonly firstKeyId: number;
}

/** What the reads on replicas came to. */
export interface ReadCounts {
  replicaReads: number;
  /** Reads on a replica that had not yet applied a write of the same request (read-your-writes broken). */
  staleReads: number;
}

/**
 * A `db` step: take a connection from the pod's pool (waiting up to `connectionTimeout`), with
 * a proxy borrow a backend for the transaction (up to the borrow timeout), run the query's
 * CPU on its server's shared vCPUs, wait its I/O, then give everything back. Each wait that
 * runs out fails the request with its own cause: `pool_timeout`, `db_too_many_connections`
 * (the connection opened for it was refused), `proxy_timeout`. A query whose server went down
 * meanwhile (a resize) is lost and fails with `db_unavailable`, as does a connection refused
 * by a server that is down. A write that commits is appended to the replicas' WAL; a read on a
 * replica that has not applied its request's own last write is counted stale.
 *
 * On a sharded database each shard is a database with its own route (pools, proxy, replicas):
 * the step picks the shard from the request's key when it begins and keeps it for its callbacks.
 */
export class DbStep implements Step, PoolClient, ProxyClient, QueryClient, EventHandler {
  private readonly ioEvent: number;

  constructor(
    private readonly sim: Simulation,
    private readonly runner: PathRunner,
    private readonly requests: Requests,
    /** One route per shard (one in all for a database that is not sharded). */
    private readonly routes: readonly DbRoute[],
    private readonly query: QueryType,
    /** Replay work of this write on each replica (used when `route.replication` is set). */
    private readonly apply: Distribution,
    private readonly random: RandomStream,
    /** Fixed time the proxy adds to each transaction. */
    private readonly proxyLatencyMicros: number,
    private readonly poolWaits: WaitRecorder,
    private readonly shards: ShardedRoutes | undefined,
  ) {
    this.ioEvent = sim.register(this);
  }

  begin(id: number): void {
    const shards = this.shards;
    this.requests.shard[id] = shards === undefined ? 0 : shards.router.route(this.requests.key[id] - shards.firstKeyId);
    if (this.poolOf(id).acquire(id)) this.connected(id);
  }

  connected(id: number): void {
    this.poolWaits.record(this.sim.now - this.requests.stepStart[id]);
    const route = this.routeOf(id);
    const proxy = route.proxy;
    if (proxy === undefined) return this.run(id);
    const pool = this.poolOf(id);
    const conn = this.requests.conn[id];
    // A pinned backend from before a failover is gone.
    if (pool.holdsBackend[conn] === 1 && pool.queryGeneration[conn] !== route.servers[0].generation) pool.holdsBackend[conn] = 0;
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

  /** The query's I/O is done: the transaction ends (or it is found lost to a failover). */
  handleEvent(id: number): void {
    const route = this.routeOf(id);
    const pool = this.poolOf(id);
    const conn = this.requests.conn[id];
    if (pool.queryGeneration[conn] !== route.servers[pool.server[conn]].generation) return this.queryFailed(id);
    if (route.proxy !== undefined && pool.pinned[conn] === 0) route.proxy.giveBack();
    pool.release(id);
    const replication = route.replication;
    if (replication !== undefined) this.requests.lastWriteLsn[id] = replication.commit(this.apply.sample(this.random));
    this.runner.advance(id);
  }

  /** Its server went down: the backend (and a proxy's) is gone; the pool discards a dead connection. */
  queryFailed(id: number): void {
    const pool = this.poolOf(id);
    pool.holdsBackend[this.requests.conn[id]] = 0;
    pool.release(id);
    this.runner.fail(id, CAUSE_DB_UNAVAILABLE);
  }

  poolTimedOut(id: number): void {
    this.runner.fail(id, CAUSE_POOL_TIMEOUT);
  }

  connectFailed(id: number, refusal: number): void {
    this.runner.fail(id, refusal === REFUSED_DOWN ? CAUSE_DB_UNAVAILABLE : CAUSE_DB_TOO_MANY_CONNECTIONS);
  }

  borrowTimedOut(id: number): void {
    this.poolOf(id).release(id);
    this.runner.fail(id, CAUSE_PROXY_TIMEOUT);
  }

  private run(id: number): void {
    const route = this.routeOf(id);
    const pool = this.poolOf(id);
    const conn = this.requests.conn[id];
    const server = pool.server[conn];
    const database = route.servers[server];
    // Everything before the query runs (pool, proxy borrow) was waiting.
    this.requests.stepWait[id] += this.sim.now - this.requests.stepStart[id];
    pool.queryGeneration[conn] = database.generation;
    const streams = route.streams;
    if (streams !== undefined && server > 0) {
      route.reads.replicaReads++;
      if (this.requests.lastWriteLsn[id] > streams[server]!.appliedLsn) route.reads.staleReads++;
    }
    database.execute(id, this.query.cpu.sample(this.random));
  }

  private routeOf(id: number): DbRoute {
    return this.routes[this.requests.shard[id]];
  }

  private poolOf(id: number): ConnectionPool {
    return this.routeOf(id).pools.pools[this.requests.pod[id]]!;
  }
}
