/** Simulated time is an integer number of microseconds since the start of the run. */
export type Micros = number;

export const MICROS_PER_MS = 1_000;
export const MICROS_PER_SECOND = 1_000_000;

export function secondsToMicros(seconds: number): Micros {
  return Math.round(seconds * MICROS_PER_SECOND);
}

export function microsToSeconds(micros: Micros): number {
  return micros / MICROS_PER_SECOND;
}

export function microsToMs(micros: Micros): number {
  return micros / MICROS_PER_MS;
}

/** Formats µs back into the shortest human duration ("1h30m", "250ms"), for messages. */
export function formatDuration(micros: number): string {
  if (micros === 0) return '0s';
  if (micros < 1000) return `${micros}µs`;
  if (micros < 1e6) return `${+(micros / 1000).toFixed(3)}ms`;
  let seconds = micros / 1e6;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size) {
      const whole = Math.floor(seconds / size);
      parts.push(`${whole}${unit}`);
      seconds -= whole * size;
    }
  }
  if (seconds > 0) parts.push(`${+seconds.toFixed(3)}s`);
  return parts.join('');
}

/**
 * "HH:MM" or "HH:MM:SS" (blanks around it allowed) → seconds after midnight; undefined when it is
 * not a time of day (hours 0–23, minutes and seconds 0–59). The one parser of clock times.
 */
export function clockSeconds(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(String(text ?? '').trim());
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return h < 24 && min < 60 && s < 60 ? h * 3600 + min * 60 + s : undefined;
}

/**
 * The clock time of a simulated second, given the clock time at t = 0 in seconds after midnight:
 * "14:03:10", and "day 2 00:10:00" past the first midnight. For messages a person reads.
 */
export function formatClock(t_s: number, clockStartS: number): string {
  const total = Math.floor(t_s + clockStartS);
  const day = Math.floor(total / 86400);
  const s = total - day * 86400;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${day > 0 ? `day ${day + 1} ` : ''}${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
