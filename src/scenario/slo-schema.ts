import { z } from 'zod';
import { duration, fraction } from './schema-units.js';
import { parseDurationMicros } from './units.js';

/**
 * The scenario's `slo` block: service-level objectives every strategy is judged against,
 * like k6 thresholds. Internal units after parsing: durations µs, ratios 0..1.
 *
 *   slo:
 *     latency:
 *       - { percentile: p99, below: 500ms }              # over the whole run
 *       - { percentile: p99, below: 500ms, window: 5m }  # in every 5-minute window
 *     errorRate: { below: 1% }                           # failed / arrivals over the run
 *     availability: { atLeast: 99.9% }                   # 1 − error rate over the run
 *     gate: [hpa-aggressive]                             # strategies `--check` fails on
 *
 * A window must be a positive multiple of `metricsInterval`; that is checked where the
 * interval is known (`validateSloAgainstInterval`).
 */

const PERCENTILE_FORM = 'a percentile like "p50", "p90", "p95", "p99", "p99.9" or a number between 0 and 100';

/** "p99", "p99.9", 99, 99.9 → the percent (0 < p < 100, exclusive). */
function parsePercentile(value: unknown): number | undefined {
  let percent: number;
  if (typeof value === 'number') percent = value;
  else if (typeof value === 'string') {
    const match = /^\s*p(\d+(?:\.\d+)?)\s*$/i.exec(value);
    if (!match) return undefined;
    percent = Number(match[1]);
  } else return undefined;
  return Number.isFinite(percent) && percent > 0 && percent < 100 ? percent : undefined;
}

const percentile = () =>
  z
    .union([z.number(), z.string()], { error: (issue) => `expected ${PERCENTILE_FORM}, got ${JSON.stringify(issue.input)}` })
    .transform((value, ctx) => {
      const percent = parsePercentile(value);
      if (percent === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${PERCENTILE_FORM}, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return percent;
    });

const LATENCY_FORM = 'a latency with a unit like "500ms" or "1.5s"';

/**
 * A latency threshold: a duration that must carry a unit. A bare number would be seconds
 * under the scenario's duration rule, and `below: 500` meant as milliseconds (k6's habit)
 * would then silently allow 500 s, so it is rejected. → µs, > 0.
 */
const latencyThreshold = () =>
  z
    .union([z.number(), z.string()], { error: (issue) => `expected ${LATENCY_FORM}, got ${JSON.stringify(issue.input)}` })
    .transform((value, ctx) => {
      const bare = typeof value === 'number' || /^\s*\d+(\.\d+)?\s*$/.test(value);
      const micros = bare ? undefined : parseDurationMicros(value);
      if (micros === undefined || micros <= 0) {
        const hint = bare ? ' (a bare number would be seconds)' : '';
        ctx.addIssue({ code: 'custom', message: `expected ${LATENCY_FORM}${hint}, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return micros;
    });

const windowField = (what: string) =>
  duration()
    .refine((micros) => micros > 0, { error: 'expected a window > 0' })
    .optional()
    .meta({
      description: `Sliding window: the objective must hold ${what} of this length, sliding by one metricsInterval; a positive multiple of metricsInterval. Only full windows are judged; a run shorter than the window is judged as one window. Default: none (judged over the whole run).`,
    });

/** A fraction in (0, 1]; "99.9%" → 0.999 exactly (parseFraction alone gives 0.9990000000000001, which 99.9% would miss). */
const ratio = (name: string) =>
  fraction()
    .transform((r) => Number(r.toPrecision(15)))
    .refine((r) => r > 0 && r <= 1, { error: `expected ${name} between 0 (exclusive) and 1 (or "100%")` });

export const latencyObjectiveSchema = z
  .strictObject({
    percentile: percentile().meta({
      description: 'Which percentile of the latency of successful requests: "p50", "p90", "p95", "p99", "p99.9", or any "pN" / number N with 0 < N < 100. Required.',
      examples: ['p99', 'p99.9', 95],
    }),
    below: latencyThreshold().meta({
      description: 'The percentile must stay strictly below this latency: a duration with a unit ("500ms", "1.5s"); a bare number is rejected. Required.',
      examples: ['500ms', '1s'],
    }),
    window: windowField('in every window'),
  })
  .transform(({ percentile: percent, below, window }) => ({
    /** "p99", "p99.9" (a number input becomes "p<number>"). */
    percentile: `p${percent}`,
    /** The percentile as a fraction for LogHistogram.quantile (0.99; 0.999 exactly, not 0.9990000000000001). */
    quantile: Number((percent / 100).toPrecision(15)),
    /** Threshold, µs. */
    below,
    /** Window, µs; absent: the whole run. */
    window,
  }))
  .meta({ description: 'A latency objective: percentile `percentile` of successful requests below `below`, over the whole run or in every `window`.' });

export const sloSchema = z
  .strictObject({
    latency: z
      .array(latencyObjectiveSchema)
      .optional()
      .meta({ description: 'Latency objectives, each judged separately (default: none). E.g. [{percentile: p99, below: 500ms}, {percentile: p99, below: 500ms, window: 5m}].' }),
    errorRate: z
      .strictObject({
        below: ratio('an error rate').meta({ description: 'failed / arrivals must stay strictly below this fraction: 0.01 or "1%". Required.' }),
        window: windowField('in every window'),
      })
      .optional()
      .meta({ description: 'Error-rate objective: failed requests / arrivals, over the whole run or in every `window` (default: none).' }),
    availability: z
      .strictObject({
        atLeast: ratio('an availability').meta({ description: '1 − failed / arrivals over the whole run must be at least this: 0.999 or "99.9%". Required.' }),
      })
      .optional()
      .meta({ description: 'Availability objective over the whole run (default: none).' }),
    gate: z
      .array(z.string().min(1, { error: 'expected a strategy name' }))
      .optional()
      .meta({ description: 'Strategies whose SLO misses make `--check` fail (default: every strategy). The others are still judged and reported.' }),
  })
  .refine((slo) => (slo.latency?.length ?? 0) > 0 || slo.errorRate !== undefined || slo.availability !== undefined, {
    error: 'expected at least one objective (latency, errorRate or availability)',
  })
  .meta({ description: 'Service-level objectives every strategy is judged against, like k6 thresholds (default: none).' });

export type SloInput = z.input<typeof sloSchema>;
export type SloSpec = z.output<typeof sloSchema>;
export type LatencyObjective = z.output<typeof latencyObjectiveSchema>;

export { validateSloAgainstInterval } from '../metrics/slo.js';

/** Names in `gate` that are not strategies of the scenario: `slo.gate[0]: expected one of the strategies (a, b), got "x"`. */
export function validateSloGate(slo: SloSpec, strategyNames: readonly string[]): string[] {
  return (slo.gate ?? []).flatMap((name, i) =>
    strategyNames.includes(name) ? [] : [`slo.gate[${i}]: expected one of the strategies (${strategyNames.join(', ')}), got ${JSON.stringify(name)}`],
  );
}

/** Whether `--check` fails on this strategy's SLO misses (no gate: every strategy). */
export function sloGates(slo: SloSpec, strategyName: string): boolean {
  return slo.gate === undefined || slo.gate.includes(strategyName);
}
