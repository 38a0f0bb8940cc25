import type { TopLevelSpec } from 'vega-lite';

/**
 * What makes a time chart interactive in report.html, added to its Vega-Lite spec for the live
 * view only (the pre-rendered SVG is drawn without it).
 */

/** Name of the signal that holds the x domain every time chart shows in report.html (null: the whole run). */
export const TIME_ZOOM_SIGNAL = 'time_zoom';
/** Name of the interval selection a drag across a time chart draws. */
export const TIME_BRUSH_SIGNAL = 'time_brush';

/**
 * A time chart as report.html shows it: its x domain follows the `time_zoom` signal (which the
 * page's script sets on every time chart at once), a drag draws a `time_brush` interval that
 * the script turns into that domain, marks are clipped to the zoomed plot, and every point of a
 * line or area reads out its clock time and value on hover.
 */
export function withTimeInteraction(spec: TopLevelSpec): TopLevelSpec {
  const copy = structuredClone(spec) as unknown as Record<string, unknown>;
  copy.params = [...((copy.params as object[]) ?? []), { name: TIME_ZOOM_SIGNAL, value: null }];
  let brushed = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      // A line with its read-out: a layer of its own, so that it keeps its scales where the parent's are independent.
      node.forEach((child, i) => {
        const hover = readout(child as Record<string, unknown>);
        if (hover) node[i] = { layer: [child, hover] };
      });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const unit = node as Record<string, unknown>;
    const x = (unit.encoding as Record<string, Record<string, unknown>> | undefined)?.x;
    if (unit.mark !== undefined && x?.type === 'temporal') {
      x.scale = { ...(x.scale as object), domainRaw: { expr: TIME_ZOOM_SIGNAL } };
      unit.mark = { ...markOf(unit), clip: true };
      if (!brushed) {
        // Cleared on release: the script has zoomed to it by then, and a fresh drag starts a fresh brush.
        unit.params = [{ name: TIME_BRUSH_SIGNAL, select: { type: 'interval', encodings: ['x'], clear: 'pointerup', mark: { fill: '#0072b2', fillOpacity: 0.12, stroke: '#0072b2' } } }];
        brushed = true;
      }
    }
    for (const key of ['layer', 'spec']) if (unit[key]) visit(unit[key]);
  };
  visit(copy);
  return copy as unknown as TopLevelSpec;
}

export function markOf(unit: Record<string, unknown>): Record<string, unknown> {
  return typeof unit.mark === 'string' ? { type: unit.mark } : (unit.mark as Record<string, unknown>);
}

/**
 * Invisible points on a line's (or area's) data that show, on hover, the clock time, the series
 * (strategy, percentile …) and the value under its axis title; undefined for other marks.
 */
function readout(unit: Record<string, unknown>): Record<string, unknown> | undefined {
  const encoding = unit.encoding as Record<string, Record<string, unknown> | undefined> | undefined;
  const [x, y] = [encoding?.x, encoding?.y];
  if (unit.mark === undefined || !['line', 'area'].includes(markOf(unit).type as string)) return undefined;
  if (x?.type !== 'temporal' || y?.type !== 'quantitative' || typeof y.field !== 'string' || y.scale === null) return undefined;
  const series = [...new Set([encoding?.color?.field, encoding?.strokeDash?.field].filter((f): f is string => typeof f === 'string'))];
  const title = typeof y.title === 'string' ? y.title : y.field;
  return {
    ...(unit.data ? { data: unit.data } : {}),
    transform: [...((unit.transform as object[]) ?? []), { calculate: `utcFormat(datum[${JSON.stringify(x.field)}], '%H:%M:%S')`, as: 'clock_time' }],
    // No aria description: it would say "t: Jan 01, 1970" for each point; the tooltip says it right.
    mark: { type: 'point', opacity: 0, size: 60, clip: true, aria: false },
    encoding: {
      x: { field: x.field, type: 'temporal', scale: x.scale },
      y: { field: y.field, type: 'quantitative' },
      tooltip: [{ field: 'clock_time', title: 'time' }, ...series.map((field) => ({ field, title: field })), { field: y.field, type: 'quantitative', title, format: ',.4~r' }],
    },
  };
}
