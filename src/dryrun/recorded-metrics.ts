/**
 * Recorded metrics for `simulate hpa-dryrun --metrics recorded.csv`: the native CSV (below);
 * exports.ts reads Prometheus and Grafana exports into the same `RecordedMetrics`.
 *
 * Accepted CSV (a Prometheus export reshaped to one column per metric):
 *
 * - **Header row first.** Column names are trimmed; `timestamp`, `t_s` and `pod` are matched
 *   case-insensitively, metric columns exactly.
 * - **Exactly one time column:**
 *   - `timestamp`: unix seconds (`1732874400`, `1732874400.5`) or RFC 3339
 *     (`2024-11-29T10:00:00Z`, `2024-11-29T11:00:00+01:00`); times are shifted so the earliest row is
 *     t = 0 s (`startUnixSeconds` keeps the origin);
 *   - `t_s`: seconds since the start of the recording (≥ 0), used as is.
 * - **Optional `pod` column.** Without it every row holds values *averaged over pods*; with it every
 *   row is one pod's values at that time (per-pod, as metrics-server serves them).
 * - **Every other column is a metric**, one number per cell (a dot for decimals, exponents allowed):
 *   - `cpu_utilization_pct` — CPU usage in percent of the pod's CPU request;
 *   - `cpu_millicores` — CPU usage [millicores]; `cpu_cores` — the same in cores;
 *   - `memory_utilization_pct`, `memory_bytes` — the same for memory;
 *   - any other name — a custom metric value in its own unit (not milli), matched by name to the
 *     HPA's Pods, Object or External metric (e.g. `queue_length_total`, `requests_per_second`).
 * - An empty cell or `NaN` means "no sample" for that metric at that time. Negative values and
 *   other text are errors.
 * - Rows need not be sorted; they are ordered by time (stable). Two rows for the same time (and
 *   pod) are an error. Blank lines and lines whose first cell starts with `#` are skipped.
 * - The first data row's time sets the recording's clock (`RecordedMetrics.clock`): the dry run
 *   gives its decisions in it.
 *
 * Row numbers in errors count CSV records with the header as row 1, so they are line numbers
 * unless a quoted cell spans several lines. Errors are values: `{ path: "recorded.csv: row 7,
 * column cpu_utilization_pct", message: "expected a number, got \"n/a\"" }`.
 */
import { parseString } from 'fast-csv';
import { rfc3339Clock, type RecordedClock } from './clock.js';
import { parseRfc3339Seconds } from './rfc3339.js';

export interface RecordedMetricRow {
  /** Seconds since the start of the recording. */
  t_s: number;
  /** The pod, for a per-pod CSV. */
  pod?: string;
  /** metric column → value; only non-empty cells. */
  values: Record<string, number>;
  /** CSV row number (header = 1). */
  row: number;
}

export interface RecordedMetrics {
  fileName: string;
  /** What the file was read as: "recorded CSV", "Prometheus range-query JSON", "Prometheus CSV", "Grafana CSV". */
  source: string;
  /** The file's time column ("t_s", "timestamp", "Time") and clock: results are given in the same. */
  timeColumn: string;
  clock: RecordedClock;
  /** Time of t = 0 in the clock's seconds (unix seconds, or a local wall clock's) when times were absolute. */
  startUnixSeconds?: number;
  /** True when the CSV has a `pod` column. */
  perPod: boolean;
  /** Metric column names, in file order. */
  metricColumns: string[];
  /** Rows ordered by time (stable). */
  rows: RecordedMetricRow[];
}

export interface CsvIssue {
  path: string;
  message: string;
}

export type ParseRecordedMetricsResult = { ok: true; metrics: RecordedMetrics } | { ok: false; issues: CsvIssue[] };

const RESERVED = ['timestamp', 't_s', 'pod'];
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Unix seconds above this are 5138 AD: almost certainly milliseconds. */
const LOOKS_LIKE_MILLISECONDS = 1e11;

export function collectRecords(text: string): Promise<{ ok: true; records: string[][] } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const records: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, ignoreEmpty: false, trim: true })
      .on('error', (error: Error) => resolve({ ok: false, message: error.message }))
      .on('data', (record: string[]) => records.push(record))
      .on('end', () => resolve({ ok: true, records }));
  });
}

/** A time cell; `clock` is how it was written (the first data row's sets the recording's). */
export function parseTime(cell: string, column: 'timestamp' | 't_s'): { seconds: number; absolute: boolean; clock: RecordedClock } | { error: string } {
  if (NUMBER.test(cell)) {
    const seconds = Number(cell);
    if (seconds < 0) return { error: `must be ≥ 0, got ${JSON.stringify(cell)}` };
    if (column === 'timestamp' && seconds > LOOKS_LIKE_MILLISECONDS) return { error: `expected unix seconds, got ${JSON.stringify(cell)} (milliseconds? divide by 1000)` };
    return { seconds, absolute: column === 'timestamp', clock: column === 'timestamp' ? { kind: 'unix', unit: 's' } : { kind: 'offset' } };
  }
  if (column === 'timestamp') {
    const seconds = parseRfc3339Seconds(cell);
    if (seconds !== undefined) return { seconds, absolute: true, clock: rfc3339Clock(cell) };
    return { error: `expected unix seconds or an RFC 3339 time like 2024-11-29T10:00:00Z, got ${JSON.stringify(cell)}` };
  }
  return { error: `expected seconds since the start, got ${JSON.stringify(cell)}` };
}

/** Validates the records (header + data) into RecordedMetrics. Synchronous and pure. */
export function buildRecordedMetrics(records: readonly string[][], fileName: string): ParseRecordedMetricsResult {
  const issues: CsvIssue[] = [];
  const at = (row: number, column?: string) => `${fileName}: row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const isSkipped = (record: readonly string[]) => record.every((cell) => cell === '') || record[0].startsWith('#');

  const headerIndex = records.findIndex((record) => !isSkipped(record));
  if (headerIndex < 0) return { ok: false, issues: [{ path: fileName, message: 'expected a header row (timestamp or t_s, then metric columns), the file is empty' }] };
  const header = records[headerIndex];
  const headerRow = headerIndex + 1;

  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const key = RESERVED.includes(name.toLowerCase()) ? name.toLowerCase() : name;
    if (name === '') issues.push({ path: `${at(headerRow)}, column ${i + 1}`, message: 'expected a column name, got an empty cell' });
    else if (seen.has(key)) issues.push({ path: at(headerRow, name), message: `duplicate column (also column ${(seen.get(key) ?? 0) + 1})` });
    else seen.set(key, i);
  });
  const timestampIndex = seen.get('timestamp');
  const offsetIndex = seen.get('t_s');
  if (timestampIndex !== undefined && offsetIndex !== undefined) {
    issues.push({ path: at(headerRow), message: 'expected one time column, got both timestamp and t_s' });
  } else if (timestampIndex === undefined && offsetIndex === undefined) {
    issues.push({ path: at(headerRow), message: `expected a time column "timestamp" (unix seconds or RFC 3339) or "t_s" (seconds), got columns ${header.map((h) => JSON.stringify(h)).join(', ')}` });
  }
  const podIndex = seen.get('pod');
  const metricColumns = header.filter((name, i) => name !== '' && !RESERVED.includes(name.toLowerCase()) && seen.get(name) === i);
  if (metricColumns.length === 0) issues.push({ path: at(headerRow), message: 'expected at least one metric column (e.g. cpu_utilization_pct)' });
  if (issues.length > 0) return { ok: false, issues };

  const timeColumn: 'timestamp' | 't_s' = timestampIndex !== undefined ? 'timestamp' : 't_s';
  const timeIndex = (timestampIndex ?? offsetIndex) as number;
  const rows: RecordedMetricRow[] = [];
  let clock: RecordedClock | undefined;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const record = records[r];
    const row = r + 1;
    if (isSkipped(record)) continue;
    if (record.length !== header.length) {
      issues.push({ path: at(row), message: `expected ${header.length} cells (${header.join(', ')}), got ${record.length}` });
      continue;
    }
    const time = parseTime(record[timeIndex], timeColumn);
    if ('error' in time) {
      issues.push({ path: at(row, header[timeIndex]), message: time.error });
      continue;
    }
    let pod: string | undefined;
    if (podIndex !== undefined) {
      pod = record[podIndex];
      if (pod === '') issues.push({ path: at(row, header[podIndex]), message: 'expected a pod name, got an empty cell' });
    }
    const values: Record<string, number> = {};
    for (const column of metricColumns) {
      const cell = record[header.indexOf(column)];
      if (cell === '' || cell === 'NaN') continue;
      if (!NUMBER.test(cell)) {
        issues.push({ path: at(row, column), message: `expected a number, got ${JSON.stringify(cell)}` });
        continue;
      }
      const value = Number(cell);
      if (value < 0) {
        issues.push({ path: at(row, column), message: `must be ≥ 0, got ${JSON.stringify(cell)}` });
        continue;
      }
      values[column] = value;
    }
    clock ??= time.clock;
    rows.push({ t_s: time.seconds, ...(pod !== undefined ? { pod } : {}), values, row });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (rows.length === 0) return { ok: false, issues: [{ path: fileName, message: 'expected at least one data row after the header' }] };
  const duplicates = duplicateSamples(rows, (r) => at(r.row, header[timeIndex]));
  if (duplicates.length > 0) return { ok: false, issues: duplicates };
  return {
    ok: true,
    metrics: recording({ fileName, source: 'recorded CSV', timeColumn: header[timeIndex], clock: clock ?? { kind: 'offset' }, perPod: podIndex !== undefined, metricColumns }, rows, timeColumn === 'timestamp'),
  };
}

/** Two rows for the same pod (or, without pods, for the recording) at the same time: one issue per repeat. */
export function duplicateSamples(rows: readonly RecordedMetricRow[], where: (row: RecordedMetricRow) => string): CsvIssue[] {
  const seen = new Map<string, RecordedMetricRow>();
  const issues: CsvIssue[] = [];
  for (const row of rows) {
    const key = `${row.pod ?? ''}\u0000${row.t_s}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, row);
    else
      issues.push({
        path: where(row),
        message: `a second sample${row.pod === undefined ? '' : ` of pod ${JSON.stringify(row.pod)}`} at this time (the first is row ${first.row}): one value per ${row.pod === undefined ? 'time' : 'pod and time'} — aggregate by pod first (e.g. sum by (pod) (…))`,
      });
  }
  return issues;
}

/** The recording, with times shifted so the earliest is t = 0 when they were absolute, ordered by time (stable). */
export function recording(meta: Omit<RecordedMetrics, 'rows' | 'startUnixSeconds'>, rows: readonly RecordedMetricRow[], absolute: boolean): RecordedMetrics {
  const origin = absolute ? rows.reduce((min, r) => Math.min(min, r.t_s), Infinity) : 0;
  const sorted = rows.map((r) => ({ ...r, t_s: r.t_s - origin })).sort((a, b) => a.t_s - b.t_s || a.row - b.row);
  return { ...meta, ...(absolute ? { startUnixSeconds: origin } : {}), rows: sorted };
}

/** Parses a recorded-metrics CSV (format above) with fast-csv. Never throws; problems come back as issues. */
export async function parseRecordedMetricsCsv(text: string, fileName: string): Promise<ParseRecordedMetricsResult> {
  const collected = await collectRecords(text);
  if (!collected.ok) return { ok: false, issues: [{ path: fileName, message: `unreadable CSV: ${collected.message}` }] };
  return buildRecordedMetrics(collected.records, fileName);
}
