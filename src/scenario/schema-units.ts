import { z } from 'zod';
import { parseCpuMillicores, parseDurationMicros, parseFraction, parseMemoryBytes, parseRatePerSecond } from './units.js';

/** A value as it appears in a message: JSON for strings, `Infinity` rather than JSON's `null` for numbers. */
function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/**
 * A unit-bearing field: number or string in, one internal unit out, and a message naming the expected form.
 * `check` rejects parsed values out of range, Infinity included, with the reason (`expected a period > 0`);
 * the offending input is appended.
 */
function unitField(parse: (v: unknown) => number | undefined, example: string, description: string, check: (parsed: number, input: unknown) => string | undefined) {
  return z
    .union([z.number(), z.string()], {
      error: (issue) => `expected ${typeof issue.input === 'number' ? 'a finite number' : example}, got ${show(issue.input)}`,
    })
    .transform((value, ctx) => {
      const parsed = parse(value);
      const problem = parsed === undefined ? `expected ${example}` : check(parsed, value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${problem}, got ${show(value)}` });
        return z.NEVER;
      }
      return parsed!;
    })
    .meta({ description });
}

// ---------------------------------------------------------------- durations

/** The longest duration: times are integer µs in doubles, exact up to 2^53 µs (about 285 years). */
export const MAX_DURATION_MICROS = Number.MAX_SAFE_INTEGER;
/** The longest run, a simulated leap year: the event queue, time series and bills are sized for runs of days, not decades. */
const MAX_RUN_DURATION_MICROS = 366 * 86_400_000_000;

/**
 * What a duration field means decides its smallest sensible value:
 * - `delay`: a delay, offset or amount of work, or a stabilization window; 0 means none (≥ 0);
 * - `period`: something that repeats every so often; 0 would repeat forever at one instant (> 0);
 * - `timeout`: a deadline; 0 would fail everything at once (> 0);
 * - `window`: the span a rate or an objective is measured over; 0 measures nothing (> 0).
 * All are bounded by MAX_DURATION_MICROS. The smallest positive value is 1 µs, the clock's tick.
 */
export type DurationKind = 'delay' | 'period' | 'timeout' | 'window';

/** Why a duration in µs does not fit its kind, or undefined when it does. */
function durationProblem(kind: DurationKind, micros: number): string | undefined {
  if (kind !== 'delay' && !(micros >= 1)) return `expected a ${kind} > 0 (at least 1µs)`;
  if (!(micros >= 0)) return 'expected a duration ≥ 0';
  if (!(micros <= MAX_DURATION_MICROS)) return 'expected a duration below 2^53 µs (about 285 years)';
  return undefined;
}

const DURATION_FORM = 'a duration like "15s", "2m" or "1h30m"';
const DURATION_DESCRIPTION = '"250ms", "15s", "2m", "1h30m"; a bare number is seconds';

const durationField = (kind: DurationKind, what: string) =>
  unitField(parseDurationMicros, DURATION_FORM, `${what}: ${DURATION_DESCRIPTION}.`, (micros) => durationProblem(kind, micros));

/** A delay, offset or amount of work: ≥ 0. */
export const duration = () => durationField('delay', 'Duration ≥ 0');
/** The interval of something that repeats: > 0. */
export const period = () => durationField('period', 'Period > 0');
/** A deadline: > 0. */
export const timeout = () => durationField('timeout', 'Timeout > 0');
/** A span measured over: > 0. */
export const window = () => durationField('window', 'Window > 0');

/**
 * A number of seconds where Kubernetes names the field so (`periodSeconds: 10`), under the rules of
 * the duration of that kind. Stays in seconds.
 */
export const seconds = (kind: DurationKind) =>
  z.number().superRefine((value, ctx) => {
    const problem = durationProblem(kind, Math.round(value * 1e6));
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${problem}, got ${value}` });
  });

const RUN_DURATION_FORM = 'a duration like "15m" or "2h"';

/** Why a run duration does not fit (> 0, at most MAX_RUN_DURATION_MICROS), or undefined. */
function runDurationProblem(micros: number): string | undefined {
  if (!(micros >= 1)) return 'expected a duration > 0';
  if (!(micros <= MAX_RUN_DURATION_MICROS)) return 'expected at most 366d (a simulated year; longer runs are refused)';
  return undefined;
}

/** The scenario's `duration` and the `--duration` flag: one parse, one check. */
export const runDuration = () => unitField(parseDurationMicros, RUN_DURATION_FORM, `Simulated time to run, > 0 and at most 366d: ${DURATION_DESCRIPTION}.`, runDurationProblem);

// ---------------------------------------------------------------- other quantities

/** Counts in integer units (millicores, bytes) stay exact up to 2^53. */
const atMost = (max: number, text: string) => (value: number) => (value <= max ? undefined : `expected at most ${text}`);

export const cpu = () =>
  unitField(parseCpuMillicores, 'a CPU quantity like "500m" or "2"', 'CPU quantity (Kubernetes syntax): "500m" or "2" cores.', atMost(Number.MAX_SAFE_INTEGER, '2^53 millicores'));
export const memory = () =>
  unitField(parseMemoryBytes, 'a memory quantity like "512Mi" or "2Gi"', 'Memory quantity (Kubernetes syntax): "512Mi", "2Gi", "1G".', atMost(Number.MAX_SAFE_INTEGER, '2^53 bytes (8Pi)'));
/** Any finite rate parses; whether the run it makes is affordable is the work estimate's business. */
export const rate = () =>
  unitField(parseRatePerSecond, 'a rate like "1200/s" or "5k/min"', 'Rate: "1200/s", "5k/min", "300/h"; a bare number is per second.', (perSecond) => (Number.isFinite(perSecond) ? undefined : 'expected a finite rate'));

/**
 * A fraction 0..1: a percentage ("1%", "0.1%", "100%") or a bare number below 1. A bare number
 * ≥ 1 is refused: `errorRate: { below: 1 }` reads as "1%" but would mean 100%.
 */
function fractionProblem(value: number, input: unknown): string | undefined {
  if (typeof input === 'number' && value >= 1)
    return `expected a fraction below 1 or a percentage: write "${value}%" for ${value} percent${value === 1 ? ' (or "100%" for all)' : ''}`;
  if (value > 1) return 'expected a percentage of at most "100%"';
  return undefined;
}
export const fraction = () =>
  unitField(parseFraction, 'a fraction like 0.001 or a percentage like "0.1%"', 'Fraction: a percentage ("1%", "0.1%") or a bare number below 1 (0.001); a bare 1 or more is refused.', fractionProblem);
