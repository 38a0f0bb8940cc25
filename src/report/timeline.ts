import { clockSeconds, formatClock } from '../engine/time.js';
import type { DecisionRow, HoldRow } from '../metrics/decisions.js';
import { decisionText, holdEvents, pipelineEvents } from './autoscaler-timeline.js';
import { cacheEvents } from './cache-timeline.js';
import { dataTierEvents, duration } from './data-tier-timeline.js';
import type { AutoscalerView } from './report-input.js';
import { shardEvents } from './shard-timeline.js';

export interface TimelineInput {
  clockStart: string;
  /** Scenario events with a label (spike starts), seconds. */
  annotations: { t_s: number; label: string }[];
  timeseries: { columns: string[]; rows: number[][] };
  decisions: DecisionRow[];
  /** The HPAs' quiet syncs (see HoldRow). */
  holds?: HoldRow[];
  /** What each HPA scales on, for the metrics pipeline's lines. */
  autoscalers?: AutoscalerView[];
  /** The p99 threshold that counts as "degraded" (an SLO's, else 500 ms). */
  p99ThresholdMs: number;
}

/**
 * A plain-language account of the run for teaching: when traffic changed, when each HPA's
 * metrics pipeline first showed it, what each autoscaler decided and why (an HPA's events as
 * `kubectl describe hpa` words them), how long it then held still and why, when pods waited for room, when p99 degraded and recovered,
 * when the data tier saturated (connections at their limit, CPU, pool and proxy timeouts).
 * Derived from the outputs only, so it can never disagree with them.
 */
export function buildTimeline(input: TimelineInput): string[] {
  const events: { t: number; order: number; text: string }[] = [];
  const add = (t: number, order: number, text: string) => events.push({ t, order, text });
  const startS = clockSeconds(input.clockStart) ?? 0;
  const clockTime = (t_s: number) => formatClock(t_s, startS);
  for (const a of input.annotations) add(a.t_s, 0, a.label);

  const { columns, rows } = input.timeseries;
  const col = (name: string) => columns.indexOf(name);
  const [t, p99, pending, ready, arrivals, nodes, notReady] = ['t_s', 'p99_ms', 'pods_pending', 'pods_ready', 'arrivals_rps', 'nodes_ready', 'pods_not_ready'].map(col);
  const errorCols = columns.map((c, i) => (c.startsWith('errors_') ? i : -1)).filter((i) => i >= 0);
  const width = rows.length > 1 ? rows[1][t] - rows[0][t] : rows.length === 1 ? rows[0][t] : 0;

  let degradedSince = -1;
  let worst = 0;
  let worstAt = 0;
  let pendingSince = -1;
  let notReadySince = -1;
  let erroringSince = -1;
  let errorsInEpisode = 0;
  let lastNodes = nodes >= 0 && rows.length > 0 ? rows[0][nodes] : 0;
  for (const row of rows) {
    const start = row[t] - width;
    if (nodes >= 0 && row[nodes] !== lastNodes) {
      const change = row[nodes] - lastNodes;
      add(start, 1, change > 0 ? `${change} new node${change > 1 ? 's' : ''} Ready (${row[nodes]} running)` : `${-change} node${change < -1 ? 's' : ''} removed (${row[nodes]} running)`);
      lastNodes = row[nodes];
    }
    const p = row[p99];
    if (p > input.p99ThresholdMs) {
      if (degradedSince < 0) {
        degradedSince = start;
        worst = 0;
        add(start, 2, `p99 rose above ${input.p99ThresholdMs} ms (${Math.round(p)} ms, ${Math.round(row[arrivals])} req/s arriving, ${row[ready]} pods ready)`);
      }
      if (p > worst) {
        worst = p;
        worstAt = start;
      }
    } else if (degradedSince >= 0 && !Number.isNaN(p)) {
      add(start, 2, `p99 recovered below ${input.p99ThresholdMs} ms after ${duration(start - degradedSince)} (worst ${Math.round(worst)} ms at ${clockTime(worstAt)})`);
      degradedSince = -1;
    }
    if (pending >= 0) {
      if (row[pending] > 0 && pendingSince < 0) {
        pendingSince = start;
        add(start, 1, `${row[pending]} pods Pending: no node has room for their requests`);
      } else if (row[pending] === 0 && pendingSince >= 0) {
        add(start, 1, `no pods Pending any more (waited up to ${duration(start - pendingSince)})`);
        pendingSince = -1;
      }
    }
    if (notReady >= 0) {
      if (row[notReady] > 0 && notReadySince < 0) {
        notReadySince = start;
        add(start, 1, `${row[notReady]} pod${row[notReady] > 1 ? 's' : ''} failed the readiness probe and left the endpoints (${row[ready]} ready take the traffic)`);
      } else if (row[notReady] === 0 && notReadySince >= 0) {
        add(start, 1, `every running pod passes its readiness probe again (after ${duration(start - notReadySince)})`);
        notReadySince = -1;
      }
    }
    const errors = errorCols.reduce((s, i) => s + row[i], 0);
    if (errors > 0 && erroringSince < 0) {
      erroringSince = start;
      errorsInEpisode = 0;
      const causes = errorCols.filter((i) => row[i] > 0).map((i) => `${columns[i].slice(7)} ${row[i]}`);
      add(start, 3, `requests started failing (${causes.join(', ')})`);
    }
    errorsInEpisode += errors;
    if (errors === 0 && erroringSince >= 0) {
      add(start, 3, `errors stopped after ${duration(start - erroringSince)} (${errorsInEpisode.toLocaleString('en-US')} failed requests)`);
      erroringSince = -1;
    }
  }
  // Data-tier causes sort before the failures they explain.
  for (const e of dataTierEvents(columns, rows, rows.map((row) => row[t] - width))) add(e.t, 2, e.text);
  for (const e of shardEvents(columns, rows, rows.map((row) => row[t] - width))) add(e.t, 2, e.text);
  for (const e of cacheEvents(columns, rows, rows.map((row) => row[t] - width))) add(e.t, 2, e.text);
  for (const e of pipelineEvents(columns, rows, input.annotations, input.autoscalers ?? [])) add(e.t, 1, e.text);
  for (const d of input.decisions) add(d.t_s, 1, decisionText(d));
  for (const e of holdEvents(input.holds ?? [], input.autoscalers ?? [], clockTime)) add(e.t, 1, e.text);

  events.sort((a, b) => a.t - b.t || a.order - b.order);
  return events.map((e) => `${clockTime(e.t)}  ${e.text}`);
}
