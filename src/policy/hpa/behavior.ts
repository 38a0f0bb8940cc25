/**
 * Rate limits and min/max bounds: upstream `convertDesiredReplicasWithBehaviorRate`,
 * `calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`,
 * `convertDesiredReplicasWithRules` (legacy), `storeScaleEvent`, and the API defaults
 * (`GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`).
 *
 * Percent policies are computed in float64 in upstream's exact form — `ceil(start × (1 + v/100))`
 * up, `trunc(start × (1 − v/100))` down — because the float error shows:
 * ceil(50 × 1.1) = 56 and trunc(10 × 0.2) = 1.
 */
import { MAX_INT32, MIN_INT32 } from './replica-calculator.js';
import type {
  HPAScalingPolicy,
  HPAScalingRules,
  HorizontalPodAutoscalerBehavior,
  HpaConditionReason,
  ScalingPolicySelect,
  Seconds,
  TimestampedScaleEvent,
} from './types.js';

/** Scaling rules with every field filled in. */
export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: ScalingPolicySelect;
  policies: readonly HPAScalingPolicy[];
  tolerance?: number;
}

export interface ResolvedBehavior {
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules;
}

/** scaleUp default: no window, Max of 4 pods or 100% per 15 s. */
export const DEFAULT_SCALE_UP_RULES: ResolvedScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

/** scaleDown default: 100% per 15 s; the window comes from --horizontal-pod-autoscaler-downscale-stabilization. */
export const DEFAULT_SCALE_DOWN_POLICIES: readonly HPAScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

/** Field-by-field defaults, as the API server (copyHPAScalingRules) and maybeInitScaleDownStabilizationWindow apply them. */
export function resolveBehavior(behavior: HorizontalPodAutoscalerBehavior, downscaleStabilizationWindowSeconds: number): ResolvedBehavior {
  const fill = (from: HPAScalingRules | undefined, defaults: ResolvedScalingRules): ResolvedScalingRules => ({
    stabilizationWindowSeconds: from?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: from?.selectPolicy ?? defaults.selectPolicy,
    policies: from?.policies ?? defaults.policies,
    ...(from?.tolerance !== undefined ? { tolerance: from.tolerance } : {}),
  });
  return {
    scaleUp: fill(behavior.scaleUp, DEFAULT_SCALE_UP_RULES),
    scaleDown: fill(behavior.scaleDown, { stabilizationWindowSeconds: downscaleStabilizationWindowSeconds, selectPolicy: 'Max', policies: DEFAULT_SCALE_DOWN_POLICIES }),
  };
}

/** Σ replicaChange over events younger than the period (`age < period`). */
export function getReplicasChangePerPeriod(periodSeconds: number, events: readonly TimestampedScaleEvent[], now: Seconds): number {
  let replicas = 0;
  for (const event of events) if (now - event.timestamp < periodSeconds) replicas += event.replicaChange;
  return replicas;
}

export interface ScaleLimit {
  replicas: number;
  /** e.g. "Max of Pods 4 per 15s from 4 → 8, Percent 100% per 15s from 4 → 8". */
  explanation: string;
}

function describePolicy(policy: HPAScalingPolicy, start: number, proposed: number): string {
  const amount = policy.type === 'Percent' ? `${policy.value}%` : `${policy.value}`;
  return `${policy.type} ${amount} per ${policy.periodSeconds}s from ${start} → ${proposed}`;
}

/**
 * The highest count scale-up may reach now. `start` is the count at the start of each policy's
 * period: both directions' recent events count (PR #109058). Max picks the largest change, Min the
 * smallest, Disabled freezes at current.
 */
export function calculateScaleUpLimit(
  currentReplicas: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ResolvedScalingRules,
  now: Seconds,
): ScaleLimit {
  if (rules.selectPolicy === 'Disabled') return { replicas: currentReplicas, explanation: 'scale-up selectPolicy Disabled' };
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? MAX_INT32 : MIN_INT32;
  const parts: string[] = [];
  for (const policy of rules.policies) {
    const added = getReplicasChangePerPeriod(policy.periodSeconds, scaleUpEvents, now);
    const deleted = getReplicasChangePerPeriod(policy.periodSeconds, scaleDownEvents, now);
    const start = currentReplicas - added + deleted;
    // Rounded up so that a small percentage still adds at least one pod.
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    parts.push(describePolicy(policy, start, proposed));
    result = pick(result, proposed);
  }
  return { replicas: result, explanation: `${rules.selectPolicy} of ${parts.join(', ')}` };
}

/** The lowest count scale-down may reach now (mirror of the scale-up limit; Percent truncates). */
export function calculateScaleDownLimit(
  currentReplicas: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ResolvedScalingRules,
  now: Seconds,
): ScaleLimit {
  if (rules.selectPolicy === 'Disabled') return { replicas: currentReplicas, explanation: 'scale-down selectPolicy Disabled' };
  // For scale-down the smallest change is the highest count.
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? MIN_INT32 : MAX_INT32;
  const parts: string[] = [];
  for (const policy of rules.policies) {
    const added = getReplicasChangePerPeriod(policy.periodSeconds, scaleUpEvents, now);
    const deleted = getReplicasChangePerPeriod(policy.periodSeconds, scaleDownEvents, now);
    const start = currentReplicas - added + deleted;
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    parts.push(describePolicy(policy, start, proposed));
    result = pick(result, proposed);
  }
  return { replicas: result, explanation: `${rules.selectPolicy} of ${parts.join(', ')}` };
}

type LimitReason = Extract<HpaConditionReason, 'DesiredWithinRange' | 'ScaleUpLimit' | 'TooManyReplicas' | 'ScaleDownLimit' | 'TooFewReplicas'>;

export interface BoundedReplicas {
  replicas: number;
  reason: LimitReason;
  message: string;
  /** The bound that applied in the direction of change, with how it was computed. */
  bound?: ScaleLimit;
}

const LIMIT_MESSAGES: Record<LimitReason, string> = {
  DesiredWithinRange: 'the desired count is within the acceptable range',
  ScaleUpLimit: 'the desired replica count is increasing faster than the maximum scale rate',
  TooManyReplicas: 'the desired replica count is more than the maximum replica count',
  ScaleDownLimit: 'the desired replica count is decreasing faster than the maximum scale rate',
  TooFewReplicas: 'the desired replica count is less than the minimum replica count',
};

function bounded(replicas: number, reason: LimitReason, bound?: ScaleLimit): BoundedReplicas {
  return { replicas, reason, message: LIMIT_MESSAGES[reason], ...(bound ? { bound } : {}) };
}

/** Behavior path, after stabilization: the rate limits and min/max, only in the direction of change. */
export function convertDesiredReplicasWithBehaviorRate(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
  behavior: ResolvedBehavior,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  now: Seconds,
): BoundedReplicas {
  if (desiredReplicas > currentReplicas) {
    const limit = calculateScaleUpLimit(currentReplicas, scaleUpEvents, scaleDownEvents, behavior.scaleUp, now);
    // A limit below current (events not yet aged out) must not force a scale-down.
    const scaleUpLimit = Math.max(limit.replicas, currentReplicas);
    // Ties go to TooManyReplicas: maxReplicas is the binding bound when it equals the rate limit.
    const [allowed, reason, bound]: [number, LimitReason, ScaleLimit] =
      maxReplicas > scaleUpLimit
        ? [scaleUpLimit, 'ScaleUpLimit', { replicas: scaleUpLimit, explanation: limit.explanation }]
        : [maxReplicas, 'TooManyReplicas', { replicas: maxReplicas, explanation: `maxReplicas ${maxReplicas}` }];
    if (desiredReplicas > allowed) return bounded(allowed, reason, bound);
  } else if (desiredReplicas < currentReplicas) {
    const limit = calculateScaleDownLimit(currentReplicas, scaleUpEvents, scaleDownEvents, behavior.scaleDown, now);
    const scaleDownLimit = Math.min(limit.replicas, currentReplicas);
    const [allowed, reason, bound]: [number, LimitReason, ScaleLimit] =
      minReplicas < scaleDownLimit
        ? [scaleDownLimit, 'ScaleDownLimit', { replicas: scaleDownLimit, explanation: limit.explanation }]
        : [minReplicas, 'TooFewReplicas', { replicas: minReplicas, explanation: `minReplicas ${minReplicas}` }];
    if (desiredReplicas < allowed) return bounded(allowed, reason, bound);
  }
  return bounded(desiredReplicas, 'DesiredWithinRange');
}

/** Legacy scale-up cap: `scaleUpLimitFactor` 2 and `scaleUpLimitMinimum` 4 (upstream tests use factor 8). */
export const LEGACY_SCALE_UP_LIMIT_FACTOR = 2.0;
export const LEGACY_SCALE_UP_LIMIT_MINIMUM = 4.0;

/** Legacy path (behavior == nil): min floor, then a per-sync cap of max(2 × current, 4) or maxReplicas. */
export function convertDesiredReplicasWithRules(currentReplicas: number, desiredReplicas: number, minReplicas: number, maxReplicas: number): BoundedReplicas {
  const scaleUpLimit = Math.trunc(Math.max(LEGACY_SCALE_UP_LIMIT_FACTOR * currentReplicas, LEGACY_SCALE_UP_LIMIT_MINIMUM));
  const [maximumAllowed, reason, bound]: [number, LimitReason, ScaleLimit] =
    maxReplicas > scaleUpLimit
      ? [scaleUpLimit, 'ScaleUpLimit', { replicas: scaleUpLimit, explanation: `legacy limit max(2 × ${currentReplicas}, 4) = ${scaleUpLimit}` }]
      : [maxReplicas, 'TooManyReplicas', { replicas: maxReplicas, explanation: `maxReplicas ${maxReplicas}` }];
  if (desiredReplicas < minReplicas) return bounded(minReplicas, 'TooFewReplicas', { replicas: minReplicas, explanation: `minReplicas ${minReplicas}` });
  if (desiredReplicas > maximumAllowed) return bounded(maximumAllowed, reason, bound);
  return bounded(desiredReplicas, 'DesiredWithinRange');
}

function longestPolicyPeriod(rules: ResolvedScalingRules): number {
  let longest = 0;
  for (const policy of rules.policies) if (policy.periodSeconds > longest) longest = policy.periodSeconds;
  return longest;
}

/**
 * Upstream `storeScaleEvent` (behavior path only): mark that direction's events older than its
 * longest policy period as outdated, then overwrite the last outdated one or append.
 */
export function storeScaleEvent(
  behavior: ResolvedBehavior | undefined,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  previousReplicas: number,
  newReplicas: number,
  now: Seconds,
): { scaleUpEvents: TimestampedScaleEvent[]; scaleDownEvents: TimestampedScaleEvent[] } {
  const up = scaleUpEvents.map((e) => ({ ...e }));
  const down = scaleDownEvents.map((e) => ({ ...e }));
  if (behavior === undefined) return { scaleUpEvents: up, scaleDownEvents: down }; // legacy: never read, never stored
  const scalingUp = newReplicas > previousReplicas;
  const events = scalingUp ? up : down;
  const longest = longestPolicyPeriod(scalingUp ? behavior.scaleUp : behavior.scaleDown);
  let oldIndex: number | undefined;
  events.forEach((event, i) => {
    if (now - event.timestamp > longest) event.outdated = true;
    if (event.outdated) oldIndex = i;
  });
  const entry: TimestampedScaleEvent = { replicaChange: Math.abs(newReplicas - previousReplicas), timestamp: now, outdated: false };
  if (oldIndex === undefined) events.push(entry);
  else events[oldIndex] = entry;
  return { scaleUpEvents: up, scaleDownEvents: down };
}
