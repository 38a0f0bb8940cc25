import { EventQueue } from './event-queue.js';
import { RandomStreams, type RandomStream } from './random.js';
import type { Micros } from './time.js';

/** Anything that reacts to scheduled events. `arg` is an integer chosen by whoever scheduled it. */
export interface EventHandler {
  handleEvent(arg: number): void;
}

/**
 * The discrete-event kernel: a clock, an event queue and the seeded random streams.
 * It knows nothing about what the events mean.
 *
 * Components register one handler object per kind of event at build time and schedule
 * (handlerId, arg) pairs, so nothing is allocated per event. Time is integer microseconds;
 * delays are rounded to the nearest microsecond. Ordering follows `EventQueue`'s contract:
 * by time, then by the order in which events were scheduled.
 */
export class Simulation {
  private readonly queue = new EventQueue(4096);
  private readonly handlers: EventHandler[] = [];
  /** Each handler's `handleEvent`, looked up once: the loop then calls it without a megamorphic property load. */
  private readonly methods: ((this: EventHandler, arg: number) => void)[] = [];
  private readonly streams: RandomStreams;
  private currentTime: Micros = 0;
  private stopped = false;
  private processed = 0;

  constructor(readonly seed: string | number) {
    this.streams = new RandomStreams(seed);
  }

  get now(): Micros {
    return this.currentTime;
  }

  /** Events handled so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Registers a handler and returns its id for `schedule`; its `handleEvent` is read now, once. */
  register(handler: EventHandler): number {
    this.handlers.push(handler);
    this.methods.push(handler.handleEvent);
    return this.handlers.length - 1;
  }

  /** Schedules `handler` to run `delay` µs from now; returns a handle for `cancel`. */
  schedule(delay: Micros, handler: number, arg = 0): number {
    if (!(delay >= 0)) throwPast(this.currentTime + delay, this.currentTime);
    return this.queue.push(this.currentTime + Math.round(delay), handler, arg);
  }

  scheduleAt(time: Micros, handler: number, arg = 0): number {
    if (!(time >= this.currentTime)) throwPast(time, this.currentTime);
    return this.queue.push(Math.round(time), handler, arg);
  }

  /** Cancels a scheduled event; false when it already ran or was cancelled. */
  cancel(handle: number): boolean {
    return this.queue.cancel(handle);
  }

  /** A named random stream; the same name always yields the same sequence for a given seed. */
  random(streamName: string): RandomStream {
    return this.streams.get(streamName);
  }

  /**
   * Runs events with time ≤ `until`, then sets the clock to `until`.
   * Returns early (clock at the last event) if `stop()` was called.
   */
  runUntil(until: Micros): void {
    this.stopped = false;
    const queue = this.queue;
    const handlers = this.handlers;
    const methods = this.methods;
    while (!this.stopped && queue.popUntil(until)) {
      this.currentTime = queue.poppedTime;
      this.processed++;
      const h = queue.poppedHandler;
      methods[h].call(handlers[h], queue.poppedArg);
    }
    if (!this.stopped) this.currentTime = Math.max(this.currentTime, until);
  }

  /** Stops `runUntil` after the current event. */
  stop(): void {
    this.stopped = true;
  }
}

/** Out of line: a throw with a message would make the hot `schedule` too big to inline. */
function throwPast(time: number, now: number): never {
  throw new RangeError(`cannot schedule at ${time} µs, now is ${now}`);
}
