import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  checkReplayOptions,
  expandTraceToArrivals,
  parseCountsTrace,
  parseTimestampTrace,
  passDurationMicros,
  type CountsTrace,
  type TimestampTrace,
  loadTraceFile,
} from '../../src/scenario/imports/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixture = (name: string) => readFileSync(join(root, 'test', 'fixtures', 'traces', name), 'utf8');

/*
 * A per-request trace in the Azure LLM inference trace's own format (`TIMESTAMP,ContextTokens,GeneratedTokens`,
 * UTC date-times with 7 fraction digits, CRLF line ends), generated here so that every expected figure comes from
 * the generator's integers, not from the parser under test. Request i arrives i × 0.4 s plus a varying 0–99.99 ms
 * after 2023-11-16 18:17:03.9799600 (so times are distinct and ascending, and cross seconds and minutes).
 */
const ROWS = 5_000;
const START_100NS = (18 * 3600 + 17 * 60 + 3) * 10_000_000 + 9_799_600; // 18:17:03.9799600, in 100 ns since midnight
const arrival100ns = (i: number) => START_100NS + i * 4_000_000 + ((i * 7919) % 9973) * 100;
const contextTokens = (i: number) => 100 + ((i * 37) % 5000);
const generatedTokens = (i: number) => 1 + ((i * 13) % 300);

function dateTime(ticks: number): string {
  const seconds = Math.floor(ticks / 1e7);
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return `2023-11-16 ${clock}.${String(ticks % 1e7).padStart(7, '0')}`;
}

const generatedText = ['TIMESTAMP,ContextTokens,GeneratedTokens', ...Array.from({ length: ROWS }, (_, i) => `${dateTime(arrival100ns(i))},${contextTokens(i)},${generatedTokens(i)}`)].join('\r\n');
/** Offsets from the first request, µs: (t_i − t_0) in 100 ns, / 10 (exact: the generator's offsets are whole µs × 10). */
const expectedOffsets = Array.from({ length: ROWS }, (_, i) => (arrival100ns(i) - arrival100ns(0)) / 10);
const DURATION_MICROS = expectedOffsets[ROWS - 1];

const stream = (seed: string) => seedrandom.alea(seed);
const defaults = { startOffsetMicros: 0, speedup: 1, multiplier: 1, jitterMicros: 1_000_000 };

async function generated(): Promise<TimestampTrace> {
  const result = await parseTimestampTrace(generatedText, 'generated.csv');
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.trace;
}

async function counts(name: string): Promise<CountsTrace> {
  const result = await parseCountsTrace(fixture(name), name);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.trace;
}

function isSortedAscending(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) return false;
  return true;
}

describe('parseTimestampTrace: a trace in the Azure format', () => {
  it('has every request at its exact offset from the first (7 fraction digits read by arithmetic), in shared memory', async () => {
    const trace = await generated();
    expect(trace.kind).toBe('timestamps');
    expect(trace.rows).toBe(ROWS);
    expect(Array.from(trace.offsetsMicros)).toEqual(expectedOffsets);
    expect(trace.durationMicros).toBe(DURATION_MICROS);
    // Row 3 by hand: i = 1 → 0.4 s + (7919 mod 9973) × 10 µs = 400,000 + 79,190 = 479,190 µs.
    expect(trace.offsetsMicros[1]).toBe(479_190);
    expect(trace.offsetsMicros.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('keeps the token columns as numbers, aligned with the rows', async () => {
    const trace = await generated();
    const context = trace.extraColumns?.ContextTokens;
    const tokens = trace.extraColumns?.GeneratedTokens;
    expect(Array.from(context ?? [])).toEqual(Array.from({ length: ROWS }, (_, i) => contextTokens(i)));
    expect(Array.from(tokens ?? [])).toEqual(Array.from({ length: ROWS }, (_, i) => generatedTokens(i)));
  });
});

describe('the shipped trace: per-second counts derived from the Azure LLM inference trace', () => {
  /*
   * Counted outside the code under test: `awk -F, '/^[0-9]/ { s += $2; n++; if ($2 > m) { m = $2; at = $1 }; last = $1 }
   * END { print s, n, last, m, at }'` → 8819 requests in 915 rows, last second 3435, at most 67 (second 862).
   */
  it('streams from its file: 8,819 requests over 3,436 s, the attribution comments skipped', async () => {
    const file = join(root, 'scenarios', 'traces', 'azure-llm-inference-2023-code-per-second.csv');
    const result = await loadTraceFile(file, 'counts', 'traces/azure-llm-inference-2023-code-per-second.csv');
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const trace = result.trace as CountsTrace;
    expect(trace.kind).toBe('counts');
    expect(trace.totalRequests).toBe(8819);
    expect(trace.durationMicros).toBe(3436 * 1e6);
    expect(Math.max(...trace.countsPerSecond)).toBe(67);
    expect(trace.countsPerSecond[862]).toBe(67);
    expect(trace.countsPerSecond.filter((n) => n > 0).length).toBe(915);
  });
});

describe('parseTimestampTrace: other formats', () => {
  it('sorts an unsorted RFC 3339 file (zones, a leap day) and moves the extra column with its rows', async () => {
    // 2024-02-29T00:00:02.5+01:00 = 2024-02-28T23:00:02.5Z; the earliest row is 23:00:00Z.
    const result = await parseTimestampTrace(fixture('unsorted-rfc3339.csv'), 'unsorted-rfc3339.csv');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Array.from(result.trace.offsetsMicros)).toEqual([0, 1_250_000, 2_500_000]);
    expect(result.trace.durationMicros).toBe(2_500_000);
    expect(Array.from(result.trace.extraColumns?.bytes ?? [])).toEqual([10, 20, 30]);
  });

  it('reads plain seconds (t_s), skips comments and blank lines, drops a non-numeric column', async () => {
    // 0.5, 2, 1.25 → sorted 0.5, 1.25, 2 → minus 0.5 → 0, 0.75 s, 1.5 s.
    const result = await parseTimestampTrace(fixture('seconds.csv'), 'seconds.csv');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Array.from(result.trace.offsetsMicros)).toEqual([0, 750_000, 1_500_000]);
    expect(result.trace.rows).toBe(3);
    expect(result.trace.extraColumns).toBeUndefined();
  });

  it('uses the named column when told', async () => {
    const text = 'id,sent_at\n7,10\n8,10.5\n';
    const result = await parseTimestampTrace(text, 'x.csv', { timestampColumn: 'sent_at' });
    expect(result.ok && Array.from(result.trace.offsetsMicros)).toEqual([0, 500_000]);
    const missing = await parseTimestampTrace(text, 'x.csv', { timestampColumn: 'ts' });
    expect(missing).toEqual({ ok: false, issues: [{ path: 'x.csv:row 1', message: 'expected a column "ts", got columns "id", "sent_at"' }] });
  });
});

describe('bad input: issues name the file, row and column', () => {
  it('a bad timestamp on line 4', async () => {
    const result = await parseTimestampTrace(fixture('bad-timestamps.csv'), 'bad-timestamps.csv');
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'bad-timestamps.csv:row 4, column TIMESTAMP', message: 'expected a timestamp like "2023-11-16 18:17:03.97", got "yesterday"' }],
    });
  });

  it('a negative count on line 3', async () => {
    const result = await parseCountsTrace(fixture('bad-counts.csv'), 'bad-counts.csv');
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'bad-counts.csv:row 3, column requests', message: 'expected a whole number of requests ≥ 0, got "-3"' }],
    });
  });

  it('a missing header column gives one clear issue', async () => {
    const countsResult = await parseCountsTrace(fixture('counts-missing-second.csv'), 'counts-missing-second.csv');
    expect(countsResult.ok).toBe(false);
    if (countsResult.ok) return;
    expect(countsResult.issues).toHaveLength(1);
    expect(countsResult.issues[0].path).toBe('counts-missing-second.csv:row 1');
    expect(countsResult.issues[0].message).toContain('missing "second"');

    const timestampsResult = await parseTimestampTrace(fixture('timestamps-missing-time-column.csv'), 'timestamps-missing-time-column.csv');
    expect(timestampsResult.ok).toBe(false);
    if (timestampsResult.ok) return;
    expect(timestampsResult.issues).toEqual([
      {
        path: 'timestamps-missing-time-column.csv:row 1',
        message: 'expected a time column (one of "TIMESTAMP", "timestamp", "t_s", "time"), got columns "when", "ContextTokens"',
      },
    ]);
  });

  it('reports every bad row up to 20, then how many more', async () => {
    // Header, one good row (line 2), then 25 bad rows on lines 3..27.
    const text = ['TIMESTAMP', '2023-11-16 18:17:03.9799600', ...Array.from({ length: 25 }, (_, i) => `bad${i}`)].join('\n');
    const result = await parseTimestampTrace(text, 't.csv');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(21);
    expect(result.issues[0].path).toBe('t.csv:row 3, column TIMESTAMP');
    expect(result.issues[19].path).toBe('t.csv:row 22, column TIMESTAMP');
    expect(result.issues[20]).toEqual({ path: 't.csv', message: '… and 5 more' });
  });

  it('rejects mixing date-times and plain seconds, impossible dates, and non-increasing seconds', async () => {
    const mixed = await parseTimestampTrace('t_s\n2023-11-16 18:17:03\n12.5\n2023-02-29 00:00:00\n', 'm.csv');
    expect(mixed.ok).toBe(false);
    if (mixed.ok) return;
    expect(mixed.issues.map((issue) => issue.path)).toEqual(['m.csv:row 3, column t_s', 'm.csv:row 4, column t_s']);

    const repeated = await parseCountsTrace('second,requests\n0,1\n3,1\n3,2\n', 'c.csv');
    expect(repeated.ok).toBe(false);
    if (repeated.ok) return;
    expect(repeated.issues).toEqual([{ path: 'c.csv:row 4, column second', message: 'expected a second after 3 (row 3): seconds must be strictly increasing, got 3' }]);
  });
});

describe('expandTraceToArrivals: timestamps', () => {
  it('multiplier 1 replays every request exactly at its offset', async () => {
    const trace = await generated();
    const arrivals = expandTraceToArrivals(trace, defaults, stream('a'));
    expect(arrivals.length).toBe(ROWS);
    expect(Array.from(arrivals)).toEqual(Array.from(trace.offsetsMicros));
  });

  it('multiplier 3 gives exactly 3 × the requests, sorted, inside the pass, none on the same instant', async () => {
    const trace = await generated();
    const options = { ...defaults, multiplier: 3 };
    const arrivals = expandTraceToArrivals(trace, options, stream('b'));
    expect(arrivals.length).toBe(3 * ROWS);
    expect(isSortedAscending(arrivals)).toBe(true);
    expect(arrivals[0]).toBeGreaterThanOrEqual(0);
    expect(arrivals[arrivals.length - 1]).toBeLessThan(passDurationMicros(trace, options));
    // The generated timestamps are all distinct and the copies are jittered.
    expect(new Set(arrivals).size).toBe(arrivals.length);
  });

  it('every extra copy lies within jitter/2 of some original request', async () => {
    const trace = await generated();
    const jitterMicros = 1_000_000;
    const arrivals = expandTraceToArrivals(trace, { ...defaults, multiplier: 2, jitterMicros }, stream('c'));
    const offsets = trace.offsetsMicros;
    let j = 0;
    let farthestMicros = 0;
    for (const t of arrivals) {
      while (j + 1 < offsets.length && offsets[j + 1] <= t) j++;
      const nearest = Math.min(Math.abs(t - offsets[j]), j + 1 < offsets.length ? Math.abs(offsets[j + 1] - t) : Infinity);
      farthestMicros = Math.max(farthestMicros, nearest);
    }
    expect(arrivals.length).toBe(2 * ROWS);
    expect(farthestMicros).toBeLessThanOrEqual(jitterMicros / 2);
    expect(farthestMicros).toBeGreaterThan(0); // the copies did move
  });

  it('multiplier 2.5 gives 2 × n + Binomial(n, 0.5), within ±4σ', async () => {
    const trace = await generated();
    // n = 5000: mean 2n + n/2 = 12,500; σ = sqrt(5000 × 0.25) ≈ 35.355, 4σ ≈ 141.42 → [12,358.6, 12,641.4].
    for (const seed of ['d1', 'd2', 'd3']) {
      const count = expandTraceToArrivals(trace, { ...defaults, multiplier: 2.5 }, stream(seed)).length;
      expect(count).toBeGreaterThanOrEqual(12_359);
      expect(count).toBeLessThanOrEqual(12_641);
    }
  });

  it('multiplier 0.5 thins: Binomial(n, 0.5), and the kept requests are originals', async () => {
    const trace = await generated();
    // mean 2,500, 4σ ≈ 141.42 → [2,358.6, 2,641.4].
    const arrivals = expandTraceToArrivals(trace, { ...defaults, multiplier: 0.5 }, stream('e'));
    expect(arrivals.length).toBeGreaterThanOrEqual(2_359);
    expect(arrivals.length).toBeLessThanOrEqual(2_641);
    const originals = new Set(trace.offsetsMicros);
    expect(Array.from(arrivals).every((t) => originals.has(t))).toBe(true);
  });

  it('speedup 2 halves the duration', async () => {
    const trace = await generated();
    const normal = passDurationMicros(trace, defaults);
    const fast = passDurationMicros(trace, { ...defaults, speedup: 2 });
    // One pass = duration + mean gap = duration × (1 + 1/(n − 1)) µs; speedup 2 halves it.
    expect(normal).toBeCloseTo(DURATION_MICROS * (1 + 1 / (ROWS - 1)), 3);
    expect(fast).toBeCloseTo(normal / 2, 6);
    const arrivals = expandTraceToArrivals(trace, { ...defaults, speedup: 2 }, stream('f'));
    expect(arrivals.length).toBe(ROWS);
    expect(arrivals[arrivals.length - 1]).toBe(DURATION_MICROS / 2);
    expect(arrivals[1]).toBe(239_595); // row 3: 479,190 µs / 2
  });

  it('startOffset drops the requests before it and shifts the rest to the pass start', async () => {
    const trace = await generated();
    const startOffsetMicros = 600_000_000; // 10 min
    // By filter on the parsed offsets, and by hand: request i is at i × 0.4 s + under 0.1 s, so i ≥ 1500 are kept.
    const kept = Array.from(trace.offsetsMicros).filter((offset) => offset >= startOffsetMicros);
    expect(kept.length).toBe(ROWS - 1500);
    const arrivals = expandTraceToArrivals(trace, { ...defaults, startOffsetMicros }, stream('g'));
    expect(arrivals.length).toBe(kept.length);
    // First kept: i = 1500, at 600 s + (1500 × 7919 mod 9973 = 657) × 10 µs.
    expect(arrivals[0]).toBe(6_570);
    expect(passDurationMicros(trace, { ...defaults, startOffsetMicros })).toBeCloseTo(DURATION_MICROS * (1 + 1 / (ROWS - 1)) - startOffsetMicros, 3);
  });

  it('same random stream → identical pass; different stream → different pass', async () => {
    const trace = await generated();
    const options = { ...defaults, multiplier: 2.5 };
    const first = expandTraceToArrivals(trace, options, stream('same'));
    const again = expandTraceToArrivals(trace, options, stream('same'));
    const other = expandTraceToArrivals(trace, options, stream('other'));
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(other)).not.toEqual(Array.from(first));
  });
});

describe('counts traces', () => {
  // counts.csv: second 0 → 3, 1 → 0, (2, 3 absent → 0), 4 → 7, 5 → 1. Total 11, lasts 6 s.
  it('parses with gaps as zeros', async () => {
    const trace = await counts('counts.csv');
    expect(Array.from(trace.countsPerSecond)).toEqual([3, 0, 0, 0, 7, 1]);
    expect(trace.durationMicros).toBe(6_000_000);
    expect(trace.totalRequests).toBe(11);
  });

  it('multiplier 1: exactly the counts, every arrival inside its second', async () => {
    const trace = await counts('counts.csv');
    const arrivals = expandTraceToArrivals(trace, defaults, stream('h'));
    expect(arrivals.length).toBe(11);
    expect(isSortedAscending(arrivals)).toBe(true);
    const perSecond = [0, 0, 0, 0, 0, 0];
    for (const t of arrivals) perSecond[Math.floor(t / 1_000_000)]++;
    expect(perSecond).toEqual([3, 0, 0, 0, 7, 1]);
    expect(passDurationMicros(trace, defaults)).toBe(6_000_000);
  });

  it('multiplier 2 doubles exactly; speedup 2 packs each second into half a second', async () => {
    const trace = await counts('counts.csv');
    expect(expandTraceToArrivals(trace, { ...defaults, multiplier: 2 }, stream('i')).length).toBe(22);
    const fast = expandTraceToArrivals(trace, { ...defaults, speedup: 2 }, stream('j'));
    const perHalfSecond = [0, 0, 0, 0, 0, 0];
    for (const t of fast) perHalfSecond[Math.floor(t / 500_000)]++;
    expect(perHalfSecond).toEqual([3, 0, 0, 0, 7, 1]);
    expect(passDurationMicros(trace, { ...defaults, speedup: 2 })).toBe(3_000_000);
  });

  it('startOffset 4 s keeps seconds 4 and 5 only', async () => {
    const trace = await counts('counts.csv');
    const arrivals = expandTraceToArrivals(trace, { ...defaults, startOffsetMicros: 4_000_000 }, stream('k'));
    expect(arrivals.length).toBe(8); // 7 + 1
    expect(passDurationMicros(trace, { ...defaults, startOffsetMicros: 4_000_000 })).toBe(2_000_000);
  });
});

describe('checkReplayOptions', () => {
  it('reports bad options as values and a startOffset past the end', async () => {
    const trace = await counts('counts.csv');
    expect(checkReplayOptions(trace, defaults)).toEqual([]);
    expect(checkReplayOptions(trace, { ...defaults, speedup: 0 }).map((issue) => issue.path)).toEqual(['traffic.trace.speedup']);
    expect(checkReplayOptions(trace, { ...defaults, startOffsetMicros: 6_000_000 }).map((issue) => issue.path)).toEqual(['traffic.trace.startOffset']);
    expect(() => expandTraceToArrivals(trace, { ...defaults, multiplier: 0 }, stream('l'))).toThrow(RangeError);
  });
});
