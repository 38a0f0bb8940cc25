/**
 * One timestamp cell of a per-request trace → a time split into whole seconds and microseconds.
 *
 * By arithmetic, never `Date`: the result must not depend on the host's clock or time zone, and a
 * unix time with 100 ns digits (1.7e9 s × 1e7) has more digits than a double holds, so whole
 * seconds and the fraction are kept apart until offsets between rows are taken.
 */

/** A point in time: `wholeSeconds` (an integer) + `fractionMicros` (0 ≤ … < 1e6). */
export interface SplitTime {
  readonly wholeSeconds: number;
  readonly fractionMicros: number;
}

/** The kind of cell, fixed by the first data row; every later row must be of the same kind. */
export type TimestampKind = 'datetime' | 'seconds';

/**
 * `2023-11-16 18:17:03.9799600` (Azure: no zone, UTC), `2023-11-16T18:17:03.97Z`,
 * `2023-11-16T19:17:03+01:00`. Fraction: up to 9 digits (the Azure file has 7, Go writes 9).
 */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})?$/;
/** Plain seconds: `12`, `12.5`, `1700150223.97`, `1.5e3`. */
const SECONDS = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A date-time cell (see DATETIME) → split unix time; undefined if it is not one or is out of range. */
export function parseDateTime(cell: string): SplitTime | undefined {
  const match = DATETIME.exec(cell);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined; // 60: a leap second
  // Integer nanoseconds, then one division: 0781490 → 78149000 ns → 78149 µs, with no 0.1-style error.
  const fractionMicros = match[7] ? Number(match[7].padEnd(9, '0')) / 1000 : 0;
  let offsetSeconds = 0;
  const zone = match[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMinutes = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const wholeSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  return { wholeSeconds, fractionMicros };
}

/** A plain-seconds cell → split time; undefined if it is not a finite number. */
export function parseSeconds(cell: string): SplitTime | undefined {
  if (!SECONDS.test(cell)) return undefined;
  const seconds = Number(cell);
  if (!Number.isFinite(seconds)) return undefined;
  const wholeSeconds = Math.floor(seconds);
  return { wholeSeconds, fractionMicros: (seconds - wholeSeconds) * 1e6 };
}

/** Which kind of cell this is, or undefined if neither. */
export function parseTimestampCell(cell: string): { kind: TimestampKind; time: SplitTime } | undefined {
  const seconds = parseSeconds(cell);
  if (seconds) return { kind: 'seconds', time: seconds };
  const datetime = parseDateTime(cell);
  if (datetime) return { kind: 'datetime', time: datetime };
  return undefined;
}

/** Microseconds from `origin` to `time`; exact for the 100 ns digits of a real trace. */
export function microsBetween(origin: SplitTime, time: SplitTime): number {
  return (time.wholeSeconds - origin.wholeSeconds) * 1e6 + (time.fractionMicros - origin.fractionMicros);
}
