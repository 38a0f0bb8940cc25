/**
 * One reconcile of one HPA (upstream `reconcileAutoscaler` + `normalizeDesiredReplicas*`),
 * as a pure function of the world it is shown and the controller memory it is given.
 */
import { convertDesiredReplicasWithBehaviorRate, convertDesiredReplicasWithRules, resolveBehavior, storeScaleEvent, type BoundedReplicas, type ResolvedBehavior } from './behavior.js';
import { describeMetric } from './format.js';
import { computeReplicasForMetrics } from './metric-proposals.js';
import type { CalculatorContext, Tolerances } from './replica-calculator.js';
import { recordInitialRecommendation, stabilizeRecommendationLegacy, stabilizeRecommendationWithBehaviors } from './stabilization.js';
import type {
  HpaCondition,
  HpaConditionReason,
  HpaConditionType,
  HpaControllerConfig,
  HpaControllerState,
  HpaDecision,
  HpaEvent,
  HpaPolicyInput,
  MetricDecisionStatus,
  MetricSpec,
  NormalizationTrace,
  TimestampedRecommendation,
} from './types.js';

/** Upstream `RecommendedDefaultHPAControllerConfiguration`. */
export const DEFAULT_HPA_CONTROLLER_CONFIG: Required<HpaControllerConfig> = {
  tolerance: 0.1,
  cpuInitializationPeriodSeconds: 300,
  delayOfInitialReadinessStatusSeconds: 30,
  downscaleStabilizationWindowSeconds: 300,
  configurableTolerance: true,
};

/** What the API server fills in when `spec.metrics` is empty: cpu at 80% of requests. */
export const DEFAULT_METRICS: readonly MetricSpec[] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];

function resolveConfig(config: HpaControllerConfig | undefined): Required<HpaControllerConfig> {
  const merged = { ...DEFAULT_HPA_CONTROLLER_CONFIG, ...stripUndefined(config ?? {}) };
  // As in kube-controller-manager, a zero cluster tolerance counts as unset.
  if (merged.tolerance === 0) merged.tolerance = DEFAULT_HPA_CONTROLLER_CONFIG.tolerance;
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Upstream `tolerancesForHpa`: the cluster value, replaced per side by behavior.*.tolerance when the gate is on. */
function tolerancesFor(config: Required<HpaControllerConfig>, behavior: ResolvedBehavior | undefined): Tolerances {
  const tolerances = { scaleUp: config.tolerance, scaleDown: config.tolerance };
  if (config.configurableTolerance && behavior !== undefined) {
    if (behavior.scaleUp.tolerance !== undefined) tolerances.scaleUp = behavior.scaleUp.tolerance;
    if (behavior.scaleDown.tolerance !== undefined) tolerances.scaleDown = behavior.scaleDown.tolerance;
  }
  return tolerances;
}

/** Conditions in the order upstream first sets them; setting a type again replaces it. */
class ConditionList {
  private readonly byType = new Map<HpaConditionType, HpaCondition>();
  set(type: HpaConditionType, status: 'True' | 'False', reason: HpaConditionReason, message: string): void {
    this.byType.set(type, { type, status, reason, message });
  }
  list(): HpaCondition[] {
    return [...this.byType.values()];
  }
}

/**
 * What the HPA controller would decide now: desired replicas, reason, conditions, and the
 * controller memory for the next call. Pure: the input is never mutated.
 */
export function computeHpaDecision(input: HpaPolicyInput): HpaDecision {
  const config = resolveConfig(input.config);
  const { hpa, now } = input;
  const spec = hpa.spec;
  const currentReplicas = input.currentReplicas;
  const statusReplicas = input.statusReplicas ?? currentReplicas;
  const minReplicas = spec.minReplicas ?? 1;
  const maxReplicas = spec.maxReplicas;
  const metricSpecs = spec.metrics !== undefined && spec.metrics.length > 0 ? spec.metrics : DEFAULT_METRICS;
  const behavior = spec.behavior === undefined ? undefined : resolveBehavior(spec.behavior, config.downscaleStabilizationWindowSeconds);
  const previous: HpaControllerState = input.state ?? { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };

  const conditions = new ConditionList();
  const events: HpaEvent[] = [];
  conditions.set('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
  let recommendations: TimestampedRecommendation[] = recordInitialRecommendation(previous.recommendations, currentReplicas, now);

  let desiredReplicas: number;
  let rescale: boolean;
  let rescaleReason = '';
  let headline: { reason: HpaConditionReason; text: string };
  let metricStatuses: MetricDecisionStatus[] = [];
  let normalization: NormalizationTrace | undefined;
  let metricsSummary = '';

  if (currentReplicas === 0 && minReplicas !== 0) {
    // Scaled to zero by hand: autoscaling is off until someone scales it up again.
    desiredReplicas = 0;
    rescale = false;
    const message = 'scaling is disabled since the replica count of the target is zero';
    conditions.set('ScalingActive', 'False', 'ScalingDisabled', message);
    headline = { reason: 'ScalingDisabled', text: message };
  } else if (currentReplicas > maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desiredReplicas = maxReplicas;
    rescale = true;
    headline = { reason: 'SucceededRescale', text: `${rescaleReason} (${currentReplicas} > ${maxReplicas})` };
  } else if (currentReplicas < minReplicas) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desiredReplicas = minReplicas;
    rescale = true;
    headline = { reason: 'SucceededRescale', text: `${rescaleReason} (${currentReplicas} < ${minReplicas})` };
  } else {
    const ctx: CalculatorContext = {
      pods: input.pods,
      now,
      tolerances: tolerancesFor(config, behavior),
      cpuInitializationPeriodSeconds: config.cpuInitializationPeriodSeconds,
      delayOfInitialReadinessStatusSeconds: config.delayOfInitialReadinessStatusSeconds,
    };
    const proposal = computeReplicasForMetrics(ctx, input.metrics, metricSpecs, currentReplicas, statusReplicas);
    metricStatuses = proposal.statuses;
    metricsSummary = metricStatuses.map((status) => describeMetric(metricSpecs[status.index], status)).join(', ');
    for (const failure of proposal.failures) events.push({ type: 'Warning', reason: failure.reason, message: failure.message });

    if (!proposal.ok) {
      // Nothing is normalized or recorded; the scale stays where it is.
      conditions.set('ScalingActive', 'False', proposal.reason, proposal.message);
      events.push({ type: 'Warning', reason: 'FailedComputeMetricsReplicas', message: proposal.errorMessage });
      const invalid = proposal.failures.length;
      const why = invalid < metricSpecs.length ? `${invalid} of ${metricSpecs.length} metrics invalid and the rest would scale down` : `no valid metric`;
      return {
        desiredReplicas: currentReplicas,
        rescale: false,
        reason: proposal.reason,
        message: `${metricsSummary}; ${proposal.reason}: not scaling (${why}); stays at ${currentReplicas}`,
        rescaleReason: '',
        metrics: metricStatuses,
        conditions: conditions.list(),
        events,
        nextState: { recommendations, scaleUpEvents: previous.scaleUpEvents.map((e) => ({ ...e })), scaleDownEvents: previous.scaleDownEvents.map((e) => ({ ...e })) },
      };
    }
    conditions.set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${proposal.metricName}`);

    const proposed = proposal.replicas;
    if (proposed > currentReplicas) rescaleReason = `${proposal.metricName} above target`;
    if (proposed < currentReplicas) rescaleReason = 'All metrics below target';

    let stabilizedReplicas: number;
    let stabilizedHow: { reason: HpaConditionReason; explanation: string } | undefined;
    let limited: BoundedReplicas;
    if (behavior === undefined) {
      const window = config.downscaleStabilizationWindowSeconds;
      const stabilized = stabilizeRecommendationLegacy(recommendations, proposed, window, now);
      recommendations = stabilized.recommendations;
      stabilizedReplicas = stabilized.stabilizedReplicas;
      if (stabilizedReplicas !== proposed) {
        stabilizedHow = { reason: 'ScaleDownStabilized', explanation: `highest recommendation in the last ${window}s` };
        conditions.set('AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
      } else {
        conditions.set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
      }
      limited = convertDesiredReplicasWithRules(currentReplicas, stabilizedReplicas, minReplicas, maxReplicas);
      normalization = { path: 'legacy', proposedReplicas: proposed, stabilizedReplicas, downRecommendation: stabilizedReplicas, finalReplicas: limited.replicas };
    } else {
      const upWindow = behavior.scaleUp.stabilizationWindowSeconds;
      const downWindow = behavior.scaleDown.stabilizationWindowSeconds;
      const stabilized = stabilizeRecommendationWithBehaviors(recommendations, proposed, currentReplicas, upWindow, downWindow, now);
      recommendations = stabilized.recommendations;
      stabilizedReplicas = stabilized.stabilizedReplicas;
      if (stabilizedReplicas !== proposed) {
        const explanation =
          stabilized.reason === 'ScaleUpStabilized'
            ? `lowest recommendation in the last ${upWindow}s is ${stabilized.upRecommendation}`
            : `highest recommendation in the last ${downWindow}s is ${stabilized.downRecommendation}`;
        stabilizedHow = { reason: stabilized.reason, explanation };
        conditions.set('AbleToScale', 'True', stabilized.reason, stabilized.message);
      } else {
        conditions.set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
      }
      limited = convertDesiredReplicasWithBehaviorRate(currentReplicas, stabilizedReplicas, minReplicas, maxReplicas, behavior, previous.scaleUpEvents, previous.scaleDownEvents, now);
      normalization = {
        path: 'behavior',
        proposedReplicas: proposed,
        stabilizedReplicas,
        upRecommendation: stabilized.upRecommendation,
        downRecommendation: stabilized.downRecommendation,
        finalReplicas: limited.replicas,
      };
    }
    const isLimited = limited.replicas !== stabilizedReplicas;
    conditions.set('ScalingLimited', isLimited ? 'True' : 'False', limited.reason, limited.message);
    if (isLimited && limited.bound) normalization.rateLimit = { replicas: limited.bound.replicas, explanation: limited.bound.explanation };

    desiredReplicas = limited.replicas;
    rescale = desiredReplicas !== currentReplicas;

    const steps: string[] = [];
    if (metricSpecs.length > 1) steps.push(`proposal ${proposed}`);
    if (stabilizedHow) steps.push(`${stabilizedHow.reason}: ${proposed} → ${stabilizedReplicas} (${stabilizedHow.explanation})`);
    if (isLimited) steps.push(`${limited.reason}: ${stabilizedReplicas} → ${limited.replicas}${limited.bound ? ` (${limited.bound.explanation})` : ''}`);
    const reason: HpaConditionReason = isLimited ? limited.reason : stabilizedHow ? stabilizedHow.reason : 'DesiredWithinRange';
    if (steps.length === 0) steps.push(reason);
    headline = { reason, text: [metricsSummary, ...steps].join('; ') };
  }

  let scaleUpEvents = previous.scaleUpEvents.map((e) => ({ ...e }));
  let scaleDownEvents = previous.scaleDownEvents.map((e) => ({ ...e }));
  if (rescale) {
    conditions.set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
    events.push({ type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${desiredReplicas}; reason: ${rescaleReason}` });
    ({ scaleUpEvents, scaleDownEvents } = storeScaleEvent(behavior, previous.scaleUpEvents, previous.scaleDownEvents, currentReplicas, desiredReplicas, now));
  } else {
    desiredReplicas = currentReplicas;
  }

  return {
    desiredReplicas,
    rescale,
    reason: headline.reason,
    message: `${headline.text}; ${rescale ? `${currentReplicas} → ${desiredReplicas}` : `stays at ${currentReplicas}`}`,
    rescaleReason,
    metrics: metricStatuses,
    conditions: conditions.list(),
    events,
    ...(normalization ? { normalization } : {}),
    nextState: { recommendations, scaleUpEvents, scaleDownEvents },
  };
}
