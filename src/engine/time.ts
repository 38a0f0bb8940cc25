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
