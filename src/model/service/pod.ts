import type { Simulation } from '../../engine/index.js';
import { CAUSE_POD_TERMINATED, CAUSE_REJECTED, STAGE_ACTIVE, STAGE_QUEUED, type Requests } from '../requests.js';

/** A lifecycle time that has not happened yet (pods that predate the run have negative times). */
export const NEVER = -Infinity;
/** Remaining work at or below this (µs of one core) counts as done. */
const FINISHED_MICROS = 1e-3;

export type PodPhase = 'Pending' | 'Starting' | 'Ready' | 'Terminating' | 'Terminated';

/** Everything a pod needs to know about its service, fixed at build time. */
export interface PodTemplate {
  readonly cpuRequestMillicores: number;
  readonly memoryRequestBytes: number;
  /** CPU the pod may use: its limit, else its request. */
  readonly cpuCapMillicores: number;
  readonly workers: number;
  readonly queueCapacity: number;
  readonly warmupMicros: number;
  readonly warmupSlowdown: number;
}

/**
 * One pod: `workers` requests in service at once, sharing the pod's CPU equally
 * (processor sharing, as the kernel's CFS scheduler approximately does), each at most one
 * core; the rest wait in a bounded FIFO queue. The CPU cap throttles: with a 500m limit a
 * lone 20 ms request takes 40 ms. Service times therefore emerge from load, limit and
 * concurrency rather than being drawn.
 */
export class Pod {
  phase: PodPhase = 'Pending';
  readonly createdAt: number;
  scheduledAt = NEVER;
  /** When the container started (image pulled, process up). */
  containerStartedAt = NEVER;
  readyAt = NEVER;
  terminatingAt = NEVER;
  /** Node index, -1 while unscheduled. */
  node = -1;
  /** Accepts new requests (false once SIGTERM reached the app). */
  accepting = true;
  /** In the load balancer's endpoints. */
  inEndpoints = false;
  /** Running but failing its readiness probe (Kubernetes' Ready condition False). */
  notReady = false;
  /** Last change of the Ready condition. */
  readyConditionSince = NEVER;
  /** Times the pod went from ready to not ready. */
  readinessFailures = 0;
  probeInFlight = false;
  /** Consecutive probe results, as the kubelet counts them toward its thresholds. */
  probeFailures = 0;
  probeSuccesses = 0;

  private readonly active: Int32Array;
  activeCount = 0;
  // Ring of (request id, serial); entries of requests that timed out stay until popped.
  private readonly queue: Int32Array;
  private readonly queueSerial: Float64Array;
  private queueHead = 0;
  private queueSlots = 0; // occupied ring slots, live or dead
  /** Live requests waiting in the queue. */
  queued = 0;
  /** CPU consumed since creation, millicore·µs (what cAdvisor's usage counter reports). */
  cpuUsage = 0;
  /**
   * Work done by each request in service since the pod started, µs of one core: processor
   * sharing gives every active request the same progress, so an active request stores its
   * finish on this scale in `requests.remainingWork` and its remaining work is the
   * difference — advancing time is O(1), not O(requests in service).
   */
  private virtualWork = 0;
  /** Smallest finish (on the `virtualWork` scale) among the requests in service; Infinity when none. */
  private earliestFinish = Infinity;
  private lastUpdate: number;
  private completionHandle = -1;
  private completionAt = Infinity;
  /** Requests started and finished by this pod (for tests and summaries). */
  completed = 0;
  /** Requests the balancer sent here (the counter an app exports as http_requests_total). */
  received = 0;
  /** Requests that got a worker, and the time they waited for it in total, µs (an app's queue-duration counter). */
  started = 0;
  queueWaitMicros = 0;
  /** Time from arrival to response of the completed requests in total, µs (an app's request-duration counter). */
  latencyMicros = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly template: PodTemplate,
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly completionEvent: number,
  ) {
    this.createdAt = sim.now;
    this.lastUpdate = sim.now;
    this.active = new Int32Array(template.workers);
    this.queue = new Int32Array(Math.max(1, template.queueCapacity) * 2 + 8);
    this.queueSerial = new Float64Array(this.queue.length);
  }

  /** Requests held (in service + waiting): what "least outstanding" balances on. */
  get outstanding(): number {
    return this.activeCount + this.queued;
  }

  /** CPU in use right now, millicores. */
  get cpuInUseMillicores(): number {
    return Math.min(this.template.cpuCapMillicores, this.activeCount * 1000);
  }

  /** Takes a request from the balancer: serve it, queue it, or reject it (503). */
  offer(id: number): void {
    this.received++;
    if (!this.accepting) {
      this.requests.fail(id, CAUSE_POD_TERMINATED);
      this.requests.releaseServer(id);
      return;
    }
    this.requests.pod[id] = this.index;
    if (this.activeCount < this.template.workers) {
      this.advance();
      this.startService(id);
      // Without CPU contention the others' pace is unchanged: the pending completion event
      // stays right unless the newcomer finishes first.
      if (
        this.completionHandle >= 0 &&
        this.activeCount * 1000 <= this.template.cpuCapMillicores &&
        this.slowdown(this.sim.now) === 1 &&
        this.sim.now + Math.ceil(this.requests.remainingWork[id] - this.virtualWork) >= this.completionAt
      )
        return;
      this.reschedule();
    } else if (this.queued < this.template.queueCapacity) {
      this.enqueue(id);
    } else {
      this.requests.fail(id, CAUSE_REJECTED);
      this.requests.releaseServer(id);
    }
  }

  /** The client gave up: a waiting request leaves the queue; one in service keeps its worker. */
  abandon(id: number): void {
    if (this.requests.stage[id] === STAGE_QUEUED) {
      this.queued--;
      this.requests.releaseServer(id); // its ring slot is skipped when popped
    }
  }

  /** The pod's next completion is due. */
  complete(): void {
    this.completionHandle = -1;
    this.advance();
    const requests = this.requests;
    let earliest = Infinity;
    for (let i = 0; i < this.activeCount; ) {
      const id = this.active[i];
      const finish = requests.remainingWork[id];
      // Finished, up to float rounding of the finish−progress difference (far below 1 µs).
      if (finish - this.virtualWork <= FINISHED_MICROS) {
        this.active[i] = this.active[--this.activeCount];
        this.latencyMicros += this.sim.now - requests.arrivalTime[id];
        requests.served(id);
        this.completed++;
      } else {
        if (finish < earliest) earliest = finish;
        i++;
      }
    }
    this.earliestFinish = earliest;
    this.fillWorkers();
    this.reschedule();
  }

  /** Fails everything the pod still holds (SIGKILL, or an app that exits on SIGTERM). */
  killAll(): void {
    this.advance();
    const requests = this.requests;
    for (let i = 0; i < this.activeCount; i++) {
      requests.fail(this.active[i], CAUSE_POD_TERMINATED);
      requests.releaseServer(this.active[i]);
    }
    this.activeCount = 0;
    this.earliestFinish = Infinity;
    for (let id = this.dequeue(); id >= 0; id = this.dequeue()) {
      requests.fail(id, CAUSE_POD_TERMINATED);
      requests.releaseServer(id);
    }
    this.reschedule();
  }

  /** Brings CPU accounting and every active request's remaining work up to now. */
  advance(): void {
    const now = this.sim.now;
    const elapsed = now - this.lastUpdate;
    this.lastUpdate = now;
    const k = this.activeCount;
    if (elapsed <= 0 || k === 0) return;
    const coresEach = Math.min(1000, this.template.cpuCapMillicores / k) / 1000;
    this.cpuUsage += coresEach * 1000 * k * elapsed;
    this.virtualWork += (coresEach * elapsed) / this.slowdown(now);
  }

  private startService(id: number): void {
    this.started++;
    this.queueWaitMicros += this.sim.now - this.requests.arrivalTime[id];
    this.requests.stage[id] = STAGE_ACTIVE;
    const finish = (this.requests.remainingWork[id] += this.virtualWork); // from remaining work to finish
    if (finish < this.earliestFinish) this.earliestFinish = finish;
    this.active[this.activeCount++] = id;
  }

  private enqueue(id: number): void {
    if (this.queueSlots === this.queue.length) this.compactQueue();
    const slot = (this.queueHead + this.queueSlots) % this.queue.length;
    this.queue[slot] = id;
    this.queueSerial[slot] = this.requests.serial[id];
    this.queueSlots++;
    this.queued++;
    this.requests.stage[id] = STAGE_QUEUED;
  }

  /** Next live queued request, or -1. */
  private dequeue(): number {
    while (this.queueSlots > 0) {
      const id = this.queue[this.queueHead];
      const live = this.isLive(id, this.queueSerial[this.queueHead]);
      this.queueHead = (this.queueHead + 1) % this.queue.length;
      this.queueSlots--;
      if (live) {
        this.queued--;
        return id;
      }
    }
    return -1;
  }

  /** Drops abandoned ids when the ring is full of them. */
  private compactQueue(): void {
    let kept = 0;
    const ids = Int32Array.from(this.queue);
    const serials = Float64Array.from(this.queueSerial);
    for (let i = 0; i < this.queueSlots; i++) {
      const slot = (this.queueHead + i) % ids.length;
      if (this.isLive(ids[slot], serials[slot])) {
        this.queue[kept] = ids[slot];
        this.queueSerial[kept++] = serials[slot];
      }
    }
    this.queueHead = 0;
    this.queueSlots = kept;
  }

  private isLive(id: number, serial: number): boolean {
    const r = this.requests;
    return r.serial[id] === serial && r.stage[id] === STAGE_QUEUED && r.pod[id] === this.index;
  }

  private fillWorkers(): void {
    while (this.activeCount < this.template.workers) {
      const id = this.dequeue();
      if (id < 0) break;
      this.startService(id);
    }
  }

  /** Warm-up: work takes `slowdown`× longer at first, easing linearly to 1×. */
  private slowdown(now: number): number {
    const t = this.template;
    if (t.warmupMicros <= 0 || this.readyAt === NEVER) return 1;
    const into = now - this.readyAt;
    return into >= t.warmupMicros ? 1 : t.warmupSlowdown - ((t.warmupSlowdown - 1) * into) / t.warmupMicros;
  }

  private reschedule(): void {
    if (this.completionHandle >= 0) this.sim.cancel(this.completionHandle);
    this.completionHandle = -1;
    const k = this.activeCount;
    if (k === 0) return;
    const least = this.earliestFinish - this.virtualWork;
    const perRequest = Math.min(1000, this.template.cpuCapMillicores / k) / 1000 / this.slowdown(this.sim.now);
    const delay = least <= 0 ? 0 : Math.ceil(least / perRequest);
    this.completionAt = this.sim.now + delay;
    this.completionHandle = this.sim.schedule(delay, this.completionEvent, this.index);
  }
}
