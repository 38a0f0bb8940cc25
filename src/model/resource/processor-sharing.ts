import type { EventHandler, Simulation } from '../../engine/index.js';

/** Remaining work at or below this (µs of one core) counts as done. */
const FINISHED_MICROS = 1e-3;

/** Told when a job's CPU work is done. */
export interface WorkOwner {
  workDone(requestId: number): void;
  /** Work multiplier now (≥ 1 slows down: a pod's warm-up); read at every change. */
  slowdown(): number;
  /** The background job's work is done (see `startBackground`). */
  backgroundDone?(): void;
}

/**
 * CPUs shared equally by the jobs in progress (processor sharing, as the kernel's CFS
 * scheduler approximately does), each job at most one core: a pod's CPU limit, a database's
 * vCPUs. With `capacityMillicores` of 500 a lone 20 ms job takes 40 ms; with 4 cores and 8
 * jobs each runs at half a core.
 *
 * Virtual time: every job in progress gets the same progress, so a job stores its finish on
 * the `virtualWork` scale (in `finish`, next to its id in `active`) and advancing time is
 * O(1), not O(jobs). `speed` scales all progress (a pod's warm-up slowness).
 *
 * One background job that is not a request may share the CPUs too (a read replica's WAL apply
 * thread): it counts as one more job, its finish lives in `backgroundFinish`.
 */
export class ProcessorSharing implements EventHandler {
  /** CPU consumed since creation, millicore·µs (what cAdvisor's usage counter reports). */
  cpuUsage = 0;
  activeCount = 0;
  /** Ids of the jobs in progress, by slot; `finish` holds each one's finish on the virtual scale. */
  private readonly active: Int32Array;
  private readonly finish: Float64Array;
  private virtualWork = 0;
  /** Smallest finish among the jobs in progress; Infinity when none. */
  private earliestFinish = Infinity;
  /** 1 while the background job runs, else 0. */
  private background = 0;
  private backgroundFinish = Infinity;
  // Initialized here, not only in the constructor: a field declared bare starts as `undefined` and V8 then boxes every store of a double into it.
  private lastUpdate = 0;
  private completionHandle = -1;
  private completionAt = Infinity;
  private readonly event: number;
  /** Inside `handleEvent`: additions wait for its single reschedule. */
  private completing = false;
  private readonly done: Int32Array;

  constructor(
    private readonly sim: Simulation,
    private readonly owner: WorkOwner,
    public capacityMillicores: number,
    /** Most jobs at once (the owner's concurrency). */
    maxJobs: number,
  ) {
    this.lastUpdate = sim.now;
    this.active = new Int32Array(maxJobs);
    this.finish = new Float64Array(maxJobs);
    this.done = new Int32Array(maxJobs);
    this.event = sim.register(this);
  }

  /** CPU in use right now, millicores. */
  get inUseMillicores(): number {
    return Math.min(this.capacityMillicores, (this.activeCount + this.background) * 1000);
  }

  /** Starts `workMicros` of CPU work (µs at one full core) for a request. */
  add(id: number, workMicros: number): void {
    this.advance();
    const at = this.virtualWork + workMicros;
    if (at < this.earliestFinish) this.earliestFinish = at;
    this.active[this.activeCount] = id;
    this.finish[this.activeCount++] = at;
    if (this.completing) return;
    // Without CPU contention the others' pace is unchanged: the pending completion event
    // stays right unless the newcomer finishes first.
    if (
      this.completionHandle >= 0 &&
      (this.activeCount + this.background) * 1000 <= this.capacityMillicores &&
      this.owner.slowdown() === 1 &&
      this.sim.now + Math.ceil(workMicros) >= this.completionAt
    )
      return;
    this.reschedule();
  }

  /** Removes a job before it finishes (its pod was killed); its work is lost. */
  remove(id: number): boolean {
    for (let i = 0; i < this.activeCount; i++) {
      if (this.active[i] !== id) continue;
      this.advance();
      this.removeSlot(i);
      this.recomputeEarliest();
      if (!this.completing) this.reschedule();
      return true;
    }
    return false;
  }

  /** Removes every job; returns how many, their ids in `into`. */
  removeAll(into: Int32Array): number {
    this.advance();
    const n = this.activeCount;
    into.set(this.active.subarray(0, n));
    this.activeCount = 0;
    this.earliestFinish = Infinity;
    this.reschedule();
    return n;
  }

  /** Starts the background job with `workMicros` of work (at most one runs at a time). */
  startBackground(workMicros: number): void {
    this.advance();
    this.background = 1;
    this.backgroundFinish = this.virtualWork + workMicros;
    if (!this.completing) this.reschedule();
  }

  /** Changes the CPU available (a resize, Aurora capacity units), from now on. */
  setCapacity(millicores: number): void {
    this.advance();
    this.capacityMillicores = millicores;
    this.reschedule();
  }

  /** Brings CPU accounting and every job's progress up to now. */
  advance(): void {
    const now = this.sim.now;
    const elapsed = now - this.lastUpdate;
    this.lastUpdate = now;
    const k = this.activeCount + this.background;
    if (elapsed <= 0 || k === 0) return;
    const coresEach = Math.min(1000, this.capacityMillicores / k) / 1000;
    this.cpuUsage += coresEach * 1000 * k * elapsed;
    this.virtualWork += (coresEach * elapsed) / this.owner.slowdown();
  }

  /** The next completion is due: every finished job goes to the owner, in order of progress slot. */
  handleEvent(): void {
    this.completionHandle = -1;
    this.advance();
    const active = this.active;
    const finish = this.finish;
    const progress = this.virtualWork;
    const done = this.done;
    let doneCount = 0;
    let earliest = Infinity;
    let n = this.activeCount;
    for (let i = 0; i < n; ) {
      const at = finish[i];
      // Finished, up to float rounding of the finish−progress difference (far below 1 µs).
      if (at - progress <= FINISHED_MICROS) {
        done[doneCount++] = active[i];
        // The last slot's job moves here (and is looked at next).
        n--;
        active[i] = active[n];
        finish[i] = finish[n];
      } else {
        earliest = Math.min(earliest, at); // finishes are positive numbers: the branch-free minimum
        i++;
      }
    }
    this.activeCount = n;
    this.earliestFinish = earliest;
    const backgroundDone = this.background === 1 && this.backgroundFinish - this.virtualWork <= FINISHED_MICROS;
    if (backgroundDone) {
      this.background = 0;
      this.backgroundFinish = Infinity;
    }
    // The owner may start new work here; one reschedule afterwards covers it all.
    this.completing = true;
    for (let k = 0; k < doneCount; k++) this.owner.workDone(done[k]);
    if (backgroundDone) this.owner.backgroundDone!();
    this.completing = false;
    this.reschedule();
  }

  /** The last slot's job takes slot `i`. */
  private removeSlot(i: number): void {
    const last = --this.activeCount;
    this.active[i] = this.active[last];
    this.finish[i] = this.finish[last];
  }

  private recomputeEarliest(): void {
    let earliest = Infinity;
    for (let i = 0; i < this.activeCount; i++) if (this.finish[i] < earliest) earliest = this.finish[i];
    this.earliestFinish = earliest;
  }

  private reschedule(): void {
    if (this.completionHandle >= 0) this.sim.cancel(this.completionHandle);
    this.completionHandle = -1;
    const k = this.activeCount + this.background;
    if (k === 0) return;
    const least = Math.min(this.earliestFinish, this.backgroundFinish) - this.virtualWork;
    const perJob = Math.min(1000, this.capacityMillicores / k) / 1000 / this.owner.slowdown();
    const delay = least <= 0 ? 0 : Math.ceil(least / perJob);
    this.completionAt = this.sim.now + delay;
    this.completionHandle = this.sim.schedule(delay, this.event);
  }
}
