/**
 * The core of `simulate hpa-dryrun --hpa my-hpa.yaml --metrics recorded.csv [--pods N]`:
 * read recorded metrics (the native CSV, a Prometheus range-query export as JSON or CSV, a Grafana
 * CSV), replay them through the exact HPA policy, return one row per sync.
 * No printing, no argv: the CLI formats the rows.
 */
export { parseRecordedMetricsCsv, buildRecordedMetrics } from './recorded-metrics.js';
export type { CsvIssue, ParseRecordedMetricsResult, RecordedMetricRow, RecordedMetrics } from './recorded-metrics.js';
export { runHpaDryRun } from './hpa-dryrun.js';
export type { HpaDryRunOptions, HpaDryRunResult, HpaDryRunRow } from './hpa-dryrun.js';
export { parseRfc3339Seconds } from './rfc3339.js';
export { DEFAULT_EXPORT_METRIC, parseMetricsExport } from './exports.js';
export type { ExportOptions } from './exports.js';
export { formatInClock } from './clock.js';
export type { RecordedClock } from './clock.js';
