import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import {
  computeHpaDecision,
  type HorizontalPodAutoscaler,
  type HpaControllerConfig,
  type HpaControllerState,
  type HpaDecision,
  type ExternalMetricSample,
  type HpaMetricsSnapshot,
  type ObjectMetricSample,
  type LabelSelector,
  type Pod as K8sPod,
  type PodResourceMetrics,
} from '../../policy/hpa/index.js';
import { NEVER, type Pod } from '../service/pod.js';
import { describesService, selectorMatches, type MetricFeed, type MetricSignal } from './metric-signals.js';
import type { PodCustomMetrics } from './metrics-pipeline.js';
import type { MetricSource, ScaleTarget } from './scale-target.js';

const QUIET_REASONS = new Set(['DesiredWithinRange', 'ScaleDownStabilized', 'ScaleUpStabilized']);

/** What the pods look like to the metric APIs. */
export interface HpaMetricSources {
  /** The pods' one container, as ContainerResource metrics name it. */
  readonly containerName: string;
  /** Custom metric name → the signal it reports (Pods, Object and External metrics). */
  readonly customMetrics: ReadonlyMap<string, MetricFeed>;
}

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
    private readonly service: ScaleTarget,
    private readonly hpa: HorizontalPodAutoscaler,
    private readonly pipeline: MetricSource,
    private readonly sources: HpaMetricSources,
    private readonly syncPeriodMicros: number,
    private readonly config: HpaControllerConfig,
    private readonly log: DecisionLog,
    /** Memory a pod uses, as a fraction of its request (memory is not otherwise modelled). */
    private readonly memoryUsageFraction = 0.5,
  ) {
    this.event = sim.register(this);
    this.name = `hpa/${service.name}`;
  }

  start(): void {
    const phase = Math.floor(this.sim.random(`hpa:${this.service.name}`)() * this.syncPeriodMicros);
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
    const containers = [{ name: this.sources.containerName, resources: { requests: { cpu: t.cpuRequestMillicores, memory: t.memoryRequestBytes } } }];
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
    for (const pod of pods) {
      const cpu = this.pipeline.cpuSample(pod);
      if (cpu)
        resource[pod.name] = {
          timestamp: cpu.timestampS,
          windowSeconds: cpu.windowS,
          containers: { [this.sources.containerName]: { cpu: cpu.cpuMillicores, memory: pod.template.memoryRequestBytes * this.memoryUsageFraction } },
        };
    }
    const snapshot = { resource, pods: {} as Record<string, Record<string, number>>, object: [] as ObjectMetricSample[], external: [] as ExternalMetricSample[] };
    // A custom metric is served only under a name the scenario maps and a selector its series match, as an adapter would.
    for (const spec of this.hpa.spec.metrics ?? []) {
      if (spec.type === 'Pods') {
        const feed = this.feed(spec.pods.metric.name, spec.pods.metric.selector);
        if (feed) snapshot.pods[spec.pods.metric.name] = this.perPod(pods, feed);
      } else if (spec.type === 'Object') {
        const { describedObject, metric } = spec.object;
        const feed = this.feed(metric.name, metric.selector);
        if (feed && describesService(describedObject, this.service.name))
          snapshot.object.push({ describedObject: { kind: describedObject.kind, name: describedObject.name }, metricName: metric.name, valueMilli: this.forService(pods, feed) });
      } else if (spec.type === 'External') {
        const feed = this.feed(spec.external.metric.name, spec.external.metric.selector);
        if (feed) snapshot.external.push({ metricName: spec.external.metric.name, valuesMilli: [this.forService(pods, feed)] });
      }
    }
    return snapshot;
  }

  private feed(name: string, selector: LabelSelector | undefined): MetricFeed | undefined {
    const feed = this.sources.customMetrics.get(name);
    return feed && selectorMatches(selector, feed.labels) ? feed : undefined;
  }

  /** Each pod's value [milli-units]; a pod without one (not scraped twice yet) is absent. */
  private perPod(pods: readonly Pod[], feed: MetricFeed): Record<string, number> {
    const values: Record<string, number> = {};
    for (const pod of pods) {
      const m = this.pipeline.customMetrics(pod);
      const value = m === undefined ? NaN : podSignal(m, feed.signal);
      if (Number.isFinite(value)) values[pod.name] = toMilli(value, feed);
    }
    return values;
  }

  /** The service's value [milli-units]: counts and rates summed over the pods, times averaged over the requests. */
  private forService(pods: readonly Pod[], feed: MetricFeed): number {
    let sum = 0;
    let count = 0;
    for (const pod of pods) {
      const m = this.pipeline.customMetrics(pod);
      if (m === undefined) continue;
      if (feed.signal === 'queueWait' && m.started > 0) {
        sum += m.queueWaitMicros;
        count += m.started;
      } else if (feed.signal === 'latency' && m.completed > 0) {
        sum += m.latencyMicros;
        count += m.completed;
      } else if (feed.signal !== 'queueWait' && feed.signal !== 'latency') {
        const value = podSignal(m, feed.signal);
        if (Number.isFinite(value)) sum += value;
      }
    }
    const timed = feed.signal === 'queueWait' || feed.signal === 'latency';
    return toMilli(timed ? (count > 0 ? sum / count : 0) : sum, feed);
  }
}

/** A pod's signal in its natural unit (times in µs); a time with no request in the window is 0. */
function podSignal(m: PodCustomMetrics, signal: MetricSignal): number {
  switch (signal) {
    case 'requestsPerSecond':
      return m.requestsPerSecond;
    case 'inFlight':
      return m.inFlight;
    case 'queueLength':
      return m.queueLength;
    // 0 when no request started (completed) in the window; NaN (absent) before two scrapes.
    case 'queueWait':
      return m.started > 0 ? m.queueWaitMicros / m.started : m.started === 0 ? 0 : NaN;
    case 'latency':
      return m.completed > 0 ? m.latencyMicros / m.completed : m.completed === 0 ? 0 : NaN;
  }
}

/** Signal → the metric's unit → milli-units, rounded up as `Quantity.MilliValue()` does. */
function toMilli(value: number, feed: MetricFeed): number {
  return Math.ceil(((value * feed.multiplier) / feed.divisor) * 1000);
}
