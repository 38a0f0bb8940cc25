import type { DecisionRow, HoldRow } from '../metrics/decisions.js';
import { metricAmount, metricReading } from './autoscaler-views.js';
import { duration } from './data-tier-timeline.js';
import type { AutoscalerView } from './report-input.js';

/** A moment for the timeline: seconds from the start, and what to say. */
export interface AutoscalerEvent {
  t: number;
  text: string;
}

/** Upstream's default tolerance: a reading further than this from the target (a fraction of it) makes the HPA act. */
const TOLERANCE = 0.1;
/** How long after an event the first changed reading is looked for. */
const LOOK_AFTER_S = 20 * 60;
/** Shorter runs of quiet syncs are not worth a line of their own. */
const MIN_HELD_SYNCS = 2;

/**
 * When each HPA's metrics pipeline first showed a traffic event: the first reading after it that
 * left the target's tolerance band in the event's direction (above it for a spike), having been
 * elsewhere just before it (a spike takes 35% to above 55% of a 50% target), at the time it was scraped (`hpa_<service>_metric_scraped_s`)
 * — "metrics-server first saw the spike: cpu 169% of request". That is the reading that makes the
 * HPA act, at its next sync; the time from the event is the metrics pipeline's lag.
 */
export function pipelineEvents(columns: readonly string[], rows: readonly number[][], events: readonly { t_s: number; label: string }[], views: readonly AutoscalerView[]): AutoscalerEvent[] {
  const out: AutoscalerEvent[] = [];
  const t = columns.indexOf('t_s');
  for (const view of views) {
    const [value, target, scraped] = ['metric_value', 'metric_target', 'metric_scraped_s'].map((c) => columns.indexOf(`hpa_${view.service}_${c}`));
    if (t < 0 || value < 0 || target < 0 || scraped < 0) continue;
    for (const event of events) {
      let before = -1;
      while (before + 1 < rows.length && rows[before + 1][t] <= event.t_s) before++;
      if (before < 0 || !Number.isFinite(rows[before][value])) continue;
      const was = rows[before][value];
      const side = (v: number, goal: number) => (v > goal * (1 + TOLERANCE) ? 1 : v < goal * (1 - TOLERANCE) ? -1 : 0);
      const direction = eventDirection(event.label);
      if (side(was, rows[before][target]) === direction) continue;
      for (let i = before + 1; i < rows.length && rows[i][t] <= event.t_s + LOOK_AFTER_S; i++) {
        const r = rows[i];
        if (!(r[scraped] >= event.t_s) || side(r[value], r[target]) !== direction) continue;
        const what = event.label.startsWith('traffic spike') ? 'the spike' : 'the change';
        const [reading, before, goal] = [metricReading(view, r[value]), metricAmount(view, was), metricAmount(view, r[target])];
        // Whole seconds, as the clock times show them.
        const after = duration(Math.floor(r[scraped]) - Math.floor(event.t_s));
        out.push({ t: r[scraped], text: `${view.scraper} first saw ${what} for hpa/${view.service}: ${reading} (${before} before it, target ${goal}), ${after} after it began` });
        break;
      }
    }
  }
  return out;
}

/** +1 for traffic that rises (a spike, a step up), -1 for a step down: from the event's label (see trafficAnnotations). */
function eventDirection(label: string): 1 | -1 {
  const spike = /spike ×([\d.]+)/.exec(label);
  if (spike) return Number(spike[1]) >= 1 ? 1 : -1;
  const step = /steps from ([\d.]+)\/s to ([\d.]+)\/s/.exec(label);
  return step && Number(step[2]) < Number(step[1]) ? -1 : 1;
}

/** "hpa/web: 12 syncs held at 10 pods until 14:31:06: within tolerance (cpu read 46–53% of request, target 50%)". */
export function holdEvents(holds: readonly HoldRow[], views: readonly AutoscalerView[], clock: (t_s: number) => string): AutoscalerEvent[] {
  return holds
    .filter((h) => h.syncs >= MIN_HELD_SYNCS)
    .map((h) => {
      const view = views.find((v) => `hpa/${v.service}` === h.controller);
      // Most frequent reason first (a stable sort keeps ties in the order they came).
      const reasons = Object.entries(h.reasons).sort((a, b) => b[1] - a[1]);
      const why = reasons.length === 1 ? phrase(reasons[0][0]) : reasons.map(([reason, n]) => `${n} ${phrase(reason)}`).join(', ');
      const n = (x: number) => metricAmount(undefined, x);
      const unit = view ? (view.unit.startsWith('%') ? view.unit : ` ${view.unit}`) : '';
      const read = h.metricMin === h.metricMax ? n(h.metricMin) : `${n(h.metricMin)}–${n(h.metricMax)}`;
      const target = Number.isFinite(h.metricTarget) ? `, target ${metricAmount(view, h.metricTarget)}` : '';
      const range = Number.isFinite(h.metricMin) ? ` (${view?.metric ?? 'metric'} read ${read}${unit}${target})` : '';
      return { t: h.from_s, text: `${h.controller}: ${h.syncs} syncs held at ${h.replicas} pods until ${clock(h.to_s)}: ${why}${range}` };
    });
}

/** Upstream's reasons for holding, glossed. */
const HOLD_PHRASES: Record<string, string> = {
  TooManyReplicas: 'at maxReplicas (TooManyReplicas)',
  TooFewReplicas: 'at minReplicas (TooFewReplicas)',
  ScaleDownStabilized: 'a higher recommendation in the stabilization window (ScaleDownStabilized)',
  ScaleUpStabilized: 'a lower recommendation in the stabilization window (ScaleUpStabilized)',
  FailedGetResourceMetric: 'no CPU metrics to read (FailedGetResourceMetric)',
};

function phrase(reason: string): string {
  return HOLD_PHRASES[reason] ?? reason;
}

/**
 * A decision as the timeline tells it. An HPA's, with its Kubernetes events in the words of
 * `kubectl describe hpa` ("SuccessfulRescale New size: 6; reason: cpu resource utilization
 * (percentage of request) above target") before the simulator's account of the numbers.
 */
export function decisionText(d: DecisionRow): string {
  if (d.event && d.from === d.to) return `${d.controller} ${d.event} (stays at ${d.to})`;
  if (d.event) return `${d.controller} ${d.event} — ${d.reason}: ${d.message}`;
  return `${d.controller} ${d.from} → ${d.to}: ${d.reason} — ${d.message}`;
}
