import type { Simulation } from '../../engine/index.js';
import {
  CAUSE_DOWNSTREAM_ERROR,
  CAUSE_POD_TERMINATED,
  CAUSE_DOWNSTREAM_TIMEOUT,
  CAUSE_TIMEOUT,
  type AbandonListener,
  type ChildClient,
  type Requests,
} from '../requests.js';

/**
 * One step of a path (`cpu`, `call`, `external`, later `db`, `cache`, `publish` …). `begin`
 * starts it for a request; whatever serves the step then calls the runner's `advance` (done)
 * or `fail` (the step failed, with a cause) exactly once.
 */
export interface Step {
  begin(requestId: number): void;
}

/** Where a request can wait (a queued resource): told when the request's client gives up. */
export interface Station {
  abandon(requestId: number): void;
}

/** What a path needs of the pod whose worker a request holds. */
export interface WorkerHost {
  /** CPU work for a `cpu` step, on the pod's CPU. */
  compute(requestId: number, workMicros: number): void;
  /** The request's path is over: its worker is free. The latency of a success, −1 for a failure. */
  releaseWorker(servedLatencyMicros: number): void;
}

/** Outcomes of the requests one service served (per-service latency and errors). */
export interface ServiceOutcomes {
  servedOne(latencyMicros: number): void;
  failedOne(cause: number): void;
}

/**
 * Where the time of an operation's requests went: the wait for a worker, and each step that
 * completed, its whole time and the part of it spent waiting (`requests.stepWait`).
 */
export interface StepTimes {
  workerGranted(op: number, waitMicros: number): void;
  stepDone(op: number, step: number, timeMicros: number, waitMicros: number): void;
}

/**
 * Told when a request leaves one of the steps it guards without finishing it — the step failed,
 * or the request's pod died while it was there: a cache's miss block, whose load other
 * requests may be waiting for.
 */
export interface StepGuard {
  unwound(requestId: number, cause: number): void;
}

/** An operation: a path of steps run by one service's pods. */
interface Operation {
  readonly steps: Step[];
  readonly outcomes: ServiceOutcomes | undefined;
  /** Per step, who is told when a request leaves it unfinished (undefined for most steps). */
  readonly guards: (StepGuard | undefined)[];
}

/**
 * Walks requests along their paths. A request gets a pod's worker (`start`), begins step 0,
 * and each step, when done, hands it back (`advance`) to begin the next; after the last one
 * the request is answered and its worker freed. A step that fails (`fail`) fails the request
 * with the step's cause and frees the worker. The worker is held for the whole path; only
 * `cpu` steps use the pod's CPU.
 *
 * A `call` step's child request reports to its parent through `childAnswered`: success
 * advances the parent, a child's failure fails the parent with `downstream_error`, the
 * call's own timeout with `downstream_timeout`.
 *
 * A request whose pod died while it was at a step elsewhere (orphaned) already has its
 * error; when that step ends, it is let go without going on.
 */
export class PathRunner implements ChildClient, AbandonListener {
  private readonly operations: Operation[] = [];
  /** Every pod of every service, by global index (the requests' `pod` column). */
  readonly hosts: WorkerHost[] = [];
  private readonly stations: Station[] = [];
  /** Told the worker wait and each completed step's time; undefined when nobody measures them. */
  stepTimes: StepTimes | undefined;

  constructor(
    readonly sim: Simulation,
    readonly requests: Requests,
  ) {
    requests.onChildAnswered(this);
    requests.onAbandon(this);
  }

  /** Declares an operation; its steps are filled in later (paths may call each other). Returns its id. */
  addOperation(outcomes?: ServiceOutcomes): number {
    this.operations.push({ steps: [], outcomes, guards: [] });
    return this.operations.length - 1;
  }

  setSteps(op: number, steps: readonly Step[]): void {
    this.operations[op].steps.push(...steps);
  }

  /** `guard` is told of requests that leave steps from…to−1 of `op` unfinished. */
  guardSteps(op: number, from: number, to: number, guard: StepGuard): void {
    for (let i = from; i < to; i++) this.operations[op].guards[i] = guard;
  }

  addHost(host: WorkerHost): number {
    this.hosts.push(host);
    return this.hosts.length - 1;
  }

  addStation(station: Station): number {
    this.stations.push(station);
    return this.stations.length - 1;
  }

  /** The request got its worker: its path begins. */
  start(id: number): void {
    const requests = this.requests;
    const now = this.sim.now;
    const op = requests.op[id];
    requests.step[id] = 0;
    requests.stepStart[id] = now;
    requests.stepWait[id] = 0;
    if (this.stepTimes !== undefined) this.stepTimes.workerGranted(op, now - requests.arrivalTime[id]);
    this.operations[op].steps[0].begin(id);
  }

  /** The step a request is at (a step's resources call it back through this). */
  stepAt(id: number): Step {
    return this.operations[this.requests.op[id]].steps[this.requests.step[id]];
  }

  /** The request's current step is done: the next begins, or the path is over. */
  advance(id: number): void {
    this.jump(id, this.requests.step[id] + 1);
  }

  /** The request's current step is done and its path goes on at step `next` (a cache hit skips the miss block). */
  jump(id: number, next: number): void {
    const requests = this.requests;
    if (requests.isOrphaned(id)) {
      this.unwind(id, CAUSE_POD_TERMINATED);
      requests.releaseServer(id);
      return;
    }
    const now = this.sim.now;
    const op = requests.op[id];
    const operation = this.operations[op];
    const done = requests.step[id];
    if (this.stepTimes !== undefined) this.stepTimes.stepDone(op, done, now - requests.stepStart[id], requests.stepWait[id]);
    requests.step[id] = next;
    if (next < operation.steps.length) {
      requests.stepStart[id] = now;
      requests.stepWait[id] = 0;
      operation.steps[next].begin(id);
      return;
    }
    const host = this.hosts[requests.pod[id]];
    const latency = now - requests.arrivalTime[id];
    if (operation.outcomes !== undefined) operation.outcomes.servedOne(latency);
    requests.served(id);
    host.releaseWorker(latency);
  }

  /** The request's current step failed: the request fails with `cause` and frees its worker. */
  fail(id: number, cause: number): void {
    const requests = this.requests;
    this.unwind(id, requests.isOrphaned(id) ? CAUSE_POD_TERMINATED : cause);
    if (requests.isOrphaned(id)) {
      requests.releaseServer(id);
      return;
    }
    const host = this.hosts[requests.pod[id]];
    const outcomes = this.operations[requests.op[id]].outcomes;
    if (outcomes !== undefined) outcomes.failedOne(cause);
    requests.fail(id, cause);
    requests.releaseServer(id);
    host.releaseWorker(-1);
  }

  /** Tells the guard of the request's step, if any, that the request leaves it unfinished. */
  private unwind(id: number, cause: number): void {
    const guard = this.operations[this.requests.op[id]].guards[this.requests.step[id]];
    if (guard !== undefined) guard.unwound(id, cause);
  }

  childAnswered(parent: number, ok: boolean, cause: number): void {
    if (ok) this.advance(parent);
    else this.fail(parent, cause === CAUSE_TIMEOUT ? CAUSE_DOWNSTREAM_TIMEOUT : CAUSE_DOWNSTREAM_ERROR);
  }

  /** A client gave up: a request still waiting somewhere leaves that queue (servers keep the rest). */
  abandoned(id: number): void {
    const station = this.requests.station[id];
    if (station >= 0) this.stations[station].abandon(id);
  }
}
