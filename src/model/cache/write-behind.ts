import type { EventHandler, Simulation } from '../../engine/index.js';
import type { PathRunner } from '../path/path-runner.js';
import type { InternalClient, Requests } from '../requests.js';
import type { RequestSink } from '../traffic/arrivals.js';
import { LoadTable } from './load-table.js';

/**
 * Write-behind: a write SETs the cache and goes on at once; its database write happens later,
 * off the request's path. Every `intervalMicros` the keys written since the last batch are
 * written once each (writes to one key in between collapse into one: the relief write-behind
 * buys), each as a background request walking the write's steps on one of the service's pods —
 * a worker, its pool, the database — as an application's flush thread does. A background write
 * that fails or times out is a write lost (`lost`): the cache had it, the database never will.
 */
export class WriteBehind implements EventHandler, InternalClient {
  /** Background writes that reached the database, and those lost. */
  written = 0;
  lost = 0;
  private readonly dirty = new LoadTable();
  private readonly classId: number;
  private readonly event: number;
  private op = -1;

  constructor(
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly runner: PathRunner,
    private readonly service: RequestSink,
    private readonly intervalMicros: number,
    timeoutMicros: number,
  ) {
    this.classId = requests.addInternalClass(timeoutMicros, this);
    this.event = sim.register(this);
  }

  /** The operation whose steps write one key to the database. */
  setOperation(op: number): void {
    this.op = op;
  }

  start(): void {
    this.sim.schedule(this.intervalMicros, this.event);
  }

  /** Request `id` wrote its key to the cache: the key is due at the next batch. */
  wrote(id: number): void {
    const key = this.requests.key[id];
    if (key >= 0 && this.dirty.find(key, 0) < 0) this.dirty.add(key, 0);
  }

  /** A batch: one background write per key written since the last. */
  handleEvent(): void {
    const dirty = this.dirty;
    const n = dirty.count;
    for (let e = 0; e < n; e++) {
      const id = this.requests.arrive(this.classId, this.op, 0);
      this.requests.key[id] = dirty.key[e];
      this.service.accept(id);
    }
    dirty.clear();
    this.sim.schedule(this.intervalMicros, this.event);
  }

  answered(_id: number, ok: boolean): void {
    if (ok) this.written++;
    else this.lost++;
  }

  abandoned(id: number): void {
    this.runner.abandoned(id);
  }
}
