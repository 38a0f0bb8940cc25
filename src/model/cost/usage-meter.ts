/**
 * Meters a time-priced resource (instances, nodes, Fargate vCPU or GB, ACUs) that starts
 * and stops during a run, and answers how much was spent in any interval.
 *
 * Conventions:
 * - Times are seconds (float) and are rounded to the nearest µs, the simulator's clock
 *   resolution; internally everything is integer µs × quantity ("unit-µs"), which is exact
 *   for integer quantities up to 2^53 unit-µs (≈ 285 years of one instance).
 * - Events (start/stop) must come in non-decreasing time order, as a DES delivers them.
 * - A running resource accrues cost continuously. What its billing rules add on top of
 *   the actual run time (rounding up to the granularity, raising to the minimum) is
 *   charged in one lump at the stop instant. So a 20 s EC2 instance accrues 20 s while it
 *   runs and 40 s more when it stops.
 * - `costBetween(t0, t1)` is the cost accrued in (t0, t1]: a lump charged at exactly t1
 *   falls in the interval that ends at t1. Consecutive intervals therefore add up exactly
 *   to the cost accrued by their last end, and after `stopAll(tEnd)` to `totalUsd(tEnd)`.
 *
 * Per call nothing is allocated except amortised growth of the breakpoint arrays (one
 * breakpoint per distinct event time: 24 bytes) and of the running-resource maps.
 */
import type { PriceCatalogError, PriceEntry } from '../../catalog/prices.js';
import { billingRulesOf, hourlyRateUsd } from '../../catalog/prices.js';
import { billedMicros, granularityMicrosOf, MICROS_PER_SECOND, SECONDS_PER_HOUR, toMicros } from './billing.js';

export interface UsageMeterOptions {
  /** USD per hour for one unit (one instance, one vCPU, one GB …). */
  readonly hourlyRateUsd: number;
  readonly granularitySeconds: number;
  readonly minimumSeconds: number;
}

const MICROS_PER_HOUR = SECONDS_PER_HOUR * MICROS_PER_SECOND;
const INITIAL_BREAKPOINTS = 64;

export class UsageMeter {
  readonly hourlyRateUsd: number;
  private readonly usdPerUnitMicro: number;
  private readonly granularityMicros: number;
  private readonly minimumMicros: number;

  private readonly startMicrosByKey = new Map<number, number>();
  private readonly quantityByKey = new Map<number, number>();

  /** State just after the last event: its time, unit-µs accrued so far, quantity running. */
  private lastMicros = 0;
  private accruedUnitMicros = 0;
  private runningQuantity = 0;

  /** Breakpoint k: after all events at bpTime[k], accrued = bpAccrued[k], running = bpRunning[k]. */
  private bpTimeMicros = new Float64Array(INITIAL_BREAKPOINTS);
  private bpAccruedUnitMicros = new Float64Array(INITIAL_BREAKPOINTS);
  private bpRunningQuantity = new Float64Array(INITIAL_BREAKPOINTS);
  private bpCount = 0;

  constructor(options: UsageMeterOptions) {
    this.hourlyRateUsd = options.hourlyRateUsd;
    this.usdPerUnitMicro = options.hourlyRateUsd / MICROS_PER_HOUR;
    this.granularityMicros = granularityMicrosOf(options);
    this.minimumMicros = toMicros(options.minimumSeconds);
  }

  /** Resources running now. */
  get runningCount(): number {
    return this.startMicrosByKey.size;
  }

  isRunning(resourceKey: number): boolean {
    return this.startMicrosByKey.has(resourceKey);
  }

  /** Starts metering `resourceKey` at `tSeconds`; `quantity` units are billed at once (e.g. 2 vCPU). */
  start(resourceKey: number, tSeconds: number, quantity = 1): void {
    if (this.startMicrosByKey.has(resourceKey)) throw new RangeError(`UsageMeter: resource ${resourceKey} is already running`);
    const t = this.advanceTo(tSeconds);
    this.startMicrosByKey.set(resourceKey, t);
    this.quantityByKey.set(resourceKey, quantity);
    this.runningQuantity += quantity;
    this.recordBreakpoint(t);
  }

  /** Stops `resourceKey` at `tSeconds`; returns the billed cost in USD of its whole lifetime. */
  stop(resourceKey: number, tSeconds: number): number {
    const startMicros = this.startMicrosByKey.get(resourceKey);
    if (startMicros === undefined) throw new RangeError(`UsageMeter: resource ${resourceKey} is not running`);
    const quantity = this.quantityByKey.get(resourceKey) as number;
    const t = this.advanceTo(tSeconds);
    this.startMicrosByKey.delete(resourceKey);
    this.quantityByKey.delete(resourceKey);
    // Reset to exactly 0 when idle so that float drift from fractional quantities cannot linger.
    this.runningQuantity = this.startMicrosByKey.size === 0 ? 0 : this.runningQuantity - quantity;
    const runMicros = t - startMicros;
    const billed = billedMicros(runMicros, this.granularityMicros, this.minimumMicros);
    this.accruedUnitMicros += quantity * (billed - runMicros);
    this.recordBreakpoint(t);
    return quantity * billed * this.usdPerUnitMicro;
  }

  /** Stops every running resource at `tSeconds` (end of run); returns their billed cost in USD. */
  stopAll(tSeconds: number): number {
    let totalUsd = 0;
    // Keys are collected first: deleting from a Map while iterating it is legal but easy to misread.
    const keys = Array.from(this.startMicrosByKey.keys());
    for (const key of keys) totalUsd += this.stop(key, tSeconds);
    return totalUsd;
  }

  /** Cost in USD accrued in (t0, t1], lumps at stop instants included. Any times, past or future. */
  costBetween(t0Seconds: number, t1Seconds: number): number {
    return (this.accruedUnitMicrosAt(toMicros(t1Seconds)) - this.accruedUnitMicrosAt(toMicros(t0Seconds))) * this.usdPerUnitMicro;
  }

  /** Cost in USD accrued from the start of the run to `tSeconds` inclusive. */
  accruedUsd(tSeconds: number): number {
    return this.accruedUnitMicrosAt(toMicros(tSeconds)) * this.usdPerUnitMicro;
  }

  /**
   * The bill at `tEndSeconds` (≥ the last event): everything accrued, plus each still-running
   * resource billed as if stopped at tEnd (its rounding and minimum included).
   */
  totalUsd(tEndSeconds: number): number {
    const tEnd = toMicros(tEndSeconds);
    if (tEnd < this.lastMicros) throw new RangeError(`UsageMeter: totalUsd(${tEndSeconds}) is before the last event`);
    let pendingUnitMicros = 0;
    this.startMicrosByKey.forEach((startMicros, key) => {
      const runMicros = tEnd - startMicros;
      const quantity = this.quantityByKey.get(key) as number;
      pendingUnitMicros += quantity * (billedMicros(runMicros, this.granularityMicros, this.minimumMicros) - runMicros);
    });
    return (this.accruedUnitMicrosAt(tEnd) + pendingUnitMicros) * this.usdPerUnitMicro;
  }

  private advanceTo(tSeconds: number): number {
    const t = toMicros(tSeconds);
    if (!(t >= this.lastMicros)) {
      throw new RangeError(`UsageMeter: event at ${tSeconds} s is before the last event at ${this.lastMicros / MICROS_PER_SECOND} s`);
    }
    this.accruedUnitMicros += this.runningQuantity * (t - this.lastMicros);
    this.lastMicros = t;
    return t;
  }

  private recordBreakpoint(t: number): void {
    let k = this.bpCount - 1;
    if (k < 0 || this.bpTimeMicros[k] !== t) {
      if (this.bpCount === this.bpTimeMicros.length) this.growBreakpoints();
      k = this.bpCount++;
      this.bpTimeMicros[k] = t;
    }
    this.bpAccruedUnitMicros[k] = this.accruedUnitMicros;
    this.bpRunningQuantity[k] = this.runningQuantity;
  }

  private growBreakpoints(): void {
    const size = this.bpTimeMicros.length * 2;
    const grow = (old: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size);
      next.set(old);
      return next;
    };
    this.bpTimeMicros = grow(this.bpTimeMicros);
    this.bpAccruedUnitMicros = grow(this.bpAccruedUnitMicros);
    this.bpRunningQuantity = grow(this.bpRunningQuantity);
  }

  /** Unit-µs accrued up to and including time t: the last breakpoint ≤ t, then linear. */
  private accruedUnitMicrosAt(t: number): number {
    let lo = 0;
    let hi = this.bpCount - 1;
    if (hi < 0 || this.bpTimeMicros[0] > t) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bpTimeMicros[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.bpAccruedUnitMicros[lo] + this.bpRunningQuantity[lo] * (t - this.bpTimeMicros[lo]);
  }
}

/**
 * A meter for a time-metered catalog entry (`…-hour` / `…-second` units) with the entry's
 * billing rules; an error value for per-request, per-GB or multiplier entries.
 */
export function usageMeterFor(entry: PriceEntry, path = 'prices'): UsageMeter | PriceCatalogError {
  const rate = hourlyRateUsd(entry);
  if (rate === undefined) {
    return { path: `${path}.${entry.id}`, message: `price '${entry.id}' is per ${entry.unit}, not per unit of time` };
  }
  return new UsageMeter({ hourlyRateUsd: rate, ...billingRulesOf(entry) });
}
