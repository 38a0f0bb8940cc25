/**
 * The exports users have, read into the same recording as the native CSV (recorded-metrics.ts):
 *
 * - **Prometheus range-query JSON**: the body of `/api/v1/query_range` as is, `{ status: "success",
 *   data: { resultType: "matrix", result: [{ metric: { pod: "web-a", … }, values: [[1732874400,
 *   "0.45"], …] }] } }`. One series per pod (its `pod` label); a single series without a `pod` label
 *   is the average over pods. Times are unix seconds.
 * - **Prometheus CSV**: the same flattened to one row per sample, as `prometheus-api-client`'s
 *   `MetricRangeDataFrame(...).to_csv()` writes it: a `timestamp` column, a `value` column, and one
 *   column per label (`pod`, `__name__`, `container`…; only `pod` is read).
 * - **Grafana CSV**: a panel's Inspect → Data → Download CSV with "Series joined by time": a `Time`
 *   column (the dashboard's local time `2024-11-29 14:00:00`, or unix milliseconds with "Formatted
 *   data" off), then one column per series named by its legend — the pod (`web-a`, or
 *   `{pod="web-a"}` without a legend). An empty cell is a pod without a sample at that time.
 *
 * None of them names what its values are: they are the metric `metric` (default `cpu_cores`, what
 * `sum by (pod) (rate(container_cpu_usage_seconds_total[1m]))` gives). `NaN` is no sample;
 * negative, infinite or non-numeric values are errors. Every problem is one issue naming the file
 * and the row (CSV, header = row 1) or the JSON field.
 */
import { parseLocalDateTime, rfc3339Clock, type RecordedClock } from './clock.js';
import {
  buildRecordedMetrics,
  collectRecords,
  duplicateSamples,
  recording,
  type CsvIssue,
  type ParseRecordedMetricsResult,
  type RecordedMetricRow,
} from './recorded-metrics.js';
import { parseRfc3339Seconds } from './rfc3339.js';

export interface ExportOptions {
  /** The metric the export's values are (a recorded-metrics column name); default `cpu_cores`. */
  metric?: string;
}

export const DEFAULT_EXPORT_METRIC = 'cpu_cores';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Unix milliseconds, as Grafana writes times with "Formatted data" off. */
const UNIX_MS = /^\d{12,14}$/;
/** Unix seconds above this are 5138 AD: almost certainly milliseconds. */
const LOOKS_LIKE_MILLISECONDS = 1e11;

/**
 * Reads a recording in any accepted form: a JSON object is a Prometheus range-query export; a CSV
 * whose first column is `Time` a Grafana export; one with `timestamp` and `value` columns a
 * Prometheus CSV; any other CSV the native format. Never throws.
 */
export async function parseMetricsExport(text: string, fileName: string, options: ExportOptions = {}): Promise<ParseRecordedMetricsResult> {
  const metric = options.metric ?? DEFAULT_EXPORT_METRIC;
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) return parsePrometheusJson(body, fileName, metric);
  const collected = await collectRecords(body);
  if (!collected.ok) return { ok: false, issues: [{ path: fileName, message: `unreadable CSV: ${collected.message}` }] };
  const records = collected.records;
  // Excel's "sep=," first line (Grafana's "Download for Excel").
  if (records.length > 0 && records[0].length === 1 && /^sep=.$/.test(records[0][0])) records[0] = [''];
  const headerIndex = records.findIndex((r) => !r.every((cell) => cell === '') && !r[0].startsWith('#'));
  const header = headerIndex < 0 ? [] : records[headerIndex];
  if (header[0]?.toLowerCase() === 'time') return grafanaCsv(records, headerIndex, fileName, metric);
  const lower = header.map((h) => h.toLowerCase());
  if (lower.includes('timestamp') && lower.includes('value')) return prometheusCsv(records, headerIndex, fileName, metric);
  return buildRecordedMetrics(records, fileName);
}

// ---------------------------------------------------------------- values and times

/** A sample's value: a number ≥ 0, or undefined for none (empty, NaN); a string when it is wrong. */
function sampleValue(cell: string, hint = ''): number | undefined | { error: string } {
  if (cell === '' || cell === 'NaN') return undefined;
  if (/^[+-]?Inf$/.test(cell)) return { error: `expected a finite number, got ${JSON.stringify(cell)}` };
  if (!NUMBER.test(cell)) return { error: `expected a number${hint}, got ${JSON.stringify(cell)}` };
  const value = Number(cell);
  if (!Number.isFinite(value)) return { error: `expected a finite number, got ${JSON.stringify(cell)}` };
  if (value < 0) return { error: `must be ≥ 0, got ${JSON.stringify(cell)}` };
  return value;
}

/** A time cell of an export: unix seconds, RFC 3339, or (Grafana) a local date-time or unix milliseconds. */
function exportTime(cell: string, grafana: boolean): { seconds: number; clock: RecordedClock } | { error: string } {
  if (grafana && UNIX_MS.test(cell)) return { seconds: Number(cell) / 1000, clock: { kind: 'unix', unit: 'ms' } };
  if (NUMBER.test(cell)) {
    const seconds = Number(cell);
    if (seconds < 0) return { error: `must be ≥ 0, got ${JSON.stringify(cell)}` };
    if (seconds > LOOKS_LIKE_MILLISECONDS) return { error: `expected unix seconds, got ${JSON.stringify(cell)} (milliseconds? divide by 1000)` };
    return { seconds, clock: { kind: 'unix', unit: 's' } };
  }
  const rfc3339 = parseRfc3339Seconds(cell);
  if (rfc3339 !== undefined) return { seconds: rfc3339, clock: rfc3339Clock(cell) };
  const local = parseLocalDateTime(cell);
  if (local !== undefined) return { seconds: local, clock: { kind: 'local' } };
  return {
    error: `expected ${grafana ? 'a time like 2024-11-29 14:00:00 or unix milliseconds' : 'unix seconds or an RFC 3339 time like 2024-11-29T10:00:00Z'}, got ${JSON.stringify(cell)}`,
  };
}

// ---------------------------------------------------------------- Prometheus JSON

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  return JSON.stringify(value);
}

/** The 1-based line of a character offset, for JSON syntax errors. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function parsePrometheusJson(text: string, fileName: string, metric: string): ParseRecordedMetricsResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    return { ok: false, issues: [{ path: position ? `${fileName}:${lineAt(text, Number(position[1]))}` : fileName, message: `invalid JSON: ${message}` }] };
  }
  const fail = (path: string, message: string): ParseRecordedMetricsResult => ({ ok: false, issues: [{ path: `${fileName}: ${path}`, message }] });
  if (!isObject(document)) return fail('(document)', `expected the JSON of /api/v1/query_range (an object with status and data), got ${describe(document)}`);
  if (document.status === 'error') return fail('status', `the export is a failed query (${String(document.errorType ?? 'error')}: ${String(document.error ?? '')}), not data`);
  if (document.status !== 'success') return fail('status', `expected "success", got ${describe(document.status)}`);
  const data = document.data;
  if (!isObject(data)) return fail('data', `expected an object with resultType and result, got ${describe(data)}`);
  if (data.resultType !== 'matrix')
    return fail('data.resultType', `expected "matrix" (a range query: /api/v1/query_range), got ${describe(data.resultType)}${data.resultType === 'vector' ? ' (an instant query: one value per series, no history)' : ''}`);
  if (!Array.isArray(data.result)) return fail('data.result', `expected a list of series, got ${describe(data.result)}`);
  if (data.result.length === 0) return fail('data.result', 'expected at least one series, got none (did the query match anything?)');

  const issues: CsvIssue[] = [];
  const rows: RecordedMetricRow[] = [];
  const seriesOfPod = new Map<string, number>();
  // One series without a pod label is an average over pods; otherwise every series is a pod.
  const perPod = data.result.length > 1 || data.result.some((series) => isObject(series) && isObject(series.metric) && typeof series.metric.pod === 'string');
  let clockSet = false;
  data.result.forEach((series, s) => {
    const at = `data.result[${s}]`;
    if (!isObject(series) || !isObject(series.metric) || !Array.isArray(series.values)) {
      issues.push({ path: `${fileName}: ${at}`, message: `expected a series { metric: {labels}, values: [[time, "value"], …] }, got ${describe(series)}` });
      return;
    }
    const pod = series.metric.pod;
    if (perPod) {
      if (typeof pod !== 'string' || pod === '') {
        issues.push({ path: `${fileName}: ${at}.metric.pod`, message: `expected a pod label on every series (e.g. sum by (pod) (…)), got ${describe(pod)}` });
        return;
      }
      const first = seriesOfPod.get(pod);
      if (first !== undefined) {
        issues.push({ path: `${fileName}: ${at}.metric`, message: `a second series for pod ${JSON.stringify(pod)} (also data.result[${first}]): one series per pod — aggregate by pod first (e.g. sum by (pod) (…))` });
        return;
      }
      seriesOfPod.set(pod, s);
    }
    series.values.forEach((sample, k) => {
      const where = `${fileName}: ${at}.values[${k}]`;
      if (!Array.isArray(sample) || sample.length !== 2 || typeof sample[0] !== 'number' || typeof sample[1] !== 'string') {
        issues.push({ path: where, message: `expected [unix seconds, "value"], got ${JSON.stringify(sample)}` });
        return;
      }
      const time = exportTime(String(sample[0]), false);
      if ('error' in time) {
        issues.push({ path: `${where}[0]`, message: time.error });
        return;
      }
      const value = sampleValue(sample[1], ' as a string like "0.25"');
      if (value !== undefined && typeof value === 'object') {
        issues.push({ path: `${where}[1]`, message: value.error });
        return;
      }
      clockSet = true;
      rows.push({ t_s: time.seconds, ...(perPod ? { pod: pod as string } : {}), values: value === undefined ? {} : { [metric]: value }, row: rows.length + 1 });
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  if (!clockSet) return fail('data.result', 'expected at least one sample, got series with no values');
  return {
    ok: true,
    metrics: recording(
      { fileName, source: 'Prometheus range-query JSON', timeColumn: 'timestamp', clock: { kind: 'unix', unit: 's' }, perPod, metricColumns: [metric] },
      rows,
      true,
    ),
  };
}

// ---------------------------------------------------------------- Prometheus CSV

function prometheusCsv(records: readonly string[][], headerIndex: number, fileName: string, metric: string): ParseRecordedMetricsResult {
  const header = records[headerIndex];
  const at = (row: number, column?: string) => `${fileName}: row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const lower = header.map((h) => h.toLowerCase());
  const timeIndex = lower.indexOf('timestamp');
  const valueIndex = lower.indexOf('value');
  const podIndex = lower.indexOf('pod');
  const issues: CsvIssue[] = [];
  const rows: RecordedMetricRow[] = [];
  let clock: RecordedClock | undefined;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const record = records[r];
    const row = r + 1;
    if (record.every((cell) => cell === '') || record[0].startsWith('#')) continue;
    if (record.length !== header.length) {
      issues.push({ path: at(row), message: `expected ${header.length} cells (${header.join(', ')}), got ${record.length}` });
      continue;
    }
    const time = exportTime(record[timeIndex], false);
    if ('error' in time) {
      issues.push({ path: at(row, header[timeIndex]), message: time.error });
      continue;
    }
    const value = sampleValue(record[valueIndex]);
    if (value !== undefined && typeof value === 'object') {
      issues.push({ path: at(row, header[valueIndex]), message: value.error });
      continue;
    }
    const pod = podIndex < 0 ? undefined : record[podIndex];
    if (pod === '') {
      issues.push({ path: at(row, header[podIndex]), message: 'expected a pod name, got an empty cell' });
      continue;
    }
    clock ??= time.clock;
    rows.push({ t_s: time.seconds, ...(pod !== undefined ? { pod } : {}), values: value === undefined ? {} : { [metric]: value }, row });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (rows.length === 0) return { ok: false, issues: [{ path: fileName, message: 'expected at least one data row after the header' }] };
  const duplicates = duplicateSamples(rows, (r) => at(r.row));
  if (duplicates.length > 0) return { ok: false, issues: duplicates };
  return {
    ok: true,
    metrics: recording({ fileName, source: 'Prometheus CSV', timeColumn: header[timeIndex], clock: clock ?? { kind: 'unix', unit: 's' }, perPod: podIndex >= 0, metricColumns: [metric] }, rows, true),
  };
}

// ---------------------------------------------------------------- Grafana CSV

/** A Grafana series name → the pod: `{pod="web-a", container="app"}` → web-a; a legend as is. */
function podOfSeries(name: string): string {
  const label = /(?:^|[{,\s])pod="([^"]*)"/.exec(name);
  return label ? label[1] : name;
}

function grafanaCsv(records: readonly string[][], headerIndex: number, fileName: string, metric: string): ParseRecordedMetricsResult {
  const header = records[headerIndex];
  const at = (row: number, column?: string) => `${fileName}: row ${row}${column !== undefined ? `, column ${column}` : ''}`;
  const issues: CsvIssue[] = [];
  const headerRow = headerIndex + 1;
  const pods = header.slice(1).map(podOfSeries);
  const seen = new Map<string, number>();
  pods.forEach((pod, i) => {
    if (pod === '') issues.push({ path: `${at(headerRow)}, column ${i + 2}`, message: 'expected a series name (the pod), got an empty cell' });
    else if (seen.has(pod)) issues.push({ path: at(headerRow, header[i + 1]), message: `a second column for pod ${JSON.stringify(pod)} (also column ${seen.get(pod)! + 2})` });
    else seen.set(pod, i);
  });
  if (pods.length === 0) issues.push({ path: at(headerRow), message: 'expected a column per pod after Time, got none' });
  if (issues.length > 0) return { ok: false, issues };

  const rows: RecordedMetricRow[] = [];
  let clock: RecordedClock | undefined;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const record = records[r];
    const row = r + 1;
    if (record.every((cell) => cell === '')) continue;
    if (record.length !== header.length) {
      issues.push({ path: at(row), message: `expected ${header.length} cells (${header.join(', ')}), got ${record.length}` });
      continue;
    }
    const time = exportTime(record[0], true);
    if ('error' in time) {
      issues.push({ path: at(row, header[0]), message: time.error });
      continue;
    }
    if (clock !== undefined && clock.kind !== time.clock.kind) {
      issues.push({ path: at(row, header[0]), message: `expected the same kind of time as the first row, got ${JSON.stringify(record[0])}` });
      continue;
    }
    clock ??= time.clock;
    pods.forEach((pod, i) => {
      const value = sampleValue(record[i + 1], ' (download with "Formatted data" off, or a panel unit without a suffix)');
      if (value === undefined) return;
      if (typeof value === 'object') issues.push({ path: at(row, header[i + 1]), message: value.error });
      else rows.push({ t_s: time.seconds, pod, values: { [metric]: value }, row });
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (rows.length === 0) return { ok: false, issues: [{ path: fileName, message: 'expected at least one data row with a value after the header' }] };
  const duplicates = duplicateSamples(rows, (r) => at(r.row, header[0]));
  if (duplicates.length > 0) return { ok: false, issues: duplicates };
  return { ok: true, metrics: recording({ fileName, source: 'Grafana CSV', timeColumn: header[0], clock: clock!, perPod: true, metricColumns: [metric] }, rows, true) };
}
