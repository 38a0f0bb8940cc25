/** Importers of external inputs into scenarios: recorded traffic traces. */
export {
  parseTimestampTrace,
  parseCountsTrace,
  buildTimestampTrace,
  buildCountsTrace,
  expandTraceToArrivals,
  passDurationMicros,
  checkReplayOptions,
  type ParsedTrace,
  type TimestampTrace,
  type CountsTrace,
  type TraceParseResult,
  type TimestampTraceOptions,
  type ReplayOptions,
} from './trace.js';
