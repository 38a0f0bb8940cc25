/**
 * Types for the Kubernetes HorizontalPodAutoscaler (autoscaling/v2) policy.
 *
 * The shapes mirror the Kubernetes objects field by field (names verbatim) so that a tool can
 * ask "what would this HPA decide now?" with data copied from a cluster. Two things differ:
 *
 * - **Time** is a plain number of **seconds** on the simulated clock (any origin), never a Date.
 * - **Quantities** are plain numbers, already converted from Kubernetes quantity strings:
 *   - resource quantities — container `requests`, resource metric samples, and the
 *     `averageValue` target of a `Resource`/`ContainerResource` metric — use the resource's
 *     natural unit: **cpu in millicores**, **memory in bytes**, any other resource in its base unit;
 *   - every other metric quantity — `Pods`, `Object` and `External` metric values and their
 *     `value`/`averageValue` targets — is in **milli-units**, like upstream `Quantity.MilliValue()`:
 *     `"15"` → 15000, `"500m"` → 500, `"1k"` → 1000000.
 *   Internally everything is converted to milli-units and integer-divided exactly as upstream does;
 *   non-integer milli values are rounded up, as `MilliValue()` does; a NaN or infinite metric value
 *   counts as absent (a NaN request as missing).
 */

/** A point on the simulated clock [s]. */
export type Seconds = number;

// ---------------------------------------------------------------- the HPA object

/** `spec.metrics[].*.target`. Which field is read depends on the metric source (see upstream). */
export interface MetricTarget {
  type: 'Utilization' | 'Value' | 'AverageValue';
  /** Percent of the request, integer (Resource/ContainerResource). */
  averageUtilization?: number;
  /** Average per pod: resource natural unit for Resource/ContainerResource, milli-units otherwise. */
  averageValue?: number;
  /** Total value [milli-units] (Object/External). */
  value?: number;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: readonly string[];
}

export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface MetricIdentifier {
  name: string;
  selector?: LabelSelector;
}

export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}

export interface ResourceMetricSource {
  /** Resource name: `cpu`, `memory`, … */
  name: string;
  target: MetricTarget;
}

export interface ContainerResourceMetricSource {
  name: string;
  container: string;
  target: MetricTarget;
}

export interface PodsMetricSource {
  metric: MetricIdentifier;
  target: MetricTarget;
}

export interface ObjectMetricSource {
  describedObject: CrossVersionObjectReference;
  metric: MetricIdentifier;
  target: MetricTarget;
}

export interface ExternalMetricSource {
  metric: MetricIdentifier;
  target: MetricTarget;
}

/** One entry of `spec.metrics`. */
export type MetricSpec =
  | { type: 'Resource'; resource: ResourceMetricSource }
  | { type: 'ContainerResource'; containerResource: ContainerResourceMetricSource }
  | { type: 'Pods'; pods: PodsMetricSource }
  | { type: 'Object'; object: ObjectMetricSource }
  | { type: 'External'; external: ExternalMetricSource };

export type MetricSourceType = MetricSpec['type'];

export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent';
  /** Pods: replicas per period; Percent: percent of the replica count at the start of the period. */
  value: number;
  periodSeconds: number;
}

export type ScalingPolicySelect = 'Max' | 'Min' | 'Disabled';

/** `spec.behavior.scaleUp` / `scaleDown`. Unset fields get the upstream defaults. */
export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: ScalingPolicySelect;
  policies?: readonly HPAScalingPolicy[];
  /** Per-direction tolerance as a fraction (KEP-4951, e.g. 0.05); a Quantity string in YAML. */
  tolerance?: number;
}

export interface HorizontalPodAutoscalerBehavior {
  scaleUp?: HPAScalingRules;
  scaleDown?: HPAScalingRules;
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef?: CrossVersionObjectReference;
  /** Default 1. 0 only makes sense with an Object or External metric (HPAScaleToZero). */
  minReplicas?: number;
  maxReplicas: number;
  /** Default (as the API server fills it): `[{ Resource cpu, averageUtilization 80 }]`. */
  metrics?: readonly MetricSpec[];
  /**
   * `undefined` selects the **legacy** normalization (scale-up cap max(2×current, 4), direction-blind
   * 300 s stabilization); `{}` selects the behavior path with all upstream defaults. They differ.
   */
  behavior?: HorizontalPodAutoscalerBehavior;
}

/** The HorizontalPodAutoscaler object; `apiVersion`, `kind`, `metadata` and `status` are not read. */
export interface HorizontalPodAutoscaler {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec: HorizontalPodAutoscalerSpec;
}

// ---------------------------------------------------------------- the world the controller sees

export interface PodContainer {
  name: string;
  /** `requests`: cpu [millicores], memory [bytes], others in base units. */
  resources?: { requests?: Readonly<Record<string, number>> };
  /** Only read on `initContainers`: `Always` marks a sidecar, whose requests count. */
  restartPolicy?: 'Always';
}

export interface PodReadyCondition {
  type: 'Ready' | (string & {});
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: Seconds;
}

/** A pod selected by the HPA target's selector (the caller filters by selector). */
export interface Pod {
  metadata: { name: string };
  status: {
    phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    startTime?: Seconds;
    conditions?: readonly PodReadyCondition[];
  };
  /** Set while the pod is terminating: the pod is then ignored by the replica calculator. */
  deletionTimestamp?: Seconds;
  containers: readonly PodContainer[];
  initContainers?: readonly PodContainer[];
}

/** One pod's entry in metrics.k8s.io (what metrics-server serves). */
export interface PodResourceMetrics {
  /** End of the measurement window [s]. */
  timestamp: Seconds;
  /** Length of the measurement window [s] (metrics-server: about one scrape interval). */
  windowSeconds: Seconds;
  /** container name → resource name → usage: cpu [millicores], memory [bytes]. */
  containers: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** An Object metric value from custom.metrics.k8s.io. */
export interface ObjectMetricSample {
  describedObject: { kind: string; name: string };
  metricName: string;
  /** [milli-units] */
  valueMilli: number;
}

/** An External metric from external.metrics.k8s.io: every series matching the selector. */
export interface ExternalMetricSample {
  metricName: string;
  /** If set, the sample only answers a metric spec with an equal selector. */
  selector?: LabelSelector;
  /** One value per returned series [milli-units]; they are summed. Empty → "no metrics returned". */
  valuesMilli: readonly number[];
}

/** Everything the metric APIs would return right now. A missing entry behaves like an API error. */
export interface HpaMetricsSnapshot {
  /** metrics.k8s.io pod metrics: pod name → sample. Absent or empty → "no metrics returned". */
  resource?: Readonly<Record<string, PodResourceMetrics>>;
  /** custom.metrics.k8s.io per-pod values: metric name → pod name → value [milli-units]. The metric selector is not matched. */
  pods?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  object?: readonly ObjectMetricSample[];
  external?: readonly ExternalMetricSample[];
}

// ---------------------------------------------------------------- controller memory and config

/** A pre-normalization proposal, remembered for stabilization. */
export interface TimestampedRecommendation {
  replicas: number;
  timestamp: Seconds;
}

/** A completed rescale, remembered for the behavior rate limits. */
export interface TimestampedScaleEvent {
  /** |new − old| replicas, ≥ 0. */
  replicaChange: number;
  timestamp: Seconds;
  /** Older than the direction's longest policy period at the last store; may be overwritten. */
  outdated: boolean;
}

/** The in-memory history the controller keeps per HPA. Empty recommendations = never seen before. */
export interface HpaControllerState {
  recommendations: readonly TimestampedRecommendation[];
  scaleUpEvents: readonly TimestampedScaleEvent[];
  scaleDownEvents: readonly TimestampedScaleEvent[];
}

/** kube-controller-manager flags; every field defaults to upstream's default. */
export interface HpaControllerConfig {
  /** `--horizontal-pod-autoscaler-tolerance`, default 0.1. As upstream, 0 means "unset" → 0.1. */
  tolerance?: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period`, default 300 s. */
  cpuInitializationPeriodSeconds?: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay`, default 30 s. */
  delayOfInitialReadinessStatusSeconds?: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization`, default 300 s (legacy window, and behavior scaleDown window when unset). */
  downscaleStabilizationWindowSeconds?: number;
  /** Feature gate `HPAConfigurableTolerance` (beta, on from v1.35): read `behavior.*.tolerance`. Default true. */
  configurableTolerance?: boolean;
}

/**
 * Everything `computeHpaDecision` needs: one reconcile of one HPA.
 *
 * ```ts
 * computeHpaDecision({
 *   hpa: { spec: { minReplicas: 2, maxReplicas: 10, metrics: [{ type: 'Resource',
 *          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] } },
 *   currentReplicas: 3,
 *   pods,                         // the selector's pods, any phase
 *   metrics: { resource: { 'web-0': { timestamp: 590, windowSeconds: 15, containers: { app: { cpu: 420 } } }, … } },
 *   state: previous?.nextState,   // omit on the first reconcile
 *   now: 600,
 * })
 * ```
 */
export interface HpaPolicyInput {
  /** The HPA in autoscaling/v2 shape (quantities converted, see the module comment). */
  hpa: HorizontalPodAutoscaler;
  /** The target's scale subresource `spec.replicas` (desired count, not the running count). */
  currentReplicas: number;
  /** The target's scale subresource `status.replicas`; read by Object/External AverageValue metrics. Default `currentReplicas`. */
  statusReplicas?: number;
  /** Every pod the target's selector matches, including Pending, terminating and Failed ones. */
  pods: readonly Pod[];
  /** What the metrics APIs return right now. */
  metrics: HpaMetricsSnapshot;
  /** The controller's memory from the previous reconcile (`decision.nextState`). Omit for a fresh controller. */
  state?: HpaControllerState;
  /** Now on the simulated clock [s]. */
  now: Seconds;
  /** Controller flags; upstream defaults when omitted. */
  config?: HpaControllerConfig;
}

// ---------------------------------------------------------------- the decision

export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** The upstream condition reasons, verbatim. */
export type HpaConditionReason =
  | 'SucceededGetScale'
  | 'ReadyForNewScale'
  | 'ScaleUpStabilized'
  | 'ScaleDownStabilized'
  | 'SucceededRescale'
  | 'ValidMetricFound'
  | 'ScalingDisabled'
  | 'FailedGetResourceMetric'
  | 'FailedGetContainerResourceMetric'
  | 'FailedGetPodsMetric'
  | 'FailedGetObjectMetric'
  | 'FailedGetExternalMetric'
  | 'InvalidMetricSourceType'
  | 'DesiredWithinRange'
  | 'ScaleUpLimit'
  | 'TooManyReplicas'
  | 'ScaleDownLimit'
  | 'TooFewReplicas';

export interface HpaCondition {
  type: HpaConditionType;
  status: 'True' | 'False';
  reason: HpaConditionReason;
  message: string;
}

/** A Kubernetes Event the controller would emit. */
export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What one metric spec contributed. */
export interface MetricDecisionStatus {
  /** Index in `spec.metrics`. */
  index: number;
  type: string;
  /** Upstream's label, e.g. "cpu resource utilization (percentage of request)". Empty on error. */
  metricName: string;
  /** The metric spec's target, as given. */
  target: MetricTarget;
  /** The proposal, when the metric could be computed. */
  proposedReplicas?: number;
  /** Reported current value (status.currentMetrics), same units as the target field. */
  current?: { averageUtilization?: number; averageValue?: number; value?: number };
  /** Pod counts behind a per-pod metric (Resource, ContainerResource, Pods). */
  podCounts?: { ready: number; unready: number; missing: number; ignored: number };
  /** Set when the metric failed: the condition reason and the error text. */
  error?: { reason: HpaConditionReason; message: string };
}

/** The stabilization and limit steps of normalization, for explanations. */
export interface NormalizationTrace {
  path: 'behavior' | 'legacy';
  /** Max over metrics, before stabilization (what gets recorded). */
  proposedReplicas: number;
  stabilizedReplicas: number;
  /** Window bounds: nothing may rise above upRecommendation or fall below downRecommendation. */
  upRecommendation?: number;
  downRecommendation: number;
  /** The rate limit that applied in the direction of change, if any. */
  rateLimit?: { replicas: number; explanation: string };
  finalReplicas: number;
}

/** Short headline reason of a decision: a condition reason, verbatim. */
export type HpaDecisionReason = HpaConditionReason;

export interface HpaDecision {
  /** What the scale subresource should say after this reconcile (= current when nothing changes). */
  desiredReplicas: number;
  /** True when the controller writes a new scale (desiredReplicas ≠ currentReplicas). */
  rescale: boolean;
  /**
   * The headline reason, in priority order: a failed metric's reason; ScalingDisabled; SucceededRescale
   * for the min/max corrections; the ScalingLimited reason when it limited (ScaleUpLimit, ScaleDownLimit,
   * TooManyReplicas, TooFewReplicas); ScaleUpStabilized/ScaleDownStabilized; else DesiredWithinRange.
   */
  reason: HpaDecisionReason;
  /** Human-readable, with the numbers: "cpu 142% of target 50% → 12; ScaleUpLimit: …; 4 → 8". */
  message: string;
  /** Upstream's rescale reason text ("cpu resource utilization (percentage of request) above target"), or "". */
  rescaleReason: string;
  metrics: MetricDecisionStatus[];
  /** Conditions set by this reconcile (upstream keeps older ones untouched; lastTransitionTime not modelled). */
  conditions: HpaCondition[];
  events: HpaEvent[];
  /** Present when the metrics path ran through normalization. */
  normalization?: NormalizationTrace;
  /** The controller memory to pass as `state` next time. The input is never mutated. */
  nextState: HpaControllerState;
}
