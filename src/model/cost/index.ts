export {
  billedSeconds,
  timeMeteredCostUsd,
  costPerMillion,
  costPerBlock,
  gbSecondsCost,
  lambdaBilledGbSeconds,
  monthlyExtrapolation,
  SECONDS_PER_EXTRAPOLATED_MONTH,
} from './billing.js';
export { UsageMeter, usageMeterFor, type UsageMeterOptions } from './usage-meter.js';
