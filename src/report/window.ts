import { clockSeconds, formatClock } from '../engine/time.js';
import type { TimeSpan } from './charts/charts.js';

const DAY_S = 86_400;

/** "HH:MM" of seconds after midnight, wrapped into one day. */
function clockText(seconds: number): string {
  return formatClock(((Math.floor(seconds) % DAY_S) + DAY_S) % DAY_S, 0).slice(0, -3);
}

/**
 * `--window 13:50-14:30`: two clock times in the scenario's clock (`clockStart` is t = 0) as a
 * span of the run, in seconds from its start. Each time is its first occurrence in the run; an
 * end before the start is on the next day (23:50-00:20). The span must start within the run
 * (`runS` long) and is cut at its end. Returns what was expected when the text is not that.
 */
export function parseWindow(text: string, clockStart: string, runS: number): { ok: true; window: TimeSpan } | { ok: false; expected: string } {
  const parts = text.split('-');
  const [from, to] = parts.length === 2 ? parts.map(clockSeconds) : [undefined, undefined];
  if (from === undefined || to === undefined) return { ok: false, expected: 'two clock times as HH:MM-HH:MM (e.g. 13:50-14:30)' };
  const startS = clockSeconds(clockStart) ?? 0;
  const run = `${clockText(startS)}–${clockText(startS + runS)} in the scenario's clock`;
  if (from === to) return { ok: false, expected: `a window that ends after it starts, within the run (${run})` };
  const fromS = (from - startS + DAY_S) % DAY_S;
  let toS = (to - startS + DAY_S) % DAY_S;
  if (toS <= fromS) toS += DAY_S;
  if (fromS >= runS) return { ok: false, expected: `a window within the run (${run})` };
  return { ok: true, window: { fromS, toS: Math.min(toS, runS) } };
}
