/**
 * Timeline lines for the data tier, derived from the time-series columns: when a database's
 * connections reached max_connections, its CPU saturated, requests began failing for want of a
 * connection (pool, proxy, database down), replicas fell behind — and when each recovered.
 */

/** CPU at or above this is a saturated database (its queries queue for a core). */
export const DB_CPU_SATURATED_PCT = 90;
/** Replica lag at or above this is worth a line: reads are visibly stale. */
export const REPLICA_LAG_NOTABLE_MS = 1000;
/** A condition that lapses for less than this belongs to the same episode (no flapping lines). */
export const QUIET_S = 60;
/** The failures counted after a condition starts ("… in the next minute"). */
const AFTER_S = 60;

export interface DataTierEvent {
  /** Seconds from the start: the start of the interval where it happened. */
  t: number;
  text: string;
}

/** A run of intervals (row indices, inclusive) where a condition held, with short lapses merged. */
export interface Episode {
  first: number;
  last: number;
}

/**
 * `starts[i]` is the start of row i's interval, seconds. Databases are found by their
 * `db_max_connections` column (prefixed `<db>_` when there are several).
 */
export function dataTierEvents(columns: readonly string[], rows: readonly number[][], starts: readonly number[]): DataTierEvent[] {
  const events: DataTierEvent[] = [];
  const col = (name: string) => columns.indexOf(name);
  const errorsAfter = (cause: number, i: number) => sumWhile(rows, starts, cause, i, starts[i] + AFTER_S);
  const prefixes = columns.filter((c) => c.endsWith('db_max_connections')).map((c) => c.slice(0, -'db_max_connections'.length));
  const tooMany = col('errors_db_too_many_connections');

  for (const prefix of prefixes) {
    const db = prefix ? `${prefix.slice(0, -1)} ` : '';
    const [conns, max, cpu, lag] = ['db_connections', 'db_max_connections', 'db_cpu_pct', 'replica_lag_ms'].map((c) => col(prefix + c));
    if (conns >= 0) {
      for (const e of episodes(starts, (i) => rows[i][conns] >= rows[i][max], QUIET_S)) {
        const failed = tooMany >= 0 ? `: ${count(errorsAfter(tooMany, e.first))} requests failed with db_too_many_connections in the next minute` : '';
        events.push({ t: starts[e.first], text: `${db}db connections reached max_connections (${rows[e.first][max]})${failed}` });
        const r = e.last + 1;
        if (r < rows.length) events.push({ t: starts[r], text: `${db}db connections back under max_connections (${rows[r][conns]} of ${rows[r][max]}) after ${duration(starts[r] - starts[e.first])}` });
      }
    }
    if (cpu >= 0) {
      for (const e of episodes(starts, (i) => rows[i][cpu] >= DB_CPU_SATURATED_PCT, QUIET_S)) {
        events.push({ t: starts[e.first], text: `${db}database CPU at ${Math.round(rows[e.first][cpu])}%: queries queue for a core` });
        const r = e.last + 1;
        if (r < rows.length) events.push({ t: starts[r], text: `${db}database CPU back under ${DB_CPU_SATURATED_PCT}% after ${duration(starts[r] - starts[e.first])} (peak ${Math.round(peak(rows, cpu, e))}%)` });
      }
    }
    if (lag >= 0) {
      for (const e of episodes(starts, (i) => rows[i][lag] >= REPLICA_LAG_NOTABLE_MS, QUIET_S)) {
        events.push({ t: starts[e.first], text: `${db}replica lag reached ${count(rows[e.first][lag])} ms: reads from replicas are stale` });
        const r = e.last + 1;
        if (r < rows.length) events.push({ t: starts[r], text: `${db}replica lag back under ${count(REPLICA_LAG_NOTABLE_MS)} ms after ${duration(starts[r] - starts[e.first])} (worst ${count(peak(rows, lag, e))} ms)` });
      }
    }
  }

  const pending = col('pool_pending');
  const failures: [cause: string, what: string, detail?: (i: number) => string][] = [
    ['pool_timeout', 'timed out waiting for a pool connection', pending >= 0 ? (i) => `, ${count(rows[i][pending])} waiting for a connection` : undefined],
    ['proxy_timeout', 'timed out waiting for a proxy connection'],
    ['db_unavailable', 'failed: the database is unavailable'],
  ];
  for (const [cause, what, detail] of failures) {
    const c = col(`errors_${cause}`);
    if (c < 0) continue;
    for (const e of episodes(starts, (i) => rows[i][c] > 0, QUIET_S)) {
      events.push({ t: starts[e.first], text: `requests ${what} (${count(errorsAfter(c, e.first))} ${cause} in the next minute${detail?.(e.first) ?? ''})` });
      const r = e.last + 1;
      if (r < rows.length) events.push({ t: starts[r], text: `${cause} errors stopped after ${duration(starts[r] - starts[e.first])} (${count(sumWhile(rows, starts, c, e.first, starts[r]))} in all)` });
    }
  }
  return events;
}

/** Runs of rows where `on` holds; a lapse shorter than `quietS` does not end a run. */
export function episodes(starts: readonly number[], on: (i: number) => boolean, quietS: number): Episode[] {
  const out: Episode[] = [];
  for (let i = 0; i < starts.length; i++) {
    if (!on(i)) continue;
    const open = out[out.length - 1];
    if (open && starts[i] - starts[open.last + 1] < quietS) open.last = i;
    else out.push({ first: i, last: i });
  }
  return out;
}

/** Sum of column `c` over rows from `i` whose interval starts before `untilS`. */
function sumWhile(rows: readonly number[][], starts: readonly number[], c: number, i: number, untilS: number): number {
  let sum = 0;
  for (let j = i; j < rows.length && starts[j] < untilS; j++) sum += rows[j][c];
  return sum;
}

export function peak(rows: readonly number[][], c: number, e: Episode): number {
  let max = -Infinity;
  for (let j = e.first; j <= e.last; j++) max = Math.max(max, rows[j][c]);
  return max;
}

export function count(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${s ? `${s}s` : ''}` : `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}`;
}
