import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import {
  computeHpaDecision,
  type HorizontalPodAutoscaler,
  type HpaControllerConfig,
  type HpaControllerState,
  type HpaDecision,
  type HpaMetricsSnapshot,
  type Pod as K8sPod,
  type PodResourceMetrics,
} from '../../policy/hpa/index.js';
import { NEVER, type Pod } from '../service/pod.js';
import type { Service } from '../service/service.js';
import type { MetricsPipeline } from './metrics-pipeline.js';

const QUIET_REASONS = new Set(['DesiredWithinRange', 'ScaleDownStabilized', 'ScaleUpStabilized']);

/** Container name the simulated pods report metrics under. */
export const CONTAINER_NAME = 'app';

/** Application metrics the simulator exports, by the names an HPA refers to. */
export const POD_METRICS = ['http_requests_per_second', 'in_flight_requests'] as const;
export const SERVICE_METRICS = ['requests_per_second', 'in_flight_requests', 'queue_length'] as const;

/**
 * The HPA control loop for one Deployment: every sync period it builds what the controller
 * would read from the API server (the pods with their conditions, metrics from the
 * pipeline), asks the pure policy for a decision, and applies it to the Deployment.
 * Decisions that rescale or change the controller's reason are logged with their numbers.
 */
export class HpaController implements EventHandler {
  private readonly event: number;
  private state: HpaControllerState | undefined;
  private lastReason = '';
  /** Last decision, for the time series. */
  last: HpaDecision | undefined;
  readonly name: string;

  constructor(
    private readonly sim: Simulation,
    private readonly service: Service,
    private readonly hpa: HorizontalPodAutoscaler,
    private readonly pipeline: MetricsPipeline,
    private readonly syncPeriodMicros: number,
    private readonly config: HpaControllerConfig,
    private readonly log: DecisionLog,
    /** Memory a pod uses, as a fraction of its request (memory is not otherwise modelled). */
    private readonly memoryUsageFraction = 0.5,
  ) {
    this.event = sim.register(this);
    this.name = `hpa/${service.config.name}`;
  }

  start(): void {
    const phase = Math.floor(this.sim.random(`hpa:${this.service.config.name}`)() * this.syncPeriodMicros);
    this.sim.schedule(phase, this.event);
  }

  handleEvent(): void {
    this.reconcile();
    this.sim.schedule(this.syncPeriodMicros, this.event);
  }

  reconcile(): HpaDecision {
    const now = this.sim.now / 1e6;
    const current = this.service.replicas;
    const pods = this.service.pods.filter((p) => p.phase !== 'Terminated');
    const decision = computeHpaDecision({
      hpa: this.hpa,
      currentReplicas: current,
      statusReplicas: pods.length,
      pods: pods.map((p) => this.describePod(p)),
      metrics: this.snapshot(pods),
      state: this.state,
      now,
      config: this.config,
    });
    this.state = decision.nextState;
    this.last = decision;
    if (decision.rescale) this.service.scaleTo(decision.desiredReplicas);
    // Steady-state reasons alternate every few syncs; log rescales and changes of state that matter.
    const quiet = (r: string) => QUIET_REASONS.has(r);
    if (decision.rescale || (decision.reason !== this.lastReason && !(quiet(decision.reason) && quiet(this.lastReason)))) {
      this.log.decide({ t_s: now, controller: this.name, from: current, to: decision.desiredReplicas, reason: decision.reason, message: decision.message });
    }
    this.lastReason = decision.reason;
    return decision;
  }

  private describePod(pod: Pod): K8sPod {
    const s = (micros: number) => micros / 1e6;
    const t = pod.template;
    const containers = [{ name: CONTAINER_NAME, resources: { requests: { cpu: t.cpuRequestMillicores, memory: t.memoryRequestBytes } } }];
    const base = { metadata: { name: pod.name }, containers };
    if (pod.phase === 'Pending' || pod.containerStartedAt === NEVER)
      return { ...base, status: { phase: 'Pending', ...(pod.scheduledAt !== NEVER ? { startTime: s(pod.scheduledAt) } : {}) } };
    const ready = (pod.phase === 'Ready' && !pod.notReady) || (pod.phase === 'Terminating' && pod.readyAt !== NEVER);
    return {
      ...base,
      status: {
        phase: 'Running',
        startTime: s(pod.scheduledAt),
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: s(pod.readyConditionSince !== NEVER ? pod.readyConditionSince : pod.scheduledAt) }],
      },
      ...(pod.phase === 'Terminating' ? { deletionTimestamp: s(pod.terminatingAt) } : {}),
    };
  }

  private snapshot(pods: readonly Pod[]): HpaMetricsSnapshot {
    const resource: Record<string, PodResourceMetrics> = {};
    const rps: Record<string, number> = {};
    const inFlight: Record<string, number> = {};
    let totalRps = 0;
    let totalInFlight = 0;
    let queued = 0;
    for (const pod of pods) {
      const cpu = this.pipeline.cpuSample(pod);
      if (cpu)
        resource[pod.name] = {
          timestamp: cpu.timestampS,
          windowSeconds: cpu.windowS,
          containers: { [CONTAINER_NAME]: { cpu: cpu.cpuMillicores, memory: pod.template.memoryRequestBytes * this.memoryUsageFraction } },
        };
      const r = this.pipeline.requestsPerSecond(pod);
      if (r !== undefined) {
        rps[pod.name] = Math.ceil(r * 1000);
        totalRps += r;
      }
      const f = this.pipeline.inFlight(pod);
      if (f !== undefined) {
        inFlight[pod.name] = f * 1000;
        totalInFlight += f;
      }
      queued += pod.queued;
    }
    const serviceValues: Record<(typeof SERVICE_METRICS)[number], number> = {
      requests_per_second: Math.ceil(totalRps * 1000),
      in_flight_requests: totalInFlight * 1000,
      queue_length: queued * 1000,
    };
    const name = this.service.config.name;
    return {
      resource,
      pods: { http_requests_per_second: rps, in_flight_requests: inFlight },
      object: SERVICE_METRICS.map((metricName) => ({ describedObject: { kind: 'Service', name }, metricName, valueMilli: serviceValues[metricName] })),
      external: SERVICE_METRICS.map((metricName) => ({ metricName, valuesMilli: [serviceValues[metricName]] })),
    };
  }
}
