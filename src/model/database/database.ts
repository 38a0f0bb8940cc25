import type { Simulation } from '../../engine/index.js';
import { ProcessorSharing, type WorkOwner } from '../resource/processor-sharing.js';
import { REFUSED_DOWN, REFUSED_FULL, type ConnectionTarget } from './connection-pool.js';

/** Told how a query's CPU work on the database ended. */
export interface QueryClient {
  queryCpuDone(requestId: number): void;
  /** The database went down while the query ran: its work is lost. */
  queryFailed(requestId: number): void;
}

/** Told when the database goes down and comes back (a proxy drops and reopens its backends). */
export interface DatabaseListener {
  databaseDown(): void;
  databaseUp(): void;
}

export interface DatabaseConfig {
  readonly name: string;
  readonly vcpu: number;
  /** `max_connections`: backends beyond it are refused. */
  readonly maxConnections: number;
  /** Most queries it can ever run at once: the largest `max_connections` it will have (after a resize). */
  readonly maxJobs: number;
}

/**
 * A database server: `max_connections` backend slots and vCPUs that the queries in progress
 * share (processor sharing, each query at most one core), so CPU near saturation shows as
 * rising query latency. A query's I/O wait is its step's business (no CPU), as is which
 * client gets the answer: the database calls back whoever `clientOf` names for the request.
 *
 * It can go down (a resize's failover or restart): its backends vanish, queries in progress
 * fail, new connections are refused until it is back. `generation` counts its incarnations, so
 * a connection or a query begun under an earlier one is known to be lost.
 */
export class Database implements WorkOwner, ConnectionTarget {
  /** Backends open (pool or proxy connections). */
  connections = 0;
  /** Connection attempts refused for max_connections since the start. */
  refused = 0;
  vcpu: number;
  maxConnections: number;
  available = true;
  generation = 0;
  readonly cpu: ProcessorSharing;
  /** Told when the background job (a replica's WAL apply thread) finishes its work. */
  backgroundClient: { backgroundDone(): void } | undefined;
  private readonly listeners: DatabaseListener[] = [];
  private readonly failing: Int32Array;
  private vcpuArea = 0;
  private vcpuSince: number;

  constructor(
    readonly config: DatabaseConfig,
    private readonly sim: Simulation,
    private readonly clientOf: { stepAt(requestId: number): unknown },
  ) {
    this.vcpu = config.vcpu;
    this.maxConnections = config.maxConnections;
    this.cpu = new ProcessorSharing(sim, this, config.vcpu * 1000, config.maxJobs);
    this.failing = new Int32Array(config.maxJobs);
    this.vcpuSince = sim.now;
  }

  addListener(listener: DatabaseListener): void {
    this.listeners.push(listener);
  }

  /** A new backend: refused when down, or when `max_connections` are open (PostgreSQL: "too many clients already"). */
  connect(): number {
    if (!this.available) return REFUSED_DOWN;
    if (this.connections >= this.maxConnections) {
      this.refused++;
      return REFUSED_FULL;
    }
    this.connections++;
    return 0;
  }

  disconnect(): void {
    this.connections--;
  }

  generationOf(): number {
    return this.generation;
  }

  /** Runs a query's CPU work (µs at one core) for a request holding a backend. */
  execute(id: number, cpuMicros: number): void {
    this.cpu.add(id, cpuMicros);
  }

  workDone(id: number): void {
    (this.clientOf.stepAt(id) as QueryClient).queryCpuDone(id);
  }

  backgroundDone(): void {
    this.backgroundClient!.backgroundDone();
  }

  slowdown(): number {
    return 1;
  }

  /** Changes the vCPUs from now on (Aurora Serverless v2 capacity), without an outage. */
  setVcpu(vcpu: number): void {
    this.accumulateVcpu();
    this.vcpu = vcpu;
    this.cpu.setCapacity(vcpu * 1000);
  }

  /** ∫ vCPUs dt since the start, vCPU·µs (the denominator of a CPU utilization over an interval). */
  vcpuIntegral(): number {
    return this.vcpuArea + this.vcpu * (this.sim.now - this.vcpuSince);
  }

  /** The server stops: every backend is gone, queries on its CPUs fail, connections are refused. Returns those queries' count. */
  goDown(): number {
    this.available = false;
    this.generation++;
    this.connections = 0;
    for (const listener of this.listeners) listener.databaseDown();
    const n = this.cpu.removeAll(this.failing);
    for (let i = 0; i < n; i++) (this.clientOf.stepAt(this.failing[i]) as QueryClient).queryFailed(this.failing[i]);
    return n;
  }

  /** The server is back with `vcpu` and `maxConnections` (a resize's new instance class). */
  comeUp(vcpu: number, maxConnections: number): void {
    this.setVcpu(vcpu);
    this.maxConnections = maxConnections;
    this.available = true;
    for (const listener of this.listeners) listener.databaseUp();
  }

  private accumulateVcpu(): void {
    const now = this.sim.now;
    this.vcpuArea += this.vcpu * (now - this.vcpuSince);
    this.vcpuSince = now;
  }
}
