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
