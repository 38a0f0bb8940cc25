/**
 * Recorded traffic traces for `traffic.trace`, parsed with fast-csv. Two formats:
 *
 * **`timestamps`** — one row per request, a header row first (e.g. the Azure LLM inference trace's
 * `TIMESTAMP,ContextTokens,GeneratedTokens`):
 * - The time column is `options.timestampColumn`, else the first of `TIMESTAMP`, `timestamp`,
 *   `t_s`, `time` present (exact name first, then case-insensitive).
 * - A time cell is one of
 *   - `YYYY-MM-DD HH:MM:SS(.fraction)` — no zone means UTC, as in the Azure file;
 *   - RFC 3339: `2023-11-16T18:17:03.97Z`, `2023-11-16T19:17:03+01:00` (a `T`, `Z` or an offset);
 *   - plain seconds, a float (`12.5`, `1700158623.97`), relative or unix — only differences matter.
 *   The fraction may have up to 9 digits. The first data row fixes the kind (date-time or seconds);
 *   mixing kinds in one file is an error.
 * - Offsets are µs from the earliest request. **Unsorted files are sorted** (stably, rows and their
 *   extra columns together) rather than rejected: a trace merged from several logs is still a
 *   trace, and the order of rows carries no meaning beyond their times.
 * - Every other column whose cells are all numbers is kept in `extraColumns` (e.g. `ContextTokens`,
 *   `GeneratedTokens`, to drive per-request work later); a column with any non-numeric or empty
 *   cell is left out, silently, since nothing requires it yet.
 *
 * **`counts`** — requests per second, header `second,requests` (case-insensitive; other columns
 * are ignored): `second` an integer ≥ 0, strictly increasing, a missing second meaning 0 requests;
 * `requests` an integer ≥ 0 (e.g. `scenarios/traces/azure-llm-inference-2023-code-per-second.csv`).
 * The trace lasts until the end of its last listed second. A row, or the whole trace, beyond
 * MAX_PASS_ARRIVALS requests cannot be replayed (a pass is held in memory) and is an error.
 *
 * Both: blank lines and lines whose first cell starts with `#` are skipped. **Row numbers** in
 * errors are 1-based CSV records with the header as row 1 — the file's line numbers unless a quoted
 * cell spans lines. Errors are values, never throws: `{ path: "trace.csv:row 17, column
 * TIMESTAMP", message: 'expected a timestamp like "2023-11-16 18:17:03.97", got "yesterday"' }`;
 * every bad row is reported, up to 20 issues and then one `… and N more`.
 */
import { parseString } from 'fast-csv';
import type { InputIssue } from '../issues.js';
import { MAX_PASS_ARRIVALS } from './trace-replay.js';
import { microsBetween, parseTimestampCell, type SplitTime, type TimestampKind } from './trace-time.js';

export { expandTraceToArrivals, passDurationMicros, checkReplayOptions, MAX_PASS_ARRIVALS, type ReplayOptions } from './trace-replay.js';

/**
 * One row per request. Its arrays live in SharedArrayBuffers, so that posting a trace to worker
 * threads shares it instead of copying it.
 */
export interface TimestampTrace {
  readonly kind: 'timestamps';
  /** µs from the first request, ascending; offsetsMicros[0] = 0. */
  readonly offsetsMicros: Float64Array;
  /** Last offset − first offset, µs. */
  readonly durationMicros: number;
  /** Number of requests (data rows). */
  readonly rows: number;
  /** Numeric extra columns, aligned with offsetsMicros (same order after sorting). */
  readonly extraColumns?: Readonly<Record<string, Float64Array>>;
}

/** Requests per second (its array in a SharedArrayBuffer, like TimestampTrace's). */
export interface CountsTrace {
  readonly kind: 'counts';
  /** countsPerSecond[s] = requests in [s, s + 1) seconds; seconds absent from the file are 0. */
  readonly countsPerSecond: Float64Array;
  /** (last second + 1) × 1e6 µs. */
  readonly durationMicros: number;
  /** Sum of countsPerSecond. */
  readonly totalRequests: number;
}

export type ParsedTrace = TimestampTrace | CountsTrace;

export type TraceParseResult<T extends ParsedTrace> = { ok: true; trace: T } | { ok: false; issues: InputIssue[] };

export interface TimestampTraceOptions {
  /** Name of the time column; default the first of TIMESTAMP, timestamp, t_s, time. */
  timestampColumn?: string;
}

/** Takes a trace's CSV records one at a time, as they stream in; `finish` gives the trace or every issue. */
export interface TraceBuilder<T extends ParsedTrace> {
  add(record: readonly string[]): void;
  finish(): TraceParseResult<T>;
}

const DEFAULT_TIME_COLUMNS = ['TIMESTAMP', 'timestamp', 't_s', 'time'];
const MAX_ISSUES = 20;
/** 10⁷ s ≈ 116 days: a bigger `second` is almost surely a unix time or milliseconds, and would allocate GBs. */
const MAX_COUNTS_SECOND = 10_000_000;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NON_NEGATIVE_INTEGER = /^\+?\d+$/;
/** 64 Ki values (512 KiB) per chunk: small next to a big trace, large enough that chunks are few. */
const CHUNK_LENGTH = 65_536;

const isSkipped = (record: readonly string[]) => record.every((cell) => cell === '') || record[0].startsWith('#');

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/**
 * A column of numbers of unknown length, kept in fixed chunks while it grows (no copy on growth,
 * unlike doubling, which holds the old and the new array at once), then packed into one shared
 * array: at most twice the column's size at any time.
 */
class GrowingColumn {
  private readonly full: Float64Array[] = [];
  private current = new Float64Array(CHUNK_LENGTH);
  private fill = 0;
  length = 0;

  push(value: number): void {
    if (this.fill === CHUNK_LENGTH) {
      this.full.push(this.current);
      this.current = new Float64Array(CHUNK_LENGTH);
      this.fill = 0;
    }
    this.current[this.fill++] = value;
    this.length++;
  }

  /** The values in one SharedArrayBuffer-backed array; the column is empty afterwards. */
  pack(): Float64Array {
    const out = sharedFloat64(this.length);
    let at = 0;
    for (const chunk of this.full.splice(0)) {
      out.set(chunk, at);
      at += chunk.length;
    }
    out.set(this.current.subarray(0, this.fill), at);
    this.current = new Float64Array(0);
    this.fill = 0;
    this.length = 0;
    return out;
  }
}

/** Collects issues, keeping the first MAX_ISSUES and counting the rest. */
class IssueList {
  readonly shown: InputIssue[] = [];
  private hidden = 0;
  constructor(private readonly fileName: string) {}
  add(path: string, message: string): void {
    if (this.shown.length < MAX_ISSUES) this.shown.push({ path, message });
    else this.hidden++;
  }
  get empty(): boolean {
    return this.shown.length === 0;
  }
  all(): InputIssue[] {
    return this.hidden > 0 ? [...this.shown, { path: this.fileName, message: `… and ${this.hidden} more` }] : this.shown;
  }
}

function columnList(header: readonly string[]): string {
  return header.map((name) => JSON.stringify(name)).join(', ');
}

function expectedTimestamp(kind: TimestampKind | undefined): string {
  if (kind === 'datetime') return 'expected a timestamp like "2023-11-16 18:17:03.97"';
  if (kind === 'seconds') return 'expected seconds like "12.5" (the first row is in plain seconds)';
  return 'expected a timestamp like "2023-11-16 18:17:03.97" or "2023-11-16T18:17:03Z", or seconds like "12.5"';
}

const fail = <T extends ParsedTrace>(issues: InputIssue[]): TraceParseResult<T> => ({ ok: false, issues });

/** The index of the time column of `header`, or an issue. */
function findTimeColumn(header: readonly string[], options: TimestampTraceOptions): number | string {
  if (options.timestampColumn !== undefined) {
    const index = header.indexOf(options.timestampColumn);
    return index >= 0 ? index : `expected a column ${JSON.stringify(options.timestampColumn)}, got columns ${columnList(header)}`;
  }
  for (const name of DEFAULT_TIME_COLUMNS) {
    const index = header.indexOf(name);
    if (index >= 0) return index;
  }
  const lower = DEFAULT_TIME_COLUMNS.map((name) => name.toLowerCase());
  const index = header.findIndex((name) => lower.includes(name.toLowerCase()));
  return index >= 0 ? index : `expected a time column (one of ${columnList(DEFAULT_TIME_COLUMNS)}), got columns ${columnList(header)}`;
}

/** A per-request trace (format above), built as its records arrive. */
export function timestampTraceBuilder(fileName: string, options: TimestampTraceOptions = {}): TraceBuilder<TimestampTrace> {
  const at = (row: number, column?: string) => `${fileName}:row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const issues = new IssueList(fileName);
  let row = 0;
  let header: readonly string[] | undefined;
  let fatal: InputIssue | undefined;
  let timeIndex = -1;
  let timeColumn = '';
  // Extra columns: named, not the time column, first of their name. Dropped at their first non-number.
  let extraIndexes: number[] = [];
  let extraValues: (GrowingColumn | undefined)[] = [];
  const relativeMicros = new GrowingColumn(); // µs from the first data row; may be negative if unsorted
  let sorted = true;
  let previous = -Infinity;
  let origin: SplitTime | undefined;
  let kind: TimestampKind | undefined;

  function readHeader(record: readonly string[]): void {
    header = record;
    const found = findTimeColumn(record, options);
    if (typeof found === 'string') {
      fatal = { path: at(row), message: found };
      return;
    }
    timeIndex = found;
    timeColumn = record[found];
    extraIndexes = record.flatMap((name, i) => (i !== timeIndex && name !== '' && record.indexOf(name) === i ? [i] : []));
    extraValues = extraIndexes.map(() => new GrowingColumn());
  }

  return {
    add(record) {
      row++;
      if (fatal || isSkipped(record)) return;
      if (!header) return readHeader(record);
      if (record.length !== header.length) return issues.add(at(row), `expected ${header.length} cells (${header.join(',')}), got ${record.length}`);
      if (relativeMicros.length === MAX_PASS_ARRIVALS) {
        fatal = { path: at(row), message: `expected at most ${MAX_PASS_ARRIVALS.toLocaleString('en-US')} requests (one replay pass is held in memory), the file has more` };
        return;
      }
      const cell = record[timeIndex];
      const parsed = parseTimestampCell(cell);
      if (!parsed || (kind !== undefined && parsed.kind !== kind)) {
        return issues.add(at(row, timeColumn), `${expectedTimestamp(kind)}, got ${cell === '' ? 'an empty cell' : JSON.stringify(cell)}`);
      }
      if (origin === undefined) {
        origin = parsed.time;
        kind = parsed.kind;
      }
      const micros = microsBetween(origin, parsed.time);
      sorted &&= micros >= previous;
      previous = micros;
      relativeMicros.push(micros);
      for (let c = 0; c < extraIndexes.length; c++) {
        const values = extraValues[c];
        if (!values) continue;
        const text = record[extraIndexes[c]];
        if (NUMBER.test(text)) values.push(Number(text));
        else extraValues[c] = undefined;
      }
    },

    finish() {
      if (fatal) return fail([fatal]);
      if (!header) return fail([{ path: fileName, message: 'expected a header row with a TIMESTAMP column, the file is empty' }]);
      if (!issues.empty) return fail(issues.all());
      const rows = relativeMicros.length;
      if (rows === 0) return fail([{ path: fileName, message: 'expected at least one request row after the header' }]);

      let offsetsMicros = relativeMicros.pack();
      const columns = extraIndexes.flatMap((index, c) => (extraValues[c] ? [{ name: header![index], values: extraValues[c]!.pack() }] : []));
      if (!sorted) {
        // Sort through a permutation (stable: ties keep file order), so extra columns follow their rows.
        const unsorted = offsetsMicros;
        const order = new Uint32Array(rows).map((_, i) => i).sort((a, b) => unsorted[a] - unsorted[b] || a - b);
        const permute = (values: Float64Array) => {
          const out = sharedFloat64(rows);
          for (let i = 0; i < rows; i++) out[i] = values[order[i]];
          return out;
        };
        offsetsMicros = permute(unsorted);
        for (const column of columns) column.values = permute(column.values);
      }
      const first = offsetsMicros[0];
      for (let i = 0; i < rows; i++) offsetsMicros[i] -= first;
      const extraColumns = Object.fromEntries(columns.map((column) => [column.name, column.values]));
      const trace: TimestampTrace = { kind: 'timestamps', offsetsMicros, durationMicros: offsetsMicros[rows - 1], rows, ...(columns.length > 0 ? { extraColumns } : {}) };
      return { ok: true, trace };
    },
  };
}

/** A per-second counts trace (format above), built as its records arrive. */
export function countsTraceBuilder(fileName: string): TraceBuilder<CountsTrace> {
  const at = (row: number, column?: string) => `${fileName}:row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const issues = new IssueList(fileName);
  let row = 0;
  let header: readonly string[] | undefined;
  let fatal: InputIssue | undefined;
  let secondIndex = -1;
  let requestsIndex = -1;
  const seconds = new GrowingColumn();
  const counts = new GrowingColumn();
  let previous: { second: number; row: number } | undefined;
  let totalRequests = 0;

  function readHeader(record: readonly string[]): void {
    header = record;
    secondIndex = record.findIndex((name) => name.toLowerCase() === 'second');
    requestsIndex = record.findIndex((name) => name.toLowerCase() === 'requests');
    if (secondIndex < 0 || requestsIndex < 0) {
      const missing = [secondIndex < 0 ? '"second"' : '', requestsIndex < 0 ? '"requests"' : ''].filter(Boolean).join(' and ');
      fatal = { path: at(row), message: `expected columns "second,requests", missing ${missing}; got columns ${columnList(record)}` };
    }
  }

  function readRequests(cell: string, column: string): number | undefined {
    if (!NON_NEGATIVE_INTEGER.test(cell)) {
      issues.add(at(row, column), `expected a whole number of requests ≥ 0, got ${cell === '' ? 'an empty cell' : JSON.stringify(cell)}`);
      return undefined;
    }
    const requests = Number(cell);
    // A replay pass holds every arrival in memory: one second (or all of them) beyond that cannot be replayed.
    if (requests > MAX_PASS_ARRIVALS) {
      issues.add(at(row, column), `expected at most ${MAX_PASS_ARRIVALS.toLocaleString('en-US')} requests in one second (one replay pass is held in memory), got ${cell}`);
      return undefined;
    }
    if (totalRequests <= MAX_PASS_ARRIVALS && totalRequests + requests > MAX_PASS_ARRIVALS) {
      issues.add(at(row, column), `expected at most ${MAX_PASS_ARRIVALS.toLocaleString('en-US')} requests in the whole trace (one replay pass is held in memory), this row brings it past that`);
    }
    totalRequests += requests;
    return requests;
  }

  return {
    add(record) {
      row++;
      if (fatal || isSkipped(record)) return;
      if (!header) return readHeader(record);
      if (record.length !== header.length) return issues.add(at(row), `expected ${header.length} cells (${header.join(',')}), got ${record.length}`);
      const secondColumn = header[secondIndex];
      const secondCell = record[secondIndex];
      let second: number | undefined;
      if (!NON_NEGATIVE_INTEGER.test(secondCell)) {
        issues.add(at(row, secondColumn), `expected a whole second ≥ 0 since the start, got ${secondCell === '' ? 'an empty cell' : JSON.stringify(secondCell)}`);
      } else if (Number(secondCell) > MAX_COUNTS_SECOND) {
        issues.add(at(row, secondColumn), `expected a second since the start of the trace (at most ${MAX_COUNTS_SECOND}), got ${secondCell} — a unix time or milliseconds?`);
      } else if (previous && Number(secondCell) <= previous.second) {
        issues.add(at(row, secondColumn), `expected a second after ${previous.second} (row ${previous.row}): seconds must be strictly increasing, got ${secondCell}`);
      } else {
        second = Number(secondCell);
        previous = { second, row };
      }
      const requests = readRequests(record[requestsIndex], header[requestsIndex]);
      if (second === undefined || requests === undefined) return;
      seconds.push(second);
      counts.push(requests);
    },

    finish() {
      if (fatal) return fail([fatal]);
      if (!header) return fail([{ path: fileName, message: 'expected a header row "second,requests", the file is empty' }]);
      if (!issues.empty) return fail(issues.all());
      if (seconds.length === 0) return fail([{ path: fileName, message: 'expected at least one "second,requests" row after the header' }]);
      const listed = seconds.pack();
      const values = counts.pack();
      const length = listed[listed.length - 1] + 1;
      const countsPerSecond = sharedFloat64(length);
      for (let i = 0; i < listed.length; i++) countsPerSecond[listed[i]] = values[i];
      return { ok: true, trace: { kind: 'counts', countsPerSecond, durationMicros: length * 1e6, totalRequests } };
    },
  };
}

/** Feeds CSV text to a builder (for text already in memory; files stream through trace-load.ts). Never throws. */
function parseText<T extends ParsedTrace>(text: string, fileName: string, builder: TraceBuilder<T>): Promise<TraceParseResult<T>> {
  return new Promise((resolve) => {
    parseString<string[], string[]>(text, { headers: false, ignoreEmpty: false, trim: true })
      .on('error', (error: Error) => resolve(fail([{ path: fileName, message: `unreadable CSV: ${error.message}` }])))
      .on('data', (record: string[]) => builder.add(record))
      .on('end', () => resolve(builder.finish()));
  });
}

/** Parses a per-request trace (format above) from text. Never throws. */
export function parseTimestampTrace(text: string, fileName: string, options: TimestampTraceOptions = {}): Promise<TraceParseResult<TimestampTrace>> {
  return parseText(text, fileName, timestampTraceBuilder(fileName, options));
}

/** Parses a per-second counts trace (format above) from text. Never throws. */
export function parseCountsTrace(text: string, fileName: string): Promise<TraceParseResult<CountsTrace>> {
  return parseText(text, fileName, countsTraceBuilder(fileName));
}
