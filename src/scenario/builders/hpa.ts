import { HpaController } from '../../model/autoscaling/hpa-controller.js';
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
    addHpaColumns(ctx.recorder, controller, name);
  }
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
