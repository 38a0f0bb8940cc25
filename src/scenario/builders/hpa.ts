import { HpaController, isResourceMetric, readMetricValue } from '../../model/autoscaling/hpa-controller.js';
import { TIME_SIGNALS } from '../../model/autoscaling/metric-signals.js';
import type { PodCounts, Service } from '../../model/service/service.js';
import type { ServiceSpec } from '../schema.js';
import { increaseOf } from './columns.js';
import { MetricsPipeline } from '../../model/autoscaling/metrics-pipeline.js';
import type { Recorder } from '../../metrics/recorder.js';
import type { HorizontalPodAutoscaler } from '../../policy/hpa/index.js';
import { containerNameOf, metricFeeds } from '../hpa-target.js';
import type { BuildContext } from './context.js';

/** An HPA control loop, with its metrics pipeline, for every service that has one. */
export function buildHpas(ctx: BuildContext): void {
  const { scenario, sim } = ctx;
  const kcm = scenario.kubeControllerManager;
  for (const [name, spec] of Object.entries(scenario.services)) {
    if (!spec.hpa) continue;
    const service = ctx.services.get(name)!;
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
    }, ctx.log);
    ctx.start.loops.push(() => pipeline.start(), () => controller.start());
    addHpaColumns(ctx.recorder, controller, service, spec, name);
  }
}

/**
 * The HPA's view of its first metric — the value it read and its target, as of its last sync,
 * and when that reading was scraped — beside the true value now, and the replicas it wants.
 */
function addHpaColumns(recorder: Recorder, controller: HpaController, service: Service, spec: ServiceSpec, name: string): void {
  const metric = () => controller.last?.metrics[0];
  recorder.addColumn({ name: `hpa_${name}_metric_value`, sample: () => readMetricValue(metric()?.current, metric()) });
  recorder.addColumn({ name: `hpa_${name}_metric_target`, sample: () => readMetricValue(metric()?.target, metric()) });
  recorder.addColumn({ name: `hpa_${name}_metric_true`, sample: trueMetric(service, spec) });
  recorder.addColumn({ name: `hpa_${name}_metric_scraped_s`, sample: () => (isResourceMetric(metric()) ? controller.cpuScrapedAtS : controller.customScrapedAtS) });
  recorder.addColumn({ name: `hpa_${name}_desired`, sample: () => controller.last?.desiredReplicas ?? NaN });
}

/**
 * The HPA's first metric measured on the pods directly, without the metrics pipeline, in the
 * unit of `hpa_<service>_metric_value`: CPU over the interval (utilization: % of the running pods'
 * requests; average value: millicores per running pod), and the per-pod request rate, requests held
 * or queue of a Pods metric. NaN for other metrics (Object, External, times). CPU is shared by the
 * pods that run requests, ready or not, as a pod's usage is what metrics-server reports.
 */
function trueMetric(service: Service, spec: ServiceSpec): (intervalMicros: number) => number {
  const first = (spec.hpa as HorizontalPodAutoscaler).spec.metrics?.[0];
  const counts: PodCounts = { pending: 0, starting: 0, ready: 0, notReady: 0, terminating: 0 };
  const ready = () => service.countPods(counts).ready;
  // The pods that run requests (and use CPU): ready, failing readiness, or finishing theirs.
  const running = () => {
    service.countPods(counts);
    return counts.ready + counts.notReady + counts.terminating;
  };
  if (first?.type === 'Resource' || first?.type === 'ContainerResource') {
    const resource = first.type === 'Resource' ? first.resource : first.containerResource;
    if (resource.name !== 'cpu') return () => NaN;
    const cpu = increaseOf(() => service.cpuUsageTotal());
    const request = service.config.template.cpuRequestMillicores;
    const utilization = resource.target.type === 'Utilization';
    return (width) => {
      const used = cpu() / width; // millicores
      const pods = running();
      if (pods === 0) return NaN;
      return utilization ? (100 * used) / (pods * request) : used / pods;
    };
  }
  const feed = first?.type === 'Pods' ? metricFeeds(spec).get(first.pods.metric.name) : undefined;
  if (!feed || TIME_SIGNALS.has(feed.signal)) return () => NaN;
  const received = increaseOf(() => service.pods.reduce((sum, pod) => sum + pod.received, 0));
  const perPod = (x: number) => (x * feed.multiplier) / feed.divisor / ready();
  if (feed.signal === 'requestsPerSecond') return (width) => perPod(received() / (width / 1e6));
  if (feed.signal === 'inFlight') return () => perPod(service.outstanding());
  return () => perPod(service.queueLength());
}
