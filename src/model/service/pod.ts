import type { Simulation } from '../../engine/index.js';
import type { PathRunner, Station, WorkerHost } from '../path/path-runner.js';
import { ProcessorSharing, type WorkOwner } from '../resource/processor-sharing.js';
import { GRANTED, QueuedResource, REFUSED, type ResourceOwner } from '../resource/queued-resource.js';
import { CAUSE_POD_TERMINATED, CAUSE_REJECTED, type Requests } from '../requests.js';

/** A lifecycle time that has not happened yet (pods that predate the run have negative times). */
export const NEVER = -Infinity;

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

/** Told when a stopping pod lets go of its last request. */
export interface PodOwner {
  podDrained(pod: Pod): void;
}

/**
 * One pod: `workers` requests at once, each holding its worker for its whole path; the rest
 * wait in a bounded FIFO (a queued resource). Work in `cpu` steps shares the pod's CPU
 * (processor sharing, each request at most one core); the CPU cap throttles: with a 500m
 * limit a lone 20 ms step takes 40 ms. Service times therefore emerge from load, limit and
 * concurrency rather than being drawn.
 */
export class Pod implements ResourceOwner, WorkOwner, Station, WorkerHost {
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
  /** Requests the balancer sent here (the counter an app exports as http_requests_total). */
  received = 0;
  /** Requests that got a worker, and the time they waited for it in total, µs (an app's queue-duration counter). */
  started = 0;
  queueWaitMicros = 0;
  /** Requests answered successfully, and their time from arrival to response in total, µs (an app's request-duration counter). */
  completed = 0;
  latencyMicros = 0;
  /** Index in the path runner's hosts (the requests' `pod` column). */
  readonly hostIndex: number;
  readonly workers: QueuedResource;
  readonly cpu: ProcessorSharing;
  private readonly killScratch: Int32Array;
  private readonly heldScratch: number[] = [];

  constructor(
    readonly index: number,
    readonly name: string,
    readonly template: PodTemplate,
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly runner: PathRunner,
    private readonly owner: PodOwner,
  ) {
    this.createdAt = sim.now;
    this.hostIndex = runner.addHost(this);
    this.workers = new QueuedResource(sim, requests, this, runner.addStation(this), {
      capacity: template.workers,
      queueCapacity: template.queueCapacity,
      maxWaitMicros: Infinity,
    });
    this.cpu = new ProcessorSharing(sim, this, template.cpuCapMillicores, template.workers);
    this.killScratch = new Int32Array(template.workers);
  }

  /** Requests held (in service + waiting): what "least outstanding" balances on. */
  get outstanding(): number {
    return this.workers.inUse + this.workers.waiting;
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.workers.waiting;
  }

  /** CPU consumed since creation, millicore·µs (what cAdvisor's usage counter reports). */
  get cpuUsage(): number {
    return this.cpu.cpuUsage;
  }

  /** Takes a request from the balancer: start its path, queue it, or reject it (503). */
  offer(id: number): void {
    this.received++;
    const requests = this.requests;
    if (!this.accepting) {
      requests.fail(id, CAUSE_POD_TERMINATED);
      requests.releaseServer(id);
      return;
    }
    requests.pod[id] = this.hostIndex;
    const outcome = this.workers.request(id);
    if (outcome === GRANTED) this.granted(id);
    else if (outcome === REFUSED) {
      requests.fail(id, CAUSE_REJECTED);
      requests.releaseServer(id);
    }
  }

  granted(id: number): void {
    this.started++;
    this.queueWaitMicros += this.sim.now - this.requests.arrivalTime[id];
    this.runner.start(id);
  }

  waitTimedOut(): void {
    // Workers have no wait limit: the client's own deadline ends a wait.
  }

  compute(id: number, workMicros: number): void {
    this.cpu.add(id, workMicros);
  }

  workDone(id: number): void {
    this.runner.advance(id);
  }

  releaseWorker(servedLatencyMicros: number): void {
    if (servedLatencyMicros >= 0) {
      this.completed++;
      this.latencyMicros += servedLatencyMicros;
    }
    this.workers.release();
    if (!this.accepting && this.outstanding === 0) this.owner.podDrained(this);
  }

  /** The client gave up: a request still waiting for a worker leaves the queue; one in progress keeps its worker. */
  abandon(id: number): void {
    this.workers.abandon(id);
    this.requests.releaseServer(id);
  }

  /**
   * Fails everything the pod still holds (SIGKILL, or an app that exits on SIGTERM). Requests
   * away at a step elsewhere (a call, the database, waiting on the pool or the proxy) are
   * orphaned: they get their error now and are let go when that step ends.
   */
  killAll(): void {
    const requests = this.requests;
    const inCpu = this.killScratch;
    const n = this.cpu.removeAll(inCpu);
    for (let i = 0; i < n; i++) {
      requests.fail(inCpu[i], CAUSE_POD_TERMINATED);
      requests.releaseServer(inCpu[i]);
    }
    for (const id of requests.heldAt(this.hostIndex, this.heldScratch)) {
      // Waiting for a worker: drained below. Waiting elsewhere (a pool, a proxy) is away at a step: orphaned.
      if (requests.station[id] === this.workers.stationId) continue;
      requests.fail(id, CAUSE_POD_TERMINATED);
      requests.orphan(id);
    }
    for (let id = this.workers.dequeue(); id >= 0; id = this.workers.dequeue()) {
      requests.fail(id, CAUSE_POD_TERMINATED);
      requests.releaseServer(id);
    }
    this.workers.clear();
  }

  /** Brings CPU accounting up to now. */
  advance(): void {
    this.cpu.advance();
  }

  /** Warm-up: work takes `slowdown`× longer at first, easing linearly to 1×. */
  slowdown(): number {
    const t = this.template;
    if (t.warmupMicros <= 0 || this.readyAt === NEVER) return 1;
    const into = this.sim.now - this.readyAt;
    return into >= t.warmupMicros ? 1 : t.warmupSlowdown - ((t.warmupSlowdown - 1) * into) / t.warmupMicros;
  }
}
