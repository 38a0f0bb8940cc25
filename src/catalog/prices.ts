/**
 * The price catalog: every price the cost model may charge, with where it came from.
 *
 * Data lives in prices.json (transcribed from shared/reference/pricing-and-timing.md,
 * section 1). The JSON is imported as a module so that `tsc` copies it to dist/ next
 * to this file and vitest reads it from src/ alike.
 */
import rawCatalog from './prices.json' with { type: 'json' };

/** How far a price can be trusted, as in the reference: primary, secondary, derived, unconfirmed. */
export type PriceConfidence = 'P' | 'S' | 'D' | 'U';

/**
 * How a time-metered item rounds its running time: up to a multiple of
 * `granularitySeconds`, and never below `minimumSeconds` (EC2: 1 s / 60 s).
 */
export interface BillingRules {
  readonly granularitySeconds: number;
  readonly minimumSeconds: number;
}

export interface PriceEntry {
  /** Stable id, e.g. `ec2.m5.large.instance-hour`. */
  readonly id: string;
  readonly description: string;
  /** USD per one `unit` (for `unit: 'multiplier'`, a dimensionless factor). */
  readonly priceUsd: number;
  /**
   * What one unit of usage is. Conventional units: `instance-hour`, `node-hour`,
   * `cluster-hour`, `vcpu-hour`, `gb-hour`, `acu-hour`, `lcu-hour`, `gb-second`,
   * `million-requests`, `10k-requests`, `gb`, `gb-month`, `multiplier`. Units ending in
   * `-hour` or `-second` are time-metered (see `hourlyRateUsd`).
   */
  readonly unit: string;
  readonly source: string;
  /** The date printed on the source or its copy, as printed; null when none was visible. */
  readonly date: string | null;
  readonly confidence: PriceConfidence;
  readonly notes?: string;
  /** Rounding step for time-metered items; absent = pro-rata to the simulator clock (1 µs). */
  readonly granularitySeconds?: number;
  /** Minimum billed time per resource lifetime; absent = 0. */
  readonly minimumSeconds?: number;
  /** Smallest billable quantity (e.g. RDS Proxy: 2 vCPU); informative, not applied here. */
  readonly minimumQuantity?: number;
  /** True when a scenario replaced or added this entry. */
  readonly overridden?: boolean;
}

export interface PriceCatalog {
  readonly region: string;
  readonly currency: 'USD';
  /** Entries keyed by id. */
  readonly prices: Readonly<Record<string, PriceEntry>>;
}

/** A user-facing error: which field, and what was expected. */
export interface PriceCatalogError {
  readonly path: string;
  readonly message: string;
}

export type PriceOverride =
  | number
  | {
      readonly priceUsd: number;
      readonly unit?: string;
      readonly source?: string;
      readonly granularitySeconds?: number;
      readonly minimumSeconds?: number;
    };

export type CatalogResult =
  | { readonly ok: true; readonly catalog: PriceCatalog }
  | { readonly ok: false; readonly errors: readonly PriceCatalogError[] };

export type PriceLookup =
  | { readonly ok: true; readonly entry: PriceEntry }
  | { readonly ok: false; readonly error: PriceCatalogError };

const CONFIDENCES: readonly string[] = ['P', 'S', 'D', 'U'];
/** Below the simulator's clock resolution (1 µs) rounding has no meaning. */
const MIN_GRANULARITY_SECONDS = 1e-6;
const OVERRIDE_SOURCE = 'scenario override';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function checkBillingFields(value: Record<string, unknown>, path: string, errors: PriceCatalogError[]): void {
  const granularity = value.granularitySeconds;
  if (granularity !== undefined && !(isNonNegativeFinite(granularity) && granularity >= MIN_GRANULARITY_SECONDS)) {
    errors.push({ path: `${path}.granularitySeconds`, message: 'expected a number of seconds ≥ 0.000001' });
  }
  if (value.minimumSeconds !== undefined && !isNonNegativeFinite(value.minimumSeconds)) {
    errors.push({ path: `${path}.minimumSeconds`, message: 'expected a number of seconds ≥ 0' });
  }
}

/** Checks the shape of catalog data (the shipped JSON or a replacement); returns every problem found. */
export function validatePriceCatalogData(data: unknown): CatalogResult {
  const errors: PriceCatalogError[] = [];
  if (!isRecord(data)) return { ok: false, errors: [{ path: '', message: 'expected an object' }] };
  if (typeof data.region !== 'string') errors.push({ path: 'region', message: 'expected a string' });
  if (data.currency !== 'USD') errors.push({ path: 'currency', message: "expected 'USD'" });
  if (!Array.isArray(data.prices)) {
    errors.push({ path: 'prices', message: 'expected an array of price entries' });
    return { ok: false, errors };
  }
  const prices: Record<string, PriceEntry> = {};
  data.prices.forEach((raw: unknown, index: number) => {
    const path = `prices[${index}]`;
    if (!isRecord(raw)) {
      errors.push({ path, message: 'expected an object' });
      return;
    }
    const before = errors.length;
    for (const field of ['id', 'description', 'unit', 'source'] as const) {
      if (typeof raw[field] !== 'string' || raw[field] === '') {
        errors.push({ path: `${path}.${field}`, message: 'expected a non-empty string' });
      }
    }
    if (!isNonNegativeFinite(raw.priceUsd)) errors.push({ path: `${path}.priceUsd`, message: 'expected a number ≥ 0' });
    if (raw.date !== null && typeof raw.date !== 'string') {
      errors.push({ path: `${path}.date`, message: 'expected a string or null' });
    }
    if (typeof raw.confidence !== 'string' || !CONFIDENCES.includes(raw.confidence)) {
      errors.push({ path: `${path}.confidence`, message: "expected one of 'P', 'S', 'D', 'U'" });
    }
    checkBillingFields(raw, path, errors);
    if (raw.minimumQuantity !== undefined && !isNonNegativeFinite(raw.minimumQuantity)) {
      errors.push({ path: `${path}.minimumQuantity`, message: 'expected a number ≥ 0' });
    }
    if (errors.length > before) return;
    const id = raw.id as string;
    if (Object.hasOwn(prices, id)) {
      errors.push({ path: `${path}.id`, message: `duplicate price id '${id}'` });
      return;
    }
    prices[id] = Object.freeze({ ...(raw as unknown as PriceEntry) });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, catalog: freezeCatalog(data.region as string, prices) };
}

function freezeCatalog(region: string, prices: Record<string, PriceEntry>): PriceCatalog {
  return Object.freeze({ region, currency: 'USD' as const, prices: Object.freeze(prices) });
}

function loadDefaultCatalog(): PriceCatalog {
  const result = validatePriceCatalogData(rawCatalog);
  // The shipped file is ours: a bad entry is a bug to fix here, not a user error.
  if (!result.ok) {
    throw new Error(`src/catalog/prices.json is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return result.catalog;
}

/** AWS us-east-1 on-demand prices (plus a few GCP/Azure equivalents) from the reference. */
export const defaultPriceCatalog: PriceCatalog = loadDefaultCatalog();

/** The entry for `id`, or an error value naming the id. `path` names the field that asked for it. */
export function lookupPrice(catalog: PriceCatalog, id: string, path = 'prices'): PriceLookup {
  if (!Object.hasOwn(catalog.prices, id)) {
    return { ok: false, error: { path, message: `unknown price id '${id}'` } };
  }
  return { ok: true, entry: catalog.prices[id] };
}

/** Billing rules of an entry, with defaults filled in (pro-rata, no minimum). */
export function billingRulesOf(entry: PriceEntry): BillingRules {
  return {
    granularitySeconds: entry.granularitySeconds ?? MIN_GRANULARITY_SECONDS,
    minimumSeconds: entry.minimumSeconds ?? 0,
  };
}

/**
 * USD per hour for one unit of a time-metered entry (`…-hour` or `…-second` units),
 * or undefined for per-request, per-GB, per-month and multiplier entries.
 */
export function hourlyRateUsd(entry: PriceEntry): number | undefined {
  if (entry.unit.endsWith('-hour') || entry.unit === 'hour') return entry.priceUsd;
  if (entry.unit.endsWith('-second') || entry.unit === 'second') return entry.priceUsd * 3600;
  return undefined;
}

/**
 * A new catalog with the scenario's prices applied; the input is not changed.
 * - a number replaces the price of an existing id;
 * - an object `{ priceUsd, unit?, source?, granularitySeconds?, minimumSeconds? }` replaces
 *   those fields of an existing id, or adds a new id when `unit` is given.
 * Overridden entries are marked `overridden: true`, sourced 'scenario override' unless a
 * source is given, and rated confidence 'U' (the simulator cannot vouch for them).
 * Errors name `${path}.${id}`.
 */
export function withOverrides(
  catalog: PriceCatalog,
  overrides: Readonly<Record<string, PriceOverride>>,
  path = 'prices',
): CatalogResult {
  const errors: PriceCatalogError[] = [];
  const prices: Record<string, PriceEntry> = { ...catalog.prices };
  for (const id of Object.keys(overrides)) {
    const override: unknown = overrides[id];
    const fieldPath = `${path}.${id}`;
    const existing = Object.hasOwn(catalog.prices, id) ? catalog.prices[id] : undefined;
    if (typeof override === 'number') {
      if (!isNonNegativeFinite(override)) {
        errors.push({ path: fieldPath, message: 'expected a price in USD ≥ 0' });
      } else if (existing === undefined) {
        errors.push({ path: fieldPath, message: `unknown price id '${id}': to add a price, give { priceUsd, unit }` });
      } else {
        prices[id] = Object.freeze({ ...existing, priceUsd: override, source: OVERRIDE_SOURCE, date: null, confidence: 'U', overridden: true });
      }
      continue;
    }
    if (!isRecord(override)) {
      errors.push({ path: fieldPath, message: 'expected a price in USD or an object { priceUsd, unit?, source? }' });
      continue;
    }
    const before = errors.length;
    if (!isNonNegativeFinite(override.priceUsd)) errors.push({ path: `${fieldPath}.priceUsd`, message: 'expected a number ≥ 0' });
    if (override.unit !== undefined && (typeof override.unit !== 'string' || override.unit === '')) {
      errors.push({ path: `${fieldPath}.unit`, message: 'expected a non-empty string' });
    }
    if (override.source !== undefined && typeof override.source !== 'string') {
      errors.push({ path: `${fieldPath}.source`, message: 'expected a string' });
    }
    checkBillingFields(override, fieldPath, errors);
    if (existing === undefined && override.unit === undefined) {
      errors.push({ path: `${fieldPath}.unit`, message: `unknown price id '${id}': a new price needs a unit` });
    }
    if (errors.length > before) continue;
    const base: PriceEntry = existing ?? { id, description: id, priceUsd: 0, unit: '', source: '', date: null, confidence: 'U' };
    prices[id] = Object.freeze({
      ...base,
      priceUsd: override.priceUsd as number,
      unit: (override.unit as string | undefined) ?? base.unit,
      source: (override.source as string | undefined) ?? OVERRIDE_SOURCE,
      date: null,
      confidence: 'U',
      overridden: true,
      ...(override.granularitySeconds !== undefined ? { granularitySeconds: override.granularitySeconds as number } : {}),
      ...(override.minimumSeconds !== undefined ? { minimumSeconds: override.minimumSeconds as number } : {}),
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, catalog: freezeCatalog(catalog.region, prices) };
}
