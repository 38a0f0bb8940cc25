import { buildCurve } from '../model/traffic/rate-curve.js';
import { clockSeconds, secondsToMicros } from '../engine/time.js';
import type { InputIssue } from './issues.js';
import type { LoadedTraces } from './load.js';
import type { Scenario } from './schema.js';
import { formatDuration } from './units.js';

/**
 * How much work a run is, before running it: the simulated requests, the unit the bench measures
 * (an M/M/c run simulates 1.6–1.8 million requests per second of one core; scenarios with
 * autoscalers and probes somewhat fewer).
 */

/** Above this many simulated requests a run needs `--force`: about ten minutes of one core at the bench's rate. */
export const WORK_LIMIT_REQUESTS = 1e9;

/**
 * Expected arrivals of one run: the integral of the rate curve over the run, or for a trace its
 * requests after `startOffset` × `multiplier` per pass, times the passes that fit (one without `loop`).
 * Traces assume their requests spread evenly over the trace, which is close enough for an estimate.
 */
export function expectedArrivals(scenario: Scenario, traces: LoadedTraces): number {
  const { rate, trace: spec } = scenario.traffic;
  if (rate) return buildCurve(rate, secondsToMicros(clockSeconds(scenario.clockStart)!)).integral(0, scenario.duration);
  const loaded = spec && traces.get(spec.file);
  if (!spec || !loaded) return 0;
  const { trace } = loaded;
  const requests = trace.kind === 'timestamps' ? trace.rows : trace.totalRequests;
  const kept = trace.durationMicros > 0 ? Math.max(0, trace.durationMicros - spec.startOffset) / trace.durationMicros : 1;
  const pass = loaded.passDuration(trace, { startOffsetMicros: spec.startOffset, speedup: spec.speedup, multiplier: spec.multiplier });
  const passes = pass <= 0 ? 1 : spec.loop ? scenario.duration / pass : Math.min(1, scenario.duration / pass);
  return requests * kept * spec.multiplier * passes;
}

/** Expected simulated requests of a whole run: every scenario (strategy) × replications; strategies that share their traffic are integrated once. */
export function expectedWork(scenarios: readonly Scenario[], traces: LoadedTraces, replications: number): number {
  const byTraffic = new Map<string, number>();
  let total = 0;
  for (const scenario of scenarios) {
    const key = JSON.stringify([scenario.traffic.rate, scenario.traffic.trace, scenario.duration, scenario.clockStart]);
    let arrivals = byTraffic.get(key);
    if (arrivals === undefined) byTraffic.set(key, (arrivals = expectedArrivals(scenario, traces)));
    total += arrivals;
  }
  return total * replications;
}

/** 1234 → "1,234"; 3.1e9 → "3.1 billion": the order of magnitude is what matters. */
export function formatRequests(count: number): string {
  if (!Number.isFinite(count)) return String(count);
  if (count >= 1e9) return `${+(count / 1e9).toPrecision(3)} billion`;
  if (count >= 1e6) return `${+(count / 1e6).toPrecision(3)} million`;
  return Math.round(count).toLocaleString('en-US');
}

/** Time-series rows a run may keep (each a few dozen numbers, all in memory until written): about 100 MB of CSV. */
const MAX_ROWS = 1_000_000;
/** Ticks a periodic loop may make over a run: a period of 1µs is accepted as a period, but not for hours. */
const MAX_TICKS = 10_000_000;

/**
 * Periods too short for the run's length: each periodic loop ticks duration / period times, and the
 * time series keeps a row per metricsInterval. `metricsInterval: expected at least 32s for a 366d run
 * (at most 1,000,000 rows), got "10s"`.
 */
export function periodIssues(scenario: Scenario): InputIssue[] {
  const periods: [path: string, micros: number, limit: number, what: string][] = [
    ['metricsInterval', scenario.metricsInterval, MAX_ROWS, 'rows'],
    ['kubeControllerManager.horizontalPodAutoscalerSyncPeriod', scenario.kubeControllerManager.horizontalPodAutoscalerSyncPeriod, MAX_TICKS, 'syncs'],
    ['metricsServer.metricResolution', scenario.metricsServer.metricResolution, MAX_TICKS, 'scrapes'],
    ['metricsServer.kubeletHousekeepingInterval', scenario.metricsServer.kubeletHousekeepingInterval, MAX_TICKS, 'refreshes'],
    ['prometheus.scrapeInterval', scenario.prometheus.scrapeInterval, MAX_TICKS, 'scrapes'],
  ];
  if (scenario.cluster) periods.push(['cluster.clusterAutoscaler.scanInterval', scenario.cluster.clusterAutoscaler.scanInterval, MAX_TICKS, 'scans']);
  for (const [name, service] of Object.entries(scenario.services))
    periods.push([`services.${name}.readinessProbe.periodSeconds`, Math.round(service.readinessProbe.periodSeconds * 1e6), MAX_TICKS, 'probes per pod']);
  return periods
    .filter(([, micros, limit]) => scenario.duration / micros > limit)
    .map(([path, micros, limit, what]) => ({
      path,
      message: `expected at least ${formatDuration(Math.ceil(scenario.duration / limit))} for a ${formatDuration(scenario.duration)} run (at most ${limit.toLocaleString('en-US')} ${what}), got "${formatDuration(micros)}"`,
    }));
}
