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
} from '../../src/scenario/imports/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const AZURE_FILE = 'azure-llm-inference-2023-code.csv';
const azureText = readFileSync(join(root, 'scenarios', 'traces', AZURE_FILE), 'utf8');
const fixture = (name: string) => readFileSync(join(root, 'test', 'fixtures', 'traces', name), 'utf8');

/*
 * The Azure file, counted outside the code under test:
 *   `grep -c '' azure-llm-inference-2023-code.csv` → 8820 lines (CRLF; no newline after the last),
 *   minus the header → 8819 requests. (The shared README says "8,818", one short; Python's csv
 *   module also reads 8819 data rows.)
 * First and last rows: 2023-11-16 18:17:03.9799600 and 2023-11-16 19:14:19.9280160.
 * Duration, by hand: 19:14:19.9280160 − 18:17:03.9799600
 *   = (19:14:19 − 18:17:03) + (0.9280160 − 0.9799600)
 *   = 57 min 16 s − 0.0519440 s = 3436 s − 0.051944 s = 3435.948056 s = 3,435,948,056 µs.
 */
const AZURE_ROWS = 8819;
const AZURE_DURATION_MICROS = 3_435_948_056;

const stream = (seed: string) => seedrandom.alea(seed);
const defaults = { startOffsetMicros: 0, speedup: 1, multiplier: 1, jitterMicros: 1_000_000 };

async function azure(): Promise<TimestampTrace> {
  const result = await parseTimestampTrace(azureText, AZURE_FILE);
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

describe('parseTimestampTrace: the shipped Azure trace', () => {
  it('has every request, offsets from the first, and the hand-computed duration', async () => {
    const trace = await azure();
    // Independent count: non-empty lines minus the header.
    const nonEmptyLines = azureText.split(/\r?\n/).filter((line) => line !== '').length;
    expect(nonEmptyLines - 1).toBe(AZURE_ROWS);
    expect(trace.kind).toBe('timestamps');
    expect(trace.rows).toBe(AZURE_ROWS);
    expect(trace.offsetsMicros.length).toBe(AZURE_ROWS);
    expect(trace.offsetsMicros[0]).toBe(0);
    expect(trace.durationMicros).toBe(AZURE_DURATION_MICROS);
    expect(trace.offsetsMicros[AZURE_ROWS - 1]).toBe(AZURE_DURATION_MICROS);
    expect(isSortedAscending(trace.offsetsMicros)).toBe(true);
  });

  it('keeps 100 ns digits: rows 3 and 4 by hand', async () => {
    const trace = await azure();
    // Row 3: 18:17:04.0319600 − 18:17:03.9799600 = 0.0520000 s = 52,000 µs.
    expect(trace.offsetsMicros[1]).toBe(52_000);
    // Row 4: 18:17:04.0781490 − 18:17:03.9799600 = 0.0981890 s = 98,189 µs.
    expect(trace.offsetsMicros[2]).toBe(98_189);
  });

  it('keeps the token columns as numbers, aligned with the rows', async () => {
    const trace = await azure();
    const context = trace.extraColumns?.ContextTokens;
    const generated = trace.extraColumns?.GeneratedTokens;
    expect(context?.length).toBe(AZURE_ROWS);
    expect(generated?.length).toBe(AZURE_ROWS);
    // From the file's first and last rows: "…03.9799600,4808,10" and "…19.9280160,549,173".
    expect(context?.[0]).toBe(4808);
    expect(generated?.[0]).toBe(10);
    expect(context?.[AZURE_ROWS - 1]).toBe(549);
    expect(generated?.[AZURE_ROWS - 1]).toBe(173);
    // awk -F, 'NR>1 { g += $3; c += $2 } END { print g, c }' (after tr -d '\r') → 245896 18059974.
    expect(generated?.reduce((sum, v) => sum + v, 0)).toBe(245_896);
    expect(context?.reduce((sum, v) => sum + v, 0)).toBe(18_059_974);
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
    const trace = await azure();
    const arrivals = expandTraceToArrivals(trace, defaults, stream('a'));
    expect(arrivals.length).toBe(AZURE_ROWS);
    expect(Array.from(arrivals)).toEqual(Array.from(trace.offsetsMicros));
  });

  it('multiplier 3 gives exactly 3 × the requests, sorted, inside the pass, none on the same instant', async () => {
    const trace = await azure();
    const options = { ...defaults, multiplier: 3 };
    const arrivals = expandTraceToArrivals(trace, options, stream('b'));
    expect(arrivals.length).toBe(3 * AZURE_ROWS); // 26,457
    expect(isSortedAscending(arrivals)).toBe(true);
    expect(arrivals[0]).toBeGreaterThanOrEqual(0);
    expect(arrivals[arrivals.length - 1]).toBeLessThan(passDurationMicros(trace, options));
    // The Azure timestamps are all distinct (`cut -d, -f1 | uniq -d` is empty) and the copies are jittered.
    expect(new Set(arrivals).size).toBe(arrivals.length);
  });

  it('every extra copy lies within jitter/2 of some original request', async () => {
    const trace = await azure();
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
    expect(arrivals.length).toBe(2 * AZURE_ROWS);
    expect(farthestMicros).toBeLessThanOrEqual(jitterMicros / 2);
    expect(farthestMicros).toBeGreaterThan(0); // the copies did move
  });

  it('multiplier 2.5 gives 2 × n + Binomial(n, 0.5), within ±4σ', async () => {
    const trace = await azure();
    // n = 8819: mean 2n + n/2 = 17,638 + 4,409.5 = 22,047.5; σ = sqrt(8819 × 0.25) = sqrt(2204.75) ≈ 46.955,
    // 4σ ≈ 187.82 → [21,859.7, 22,235.3].
    for (const seed of ['d1', 'd2', 'd3']) {
      const count = expandTraceToArrivals(trace, { ...defaults, multiplier: 2.5 }, stream(seed)).length;
      expect(count).toBeGreaterThanOrEqual(21_860);
      expect(count).toBeLessThanOrEqual(22_235);
    }
  });

  it('multiplier 0.5 thins: Binomial(n, 0.5), and the kept requests are originals', async () => {
    const trace = await azure();
    // mean 4,409.5, 4σ ≈ 187.82 → [4,221.7, 4,597.3].
    const arrivals = expandTraceToArrivals(trace, { ...defaults, multiplier: 0.5 }, stream('e'));
    expect(arrivals.length).toBeGreaterThanOrEqual(4_222);
    expect(arrivals.length).toBeLessThanOrEqual(4_597);
    const originals = new Set(trace.offsetsMicros);
    expect(Array.from(arrivals).every((t) => originals.has(t))).toBe(true);
  });

  it('speedup 2 halves the duration', async () => {
    const trace = await azure();
    const normal = passDurationMicros(trace, defaults);
    const fast = passDurationMicros(trace, { ...defaults, speedup: 2 });
    // One pass = duration + mean gap = 3,435,948,056 × (1 + 1/8818) µs; speedup 2 halves it.
    expect(normal).toBeCloseTo(AZURE_DURATION_MICROS * (1 + 1 / 8818), 3);
    expect(fast).toBeCloseTo(normal / 2, 6);
    const arrivals = expandTraceToArrivals(trace, { ...defaults, speedup: 2 }, stream('f'));
    expect(arrivals.length).toBe(AZURE_ROWS);
    expect(arrivals[arrivals.length - 1]).toBe(AZURE_DURATION_MICROS / 2); // 1,717,974,028 µs
    expect(arrivals[1]).toBe(26_000); // row 3: 52,000 µs / 2
  });

  it('startOffset drops the requests before it and shifts the rest to the pass start', async () => {
    const trace = await azure();
    const startOffsetMicros = 600_000_000; // 10 min: trace time 18:27:03.9799600
    // By filter on the parsed offsets, and independently with awk on the file
    // ($1 >= "2023-11-16 18:27:03.9799600"): 7,337 requests.
    const kept = Array.from(trace.offsetsMicros).filter((offset) => offset >= startOffsetMicros);
    expect(kept.length).toBe(7_337);
    const arrivals = expandTraceToArrivals(trace, { ...defaults, startOffsetMicros }, stream('g'));
    expect(arrivals.length).toBe(kept.length);
    // First kept row 18:27:06.2560490 − 18:27:03.9799600 = 2.2760890 s.
    expect(arrivals[0]).toBe(2_276_089);
    expect(passDurationMicros(trace, { ...defaults, startOffsetMicros })).toBeCloseTo(AZURE_DURATION_MICROS * (1 + 1 / 8818) - startOffsetMicros, 3);
  });

  it('same random stream → identical pass; different stream → different pass', async () => {
    const trace = await azure();
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
