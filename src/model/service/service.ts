import { constant, type Distribution, type EventHandler, type RandomStream, type Simulation } from '../../engine/index.js';
import { Balancer, type BalancingAlgorithm } from '../balancer/balancer.js';
import type { PathRunner } from '../path/path-runner.js';
import { CpuStep } from '../path/steps.js';
import { CAUSE_REJECTED, type InternalClient, type Requests } from '../requests.js';
import type { RequestSink } from '../traffic/arrivals.js';
import { Pod, type PodOwner, type PodTemplate } from './pod.js';
import type { ScaleTarget } from '../autoscaling/scale-target.js';

export interface ServiceConfig {
  readonly name: string;
  readonly template: PodTemplate;
  readonly initialReplicas: number;
  readonly balancing: BalancingAlgorithm;
  readonly imagePull: Distribution;
  readonly containerStart: Distribution;
  readonly probeInitialDelayMicros: number;
  readonly probePeriodMicros: number;
  readonly probeSuccessThreshold: number;
  readonly probeFailureThreshold: number;
  /** An httpGet probe: a request the pod's workers answer, failing after `probeTimeoutMicros`. */
  readonly probeThroughWorkers: boolean;
  readonly probeTimeoutMicros: number;
  /** Time for an endpoint change to reach the load balancer. */
  readonly endpointsPropagationMicros: number;
  readonly preStopMicros: number;
  readonly terminationGracePeriodMicros: number;
  /** The app finishes in-flight requests on SIGTERM (true) or exits at once (false). */
  readonly gracefulShutdown: boolean;
}

/**
 * Where pods run. Without node pools every pod fits at once; the cluster model (nodes,
 * scheduler, cluster autoscaler) implements this to keep pods Pending until a node has room.
 */
export interface PodPlacement {
  /** A node for the pod now, or -1: the pod stays Pending and `Service.podScheduled` is called later. */
  place(pod: Pod): number;
  /** The pod no longer holds its node's resources. */
  release(pod: Pod): void;
  /** Whether the node already has the image (a second pod on a node skips the pull). */
  hasImage(node: number, service: string): boolean;
  imagePulled(node: number, service: string): void;
}

export const unlimitedPlacement: PodPlacement = {
  place: () => 0,
  release: () => {},
  hasImage: () => false,
  imagePulled: () => {},
};

/** Counts of pods by phase, for the time series. */
export interface PodCounts {
  pending: number;
  starting: number;
  ready: number;
  /** Running but failing their readiness probe: out of the endpoints. */
  notReady: number;
  terminating: number;
}

// Lifecycle event kinds, packed with the pod index into the event argument.
const CONTAINER_STARTED = 0;
const PROBE = 1;
const ENDPOINT_ADDED = 2;
const ENDPOINT_REMOVED = 3;
const SIGTERM = 4;
const SIGKILL = 5;
const ENDPOINT_UNREADY = 6;
const KINDS = 8;
/** CPU an httpGet health endpoint costs: negligible next to a request, but it needs a worker. */
const PROBE_WORK_MICROS = 1000;
const WARM_POD_AGE_MICROS = 3_600_000_000;

/** Observer of pod transitions (the timeline, the HPA's view of pods). */
export interface PodListener {
  podChanged(service: Service, pod: Pod): void;
}

/**
 * A Deployment's pods behind a load balancer. Pods go Pending → Starting (image pull,
 * container start) → readiness probe → Ready (in the endpoints after propagation), and on
 * removal Terminating: out of the endpoints after propagation, preStop, SIGTERM, and SIGKILL
 * at the grace deadline. Requests reaching a pod that stopped accepting fail with
 * `pod_terminated`, as do those still running at SIGKILL.
 */
export class Service implements RequestSink, InternalClient, PodOwner, ScaleTarget {
  readonly pods: Pod[] = [];
  /** Pods the load balancer sends to (ready, or terminating but not yet propagated). */
  readonly endpoints: Pod[] = [];
  private readonly balancer: Balancer;
  private readonly lifecycleEvent: number;
  private readonly startupRandom: RandomStream;
  private listeners: PodListener[] = [];
  /** Request class of this service's httpGet readiness probes, -1 without them. */
  private readonly probeClass: number = -1;
  /** The probe's path: one short CPU step. */
  private readonly probeOperation: number = -1;
  /** Pod of each probe in flight, by request id. */
  private readonly probesInFlight = new Map<number, Pod>();
  private nextPodNumber = 0;
  private retiredCpuUsage = 0;

  constructor(
    readonly config: ServiceConfig,
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly runner: PathRunner,
    private placement: PodPlacement = unlimitedPlacement,
  ) {
    this.balancer = new Balancer(config.balancing, sim.random(`balancer:${config.name}`));
    this.startupRandom = sim.random(`pods:${config.name}`);
    const lifecycle: EventHandler = { handleEvent: (arg) => this.lifecycle(arg) };
    this.lifecycleEvent = sim.register(lifecycle);
    if (config.probeThroughWorkers) {
      this.probeClass = requests.addInternalClass(config.probeTimeoutMicros, this);
      this.probeOperation = runner.addOperation();
      runner.setSteps(this.probeOperation, [new CpuStep(requests, runner.hosts, constant(PROBE_WORK_MICROS), sim.random(`probes:${config.name}`), true)]);
    }
  }

  /** The Deployment's name (the HPA's scale target). */
  get name(): string {
    return this.config.name;
  }

  setPlacement(placement: PodPlacement): void {
    this.placement = placement;
  }

  addListener(listener: PodListener): void {
    this.listeners.push(listener);
  }

  /** Creates the initial replicas, Ready at time 0 (the run starts from a steady cluster). */
  startWarm(): void {
    for (let i = 0; i < this.config.initialReplicas; i++) {
      const pod = this.createPod();
      const node = this.placement.place(pod);
      if (node < 0) continue; // stays Pending: the cluster has no room for it
      pod.node = node;
      // Running long before the simulation starts: no start-up effects on the HPA.
      pod.scheduledAt = pod.containerStartedAt = this.sim.now - WARM_POD_AGE_MICROS;
      this.placement.imagePulled(node, this.config.name);
      this.becomeReady(pod);
      this.addEndpoint(pod);
    }
  }

  // ------------------------------------------------------------ traffic

  accept(id: number): void {
    const i = this.balancer.pick(this.endpoints);
    if (i < 0) {
      this.requests.fail(id, CAUSE_REJECTED); // no endpoints: the load balancer answers 503
      this.requests.releaseServer(id);
      return;
    }
    this.endpoints[i].offer(id);
  }

  /** A probe's client (the kubelet) gave up: a probe still waiting for a worker leaves the queue. */
  abandoned(id: number): void {
    this.runner.abandoned(id);
  }

  // ------------------------------------------------------------ readiness

  /**
   * The kubelet's probe worker ticks every period; a tick while the last probe is still
   * out is skipped (a Go ticker drops ticks). The probe enters the pod like a request.
   */
  private probeReadyPod(pod: Pod): void {
    this.sim.schedule(this.config.probePeriodMicros, this.lifecycleEvent, pod.index * KINDS + PROBE);
    if (pod.probeInFlight) return;
    pod.probeInFlight = true;
    const id = this.requests.arrive(this.probeClass, this.probeOperation, PROBE_WORK_MICROS);
    this.probesInFlight.set(id, pod);
    pod.offer(id);
  }

  /** A probe's result: consecutive failures take the pod out of the endpoints, successes bring it back. */
  answered(id: number, ok: boolean): void {
    const pod = this.probesInFlight.get(id)!;
    this.probesInFlight.delete(id);
    pod.probeInFlight = false;
    if (pod.phase !== 'Ready') return;
    const c = this.config;
    if (ok) {
      pod.probeFailures = 0;
      if (pod.notReady && ++pod.probeSuccesses >= c.probeSuccessThreshold) {
        pod.notReady = false;
        pod.readyConditionSince = this.sim.now;
        this.notify(pod);
        this.sim.schedule(c.endpointsPropagationMicros, this.lifecycleEvent, pod.index * KINDS + ENDPOINT_ADDED);
      }
    } else {
      pod.probeSuccesses = 0;
      if (!pod.notReady && ++pod.probeFailures >= c.probeFailureThreshold) {
        pod.notReady = true;
        pod.readyConditionSince = this.sim.now;
        pod.readinessFailures++;
        this.notify(pod);
        this.sim.schedule(c.endpointsPropagationMicros, this.lifecycleEvent, pod.index * KINDS + ENDPOINT_UNREADY);
      }
    }
  }

  // ------------------------------------------------------------ scaling

  /** Pods that count toward the replica count (not terminating). */
  get replicas(): number {
    let n = 0;
    for (const pod of this.pods) if (pod.phase !== 'Terminating' && pod.phase !== 'Terminated') n++;
    return n;
  }

  /** Scales the Deployment: new pods start; surplus pods terminate, least useful first. */
  scaleTo(desired: number): void {
    let current = this.replicas;
    while (current < desired) {
      this.startPod(this.createPod());
      current++;
    }
    if (current > desired) {
      // Like the ReplicaSet controller: unscheduled first, then not ready, then the newest.
      const rank = (p: Pod) => (p.phase === 'Pending' ? 0 : p.phase === 'Starting' || p.notReady ? 1 : 2);
      const victims = this.pods
        .filter((p) => p.phase === 'Pending' || p.phase === 'Starting' || p.phase === 'Ready')
        .sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt || b.index - a.index)
        .slice(0, current - desired);
      for (const pod of victims) this.terminate(pod);
    }
  }

  /** Begins graceful termination (or immediate removal for a pod that never started). */
  terminate(pod: Pod): void {
    if (pod.phase === 'Terminating' || pod.phase === 'Terminated') return;
    const wasServing = pod.phase === 'Ready';
    pod.phase = 'Terminating';
    pod.terminatingAt = this.sim.now;
    this.notify(pod);
    if (!wasServing) {
      this.finishTermination(pod);
      return;
    }
    const c = this.config;
    this.sim.schedule(c.endpointsPropagationMicros, this.lifecycleEvent, pod.index * KINDS + ENDPOINT_REMOVED);
    this.sim.schedule(Math.min(c.preStopMicros, c.terminationGracePeriodMicros), this.lifecycleEvent, pod.index * KINDS + SIGTERM);
    this.sim.schedule(c.terminationGracePeriodMicros, this.lifecycleEvent, pod.index * KINDS + SIGKILL);
  }

  /** An eviction (a node drain): the pod terminates gracefully and the Deployment replaces it. */
  evict(pod: Pod): void {
    if (pod.phase === 'Terminating' || pod.phase === 'Terminated') return;
    this.terminate(pod);
    this.startPod(this.createPod());
  }

  /** Called by the placement when a Pending pod finally gets a node. */
  podScheduled(pod: Pod, node: number): void {
    if (pod.phase !== 'Pending') return;
    pod.node = node;
    pod.scheduledAt = this.sim.now;
    pod.phase = 'Starting';
    this.notify(pod);
    const pull = this.placement.hasImage(node, this.config.name) ? 0 : this.config.imagePull.sample(this.startupRandom);
    const start = this.config.containerStart.sample(this.startupRandom);
    this.sim.schedule(pull + start, this.lifecycleEvent, pod.index * KINDS + CONTAINER_STARTED);
  }

  countPods(into: PodCounts): PodCounts {
    into.pending = into.starting = into.ready = into.notReady = into.terminating = 0;
    for (const pod of this.pods) {
      if (pod.phase === 'Pending') into.pending++;
      else if (pod.phase === 'Starting') into.starting++;
      else if (pod.phase === 'Ready' && pod.notReady) into.notReady++;
      else if (pod.phase === 'Ready') into.ready++;
      else if (pod.phase === 'Terminating') into.terminating++;
    }
    return into;
  }

  /** CPU used by all pods since the start, millicore·µs (cAdvisor's counter, summed). */
  cpuUsageTotal(): number {
    let total = this.retiredCpuUsage;
    for (const pod of this.pods) {
      if (pod.phase === 'Terminated') continue;
      pod.advance();
      total += pod.cpuUsage;
    }
    return total;
  }

  /** Requests held by the pods (in progress + waiting). */
  outstanding(): number {
    let total = 0;
    for (const pod of this.pods) if (pod.phase !== 'Terminated') total += pod.outstanding;
    return total;
  }

  /** ∫ requests waiting in pod queues dt since the start, request·µs (every pod's, terminated ones included). */
  queueIntegral(): number {
    let total = 0;
    for (const pod of this.pods) total += pod.workers.waitingIntegral();
    return total;
  }

  /** Requests waiting in pod queues. */
  queueLength(): number {
    let total = 0;
    for (const pod of this.pods) if (pod.phase !== 'Terminated') total += pod.queued;
    return total;
  }

  // ------------------------------------------------------------ internals

  private createPod(): Pod {
    const pod = new Pod(this.pods.length, `${this.config.name}-${this.nextPodNumber++}`, this.config.template, this.sim, this.requests, this.runner, this);
    this.pods.push(pod);
    return pod;
  }

  private startPod(pod: Pod): void {
    this.notify(pod);
    const node = this.placement.place(pod);
    if (node >= 0) this.podScheduled(pod, node);
  }

  private becomeReady(pod: Pod): void {
    pod.phase = 'Ready';
    pod.readyAt = pod.readyConditionSince = pod.scheduledAt < 0 ? pod.scheduledAt : this.sim.now; // warm pods: ready since before the run
    this.notify(pod);
    if (this.probeClass >= 0) this.sim.schedule(this.config.probePeriodMicros, this.lifecycleEvent, pod.index * KINDS + PROBE);
  }

  private addEndpoint(pod: Pod): void {
    if (pod.phase !== 'Ready' || pod.notReady || pod.inEndpoints) return;
    pod.inEndpoints = true;
    this.endpoints.push(pod);
  }

  private removeEndpoint(pod: Pod): void {
    if (!pod.inEndpoints) return;
    pod.inEndpoints = false;
    this.endpoints.splice(this.endpoints.indexOf(pod), 1);
  }

  /** A pod that stopped accepting has finished its last request. */
  podDrained(pod: Pod): void {
    if (pod.phase === 'Terminating') this.finishTermination(pod);
  }

  private lifecycle(arg: number): void {
    const kind = arg % KINDS;
    const pod = this.pods[(arg - kind) / KINDS];
    const c = this.config;
    switch (kind) {
      case CONTAINER_STARTED:
        if (pod.phase !== 'Starting') return;
        pod.containerStartedAt = this.sim.now;
        this.placement.imagePulled(pod.node, c.name);
        pod.probeSuccesses = 0;
        this.sim.schedule(c.probeInitialDelayMicros, this.lifecycleEvent, pod.index * KINDS + PROBE);
        return;
      case PROBE:
        if (pod.phase === 'Ready') return this.probeReadyPod(pod);
        // Before Ready no traffic reaches the pod, so an httpGet probe would be answered at once.
        if (pod.phase !== 'Starting') return;
        if (++pod.probeSuccesses >= c.probeSuccessThreshold) {
          pod.probeSuccesses = 0;
          this.becomeReady(pod);
          this.sim.schedule(c.endpointsPropagationMicros, this.lifecycleEvent, pod.index * KINDS + ENDPOINT_ADDED);
        } else this.sim.schedule(c.probePeriodMicros, this.lifecycleEvent, pod.index * KINDS + PROBE);
        return;
      case ENDPOINT_ADDED:
        this.addEndpoint(pod);
        return;
      case ENDPOINT_REMOVED:
        if (pod.phase === 'Terminating') this.removeEndpoint(pod);
        return;
      case ENDPOINT_UNREADY:
        if (pod.phase === 'Ready' && pod.notReady) this.removeEndpoint(pod);
        return;
      case SIGTERM:
        if (pod.phase !== 'Terminating' || !pod.accepting) return;
        pod.accepting = false;
        if (!c.gracefulShutdown) pod.killAll();
        if (pod.outstanding === 0) this.finishTermination(pod);
        return;
      case SIGKILL:
        if (pod.phase !== 'Terminating') return;
        pod.killAll();
        this.finishTermination(pod);
        return;
    }
  }

  private finishTermination(pod: Pod): void {
    if (pod.phase === 'Terminated') return;
    pod.accepting = false;
    this.removeEndpoint(pod);
    if (pod.outstanding > 0) pod.killAll();
    pod.phase = 'Terminated';
    this.retiredCpuUsage += pod.cpuUsage;
    this.placement.release(pod);
    this.notify(pod);
  }

  private notify(pod: Pod): void {
    for (const listener of this.listeners) listener.podChanged(this, pod);
  }
}
