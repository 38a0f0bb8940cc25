import type { Distribution, EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import { CAUSE_EXTERNAL_TIMEOUT, type Requests } from '../requests.js';
import type { RequestSink } from '../traffic/arrivals.js';
import type { PathRunner, Step, WorkerHost } from './path-runner.js';

/**
 * CPU work on the request's pod (processor-shared with the pod's other work). The first
 * step of a user class uses the work drawn at arrival (the same for every strategy: common
 * random numbers); later steps draw their own from the step's stream.
 */
export class CpuStep implements Step {
  constructor(
    private readonly requests: Requests,
    private readonly hosts: readonly WorkerHost[],
    private readonly work: Distribution,
    private readonly random: RandomStream,
    /** Use the work drawn at arrival (`requests.work`) instead of drawing. */
    private readonly drawnAtArrival: boolean,
  ) {}

  begin(id: number): void {
    const requests = this.requests;
    this.hosts[requests.pod[id]].compute(id, this.drawnAtArrival ? requests.work[id] : this.work.sample(this.random));
  }
}

/**
 * A synchronous call to another service: a child request walks the callee's operation while
 * the caller's worker waits. The child's deadline is the call's timeout.
 */
export class CallStep implements Step {
  constructor(
    private readonly requests: Requests,
    private readonly callee: RequestSink,
    private readonly calleeOperation: number,
    /** Deadline group of this call's timeout (`Requests.addChildGroup`). */
    private readonly deadlineGroup: number,
  ) {}

  begin(id: number): void {
    this.callee.accept(this.requests.arriveChild(id, this.calleeOperation, 0, this.deadlineGroup));
  }
}

/**
 * Waiting on something outside the model (a third-party API): a latency drawn per call;
 * beyond `timeout` the step fails with `external_timeout` at the timeout.
 */
export class ExternalStep implements Step {
  private readonly doneEvent: number;
  private readonly timeoutEvent: number;

  constructor(
    private readonly sim: Simulation,
    runner: PathRunner,
    private readonly latency: Distribution,
    private readonly random: RandomStream,
    private readonly timeoutMicros: number,
  ) {
    this.doneEvent = sim.register(new StepDone(runner));
    this.timeoutEvent = sim.register(new StepFailed(runner, CAUSE_EXTERNAL_TIMEOUT));
  }

  begin(id: number): void {
    const latency = this.latency.sample(this.random);
    if (latency > this.timeoutMicros) this.sim.schedule(this.timeoutMicros, this.timeoutEvent, id);
    else this.sim.schedule(latency, this.doneEvent, id);
  }
}

/** An event that ends a request's step (its argument is the request id). */
export class StepDone implements EventHandler {
  constructor(private readonly runner: PathRunner) {}
  handleEvent(id: number): void {
    this.runner.advance(id);
  }
}

class StepFailed implements EventHandler {
  constructor(
    private readonly runner: PathRunner,
    private readonly cause: number,
  ) {}
  handleEvent(id: number): void {
    this.runner.fail(id, this.cause);
  }
}
