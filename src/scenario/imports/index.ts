/** Importers of external inputs into scenarios: recorded traffic traces. */
export {
  parseTimestampTrace,
  parseCountsTrace,
  timestampTraceBuilder,
  countsTraceBuilder,
  expandTraceToArrivals,
  passDurationMicros,
  checkReplayOptions,
  MAX_PASS_ARRIVALS,
  type ParsedTrace,
  type TimestampTrace,
  type CountsTrace,
  type TraceBuilder,
  type TraceParseResult,
  type TimestampTraceOptions,
  type ReplayOptions,
} from './trace.js';
export { loadTraceFile, sharedTraces, adoptSharedTraces, type SharedTraces } from './trace-load.js';
