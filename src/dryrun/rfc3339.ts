/**
 * RFC 3339 timestamps → unix seconds, by arithmetic (no Date: parsing must not depend on the
 * host's clock or time zone).
 */

import { daysFromCivil, daysInMonth } from '../scenario/imports/trace-time.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** "2024-11-29T10:00:00Z", "2024-11-29T11:00:00.250+01:00" → unix seconds; undefined if not RFC 3339. */
export function parseRfc3339Seconds(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined; // 60: a leap second
  const fraction = match[7] ? Number(`0${match[7]}`) : 0;
  let offsetSeconds = 0;
  const zone = match[8];
  if (zone !== 'Z' && zone !== 'z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMinutes = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second + fraction - offsetSeconds;
}
