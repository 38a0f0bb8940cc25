import { ServiceStats } from '../../metrics/service-stats.js';
import type { Recorder } from '../../metrics/recorder.js';
import { FAILURE_CAUSES } from '../../model/requests.js';
import { Service, type PodCounts, type ServiceConfig } from '../../model/service/service.js';
import type { Simulation } from '../../engine/index.js';
import type { PathRunner } from '../../model/path/path-runner.js';
import type { Requests } from '../../model/requests.js';
import type { Scenario, ServiceSpec } from '../schema.js';
import { averageOf } from './columns.js';
import { buildDistribution } from './distribution.js';

/** Default CPU request when a service states none (Kubernetes has no default; this is ours). */
const DEFAULT_CPU_REQUEST_MILLICORES = 500;
const DEFAULT_MEMORY_REQUEST_BYTES = 512 * 1024 ** 2;

/** Every service's Deployment: pods behind its load balancer. */
export function buildServices(scenario: Scenario, sim: Simulation, requests: Requests, runner: PathRunner): Map<string, Service> {
  const services = new Map<string, Service>();
  for (const [name, spec] of Object.entries(scenario.services)) services.set(name, new Service(serviceConfig(name, spec), sim, requests, runner));
  return services;
}

/** Per-service answers (latency, errors) when there are several services; undefined for one (the run's own figures say it). */
export function serviceStats(services: ReadonlyMap<string, Service>): Map<string, ServiceStats> | undefined {
  if (services.size < 2) return undefined;
  return new Map([...services.keys()].map((name) => [name, new ServiceStats(FAILURE_CAUSES.length)]));
}

function serviceConfig(name: string, spec: ServiceSpec): ServiceConfig {
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

/**
 * Pod counts, queue and CPU of a service. The entry service's columns have no prefix
 * (`pods_ready`); with several services each also gets `<service>_…` columns, with its own
 * latency and errors.
 */
export function addServiceColumns(recorder: Recorder, service: Service, meanWorkSeconds: number, prefix: string, stats?: ServiceStats): void {
  const counts: PodCounts = { pending: 0, starting: 0, ready: 0, notReady: 0, terminating: 0 };
  const template = service.config.template;
  recorder.addColumn({ name: `${prefix}pods_desired`, sample: () => service.replicas });
  recorder.addColumn({ name: `${prefix}pods_ready`, sample: () => service.countPods(counts).ready });
  recorder.addColumn({ name: `${prefix}pods_not_ready`, sample: () => counts.notReady });
  recorder.addColumn({ name: `${prefix}pods_starting`, sample: () => counts.starting });
  recorder.addColumn({ name: `${prefix}pods_pending`, sample: () => counts.pending });
  recorder.addColumn({ name: `${prefix}pods_terminating`, sample: () => counts.terminating });
  let lastCpu = 0;
  recorder.addColumn({
    name: `${prefix}cpu_utilization_pct`,
    // CPU used over the interval ÷ CPU requested by ready pods: the HPA's definition of utilization.
    sample: (width) => {
      const total = service.cpuUsageTotal();
      const used = total - lastCpu;
      lastCpu = total;
      const requested = counts.ready * template.cpuRequestMillicores * width;
      return requested > 0 ? (100 * used) / requested : 0;
    },
  });
  // A time average over the interval (from the queues' occupancy integrals), not a sample at its end.
  recorder.addColumn({ name: `${prefix}queue_length`, sample: averageOf(() => service.queueIntegral()) });
  recorder.addColumn({ name: `${prefix}in_flight`, sample: () => service.outstanding() });
  // What the ready pods could serve if saturated: cores available ÷ mean CPU work per request.
  recorder.addColumn({
    name: `${prefix}capacity_rps`,
    sample: () => (meanWorkSeconds > 0 ? (counts.ready * Math.min(template.cpuCapMillicores / 1000, template.workers)) / meanWorkSeconds : NaN),
  });
  if (!stats) return;
  recorder.addColumn({ name: `${prefix}completed_rps`, sample: (width) => stats.intervalServed / (width / 1e6) });
  recorder.addColumn({ name: `${prefix}p50_ms`, sample: () => stats.intervalHistogram.quantile(0.5) / 1000 });
  recorder.addColumn({ name: `${prefix}p99_ms`, sample: () => stats.intervalHistogram.quantile(0.99) / 1000 });
  recorder.addColumn({ name: `${prefix}errors`, sample: () => stats.intervalFailed });
  recorder.onRow(() => stats.endInterval());
}
