/**
 * Recorded traffic traces for `traffic.trace`, parsed with fast-csv. Two formats:
 *
 * **`timestamps`** — one row per request, a header row first (e.g. the Azure LLM inference trace,
 * `scenarios/traces/azure-llm-inference-2023-code.csv`):
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
 * `requests` an integer ≥ 0. The trace lasts until the end of its last listed second.
 *
 * Both: blank lines and lines whose first cell starts with `#` are skipped. **Row numbers** in
 * errors are 1-based CSV records with the header as row 1 — the file's line numbers unless a quoted
 * cell spans lines. Errors are values, never throws: `{ path: "trace.csv:row 17, column
 * TIMESTAMP", message: 'expected a timestamp like "2023-11-16 18:17:03.97", got "yesterday"' }`;
 * every bad row is reported, up to 20 issues and then one `… and N more`.
 */
import { parseString } from 'fast-csv';
import type { InputIssue } from '../issues.js';
import { microsBetween, parseTimestampCell, type SplitTime, type TimestampKind } from './trace-time.js';

export { expandTraceToArrivals, passDurationMicros, checkReplayOptions, type ReplayOptions } from './trace-replay.js';

/** One row per request. */
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

/** Requests per second. */
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

const DEFAULT_TIME_COLUMNS = ['TIMESTAMP', 'timestamp', 't_s', 'time'];
const MAX_ISSUES = 20;
/** 10⁷ s ≈ 116 days: a bigger `second` is almost surely a unix time or milliseconds, and would allocate GBs. */
const MAX_COUNTS_SECOND = 10_000_000;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NON_NEGATIVE_INTEGER = /^\+?\d+$/;

type Records = { ok: true; records: string[][] } | { ok: false; message: string };

function collectRecords(text: string): Promise<Records> {
  return new Promise((resolve) => {
    const records: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, ignoreEmpty: false, trim: true })
      .on('error', (error: Error) => resolve({ ok: false, message: error.message }))
      .on('data', (record: string[]) => records.push(record))
      .on('end', () => resolve({ ok: true, records }));
  });
}

const isSkipped = (record: readonly string[]) => record.every((cell) => cell === '') || record[0].startsWith('#');

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

/** Header: index of the first non-skipped record (or −1) and its trimmed names. */
function findHeader(records: readonly string[][]): number {
  return records.findIndex((record) => !isSkipped(record));
}

function columnList(header: readonly string[]): string {
  return header.map((name) => JSON.stringify(name)).join(', ');
}

function expectedTimestamp(kind: TimestampKind | undefined): string {
  if (kind === 'datetime') return 'expected a timestamp like "2023-11-16 18:17:03.97"';
  if (kind === 'seconds') return 'expected seconds like "12.5" (the first row is in plain seconds)';
  return 'expected a timestamp like "2023-11-16 18:17:03.97" or "2023-11-16T18:17:03Z", or seconds like "12.5"';
}

/** Parses a per-request trace (format above). Never throws. */
export async function parseTimestampTrace(text: string, fileName: string, options: TimestampTraceOptions = {}): Promise<TraceParseResult<TimestampTrace>> {
  const collected = await collectRecords(text);
  if (!collected.ok) return { ok: false, issues: [{ path: fileName, message: `unreadable CSV: ${collected.message}` }] };
  return buildTimestampTrace(collected.records, fileName, options);
}

/** The synchronous, pure part of parseTimestampTrace: CSV records (header included) → trace. */
export function buildTimestampTrace(records: readonly string[][], fileName: string, options: TimestampTraceOptions = {}): TraceParseResult<TimestampTrace> {
  const at = (row: number, column?: string) => `${fileName}:row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const headerIndex = findHeader(records);
  if (headerIndex < 0) return { ok: false, issues: [{ path: fileName, message: 'expected a header row with a TIMESTAMP column, the file is empty' }] };
  const header = records[headerIndex];
  const headerRow = headerIndex + 1;

  let timeIndex: number;
  if (options.timestampColumn !== undefined) {
    timeIndex = header.indexOf(options.timestampColumn);
    if (timeIndex < 0) return { ok: false, issues: [{ path: at(headerRow), message: `expected a column ${JSON.stringify(options.timestampColumn)}, got columns ${columnList(header)}` }] };
  } else {
    timeIndex = -1;
    for (const name of DEFAULT_TIME_COLUMNS) {
      timeIndex = header.indexOf(name);
      if (timeIndex >= 0) break;
    }
    if (timeIndex < 0) {
      const lower = DEFAULT_TIME_COLUMNS.map((name) => name.toLowerCase());
      timeIndex = header.findIndex((name) => lower.includes(name.toLowerCase()));
    }
    if (timeIndex < 0) {
      return { ok: false, issues: [{ path: at(headerRow), message: `expected a time column (one of ${columnList(DEFAULT_TIME_COLUMNS)}), got columns ${columnList(header)}` }] };
    }
  }
  const timeColumn = header[timeIndex];

  // Extra columns: named, not the time column, first of their name. Dropped at their first non-number.
  const extraIndexes: number[] = [];
  header.forEach((name, i) => {
    if (i !== timeIndex && name !== '' && header.indexOf(name) === i) extraIndexes.push(i);
  });
  const extraValues = extraIndexes.map(() => [] as number[] | undefined);

  const issues = new IssueList(fileName);
  const relativeMicros: number[] = []; // µs from the first data row; may be negative if unsorted
  let origin: SplitTime | undefined;
  let kind: TimestampKind | undefined;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const record = records[r];
    if (isSkipped(record)) continue;
    const row = r + 1;
    if (record.length !== header.length) {
      issues.add(at(row), `expected ${header.length} cells (${header.join(',')}), got ${record.length}`);
      continue;
    }
    const cell = record[timeIndex];
    const parsed = parseTimestampCell(cell);
    if (!parsed || (kind !== undefined && parsed.kind !== kind)) {
      issues.add(at(row, timeColumn), `${expectedTimestamp(kind)}, got ${cell === '' ? 'an empty cell' : JSON.stringify(cell)}`);
      continue;
    }
    if (origin === undefined) {
      origin = parsed.time;
      kind = parsed.kind;
    }
    relativeMicros.push(microsBetween(origin, parsed.time));
    for (let c = 0; c < extraIndexes.length; c++) {
      const values = extraValues[c];
      if (!values) continue;
      const text = record[extraIndexes[c]];
      if (NUMBER.test(text)) values.push(Number(text));
      else extraValues[c] = undefined;
    }
  }
  if (!issues.empty) return { ok: false, issues: issues.all() };
  const rows = relativeMicros.length;
  if (rows === 0) return { ok: false, issues: [{ path: fileName, message: 'expected at least one request row after the header' }] };

  // Sort only if needed, through a permutation so extra columns follow their rows.
  let sorted = true;
  for (let i = 1; i < rows && sorted; i++) sorted = relativeMicros[i] >= relativeMicros[i - 1];
  const order = sorted ? undefined : Array.from({ length: rows }, (_, i) => i).sort((a, b) => relativeMicros[a] - relativeMicros[b] || a - b);
  const permute = (values: readonly number[]) => Float64Array.from(order ? order.map((i) => values[i]) : values);

  const offsetsMicros = permute(relativeMicros);
  const first = offsetsMicros[0];
  for (let i = 0; i < rows; i++) offsetsMicros[i] -= first;
  const extraColumns: Record<string, Float64Array> = {};
  let anyExtra = false;
  extraIndexes.forEach((index, c) => {
    const values = extraValues[c];
    if (!values) return;
    extraColumns[header[index]] = permute(values);
    anyExtra = true;
  });
  const trace: TimestampTrace = { kind: 'timestamps', offsetsMicros, durationMicros: offsetsMicros[rows - 1], rows, ...(anyExtra ? { extraColumns } : {}) };
  return { ok: true, trace };
}

/** Parses a per-second counts trace (format above). Never throws. */
export async function parseCountsTrace(text: string, fileName: string): Promise<TraceParseResult<CountsTrace>> {
  const collected = await collectRecords(text);
  if (!collected.ok) return { ok: false, issues: [{ path: fileName, message: `unreadable CSV: ${collected.message}` }] };
  return buildCountsTrace(collected.records, fileName);
}

/** The synchronous, pure part of parseCountsTrace: CSV records (header included) → trace. */
export function buildCountsTrace(records: readonly string[][], fileName: string): TraceParseResult<CountsTrace> {
  const at = (row: number, column?: string) => `${fileName}:row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const headerIndex = findHeader(records);
  if (headerIndex < 0) return { ok: false, issues: [{ path: fileName, message: 'expected a header row "second,requests", the file is empty' }] };
  const header = records[headerIndex];
  const headerRow = headerIndex + 1;
  const secondIndex = header.findIndex((name) => name.toLowerCase() === 'second');
  const requestsIndex = header.findIndex((name) => name.toLowerCase() === 'requests');
  if (secondIndex < 0 || requestsIndex < 0) {
    const missing = [secondIndex < 0 ? '"second"' : '', requestsIndex < 0 ? '"requests"' : ''].filter(Boolean).join(' and ');
    return { ok: false, issues: [{ path: at(headerRow), message: `expected columns "second,requests", missing ${missing}; got columns ${columnList(header)}` }] };
  }
  const secondColumn = header[secondIndex];
  const requestsColumn = header[requestsIndex];

  const issues = new IssueList(fileName);
  const seconds: number[] = [];
  const counts: number[] = [];
  let previous: { second: number; row: number } | undefined;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const record = records[r];
    if (isSkipped(record)) continue;
    const row = r + 1;
    if (record.length !== header.length) {
      issues.add(at(row), `expected ${header.length} cells (${header.join(',')}), got ${record.length}`);
      continue;
    }
    const secondCell = record[secondIndex];
    const requestsCell = record[requestsIndex];
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
    if (!NON_NEGATIVE_INTEGER.test(requestsCell)) {
      issues.add(at(row, requestsColumn), `expected a whole number of requests ≥ 0, got ${requestsCell === '' ? 'an empty cell' : JSON.stringify(requestsCell)}`);
      continue;
    }
    if (second === undefined) continue;
    seconds.push(second);
    counts.push(Number(requestsCell));
  }
  if (!issues.empty) return { ok: false, issues: issues.all() };
  if (seconds.length === 0) return { ok: false, issues: [{ path: fileName, message: 'expected at least one "second,requests" row after the header' }] };

  const length = seconds[seconds.length - 1] + 1;
  const countsPerSecond = new Float64Array(length);
  let totalRequests = 0;
  for (let i = 0; i < seconds.length; i++) {
    countsPerSecond[seconds[i]] = counts[i];
    totalRequests += counts[i];
  }
  return { ok: true, trace: { kind: 'counts', countsPerSecond, durationMicros: length * 1e6, totalRequests } };
}
