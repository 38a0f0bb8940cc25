/**
 * Human units at the boundary, one internal unit each:
 * durations → integer microseconds, CPU → millicores, memory → bytes, rates → per second,
 * percentages → fractions. Each parser returns undefined for input it does not understand,
 * so the schema can report the field and the offending value.
 */

const DURATION_UNIT_MICROS: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y;

/** "15s", "2m", "1h30m", "250ms", "1.5s"; a bare number means seconds. → µs */
export function parseDurationMicros(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1e6) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1e6);
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (;;) {
    const match = DURATION_PART.exec(text);
    if (!match) break;
    total += Number(match[1]) * DURATION_UNIT_MICROS[match[2]];
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? Math.round(total) : undefined;
}

/** Kubernetes CPU quantity: "500m", "2", "0.5", 1 → millicores. */
export function parseCpuMillicores(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(value);
  if (!match) return undefined;
  return match[2] === 'm' ? Math.round(Number(match[1])) : Math.round(Number(match[1]) * 1000);
}

const MEMORY_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Kubernetes memory quantity: "512Mi", "2Gi", "1G", "1e9", 1073741824 → bytes. */
export function parseMemoryBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?\s*$/.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * MEMORY_SUFFIX[match[2] ?? '']);
}

const RATE_PER: Record<string, number> = { s: 1, sec: 1, second: 1, m: 1 / 60, min: 1 / 60, minute: 1 / 60, h: 1 / 3600, hour: 1 / 3600 };
const COUNT_SUFFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6 };

/** "1200/s", "5k/min", "300/h"; a bare number means per second. → per second */
export function parseRatePerSecond(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)(k|M)?\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * COUNT_SUFFIX[match[2] ?? ''] * RATE_PER[match[3] ?? 's'];
}

/** "0.1%" → 0.001; a bare number is already a fraction. */
export function parseFraction(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  return match ? Number(match[1]) / 100 : undefined;
}

/** Formats µs back into a human duration; it lives with the engine's time, which the metrics use too. */
export { formatDuration } from '../engine/time.js';
