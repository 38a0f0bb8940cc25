import type { Simulation } from '../../engine/index.js';
import { ProcessorSharing, type WorkOwner } from '../resource/processor-sharing.js';

/** Told when a query's CPU work on the database is done. */
export interface QueryClient {
  queryCpuDone(requestId: number): void;
}

export interface DatabaseConfig {
  readonly name: string;
  readonly vcpu: number;
  /** `max_connections`: backends beyond it are refused. */
  readonly maxConnections: number;
}

/**
 * A database server: `max_connections` backend slots and vCPUs that the queries in progress
 * share (processor sharing, each query at most one core), so CPU near saturation shows as
 * rising query latency. A query's I/O wait is its step's business (no CPU), as is which
 * client gets the answer: the database calls back whoever `clientOf` names for the request.
 */
export class Database implements WorkOwner {
  /** Backends open (pool or proxy connections). */
  connections = 0;
  /** Connection attempts refused for max_connections since the start. */
  refused = 0;
  readonly cpu: ProcessorSharing;

  constructor(
    readonly config: DatabaseConfig,
    sim: Simulation,
    private readonly clientOf: { stepAt(requestId: number): unknown },
  ) {
    this.cpu = new ProcessorSharing(sim, this, config.vcpu * 1000, config.maxConnections);
  }

  /** A new backend: false when `max_connections` are already open (PostgreSQL: "too many clients already"). */
  connect(): boolean {
    if (this.connections >= this.config.maxConnections) {
      this.refused++;
      return false;
    }
    this.connections++;
    return true;
  }

  disconnect(): void {
    this.connections--;
  }

  /** Runs a query's CPU work (µs at one core) for a request holding a backend. */
  execute(id: number, cpuMicros: number): void {
    this.cpu.add(id, cpuMicros);
  }

  workDone(id: number): void {
    (this.clientOf.stepAt(id) as QueryClient).queryCpuDone(id);
  }

  slowdown(): number {
    return 1;
  }
}
