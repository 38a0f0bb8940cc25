/**
 * Stabilization over the recommendation history: upstream `stabilizeRecommendationWithBehaviors`
 * (behavior path) and `stabilizeRecommendation` (legacy path). Both record the pre-normalization
 * proposal, overwriting the last entry that is old enough, and return a new array.
 *
 * Boundaries (a simulator on a 15 s grid hits them exactly): behavior windows count `age < window`;
 * an entry may be overwritten when `age > upWindow and age > downWindow`; the legacy window counts
 * `age ≤ window` and overwrites `age > window`.
 */
import type { HpaConditionReason, Seconds, TimestampedRecommendation } from './types.js';

/** The first reconcile of an HPA seeds (current, now), which blocks scale-downs for one window. */
export function recordInitialRecommendation(recommendations: readonly TimestampedRecommendation[], currentReplicas: number, now: Seconds): TimestampedRecommendation[] {
  return recommendations.length === 0 ? [{ replicas: currentReplicas, timestamp: now }] : [...recommendations];
}

function record(recommendations: readonly TimestampedRecommendation[], oldIndex: number | undefined, entry: TimestampedRecommendation): TimestampedRecommendation[] {
  const next = [...recommendations];
  if (oldIndex === undefined) next.push(entry);
  else next[oldIndex] = entry;
  return next;
}

export interface BehaviorStabilization {
  stabilizedReplicas: number;
  /** min over the scale-up window: nothing rises above it. */
  upRecommendation: number;
  /** max over the scale-down window: nothing falls below it. */
  downRecommendation: number;
  /** The reason to report when stabilizedReplicas ≠ desired. */
  reason: Extract<HpaConditionReason, 'ScaleUpStabilized' | 'ScaleDownStabilized'>;
  message: string;
  recommendations: TimestampedRecommendation[];
}

/** Clamps the current count into [min over the up window, max over the down window]. */
export function stabilizeRecommendationWithBehaviors(
  recommendations: readonly TimestampedRecommendation[],
  desiredReplicas: number,
  currentReplicas: number,
  upWindowSeconds: number,
  downWindowSeconds: number,
  now: Seconds,
): BehaviorStabilization {
  let upRecommendation = desiredReplicas;
  let downRecommendation = desiredReplicas;
  let oldIndex: number | undefined;
  recommendations.forEach((rec, i) => {
    const age = now - rec.timestamp;
    if (age < upWindowSeconds) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (age < downWindowSeconds) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (age > upWindowSeconds && age > downWindowSeconds) oldIndex = i; // the last old entry is reused
  });

  let stabilizedReplicas = currentReplicas;
  if (stabilizedReplicas < upRecommendation) stabilizedReplicas = upRecommendation;
  if (stabilizedReplicas > downRecommendation) stabilizedReplicas = downRecommendation;

  const scalingUp = desiredReplicas >= currentReplicas;
  return {
    stabilizedReplicas,
    upRecommendation,
    downRecommendation,
    reason: scalingUp ? 'ScaleUpStabilized' : 'ScaleDownStabilized',
    message: scalingUp
      ? 'recent recommendations were lower than current one, applying the lowest recent recommendation'
      : 'recent recommendations were higher than current one, applying the highest recent recommendation',
    recommendations: record(recommendations, oldIndex, { replicas: desiredReplicas, timestamp: now }),
  };
}

/** Legacy (behavior == nil): the max over the window, direction-blind, `age ≤ window` included. */
export function stabilizeRecommendationLegacy(
  recommendations: readonly TimestampedRecommendation[],
  desiredReplicas: number,
  windowSeconds: number,
  now: Seconds,
): { stabilizedReplicas: number; recommendations: TimestampedRecommendation[] } {
  let maxRecommendation = desiredReplicas;
  let oldIndex: number | undefined;
  recommendations.forEach((rec, i) => {
    if (now - rec.timestamp > windowSeconds) oldIndex = i;
    else if (rec.replicas > maxRecommendation) maxRecommendation = rec.replicas;
  });
  return { stabilizedReplicas: maxRecommendation, recommendations: record(recommendations, oldIndex, { replicas: desiredReplicas, timestamp: now }) };
}
