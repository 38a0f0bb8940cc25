import {
  boundedPareto,
  constant,
  empiricalHistogram,
  empiricalSamples,
  exponential,
  lognormal,
  normal,
  uniform,
  Simulation,
  type Distribution,
} from '../engine/index.js';
import { DecisionLog } from '../metrics/decisions.js';
import { Recorder } from '../metrics/recorder.js';
import { HpaController } from '../model/autoscaling/hpa-controller.js';
import { MetricsPipeline } from '../model/autoscaling/metrics-pipeline.js';
import type { HorizontalPodAutoscaler } from '../policy/hpa/index.js';
import { Requests } from '../model/requests.js';
import { Service, type PodCounts } from '../model/service/service.js';
import { CurveArrivals, ReplayArrivals } from '../model/traffic/arrivals.js';
import { buildCurve } from '../model/traffic/rate-curve.js';
import { RequestMix } from '../model/traffic/request-mix.js';
import type { DistributionSpec, Scenario, ServiceSpec } from './schema.js';
import type { ClusterSpec, NodePoolSpec } from './cluster-schema.js';
import { defaultPriceCatalog, withOverrides, type PriceCatalog } from '../catalog/prices.js';
import { eksAllocatable, instanceTypes } from '../catalog/instance-types.js';
import { Cluster, type NodePoolConfig } from '../model/cluster/cluster.js';
import { ClusterAutoscaler } from '../model/cluster/cluster-autoscaler.js';
import { CostModel } from '../model/cost/cost-model.js';
import { SloTracker } from '../metrics/slo.js';
import type { LoadedTraces } from './load.js';
import { containerNameOf, metricFeeds } from './hpa-target.js';

/** Default CPU request when a service states none (Kubernetes has no default; this is ours). */
const DEFAULT_CPU_REQUEST_MILLICORES = 500;
const DEFAULT_MEMORY_REQUEST_BYTES = 512 * 1024 ** 2;

export function buildDistribution(spec: DistributionSpec): Distribution {
  if (typeof spec === 'number') return constant(spec);
  if (spec.constant !== undefined) return constant(spec.constant);
  if (spec.exponential) return exponential(spec.exponential.mean);
  if (spec.uniform) return uniform(spec.uniform.min, spec.uniform.max);
  if (spec.normal) return normal(spec.normal.mean, spec.normal.sd);
  if (spec.lognormal) return lognormal(spec.lognormal.mean, spec.lognormal.cv);
  if (spec.pareto) return boundedPareto(spec.pareto.alpha, spec.pareto.min, spec.pareto.max);
  if (spec.empirical) return empiricalSamples(spec.empirical.samples);
  if (spec.histogram) return empiricalHistogram(spec.histogram);
  throw new Error('unreachable: the schema admits exactly one distribution');
}

export interface Model {
  readonly sim: Simulation;
  readonly recorder: Recorder;
  readonly requests: Requests;
  readonly services: ReadonlyMap<string, Service>;
  readonly log: DecisionLog;
  readonly classNames: readonly string[];
  readonly durationMicros: number;
  readonly cost: CostModel;
  /** Judges the scenario's `slo` block as the run goes; absent without one. */
  readonly slo?: SloTracker;
  readonly cluster?: Cluster;
  /** Revenue per successful request of each class (order value × conversion), USD; 0 when none. */
  readonly revenuePerSuccessUsd: readonly number[];
  /**
   * Runs the whole scenario; `onProgress` gets the simulated time and the requests arrived so far
   * every simulated `progressEveryMicros` (1 s: fine enough for a busy run to report often).
   */
  run(onProgress?: (simulatedMicros: number, requests: number) => void, progressEveryMicros?: number): void;
}

/**
 * The one place that wires a scenario into a model: traffic → service(s) → recorder.
 * Streams are named per component (`traffic:arrivals`, `traffic:requests`,
 * `balancer:<service>`, `pods:<service>`), so common random numbers hold across
 * strategies: the same seed gives every strategy the same arrivals and the same work.
 */
export function buildModel(scenario: Scenario, traces: LoadedTraces): Model {
  const sim = new Simulation(scenario.seed);
  const durationMicros = scenario.duration;
  const classNames = Object.keys(scenario.traffic.classes);
  const recorder = new Recorder(sim, scenario.metricsInterval, classNames.length);
  const requests = new Requests(
    sim,
    recorder,
    classNames.map((name) => scenario.traffic.classes[name].timeout),
  );

  const services = new Map<string, Service>();
  for (const [name, spec] of Object.entries(scenario.services)) services.set(name, new Service(serviceConfig(name, spec), sim, requests));
  const targetName = scenario.traffic.target ?? classNamesFirst(services);
  const target = services.get(targetName)!;
  requests.onAbandon(target);

  const mix = new RequestMix(
    classNames.map((name) => {
      const c = scenario.traffic.classes[name];
      return { name, share: c.share, cpuWork: buildDistribution(c.cpu), timeoutMicros: c.timeout };
    }),
    sim.random('traffic:requests'),
  );

  let startArrivals: () => void;
  if (scenario.traffic.rate) {
    const clockStartMicros = clockToMicros(scenario.clockStart);
    const curve = buildCurve(scenario.traffic.rate, clockStartMicros);
    const arrivals = new CurveArrivals(sim, curve, sim.random('traffic:arrivals'), mix, requests, target, durationMicros);
    startArrivals = () => arrivals.start();
  } else {
    const spec = scenario.traffic.trace!;
    const { trace, expand, passDuration } = traces.get(spec.file)!;
    const options = { startOffsetMicros: spec.startOffset, speedup: spec.speedup, multiplier: spec.multiplier, jitterMicros: spec.jitter };
    const random = sim.random('traffic:arrivals');
    const arrivals = new ReplayArrivals(sim, () => expand(trace, options, random), passDuration(trace, options), spec.loop, mix, requests, target, durationMicros);
    startArrivals = () => arrivals.start();
  }

  const meanWorkSeconds = mix.classes.reduce((sum, c) => sum + c.share * c.cpuWork.mean, 0) / 1e6;
  addServiceColumns(recorder, target, meanWorkSeconds);

  const log = new DecisionLog();
  const starters: (() => void)[] = [];

  const catalog = priceCatalog(scenario);
  const cost = new CostModel(catalog, () => sim.now);
  if (scenario.cost.controlPlane !== 'none') cost.meterControlPlane(scenario.cost.controlPlane);
  let cluster: Cluster | undefined;
  if (scenario.cluster) {
    const spec = scenario.cluster;
    const pools = Object.entries(spec.nodePools).map(([name, pool]) => nodePoolConfig(name, pool, catalog));
    cluster = new Cluster(sim, pools, spec.scheduler.scoringStrategy);
    for (const [name, pool] of Object.entries(spec.nodePools))
      cost.meterPool(name, typeof pool.instanceType === 'string' ? pool.instanceType : 'custom', typeof pool.instanceType === 'string' ? instanceTypes[pool.instanceType].priceId : pool.instanceType.hourlyPriceUsd);
    cluster.addListener(cost);
    for (const service of services.values()) service.setPlacement(cluster.placementFor(service));
    if (spec.clusterAutoscaler.enabled) {
      const autoscaler = new ClusterAutoscaler(sim, cluster, clusterAutoscalerConfig(spec.clusterAutoscaler), log);
      starters.push(() => autoscaler.start());
    }
    addNodeColumns(recorder, cluster);
  } else {
    cost.meterFargatePods(services.values());
  }
  addCostColumns(recorder, cost);
  const slo = scenario.slo ? new SloTracker(scenario.slo, scenario.metricsInterval) : undefined;
  if (slo) recorder.intervalListener = (t, histogram, arrivals, failures) => slo.onInterval(t, histogram, arrivals, failures);
  const kcm = scenario.kubeControllerManager;
  for (const [name, spec] of Object.entries(scenario.services)) {
    if (!spec.hpa) continue;
    const service = services.get(name)!;
    const pipeline = new MetricsPipeline(sim, service, {
      kubeletHousekeepingMicros: scenario.metricsServer.kubeletHousekeepingInterval,
      metricResolutionMicros: scenario.metricsServer.metricResolution,
      customScrapeMicros: scenario.prometheus.scrapeInterval,
      customRateWindowMicros: scenario.prometheus.rateWindow,
    });
    const sources = { containerName: containerNameOf(name, spec), customMetrics: metricFeeds(spec) };
    const controller = new HpaController(sim, service, spec.hpa as HorizontalPodAutoscaler, pipeline, sources, kcm.horizontalPodAutoscalerSyncPeriod, {
      tolerance: kcm.horizontalPodAutoscalerTolerance,
      cpuInitializationPeriodSeconds: kcm.horizontalPodAutoscalerCpuInitializationPeriod / 1e6,
      delayOfInitialReadinessStatusSeconds: kcm.horizontalPodAutoscalerInitialReadinessDelay / 1e6,
      downscaleStabilizationWindowSeconds: kcm.horizontalPodAutoscalerDownscaleStabilization / 1e6,
    }, log);
    starters.push(() => pipeline.start(), () => controller.start());
    addHpaColumns(recorder, controller, name);
  }

  return {
    sim,
    recorder,
    requests,
    services,
    log,
    classNames,
    durationMicros,
    cost,
    cluster,
    slo,
    revenuePerSuccessUsd: classNames.map((name) => {
      const c = scenario.traffic.classes[name];
      return (c.orderValueUsd ?? 0) * c.conversionRate;
    }),
    run(onProgress, progressEveryMicros = 1_000_000) {
      cluster?.startWarm();
      for (const service of services.values()) service.startWarm();
      recorder.start();
      for (const start of starters) start();
      startArrivals();
      for (let t = 0; t < durationMicros; ) {
        t = Math.min(durationMicros, t + progressEveryMicros);
        sim.runUntil(t);
        onProgress?.(t, recorder.totalArrivals);
      }
      recorder.flush();
    },
  };
}

function classNamesFirst(services: Map<string, Service>): string {
  return services.keys().next().value!;
}

/** "13:30" → µs since midnight. */
export function clockToMicros(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h * 3600 + m * 60) * 1e6;
}

function serviceConfig(name: string, spec: ServiceSpec) {
  const requests = spec.resources.requests;
  const limits = spec.resources.limits;
  const cpuRequest = requests.cpu ?? limits.cpu ?? DEFAULT_CPU_REQUEST_MILLICORES;
  return {
    name,
    initialReplicas: spec.replicas,
    balancing: spec.loadBalancer,
    template: {
      cpuRequestMillicores: cpuRequest,
      memoryRequestBytes: requests.memory ?? limits.memory ?? DEFAULT_MEMORY_REQUEST_BYTES,
      cpuCapMillicores: limits.cpu ?? cpuRequest,
      workers: spec.workers,
      queueCapacity: spec.queueCapacity,
      warmupMicros: spec.startup.warmup?.duration ?? 0,
      warmupSlowdown: spec.startup.warmup?.slowdown ?? 1,
    },
    imagePull: buildDistribution(spec.startup.imagePull),
    containerStart: buildDistribution(spec.startup.containerStart),
    probeInitialDelayMicros: spec.readinessProbe.initialDelaySeconds * 1e6,
    probePeriodMicros: spec.readinessProbe.periodSeconds * 1e6,
    probeSuccessThreshold: spec.readinessProbe.successThreshold,
    probeFailureThreshold: spec.readinessProbe.failureThreshold,
    probeThroughWorkers: spec.readinessProbe.httpGet !== undefined,
    probeTimeoutMicros: spec.readinessProbe.timeoutSeconds * 1e6,
    endpointsPropagationMicros: spec.endpointsPropagationDelay,
    preStopMicros: spec.preStopSeconds * 1e6,
    terminationGracePeriodMicros: spec.terminationGracePeriodSeconds * 1e6,
    gracefulShutdown: spec.gracefulShutdown,
  };
}

/** Pod counts, queue and CPU of the service that takes the traffic. */
function addServiceColumns(recorder: Recorder, target: Service, meanWorkSeconds: number): void {
  const counts: PodCounts = { pending: 0, starting: 0, ready: 0, notReady: 0, terminating: 0 };
  recorder.addColumn({ name: 'pods_desired', sample: () => target.replicas });
  recorder.addColumn({ name: 'pods_ready', sample: () => target.countPods(counts).ready });
  recorder.addColumn({ name: 'pods_not_ready', sample: () => counts.notReady });
  recorder.addColumn({ name: 'pods_starting', sample: () => counts.starting });
  recorder.addColumn({ name: 'pods_pending', sample: () => counts.pending });
  recorder.addColumn({ name: 'pods_terminating', sample: () => counts.terminating });
  let lastCpu = 0;
  recorder.addColumn({
    name: 'cpu_utilization_pct',
    // CPU used over the interval ÷ CPU requested by ready pods: the HPA's definition of utilization.
    sample: (width) => {
      const total = target.cpuUsageTotal();
      const used = total - lastCpu;
      lastCpu = total;
      const requested = counts.ready * target.config.template.cpuRequestMillicores * width;
      return requested > 0 ? (100 * used) / requested : 0;
    },
  });
  recorder.addColumn({ name: 'queue_length', sample: () => target.queueLength() });
  recorder.addColumn({ name: 'in_flight', sample: () => inFlight(target) });
  // What the ready pods could serve if saturated: cores available ÷ mean CPU work per request.
  recorder.addColumn({ name: 'capacity_rps', sample: () => (counts.ready * Math.min(target.config.template.cpuCapMillicores / 1000, target.config.template.workers)) / meanWorkSeconds });
}

/** The HPA's view: its first metric's current value and target as the controller last saw them. */
function addHpaColumns(recorder: Recorder, controller: HpaController, service: string): void {
  const metric = () => controller.last?.metrics[0];
  const value = (v: { averageUtilization?: number; averageValue?: number; value?: number } | undefined, milli: boolean) => {
    if (!v) return NaN;
    if (v.averageUtilization !== undefined) return v.averageUtilization;
    const x = v.averageValue ?? v.value;
    return x === undefined ? NaN : milli ? x / 1000 : x;
  };
  const isMilli = () => metric()?.type !== 'Resource' && metric()?.type !== 'ContainerResource';
  recorder.addColumn({ name: `hpa_${service}_metric_value`, sample: () => value(metric()?.current, isMilli()) });
  recorder.addColumn({ name: `hpa_${service}_metric_target`, sample: () => value(metric()?.target, isMilli()) });
  recorder.addColumn({ name: `hpa_${service}_desired`, sample: () => controller.last?.desiredReplicas ?? NaN });
}

function inFlight(service: Service): number {
  let total = 0;
  for (const pod of service.pods) if (pod.phase !== 'Terminated') total += pod.outstanding;
  return total;
}

function priceCatalog(scenario: Scenario): PriceCatalog {
  const result = withOverrides(defaultPriceCatalog, scenario.cost.prices);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n')); // the loader reported these
  return result.catalog;
}

const MIB = 1024 * 1024;

function nodePoolConfig(name: string, spec: NodePoolSpec, catalog: PriceCatalog): NodePoolConfig {
  const type =
    typeof spec.instanceType === 'string'
      ? { ...instanceTypes[spec.instanceType], hourlyPriceUsd: catalog.prices[instanceTypes[spec.instanceType].priceId].priceUsd }
      : { vcpu: spec.instanceType.vcpu, memoryMi: spec.instanceType.memory / MIB, maxPods: spec.instanceType.maxPods, hourlyPriceUsd: spec.instanceType.hourlyPriceUsd };
  const allocatable = eksAllocatable(type);
  return {
    name,
    instanceType: typeof spec.instanceType === 'string' ? spec.instanceType : 'custom',
    capacityCpuMillicores: type.vcpu * 1000,
    capacityMemoryBytes: type.memoryMi * MIB,
    allocatableCpuMillicores: allocatable.cpuMillicores,
    allocatableMemoryBytes: allocatable.memoryBytes,
    maxPods: type.maxPods,
    daemonSetCpuMillicores: spec.daemonSetRequests.cpu,
    daemonSetMemoryBytes: spec.daemonSetRequests.memory,
    daemonSetPods: spec.daemonSetRequests.pods,
    hourlyPriceUsd: type.hourlyPriceUsd,
    priority: spec.priority,
    minNodes: spec.minNodes,
    maxNodes: spec.maxNodes,
    initialNodes: spec.initialNodes ?? spec.minNodes,
    instanceLaunch: buildDistribution(spec.instanceLaunch),
    nodeReady: buildDistribution(spec.nodeReady),
  };
}

function clusterAutoscalerConfig(spec: ClusterSpec['clusterAutoscaler']) {
  return {
    scanIntervalMicros: spec.scanInterval,
    expander: spec.expander,
    scaleDownEnabled: spec.scaleDownEnabled,
    maxNodeProvisionTimeMicros: spec.maxNodeProvisionTime,
    utilizationThreshold: spec.scaleDownUtilizationThreshold,
    unneededTimeMicros: spec.scaleDownUnneededTime,
    delayAfterAddMicros: spec.scaleDownDelayAfterAdd,
    delayAfterFailureMicros: spec.scaleDownDelayAfterFailure,
    maxEmptyBulkDelete: spec.maxEmptyBulkDelete,
  };
}

function addNodeColumns(recorder: Recorder, cluster: Cluster): void {
  // Draining nodes still run (and bill) until their pods are gone.
  recorder.addColumn({ name: 'nodes_ready', sample: () => cluster.count('Ready') + cluster.count('Draining') });
  recorder.addColumn({ name: 'nodes_provisioning', sample: () => cluster.count('Provisioning') });
}

function addCostColumns(recorder: Recorder, cost: CostModel): void {
  let last = 0;
  recorder.addColumn({
    name: 'cost_usd',
    sample: () => {
      const now = cost.accruedUsd();
      const interval = now - last;
      last = now;
      return interval;
    },
  });
  recorder.addColumn({ name: 'cost_cumulative_usd', sample: () => last });
}
