/**
 * The clock an imported recording wrote its times in, so the dry run answers in the same clock:
 * seconds since the start stay seconds, unix seconds stay unix seconds (milliseconds for a
 * Grafana export), an RFC 3339 time keeps its offset, and a Grafana local time ("2024-11-29
 * 14:00:00", the dashboard's time zone, no offset written) stays local. By arithmetic, never
 * `Date`: the answer must not depend on the host's time zone.
 */
import { daysFromCivil, daysInMonth } from '../scenario/imports/trace-time.js';

export type RecordedClock =
  /** `t_s`: seconds since the start of the recording. */
  | { kind: 'offset' }
  /** Unix time in seconds or milliseconds. */
  | { kind: 'unix'; unit: 's' | 'ms' }
  /** RFC 3339 with this UTC offset (seconds east) and date-time separator, as the first row wrote it. */
  | { kind: 'rfc3339'; offsetSeconds: number; separator: 'T' | ' ' }
  /** A wall-clock time without an offset, read as if UTC (its own clock, whatever the zone). */
  | { kind: 'local' };

/** "2024-11-29 14:00:00" or "2024-11-29T14:00:00.250", no offset → seconds of that wall clock taken as UTC. */
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

export function parseLocalDateTime(cell: string): number | undefined {
  const match = LOCAL.exec(cell);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = match[7] ? Number(`0${match[7]}`) : 0;
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second + fraction;
}

/** The clock an RFC 3339 cell is written in: its UTC offset, seconds east ("Z" → 0, "+01:00" → 3600), and separator. */
export function rfc3339Clock(cell: string): RecordedClock {
  const zone = /([Zz]|[+-]\d{2}:\d{2})$/.exec(cell)?.[1] ?? 'Z';
  const offsetSeconds = zone === 'Z' || zone === 'z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  return { kind: 'rfc3339', offsetSeconds, separator: cell[10] === ' ' ? ' ' : 'T' };
}

/** `t_s` seconds after the recording's start, in the recording's clock (seconds since the start as a number). */
export function formatInClock(clock: RecordedClock, startSeconds: number, t_s: number): string | number {
  const at = startSeconds + t_s;
  switch (clock.kind) {
    case 'offset':
      return t_s;
    case 'unix':
      // A string: a unix time is an identifier, not a quantity to group into thousands.
      return String(clock.unit === 's' ? at : Math.round(at * 1000));
    case 'rfc3339': {
      const offset = clock.offsetSeconds;
      const sign = offset < 0 ? '-' : '+';
      const zone = offset === 0 ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offset) / 3600))}:${pad(Math.floor((Math.abs(offset) % 3600) / 60))}`;
      return `${wallClock(at + offset, clock.separator)}${zone}`;
    }
    case 'local':
      return wallClock(at, ' ');
  }
}

function pad(x: number, width = 2): string {
  return String(x).padStart(width, '0');
}

/** "2024-11-29<sep>14:00:15" (".250" when the second is fractional) of wall-clock seconds. */
function wallClock(seconds: number, separator: string): string {
  const ms = Math.round(seconds * 1000);
  const days = Math.floor(ms / 86_400_000);
  const inDay = ms - days * 86_400_000;
  const { year, month, day } = civilFromDays(days);
  const s = Math.floor(inDay / 1000);
  const fraction = inDay % 1000;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}${separator}${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}${fraction === 0 ? '' : `.${pad(fraction, 3)}`}`;
}

/** The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
