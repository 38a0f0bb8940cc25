import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../src/report/timeline.js';

function timeline(columns: string[], rows: number[][]): string[] {
  return buildTimeline({ clockStart: '14:00', annotations: [], timeseries: { columns, rows }, decisions: [], p99ThresholdMs: 5000 });
}

describe('cache timeline lines', () => {
  it('tells a stampede (many loads of one key at once) with the database CPU it caused', () => {
    const columns = ['t_s', 'p99_ms', 'db_cpu_pct', 'cache_hit_ratio', 'cache_key_loads_max'];
    const rows = [
      [10, 20, 30, 0.9, 1],
      [20, 20, 60, 0.9, 240],
      [30, 20, 100, 0.9, 35],
      [40, 20, 30, 0.9, 2],
    ];
    expect(timeline(columns, rows)).toEqual([
      '14:00:10  cache: 240 loads of one key at once went to the database — a stampede: a hot key missed under load, expired or not yet loaded (database CPU up to 100%)',
    ]);
  });

  it('tells when a hit ratio collapses and recovers, naming the cache when there are several', () => {
    const columns = ['t_s', 'p99_ms', 'pages_cache_hit_ratio', 'pages_cache_key_loads_max', 'users_cache_hit_ratio', 'users_cache_key_loads_max'];
    const rows = [
      [10, 20, 0.92, 1, 0.5, 0],
      [20, 20, 0.9, 1, 0.5, 0],
      [30, 20, 0.12, 1, 0.45, 0],
      [40, 20, 0.6, 1, 0.5, 0],
      [50, 20, 0.85, 1, 0.5, 0],
    ];
    expect(timeline(columns, rows)).toEqual([
      '14:00:20  cache pages hit ratio fell to 12% (from 92%): its keys were lost (a flush, a restart, or new pods with empty local caches) and the misses go to the database',
      '14:00:40  cache pages hit ratio back to 85% after 20s',
    ]);
  });
});
