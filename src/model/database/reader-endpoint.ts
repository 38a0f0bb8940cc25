import type { RandomStream } from '../../engine/index.js';
import type { ConnectionTarget } from './connection-pool.js';
import type { Database } from './database.js';
import type { ReplicaStream } from './replication.js';

export type ReaderRouting = 'random' | 'round-robin' | 'least-connections';

/**
 * A reader endpoint: each new connection goes to one available replica, chosen by `routing`,
 * and stays there for its lifetime — Aurora's reader endpoint resolves by DNS to a random
 * replica per connection, so every query on a pooled connection goes to the same replica
 * (Aurora MySQL DBA handbook, "Load balancing with the reader endpoint"); drivers such as the
 * AWS Advanced JDBC Wrapper pick by `random` (their default), `roundRobin` or `leastConnections`.
 * A replica added later only gets connections opened after it is available, so pools move to it
 * as their connections are replaced. With no replica available the endpoint reaches the
 * primary, as Aurora's does.
 *
 * Servers: 0 is the primary, i ≥ 1 the replica `replicas[i − 1]`.
 */
export class ReaderEndpoint implements ConnectionTarget {
  readonly servers: Database[];
  /** The replication stream of each server (undefined for the primary), once it is available. */
  readonly streams: (ReplicaStream | undefined)[];
  private readonly available: number[] = [];
  private nextRoundRobin = 0;

  constructor(
    primary: Database,
    replicas: readonly Database[],
    private readonly routing: ReaderRouting,
    private readonly random: RandomStream,
  ) {
    this.servers = [primary, ...replicas];
    this.streams = this.servers.map(() => undefined);
  }

  /** Replicas taking connections now. */
  get availableCount(): number {
    return this.available.length;
  }

  /** Replica `server` is available from now on, replicating through `stream`. */
  addAvailable(server: number, stream: ReplicaStream): void {
    this.streams[server] = stream;
    this.available.push(server);
  }

  connect(): number {
    const server = this.available.length === 0 ? 0 : this.choose();
    const result = this.servers[server].connect();
    return result < 0 ? result : server;
  }

  disconnect(server: number): void {
    this.servers[server].disconnect();
  }

  generationOf(server: number): number {
    return this.servers[server].generation;
  }

  private choose(): number {
    const available = this.available;
    if (this.routing === 'random') return available[Math.floor(this.random() * available.length)];
    if (this.routing === 'round-robin') return available[this.nextRoundRobin++ % available.length];
    let best = available[0];
    for (let i = 1; i < available.length; i++) if (this.servers[available[i]].connections < this.servers[best].connections) best = available[i];
    return best;
  }
}
