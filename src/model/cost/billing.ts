/**
 * Billing arithmetic as pure functions. Times are rounded to the simulator's clock
 * resolution (integer microseconds) before any rounding rule is applied, so that
 * `ceil` never sees float noise (e.g. 0.1 + 0.2 s is 300,000 µs, not 300,000.00000000006).
 */
import type { BillingRules } from '../../catalog/prices.js';

export const MICROS_PER_SECOND = 1_000_000;
export const SECONDS_PER_HOUR = 3600;
/** The month used for extrapolation: 30 days of 86,400 s (not a calendar month, not 730 h). */
export const SECONDS_PER_EXTRAPOLATED_MONTH = 30 * 86_400;

/** Seconds → whole microseconds (nearest). */
export function toMicros(seconds: number): number {
  return Math.round(seconds * MICROS_PER_SECOND);
}

/** Rounding step in µs: at least 1 µs, since the clock cannot resolve anything finer. */
export function granularityMicrosOf(rules: BillingRules): number {
  return Math.max(1, toMicros(rules.granularitySeconds));
}

/** Billed µs for a lifetime of `runMicros` µs: rounded up to the step, then raised to the minimum. */
export function billedMicros(runMicros: number, granularityMicros: number, minimumMicros: number): number {
  const rounded = Math.ceil(runMicros / granularityMicros) * granularityMicros;
  return Math.max(rounded, minimumMicros);
}

/**
 * Billed seconds for one resource lifetime of `runSeconds`.
 * Rounding: the run time is first taken to the nearest µs, then rounded UP to a multiple
 * of `granularitySeconds`, then raised to `minimumSeconds`. A lifetime of 0 s (started and
 * stopped at once) still bills the minimum, as a launched instance does.
 * EC2 (1 s / 60 s): 20 s → 60 s; 61.2 s → 62 s; 2 h → 7200 s.
 */
export function billedSeconds(runSeconds: number, rules: BillingRules): number {
  const micros = billedMicros(Math.max(0, toMicros(runSeconds)), granularityMicrosOf(rules), toMicros(rules.minimumSeconds));
  return micros / MICROS_PER_SECOND;
}

/** Cost of one lifetime of a time-metered item priced per hour, `quantity` units at once. */
export function timeMeteredCostUsd(runSeconds: number, hourlyRateUsd: number, rules: BillingRules, quantity = 1): number {
  return (billedSeconds(runSeconds, rules) * quantity * hourlyRateUsd) / SECONDS_PER_HOUR;
}

/** Cost of `count` requests priced per million (SQS, API Gateway, Lambda requests). No tiers or free tier. */
export function costPerMillion(count: number, pricePerMillionUsd: number): number {
  return (count * pricePerMillionUsd) / 1_000_000;
}

/** Cost of `count` items priced per block of `blockSize` (CloudFront: per 10,000 requests). */
export function costPerBlock(count: number, pricePerBlockUsd: number, blockSize: number): number {
  return (count * pricePerBlockUsd) / blockSize;
}

/** Cost of `gbSeconds` GB-seconds (Lambda duration, Provisioned Concurrency). No tiers or free tier. */
export function gbSecondsCost(gbSeconds: number, pricePerGbSecondUsd: number): number {
  return gbSeconds * pricePerGbSecondUsd;
}

/**
 * GB-seconds billed for one Lambda invocation: memory in MB / 1024 (Lambda's GB is 1024 MB)
 * × duration rounded up to `rules` (Lambda duration: 1 ms, no minimum).
 */
export function lambdaBilledGbSeconds(memoryMb: number, durationSeconds: number, rules: BillingRules): number {
  return (memoryMb / 1024) * billedSeconds(durationSeconds, rules);
}

/**
 * An extrapolation, not a bill: `totalUsd` scaled from `simulatedSeconds` to a 30-day month
 * (30 × 86,400 s). NaN when nothing was simulated.
 */
export function monthlyExtrapolation(totalUsd: number, simulatedSeconds: number): number {
  if (!(simulatedSeconds > 0)) return NaN;
  return totalUsd * (SECONDS_PER_EXTRAPOLATED_MONTH / simulatedSeconds);
}
