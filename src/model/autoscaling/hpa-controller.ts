import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog, HoldRow } from '../../metrics/decisions.js';
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
  type MetricDecisionStatus,
  type Pod as K8sPod,
  type PodResourceMetrics,
} from '../../policy/hpa/index.js';
import { NEVER, type Pod } from '../service/pod.js';
import { describesService, selectorMatches, type MetricFeed, type MetricSignal } from './metric-signals.js';
import type { PodCustomMetrics } from './metrics-pipeline.js';
import type { MetricSource, ScaleTarget } from './scale-target.js';

const QUIET_REASONS = new Set(['DesiredWithinRange', 'ScaleDownStabilized', 'ScaleUpStabilized']);
/** Upstream's `--horizontal-pod-autoscaler-tolerance` when unset (0). */
const DEFAULT_TOLERANCE = 0.1;

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
  /** When metrics-server (CPU) and Prometheus (custom metrics) made the newest readings the last sync used [s]; NaN before any. */
  cpuScrapedAtS = NaN;
  customScrapedAtS = NaN;
  /** The quiet syncs since the last logged decision. */
  private hold: HoldRow | undefined;
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
      const event = decision.events.map((e) => `${e.reason} ${e.message}`).join(' | ');
      this.log.decide({ t_s: now, controller: this.name, from: current, to: decision.desiredReplicas, reason: decision.reason, message: decision.message, event });
      this.hold = undefined;
    } else {
      this.held(now, current, decision);
    }
    this.lastReason = decision.reason;
    return decision;
  }

  /** Counts a sync that changed nothing into the current hold (one per run of such syncs). */
  private held(now: number, replicas: number, decision: HpaDecision): void {
    const metric = decision.metrics[0];
    const read = readMetricValue(metric?.current, metric);
    const target = readMetricValue(metric?.target, metric);
    if (!this.hold) {
      this.hold = { controller: this.name, from_s: now, to_s: now, syncs: 0, replicas, reasons: {}, metricMin: NaN, metricMax: NaN, metricTarget: target };
      this.log.holds.push(this.hold);
    }
    const h = this.hold;
    h.to_s = now;
    h.syncs++;
    const reason = heldBecause(decision.reason, read / target, metric, this.config.tolerance || DEFAULT_TOLERANCE);
    h.reasons[reason] = (h.reasons[reason] ?? 0) + 1;
    if (Number.isFinite(read)) {
      h.metricMin = Number.isNaN(h.metricMin) ? read : Math.min(h.metricMin, read);
      h.metricMax = Number.isNaN(h.metricMax) ? read : Math.max(h.metricMax, read);
    }
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
    this.cpuScrapedAtS = NaN;
    this.customScrapedAtS = NaN;
    for (const pod of pods) {
      const cpu = this.pipeline.cpuSample(pod);
      if (cpu && !(cpu.scrapedAtS <= this.cpuScrapedAtS)) this.cpuScrapedAtS = cpu.scrapedAtS;
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
      if (m && !(m.scrapedAtS <= this.customScrapedAtS)) this.customScrapedAtS = m.scrapedAtS;
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
      if (!(m.scrapedAtS <= this.customScrapedAtS)) this.customScrapedAtS = m.scrapedAtS;
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

/**
 * Why a sync kept the size, for the timeline: upstream's reason, or for DesiredWithinRange (the
 * metrics asked for the current size) whether the reading was within tolerance of the target, new
 * pods not yet ready held the proposal down (upstream counts them as idle on a scale-up), or the
 * proposal rounded to the current size.
 */
function heldBecause(reason: string, ratio: number, metric: MetricDecisionStatus | undefined, tolerance: number): string {
  if (reason !== 'DesiredWithinRange') return reason;
  if (Math.abs(ratio - 1) <= tolerance) return 'within tolerance';
  const counts = metric?.podCounts;
  if (ratio > 1 && counts && counts.unready + counts.missing > 0) return 'new pods not ready yet count as idle';
  return 'rounds to the current size';
}

/** A resource metric (cpu): its values are millicores or % of request; the others are in milli-units. */
export function isResourceMetric(status: MetricDecisionStatus | undefined): boolean {
  return status?.type === 'Resource' || status?.type === 'ContainerResource';
}

/**
 * A metric value as the time series and the timeline show it: utilization in %, a resource's
 * average value in its unit (millicores), other metrics in their own unit (not milli-units).
 */
export function readMetricValue(v: { averageUtilization?: number; averageValue?: number; value?: number } | undefined, status: MetricDecisionStatus | undefined): number {
  if (!v) return NaN;
  if (v.averageUtilization !== undefined) return v.averageUtilization;
  const x = v.averageValue ?? v.value;
  return x === undefined ? NaN : isResourceMetric(status) ? x : x / 1000;
}
