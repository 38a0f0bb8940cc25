import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../src/report/timeline.js';

const COLUMNS = ['t_s', 'p99_ms', 'arrivals_rps', 'pods_ready', 'errors_pool_timeout', 'errors_db_too_many_connections', 'pool_pending', 'db_cpu_pct', 'db_connections', 'db_max_connections'];

/** A 10 s series: the database fills at 14:00:30, its CPU saturates, the pools time out, then all recovers. */
const ROWS = [
  // t_s, p99, arrivals, ready, pool_timeout, too_many, pending, cpu, conns, max
  [10, 20, 100, 4, 0, 0, 0, 40, 120, 408],
  [20, 20, 100, 4, 0, 0, 0, 60, 300, 408],
  [30, 20, 100, 4, 0, 0, 0, 92.6, 400, 408],
  [40, 20, 100, 4, 5, 1000, 30, 97.4, 408, 408],
  [50, 20, 100, 4, 7, 2000, 40, 99.6, 408, 408],
  [60, 20, 100, 4, 0, 345, 0, 95, 380, 408], // a 10 s lapse: still the same episode
  [70, 20, 100, 4, 0, 9000, 0, 96, 408, 408],
  [80, 20, 100, 4, 0, 0, 0, 70, 350, 408],
  [90, 20, 100, 4, 0, 0, 0, 50, 200, 408],
  [100, 20, 100, 4, 0, 0, 0, 50, 200, 408],
];

function timeline(columns: string[], rows: number[][]): string[] {
  return buildTimeline({ clockStart: '14:00', annotations: [], timeseries: { columns, rows }, decisions: [], p99ThresholdMs: 500 });
}

describe('data-tier timeline lines', () => {
  it('says when connections reached max_connections, CPU saturated and pools timed out, and when each recovered', () => {
    expect(timeline(COLUMNS, ROWS)).toEqual([
      '14:00:20  database CPU at 93%: queries queue for a core',
      '14:00:30  db connections reached max_connections (408): 12,345 requests failed with db_too_many_connections in the next minute',
      '14:00:30  requests timed out waiting for a pool connection (12 pool_timeout in the next minute, 30 waiting for a connection)',
      '14:00:30  requests started failing (pool_timeout 5, db_too_many_connections 1000)',
      '14:00:50  pool_timeout errors stopped after 20s (12 in all)',
      '14:01:10  db connections back under max_connections (350 of 408) after 40s',
      '14:01:10  database CPU back under 90% after 50s (peak 100%)',
      '14:01:10  errors stopped after 40s (12,357 failed requests)',
    ]);
  });

  it('names the database when there are several (columns prefixed <db>_)', () => {
    const columns = ['t_s', 'orders_db_cpu_pct', 'orders_db_connections', 'orders_db_max_connections', 'users_db_cpu_pct', 'users_db_connections', 'users_db_max_connections'];
    const rows = [
      [10, 50, 10, 100, 50, 10, 100],
      [20, 50, 100, 100, 50, 10, 100],
    ];
    expect(timeline(columns, rows)).toEqual(['14:00:10  orders db connections reached max_connections (100)']);
  });

  it('adds nothing without a database', () => {
    const columns = ['t_s', 'p99_ms', 'errors_pool_timeout'];
    expect(timeline(columns, [[10, 20, 0], [20, 20, 0]])).toEqual([]);
  });
});
