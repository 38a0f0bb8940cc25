/**
 * Timeline lines for caches, derived from their time-series columns: a stampede (many loads of
 * one key in flight at once — a hot key expired under load), and the hit ratio collapsing (a
 * flush, a restart, new pods with empty local caches) and recovering.
 */
import { count, duration, episodes, peak, QUIET_S, type DataTierEvent } from './data-tier-timeline.js';

/** This many loads of one key at once is a stampede worth a line. */
export const STAMPEDE_LOADS = 10;
/** A hit ratio this far (absolute) below its recent best is a collapse; back within RECOVERED of it, a recovery. */
const COLLAPSE = 0.3;
const RECOVERED = 0.1;
/** "Recent": the rows of the last minute. */
const RECENT_S = 60;

/** `starts[i]` is the start of row i's interval, seconds. Caches are found by their `cache_hit_ratio` column (prefixed `<cache>_` with several). */
export function cacheEvents(columns: readonly string[], rows: readonly number[][], starts: readonly number[]): DataTierEvent[] {
  const events: DataTierEvent[] = [];
  const prefixes = columns.filter((c) => c.endsWith('cache_hit_ratio')).map((c) => c.slice(0, -'cache_hit_ratio'.length));
  const dbCpu = columns.indexOf(columns.find((c) => c.endsWith('db_cpu_pct') && !c.includes('replica')) ?? '');
  for (const prefix of prefixes) {
    const cache = prefix ? `cache ${prefix.slice(0, -1)}` : 'cache';
    const loads = columns.indexOf(`${prefix}cache_key_loads_max`);
    for (const e of episodes(starts, (i) => rows[i][loads] >= STAMPEDE_LOADS, QUIET_S)) {
      const cpu = dbCpu >= 0 ? ` (database CPU up to ${Math.round(peak(rows, dbCpu, e))}%)` : '';
      events.push({ t: starts[e.first], text: `${cache}: ${count(peak(rows, loads, e))} loads of one key at once went to the database — a stampede: a hot key missed under load, expired or not yet loaded${cpu}` });
    }
    events.push(...collapses(cache, rows.map((row) => row[columns.indexOf(`${prefix}cache_hit_ratio`)]), starts));
  }
  return events;
}

/** When the hit ratio fell far below its best of the last minute, and when it came back near it. */
function collapses(cache: string, ratio: readonly number[], starts: readonly number[]): DataTierEvent[] {
  const events: DataTierEvent[] = [];
  let fallenFrom = NaN;
  let since = 0;
  for (let i = 0; i < ratio.length; i++) {
    if (Number.isNaN(ratio[i])) continue;
    if (!Number.isNaN(fallenFrom)) {
      if (ratio[i] >= fallenFrom - RECOVERED) {
        events.push({ t: starts[i], text: `${cache} hit ratio back to ${pct(ratio[i])} after ${duration(starts[i] - since)}` });
        fallenFrom = NaN;
      }
      continue;
    }
    let best = NaN;
    for (let j = i - 1; j >= 0 && starts[i] - starts[j] <= RECENT_S; j--) if (!(ratio[j] <= best)) best = ratio[j];
    if (ratio[i] < best - COLLAPSE) {
      events.push({ t: starts[i], text: `${cache} hit ratio fell to ${pct(ratio[i])} (from ${pct(best)}): its keys were lost (a flush, a restart, or new pods with empty local caches) and the misses go to the database` });
      fallenFrom = best;
      since = starts[i];
    }
  }
  return events;
}

const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
