/** How a run met its largest traffic event, from the time series. */
export interface SpikeResponse {
  /** When the event began [s]. */
  spikeAtS: number;
  /** From the event to the first interval where ready capacity covered arrivals again [s]; null if never. */
  capacityReadyAfterS: number | null;
  /** From the event to the first interval after it where p99 was back under the threshold, having exceeded it [s]; 0 if it never exceeded; null if it never recovered. */
  p99RecoveredAfterS: number | null;
  peakP99Ms: number;
}

export function spikeResponse(timeseries: { columns: string[]; rows: number[][] }, spikeAtS: number, p99ThresholdMs: number): SpikeResponse {
  const { columns, rows } = timeseries;
  const [t, arrivals, capacity, p99] = ['t_s', 'arrivals_rps', 'capacity_rps', 'p99_ms'].map((c) => columns.indexOf(c));
  const after = rows.filter((r) => r[t] > spikeAtS);
  let capacityReadyAfterS: number | null = null;
  let sawShortfall = false;
  for (const r of after) {
    if (r[capacity] < r[arrivals]) sawShortfall = true;
    else if (sawShortfall) {
      capacityReadyAfterS = r[t] - spikeAtS;
      break;
    }
  }
  if (!sawShortfall) capacityReadyAfterS = 0;
  let exceeded = false;
  let p99RecoveredAfterS: number | null = 0;
  let peakP99Ms = 0;
  for (const r of after) {
    if (r[p99] > peakP99Ms) peakP99Ms = r[p99];
    if (r[p99] > p99ThresholdMs) {
      exceeded = true;
      p99RecoveredAfterS = null;
    } else if (exceeded && p99RecoveredAfterS === null && !Number.isNaN(r[p99])) {
      p99RecoveredAfterS = r[t] - spikeAtS;
      break;
    }
  }
  return { spikeAtS, capacityReadyAfterS, p99RecoveredAfterS, peakP99Ms };
}
