import type { InputIssue } from './issues.js';
import type { HorizontalPodAutoscalerManifest } from './hpa-manifest.js';
import { MAX_CLUSTER_PODS, PODS_LIMIT_TEXT } from './limits.js';

/**
 * What a valid autoscaling/v2 manifest may still ask that the simulation cannot answer: the checks
 * that apply to an HPA attached to a simulated service (not to `hpa-dryrun`, which replays recorded
 * metrics). Paths are the manifest's own (`spec.metrics[0].resource.name`); the caller prefixes them.
 */
export function hpaSimulationIssues(hpa: HorizontalPodAutoscalerManifest): InputIssue[] {
  const issues: InputIssue[] = [];
  if (hpa.spec.maxReplicas > MAX_CLUSTER_PODS)
    issues.push({ path: 'spec.maxReplicas', message: `expected at most ${MAX_CLUSTER_PODS} (${PODS_LIMIT_TEXT}), got ${hpa.spec.maxReplicas}` });
  (hpa.spec.metrics ?? []).forEach((metric, i) => {
    const source = metric.type === 'Resource' ? { field: 'resource', name: metric.resource.name } : metric.type === 'ContainerResource' ? { field: 'containerResource', name: metric.containerResource.name } : undefined;
    if (source) {
      const problem = resourceMetricProblem(source.name);
      if (problem) issues.push({ path: `spec.metrics[${i}].${source.field}.name`, message: `${problem}, got ${JSON.stringify(source.name)}` });
    }
  });
  return issues;
}

/** CPU is the one resource the simulation measures (cAdvisor counters through metrics-server). */
function resourceMetricProblem(name: string): string | undefined {
  if (name === 'cpu') return undefined;
  // Memory use is modelled as a fixed fraction of the request, so a memory target would only ever see that constant.
  if (name === 'memory') return 'memory metrics are not modelled (memory use is a fixed fraction of the request, so the HPA would scale on a constant); scale on cpu or a Pods metric';
  return 'expected cpu, the only resource metric the simulation measures';
}
