import type { EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { KeyPopularity } from '../keys/popularity.js';
import type { Requests } from '../requests.js';
import type { RateCurve } from './rate-curve.js';
import type { RequestMix } from './request-mix.js';

/** Whatever takes a new request: a service's load balancer, later an edge or gateway. */
export interface RequestSink {
  accept(requestId: number): void;
}

/** The keys of one class: drawn from its popularity with its own stream, numbered from its key space's first id. */
export interface ClassKeys {
  readonly popularity: KeyPopularity;
  readonly random: RandomStream;
  /** Id of the key space's key 0 (key spaces are numbered one after another). */
  readonly firstId: number;
}

/**
 * Where users' requests enter: each is created on its class's operation (the path it walks),
 * given its key if its class has one, and handed to its class's service.
 */
export class Entry {
  constructor(
    private readonly requests: Requests,
    /** Operation of each class. */
    private readonly operations: Int32Array,
    /** First hop of each class. */
    private readonly sinks: readonly RequestSink[],
    /** Keys of each class, undefined for a class without. */
    private readonly keys: readonly (ClassKeys | undefined)[],
  ) {}

  admit(classId: number, workMicros: number): void {
    const requests = this.requests;
    const id = requests.arrive(classId, this.operations[classId], workMicros);
    const keys = this.keys[classId];
    if (keys !== undefined) requests.key[id] = keys.firstId + keys.popularity.draw(keys.random);
    this.sinks[classId].accept(id);
  }
}

/** Thinning windows: short enough that a 50x spike's rise does not inflate the bound for long. */
const WINDOW_MICROS = 1_000_000;

/**
 * Arrivals of a non-homogeneous Poisson process with the given rate curve, generated
 * exactly by thinning (Lewis & Shedler) against a per-window upper bound of the curve.
 * One event per arrival: it creates the request, hands it on, and schedules the next.
 */
export class CurveArrivals implements EventHandler {
  private readonly event: number;
  private candidate = 0; // continuous time of the last candidate, µs
  private windowEnd = 0;
  private bound = 0; // upper bound of the rate in the current window, per µs
  private floor = 0; // lower bound of the rate in the current window, per s
  private flat = false; // the rate is constant over the window: every candidate is accepted

  constructor(
    private readonly sim: Simulation,
    private readonly curve: RateCurve,
    private readonly random: RandomStream,
    private readonly mix: RequestMix,
    private readonly entry: Entry,
    private readonly endMicros: number,
  ) {
    this.event = sim.register(this);
  }

  start(): void {
    this.windowEnd = 0;
    this.candidate = 0;
    this.scheduleNext();
  }

  handleEvent(): void {
    const classId = this.mix.drawClass();
    const work = this.mix.drawWork(classId);
    this.entry.admit(classId, work);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const random = this.random;
    let t = this.candidate;
    for (;;) {
      if (t >= this.windowEnd) {
        const start = this.windowEnd;
        if (start >= this.endMicros) return;
        this.windowEnd = start + WINDOW_MICROS;
        this.bound = this.curve.maxOver(start, this.windowEnd) / 1e6;
        this.floor = this.curve.minOver(start, this.windowEnd);
        this.flat = this.floor / 1e6 >= this.bound;
        t = start;
      }
      if (this.bound <= 0) {
        t = this.windowEnd;
        continue;
      }
      const next = t - Math.log(1 - random()) / this.bound;
      if (next >= this.windowEnd) {
        // Memoryless: restart the exponential clock at the window boundary.
        t = this.windowEnd;
        continue;
      }
      t = next;
      // Thinning's acceptance test, skipped (not drawn) when it cannot fail; the curve is
      // evaluated only when the draw is above the window's lower bound (the same verdict).
      if (this.flat) break;
      const draw = random() * this.bound * 1e6;
      if (draw <= this.floor || draw <= this.curve.at(t)) break;
    }
    this.candidate = t;
    if (t < this.endMicros) this.sim.scheduleAt(Math.max(this.sim.now, Math.round(t)), this.event);
  }
}

/** Replays precomputed arrival times (µs, ascending), one pass at a time, looping if asked. */
export class ReplayArrivals implements EventHandler {
  private readonly event: number;
  private times: Float64Array = new Float64Array(0);
  private index = 0;
  private pass = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly nextPass: (pass: number) => Float64Array,
    private readonly passDurationMicros: number,
    private readonly loop: boolean,
    private readonly mix: RequestMix,
    private readonly entry: Entry,
    private readonly endMicros: number,
  ) {
    this.event = sim.register(this);
  }

  start(): void {
    this.times = this.nextPass(0);
    this.scheduleNext();
  }

  handleEvent(): void {
    const classId = this.mix.drawClass();
    const work = this.mix.drawWork(classId);
    this.entry.admit(classId, work);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    while (this.index >= this.times.length) {
      if (!this.loop || this.passDurationMicros <= 0) return;
      this.pass++;
      if (this.pass * this.passDurationMicros >= this.endMicros) return;
      this.times = this.nextPass(this.pass);
      this.index = 0;
    }
    const t = this.pass * this.passDurationMicros + this.times[this.index++];
    if (t < this.endMicros) this.sim.scheduleAt(Math.max(this.sim.now, Math.round(t)), this.event);
  }
}
