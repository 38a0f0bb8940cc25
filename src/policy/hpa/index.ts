/**
 * The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) as a pure policy: upstream's algorithm,
 * rounding and boundaries included (see shared/reference/hpa-algorithm.md).
 *
 * Layout follows upstream: `replica-calculator.ts` (one metric → proposal), `metric-proposals.ts`
 * (all metrics → one proposal), `stabilization.ts` (recommendation windows), `behavior.ts` (rate
 * limits, min/max, scale events, API defaults), `decision.ts` (one reconcile).
 */
export { computeHpaDecision, DEFAULT_HPA_CONTROLLER_CONFIG, DEFAULT_METRICS } from './decision.js';
export { DEFAULT_SCALE_DOWN_POLICIES, DEFAULT_SCALE_UP_RULES } from './behavior.js';
export type {
  CrossVersionObjectReference,
  ExternalMetricSample,
  HPAScalingPolicy,
  HPAScalingRules,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  HorizontalPodAutoscalerSpec,
  HpaCondition,
  HpaConditionReason,
  HpaConditionType,
  HpaControllerConfig,
  HpaControllerState,
  HpaDecision,
  HpaDecisionReason,
  HpaEvent,
  HpaMetricsSnapshot,
  HpaPolicyInput,
  LabelSelector,
  LabelSelectorRequirement,
  MetricDecisionStatus,
  MetricIdentifier,
  MetricSourceType,
  MetricSpec,
  MetricTarget,
  NormalizationTrace,
  ObjectMetricSample,
  Pod,
  PodContainer,
  PodReadyCondition,
  PodResourceMetrics,
  ScalingPolicySelect,
  Seconds,
  TimestampedRecommendation,
  TimestampedScaleEvent,
} from './types.js';
