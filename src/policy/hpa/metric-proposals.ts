/**
 * One proposal per `spec.metrics` entry, and their combination: upstream `computeReplicasForMetric`,
 * `computeStatusFor*Metric` and `computeReplicasForMetrics` (horizontal.go).
 */
import {
  getExternalMetricReplicas,
  getExternalPerPodMetricReplicas,
  getMetricReplicas,
  getObjectMetricReplicas,
  getObjectPerPodMetricReplicas,
  getRawResourceReplicas,
  getResourceReplicas,
  milliToResource,
  resourceToMilli,
  type CalculatorContext,
} from './replica-calculator.js';
import type { HpaConditionReason, HpaMetricsSnapshot, LabelSelector, MetricDecisionStatus, MetricSpec, MetricTarget } from './types.js';

/** A metric that could not be computed: its condition reason, the error as the condition shows it, and the wrapped error. */
interface MetricFailure {
  reason: HpaConditionReason;
  message: string;
  wrappedMessage: string;
}

/** Go's `%+v` of a *LabelSelector, as it appears in upstream metric names. */
function formatSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return 'nil';
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${v},`)
    .join('');
  const expressions = (selector.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}

function targetOf(spec: MetricSpec): MetricTarget {
  switch (spec.type) {
    case 'Resource':
      return spec.resource.target;
    case 'ContainerResource':
      return spec.containerResource.target;
    case 'Pods':
      return spec.pods.target;
    case 'Object':
      return spec.object.target;
    case 'External':
      return spec.external.target;
    default:
      return { type: 'Value' };
  }
}

/** Computes one metric's proposal; never throws, failures come back as `status.error`. */
export function computeReplicasForMetric(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  spec: MetricSpec,
  index: number,
  specReplicas: number,
  statusReplicas: number,
): { status: MetricDecisionStatus; failure?: MetricFailure } {
  const base: MetricDecisionStatus = { index, type: String((spec as { type: unknown }).type), metricName: '', target: targetOf(spec) };
  const fail = (reason: HpaConditionReason, message: string, wrap: (m: string) => string) => ({
    status: { ...base, error: { reason, message } },
    failure: { reason, message, wrappedMessage: wrap(message) },
  });

  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const source = spec.type === 'Resource' ? { ...spec.resource, container: undefined } : spec.containerResource;
      const reason: HpaConditionReason = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
      const wrap = spec.type === 'Resource' ? (m: string) => `failed to get ${source.name} resource metric value: ${m}` : (m: string) => `failed to get ${source.container} container metric value: ${m}`;
      const { target, name: resource } = source;
      if (target.averageValue !== undefined) {
        // averageValue is checked first, whatever target.type says.
        const result = getRawResourceReplicas(ctx, snapshot, specReplicas, resourceToMilli(resource, target.averageValue), resource, source.container);
        if (!result.ok) return fail(reason, `failed to get ${resource} usage: ${result.message}`, wrap);
        return {
          status: {
            ...base,
            metricName: `${resource} resource`,
            proposedReplicas: result.replicas,
            current: { averageValue: milliToResource(resource, result.usageMilli) },
            podCounts: result.podCounts,
          },
        };
      }
      if (target.averageUtilization === undefined) {
        return fail(reason, 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set', wrap);
      }
      const result = getResourceReplicas(ctx, snapshot, specReplicas, target.averageUtilization, resource, source.container);
      if (!result.ok) return fail(reason, `failed to get ${resource} utilization: ${result.message}`, wrap);
      const kind = spec.type === 'Resource' ? 'resource' : 'container resource';
      return {
        status: {
          ...base,
          metricName: `${resource} ${kind} utilization (percentage of request)`,
          proposedReplicas: result.replicas,
          current: { averageUtilization: result.utilization, averageValue: milliToResource(resource, result.rawAverageMilli) },
          podCounts: result.podCounts,
        },
      };
    }
    case 'Pods': {
      const { metric, target } = spec.pods;
      const wrap = (m: string) => `failed to get pods metric value: ${m}`;
      if (target.averageValue === undefined) return fail('FailedGetPodsMetric', 'invalid pods metric source: no average value target was set', wrap);
      const result = getMetricReplicas(ctx, snapshot, specReplicas, target.averageValue, metric.name);
      if (!result.ok) return fail('FailedGetPodsMetric', result.message, wrap);
      return {
        status: { ...base, metricName: `pods metric ${metric.name}`, proposedReplicas: result.replicas, current: { averageValue: result.usageMilli }, podCounts: result.podCounts },
      };
    }
    case 'Object': {
      const { metric, target, describedObject } = spec.object;
      const wrap = (m: string) => `failed to get object metric value: ${m}`;
      if (target.type === 'Value' && target.value !== undefined) {
        const result = getObjectMetricReplicas(ctx, snapshot, specReplicas, target.value, metric.name, describedObject);
        if (!result.ok) return fail('FailedGetObjectMetric', result.message, wrap);
        return { status: { ...base, metricName: `${describedObject.kind} metric ${metric.name}`, proposedReplicas: result.replicas, current: { value: result.usageMilli } } };
      }
      if (target.type === 'AverageValue' && target.averageValue !== undefined) {
        // Base is scale.status.replicas, not spec.replicas.
        const result = getObjectPerPodMetricReplicas(ctx, snapshot, statusReplicas, target.averageValue, metric.name, describedObject);
        if (!result.ok) return fail('FailedGetObjectMetric', result.message, wrap);
        return {
          status: {
            ...base,
            // Upstream labels Object AverageValue as "external metric …".
            metricName: `external metric ${metric.name}(${formatSelector(metric.selector)})`,
            proposedReplicas: result.replicas,
            current: { value: result.usageMilli, averageValue: result.averageMilli },
          },
        };
      }
      return fail('FailedGetObjectMetric', 'invalid object metric source: neither a value target nor an average value target was set', wrap);
    }
    case 'External': {
      const { metric, target } = spec.external;
      const wrap = (m: string) => `failed to get ${metric.name} external metric value: ${m}`;
      const metricName = `external metric ${metric.name}(${formatSelector(metric.selector)})`;
      if (target.averageValue !== undefined) {
        const result = getExternalPerPodMetricReplicas(ctx, snapshot, statusReplicas, target.averageValue, metric.name, metric.selector);
        if (!result.ok) return fail('FailedGetExternalMetric', result.message, wrap);
        return { status: { ...base, metricName, proposedReplicas: result.replicas, current: { value: result.usageMilli, averageValue: result.averageMilli } } };
      }
      if (target.value !== undefined) {
        const result = getExternalMetricReplicas(ctx, snapshot, specReplicas, target.value, metric.name, metric.selector);
        if (!result.ok) return fail('FailedGetExternalMetric', result.message, wrap);
        return { status: { ...base, metricName, proposedReplicas: result.replicas, current: { value: result.usageMilli } } };
      }
      return fail('FailedGetExternalMetric', 'invalid external metric source: neither a value target nor an average value target was set', wrap);
    }
    default: {
      const message = `unknown metric source type "${base.type}"`;
      return fail('InvalidMetricSourceType', message, (m) => m);
    }
  }
}

export type MetricsProposal =
  | { ok: true; replicas: number; metricName: string; statuses: MetricDecisionStatus[]; failures: MetricFailure[] }
  | { ok: false; reason: HpaConditionReason; message: string; errorMessage: string; statuses: MetricDecisionStatus[]; failures: MetricFailure[] };

/**
 * The largest proposal wins (the first metric to reach it names it). If every metric failed, or
 * some failed and the rest would scale below spec.replicas, the whole computation fails: one
 * broken metric forbids a scale-down but not a scale-up or a hold.
 */
export function computeReplicasForMetrics(
  ctx: CalculatorContext,
  snapshot: HpaMetricsSnapshot,
  specs: readonly MetricSpec[],
  specReplicas: number,
  statusReplicas: number,
): MetricsProposal {
  const statuses: MetricDecisionStatus[] = [];
  const failures: MetricFailure[] = [];
  let replicas = 0;
  let metricName = '';
  specs.forEach((spec, index) => {
    const { status, failure } = computeReplicasForMetric(ctx, snapshot, spec, index, specReplicas, statusReplicas);
    statuses.push(status);
    if (failure !== undefined) {
      failures.push(failure);
      return;
    }
    const proposal = status.proposedReplicas ?? 0;
    if (replicas === 0 || proposal > replicas) {
      replicas = proposal;
      metricName = status.metricName;
    }
  });

  if (failures.length >= specs.length || (failures.length > 0 && replicas < specReplicas)) {
    const first = failures[0];
    return {
      ok: false,
      reason: first.reason,
      message: `the HPA was unable to compute the replica count: ${first.message}`,
      errorMessage: `invalid metrics (${failures.length} invalid out of ${specs.length}), first error is: ${first.wrappedMessage}`,
      statuses,
      failures,
    };
  }
  return { ok: true, replicas, metricName, statuses, failures };
}
