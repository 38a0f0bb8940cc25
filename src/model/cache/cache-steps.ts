import type { EventHandler, Simulation } from '../../engine/index.js';
import type { PathRunner, Step, StepGuard } from '../path/path-runner.js';
import { StepDone } from '../path/steps.js';
import type { Requests } from '../requests.js';
import { HIT, MISS, REFRESH, type Cache } from './cache.js';
import type { WriteBehind } from './write-behind.js';

/**
 * A cached read, compiled flat into the operation's steps: this GET, then the miss block (the
 * steps that load the value), then a `CacheFillStep` (the SET). A hit jumps past the fill step
 * to `resumeAt`; a miss runs the miss block — or, with `coalesce`, waits for the load of the
 * same key already in flight in its pod. An early refresh (XFetch) loads although the value
 * is live, unless its pod already loads that key (then the value is served). The step guards
 * the miss block: a load that fails (or whose pod dies) ends, failing its waiters with it.
 */
export class CacheReadStep implements Step, StepGuard {
  private readonly events: number[];

  constructor(
    private readonly sim: Simulation,
    private readonly runner: PathRunner,
    private readonly requests: Requests,
    private readonly cache: Cache,
    /** The step after the fill step: where a hit goes on. */
    private readonly resumeAt: number,
    /** The guard of an enclosing miss block, if this read is inside one. */
    private readonly outer: StepGuard | undefined,
  ) {
    this.events = [HIT, MISS, REFRESH].map((outcome) => sim.register(new Answered(this, outcome)));
  }

  begin(id: number): void {
    const outcome = this.cache.get(id);
    if (this.cache.answerIn === 0) this.answered(id, outcome);
    else this.sim.schedule(this.cache.answerIn, this.events[outcome], id);
  }

  answered(id: number, outcome: number): void {
    const cache = this.cache;
    // A request whose pod died while its GET was out is let go: it must not load or wait.
    if (outcome === HIT || this.requests.isOrphaned(id)) return this.runner.jump(id, this.resumeAt);
    if (cache.config.coalesce) {
      if (outcome === MISS && cache.joinLoad(id, this.resumeAt)) return;
      if (outcome === REFRESH && cache.isLoading(id)) return this.runner.jump(id, this.resumeAt);
    }
    cache.startLoad(id);
    this.runner.advance(id);
  }

  unwound(id: number, cause: number): void {
    this.cache.endLoad(id, cause);
    this.outer?.unwound(id, cause);
  }
}

class Answered implements EventHandler {
  constructor(
    private readonly step: CacheReadStep,
    private readonly outcome: number,
  ) {}
  handleEvent(id: number): void {
    this.step.answered(id, this.outcome);
  }
}

/**
 * The end of a miss block: the value is loaded. Its waiters go on; the value is SET — by the
 * application (cache-aside: one more round trip) or by the cache itself (read-through: the
 * request has its value and goes on at once).
 */
export class CacheFillStep implements Step {
  private readonly doneEvent: number;

  constructor(
    private readonly sim: Simulation,
    private readonly runner: PathRunner,
    private readonly cache: Cache,
    private readonly readThrough: boolean,
  ) {
    this.doneEvent = sim.register(new StepDone(runner));
  }

  begin(id: number): void {
    const cache = this.cache;
    cache.set(id, this.readThrough);
    cache.endLoad(id);
    if (this.readThrough || cache.answerIn === 0) this.runner.advance(id);
    else this.sim.schedule(cache.answerIn, this.doneEvent, id);
  }
}

/**
 * A write's cache command, and wait for the answer: after its steps, SET the new value
 * (write-through) or DEL the key (invalidate); or, write-behind, SET it and leave the database
 * write to the background batch.
 */
export class CacheWriteStep implements Step {
  private readonly doneEvent: number;

  constructor(
    private readonly sim: Simulation,
    private readonly runner: PathRunner,
    private readonly cache: Cache,
    private readonly invalidate: boolean,
    private readonly behind: WriteBehind | undefined,
  ) {
    this.doneEvent = sim.register(new StepDone(runner));
  }

  begin(id: number): void {
    if (this.invalidate) this.cache.delete(id);
    else this.cache.set(id);
    this.behind?.wrote(id);
    if (this.cache.answerIn === 0) this.runner.advance(id);
    else this.sim.schedule(this.cache.answerIn, this.doneEvent, id);
  }
}
