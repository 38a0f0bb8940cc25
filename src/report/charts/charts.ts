import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { clockSeconds, formatClock } from '../../engine/time.js';
import type { Estimate, ReportInput, StrategyReport } from '../report-input.js';
import trafficCapacity from './traffic-capacity.vl.json' with { type: 'json' };
import latency from './latency.vl.json' with { type: 'json' };
import podsNodes from './pods-nodes.vl.json' with { type: 'json' };
import errors from './errors.vl.json' with { type: 'json' };
import database from './database.vl.json' with { type: 'json' };
import cache from './cache.vl.json' with { type: 'json' };
import cost from './cost.vl.json' with { type: 'json' };
import comparison from './comparison.vl.json' with { type: 'json' };
import frontier from './frontier.vl.json' with { type: 'json' };
import shards from './shards.vl.json' with { type: 'json' };
import { shardData } from './shard-data.js';
import { markOf, withTimeInteraction } from './interaction.js';
import autoscaler from './autoscaler.vl.json' with { type: 'json' };
import clusterAutoscaler from './cluster-autoscaler.vl.json' with { type: 'json' };

export interface Chart {
  /** File name under charts/, e.g. "latency.svg". */
  file: string;
  title: string;
  svg: string;
  /** The compiled Vega spec with its data inlined, for the live view in report.html. */
  vegaSpec: object;
  /** Over clock time (zoomable), not a comparison of totals. */
  time: boolean;
}

/** A chart before rendering: its Vega-Lite spec with the data injected as named datasets. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: TopLevelSpec;
  /** A chart over clock time (zoomable), not a comparison of totals. */
  time: boolean;
}

type Row = Record<string, string | number | boolean | null>;
type Datasets = Record<string, Row[]>;

/** How a chart is made: its Vega-Lite template (kept as data in `*.vl.json`) and its datasets. */
interface ChartDefinition {
  name: string;
  template: object;
  /** Over clock time: zoomable, drawn again for a window. */
  time: boolean;
  /** One chart per key (an autoscaled service: `autoscaler-<service>.svg`); one chart when absent. */
  keys?: (d: ChartData) => string[];
  data: (d: ChartData, key: string) => Datasets;
  /** Row facets whose y scales become per strategy when one strategy's values dwarf another's. */
  scaleY?: { dataset: string; fields: readonly string[] };
  /** Fixes the scales and places the labels, once the data is known (so that no label overprints another). */
  layout?: (spec: Record<string, unknown>, datasets: Datasets) => void;
}

/**
 * The charts in report order. A layer whose dataset is empty is left out; a chart with no
 * data at all is left out.
 */
const CHARTS: ChartDefinition[] = [
  { name: 'traffic-capacity', template: trafficCapacity, time: true, data: trafficData },
  { name: 'latency', template: latency, time: true, data: latencyData },
  { name: 'pods-nodes', template: podsNodes, time: true, data: podsData, scaleY: { dataset: 'pods', fields: ['pods_desired', 'pods_ready', 'pods_pending', 'nodes_ready'] } },
  { name: 'autoscaler', template: autoscaler, time: true, keys: autoscaledServices, data: autoscalerData },
  { name: 'cluster-autoscaler', template: clusterAutoscaler, time: true, data: clusterAutoscalerData, scaleY: { dataset: 'nodes', fields: ['pods_pending', 'nodes_provisioning', 'nodes_ready'] } },
  { name: 'errors', template: errors, time: true, data: errorsData, scaleY: { dataset: 'errors', fields: ['count'] } },
  { name: 'database', template: database, time: true, data: databaseData, scaleY: { dataset: 'database', fields: ['connections'] } },
  { name: 'shards', template: shards, time: true, data: shardData },
  { name: 'cache', template: cache, time: true, data: cacheData },
  { name: 'cost', template: cost, time: true, data: costData, layout: costLayout },
  { name: 'comparison', template: comparison, time: false, data: comparisonData },
  { name: 'frontier', template: frontier, time: false, data: frontierData, layout: frontierLayout },
];

/**
 * One colour per strategy, by its position in `input.strategies`: Okabe–Ito without its yellow
 * (too faint on white), then Paul Tol's dark "muted" colours. Every one is distinct under the
 * common colour-vision deficiencies and strong enough for a thin line.
 */
export const STRATEGY_PALETTE = [
  '#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#000000',
  '#882255', '#117733', '#332288', '#aa4499', '#44aa99', '#999933',
];
/** Failure causes in a palette of their own (they only ever share a chart with each other); as strong, in another order. */
const CAUSE_PALETTE = ['#d55e00', '#0072b2', '#cc79a7', '#009e73', '#e69f00', '#882255', '#56b4e9', '#332288', '#999933', '#000000'];

/** At most this many points per series and strategy (a day at 10 s is 8,640 rows), fewer with many strategies. */
const MAX_POINTS = 1000;
const MIN_POINTS = 300;
/** Budget of points per series over all strategies, which keeps report.html small. */
const POINTS_BUDGET = 6000;
/** Points per cumulative-cost line. */
const COST_POINTS = 250;
/** At most this many decision marks per strategy: rescales first, then the others. */
const MAX_DECISIONS = 300;

/** The strategy → colour mapping every chart uses. */
export function strategyColors(names: readonly string[]): string[] {
  return names.map((_, i) => STRATEGY_PALETTE[i % STRATEGY_PALETTE.length]);
}

/**
 * Strategies on the Pareto frontier of (cost, p99): those that no other strategy dominates,
 * i.e. none is at least as cheap and at least as fast, and strictly better in one of them.
 * Points with a non-finite cost or p99 are never on it.
 */
export function paretoOptimal(points: readonly { strategy: string; cost: number; p99: number }[]): string[] {
  const valid = points.filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.p99));
  return valid.filter((p) => !valid.some((q) => q !== p && q.cost <= p.cost && q.p99 <= p.p99 && (q.cost < p.cost || q.p99 < p.p99))).map((p) => p.strategy);
}

/** A span of the run, seconds from its start. */
export interface TimeSpan {
  fromS: number;
  toS: number;
}

export interface ChartOptions {
  /** Draw the time charts for this span only, at full resolution (`--window`, an event's zoom). */
  window?: TimeSpan;
}

/** Around each traffic event: from this long before it … */
const EVENT_BEFORE_S = 5 * 60;
/** … to this long after it (the lag of an autoscaler, pods starting, the queue draining). */
const EVENT_AFTER_S = 20 * 60;
/** Traffic events that get a zoom of their own (and full resolution in the whole-run charts). */
const MAX_EVENT_ZOOMS = 6;

/**
 * The span around each traffic event (5 minutes before to 20 after, within the run), labelled
 * with its clock time and what happened. The first few events only.
 */
export function eventWindows(input: ReportInput): (TimeSpan & { label: string; clock: string })[] {
  const runS = Math.max(0, ...input.strategies.map((s) => lastTime(s)));
  const startS = clockSeconds(input.scenario.clockStart) ?? 0;
  return (input.scenario.annotations ?? [])
    .filter((a) => Number.isFinite(a.t_s) && a.t_s < runS)
    .slice(0, MAX_EVENT_ZOOMS)
    .map((a) => ({ fromS: Math.max(0, a.t_s - EVENT_BEFORE_S), toS: Math.min(runS, a.t_s + EVENT_AFTER_S), label: String(a.label), clock: formatClock(a.t_s, startS).slice(0, -3) }));
}

/** Where second `t_s` of the run sits on the charts' time axis: epoch milliseconds of day 0 at its clock time. */
export function chartTimeMs(input: ReportInput, t_s: number): number {
  return Math.round(((clockSeconds(input.scenario.clockStart) ?? 0) + t_s) * 1000);
}

function lastTime(s: StrategyReport): number {
  const t = s.timeseries?.columns?.indexOf('t_s') ?? -1;
  const rows = s.timeseries?.rows ?? [];
  const last = t >= 0 && rows.length > 0 ? rows[rows.length - 1][t] : 0;
  return Number.isFinite(last) ? last : 0;
}

/** The Vega-Lite spec of every chart that has data, with the data injected. Never throws on missing columns. */
export function buildChartSpecs(input: ReportInput, options: ChartOptions = {}): ChartSpec[] {
  const data = prepare(input, options.window);
  const names = input.strategies.map((s) => s.name);
  const specs: ChartSpec[] = [];
  const span = options.window ? ` (${formatClock(options.window.fromS, data.startS).slice(0, -3)}–${formatClock(options.window.toS, data.startS).slice(0, -3)})` : '';
  for (const chart of CHARTS) {
    for (const key of chart.keys?.(data) ?? ['']) {
      const datasets = chart.data(data, key);
      const text = JSON.stringify(chart.template).replaceAll('{interval}', data.interval).replaceAll('{service}', key);
      const spec = prune(JSON.parse(text) as object, datasets) as Record<string, unknown> | undefined;
      if (!spec) continue;
      colour(spec, names, data.causes);
      if (chart.scaleY) scaleYPerStrategy(spec, datasets, chart.scaleY);
      chart.layout?.(spec, datasets);
      if (span && chart.time) appendTitle(spec, span);
      if (chart.time) withoutMarkDescriptions(spec);
      wrapSubtitle(spec);
      const used = new Set<string>();
      collectDataNames(spec, used);
      spec.datasets = Object.fromEntries([...used].sort().map((name) => [name, datasets[name]]));
      spec.background = 'white';
      spec.config = CONFIG;
      specs.push({ name: key ? `${chart.name}-${key}` : chart.name, title: titleOf(spec), spec: spec as unknown as TopLevelSpec, time: chart.time });
    }
  }
  return specs;
}

/** Renders every chart to SVG (vega in Node, no browser). Deterministic: same input, same bytes. */
export async function renderCharts(input: ReportInput, options: ChartOptions = {}): Promise<Chart[]> {
  return renderSpecs(buildChartSpecs(input, options));
}

async function renderSpecs(specs: readonly ChartSpec[]): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const { name, title, spec, time } of specs) {
    // The live view gets the shared zoom and the hover read-outs; the SVG is drawn without them.
    const vegaSpec = compiled(time ? withTimeInteraction(spec) : spec);
    // The view tags data objects in place: give it a copy, so that the spec stays plain data.
    const view = new View(parse(compiled(spec) as never), { renderer: 'none' });
    try {
      charts.push({ file: `${name}.svg`, title, svg: compactPaths(await view.toSVG()), vegaSpec, time });
    } finally {
      view.finalize();
    }
  }
  return charts;
}

/**
 * Every time chart again for each traffic event's window (see eventWindows), under
 * `zoom-<HHMM>/`: the minutes that matter, at full resolution, beside the whole run.
 */
export async function renderEventZooms(input: ReportInput): Promise<Chart[]> {
  const zooms: Chart[] = [];
  for (const event of eventWindows(input)) {
    const folder = `zoom-${event.clock.replace(/^day (\d+) /, 'day$1-').replace(':', '')}`;
    const charts = await renderSpecs(buildChartSpecs(input, { window: event }).filter((c) => c.time));
    for (const chart of charts) zooms.push({ ...chart, file: `${folder}/${chart.file}` });
  }
  return zooms;
}

/** Path coordinates to a tenth of a pixel (vega writes thousandths): a day of lines takes a quarter less room. */
function compactPaths(svg: string): string {
  return svg.replace(/ d="([^"]*)"/g, (_, path: string) => ` d="${path.replace(/\d+\.\d{2,}/g, (x) => String(Math.round(Number(x) * 10) / 10))}"`);
}

/** Plain JSON (vega-lite leaves lazy wrapper objects and undefined fields in its output). */
function compiled(spec: TopLevelSpec): Record<string, unknown> {
  const vega = JSON.parse(JSON.stringify(compile(spec).spec)) as Record<string, unknown>;
  delete vega.$schema; // a URL nobody needs to fetch; the report stays free of network references
  return vega;
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', subtitleColor: '#555', subtitleFontSize: 11, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee', labelOverlap: 'greedy' },
  // The first and last time labels inside the plot's width, not hanging past it.
  axisX: { labelFlush: true },
  legend: { labelLimit: 280, titleFontWeight: 'normal' },
  view: { stroke: '#ddd' },
  // No limit: a strategy's name is never cut off.
  header: { labelLimit: 0 },
};

function titleOf(spec: Record<string, unknown>): string {
  const title = spec.title as string | { text: string };
  return typeof title === 'string' ? title : title.text;
}

/** The strategies' peaks differ by more than this: a shared y scale would flatten the small ones. */
const SCALE_Y_RATIO = 5;

/**
 * Gives each strategy's row its own y scale when their peaks (over `fields` of `dataset`) differ
 * by more than SCALE_Y_RATIO — 0–200 pods makes a 10-pod strategy a flat line — and says so in
 * the subtitle.
 */
function scaleYPerStrategy(spec: Record<string, unknown>, datasets: Datasets, { dataset, fields }: { dataset: string; fields: readonly string[] }): void {
  const peaks = new Map<string, number>();
  for (const row of datasets[dataset] ?? []) {
    for (const f of fields) {
      const v = row[f];
      if (typeof v === 'number' && v > (peaks.get(String(row.strategy)) ?? 0)) peaks.set(String(row.strategy), v);
    }
  }
  const values = [...peaks.values()];
  if (values.length < 2 || Math.max(...values) <= SCALE_Y_RATIO * Math.min(...values)) return;
  spec.resolve = { scale: { y: 'independent' } };
  const title = spec.title as { text: string; subtitle?: string };
  title.subtitle = `${title.subtitle ?? ''} Each strategy has its own y scale: their peaks differ more than ${SCALE_Y_RATIO}×.`.trim();
}

/**
 * No ARIA description on the marks of a time chart: vega-lite would describe each by its date
 * ("t: Jan 01, 1970"), not its clock time; the figure is labelled by its title, a decision's
 * tooltip says its time.
 */
function withoutMarkDescriptions(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(withoutMarkDescriptions);
  if (node === null || typeof node !== 'object') return;
  const unit = node as Record<string, unknown>;
  if (unit.mark !== undefined) unit.mark = { ...markOf(unit), aria: false };
  for (const key of ['layer', 'spec']) if (unit[key]) withoutMarkDescriptions(unit[key]);
}

/** Subtitles longer than this many characters are broken into lines (about the width of a chart). */
const SUBTITLE_LINE_CHARS = 125;

function wrapSubtitle(spec: Record<string, unknown>): void {
  const title = spec.title as { subtitle?: string | string[] };
  if (typeof title.subtitle !== 'string') return;
  const lines: string[] = [];
  for (const word of title.subtitle.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= SUBTITLE_LINE_CHARS) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  title.subtitle = lines.length === 1 ? lines[0] : lines;
}

function appendTitle(spec: Record<string, unknown>, text: string): void {
  const title = spec.title as string | { text: string };
  spec.title = typeof title === 'string' ? `${title}${text}` : { ...title, text: `${title.text}${text}` };
}

/* ---------- template handling ---------- */

/**
 * Drops every (sub)spec whose named dataset is empty; returns undefined when nothing with
 * data is left. Layers without data of their own inherit their parent's.
 */
function prune(node: object, datasets: Datasets): object | undefined {
  const spec = node as Record<string, unknown>;
  const data = spec.data as { name?: string } | undefined;
  if (data?.name !== undefined && !(datasets[data.name]?.length > 0)) return undefined;
  for (const key of ['layer', 'hconcat', 'vconcat', 'concat'] as const) {
    const children = spec[key] as object[] | undefined;
    if (!children) continue;
    const kept = children.map((child) => prune(child, datasets)).filter((child): child is object => child !== undefined);
    if (kept.length === 0) return undefined;
    spec[key] = kept;
  }
  if (spec.spec) {
    const inner = prune(spec.spec as object, datasets);
    if (!inner) return undefined;
    spec.spec = inner;
  }
  return spec;
}

function collectDataNames(node: unknown, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectDataNames(child, names);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const data = record.data as { name?: unknown } | undefined;
    if (data && typeof data.name === 'string') names.add(data.name);
    for (const value of Object.values(record)) collectDataNames(value, names);
  }
}

/**
 * Fixes colours: every colour channel on `strategy` gets the strategy scale, a facet on
 * `strategy` gets its labels in the strategy's colour (and the ranked order), a colour
 * channel on `cause` the cause scale.
 */
function colour(node: unknown, names: readonly string[], causes: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) colour(child, names, causes);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const colours = strategyColors(names);
  for (const channel of ['color', 'fill', 'stroke']) {
    const encoding = record[channel] as Record<string, unknown> | undefined;
    if (encoding?.field === 'strategy') encoding.scale = { domain: [...names], range: colours };
    if (encoding?.field === 'cause') encoding.scale = { domain: [...causes], range: causes.map((_, i) => CAUSE_PALETTE[i % CAUSE_PALETTE.length]) };
  }
  for (const channel of ['row', 'column']) {
    const facet = record[channel] as Record<string, unknown> | undefined;
    if (facet?.field === 'strategy') {
      // In a facet header, `parent` is the facet's group datum.
      const expr = `${JSON.stringify(colours)}[indexof(${JSON.stringify(names)}, parent.strategy)] || '#222'`;
      facet.header = { ...(facet.header as object), labelColor: { expr } };
      facet.sort = [...names]; // the ranked order, as everywhere else
    }
  }
  for (const value of Object.values(record)) colour(value, names, causes);
}

/* ---------- data ---------- */

interface Sampled {
  strategy: StrategyReport;
  /** Start of each bucket and end of its last interval, epoch milliseconds of day 0 (UTC). */
  start: number[];
  end: number[];
  /** Downsampled column, or undefined when the column is missing. */
  column(name: string): (number | null)[] | undefined;
  columns: readonly string[];
  /** Width of one metrics interval, seconds. */
  intervalS: number;
  /** The first bucket starts where the run starts (no window cut its beginning off). */
  fromRunStart: boolean;
}

interface ChartData {
  input: ReportInput;
  sampled: Sampled[];
  /** Failure causes with a failure in any strategy, in column order (`errors_<cause>`). */
  causes: string[];
  /** Clock time of t = 0, seconds after midnight. */
  startS: number;
  /** The metrics interval for titles ("10 s"). */
  interval: string;
  /** What is drawn, epoch milliseconds of day 0: the window, or everything. */
  inView: (tMs: number) => boolean;
}

/** Per column: how a bucket of intervals becomes one point. Maxima keep spikes visible. */
function aggregation(column: string): 'mean' | 'last' | 'max' {
  if (column === 'cost_cumulative_usd') return 'last';
  if (column.endsWith('_rps') || column.endsWith('_per_s') || column.endsWith('_pct') || column.endsWith('_ratio') || column === 'cost_usd') return 'mean';
  return 'max';
}

function prepare(input: ReportInput, window?: TimeSpan): ChartData {
  const startS = clockSeconds(input.scenario.clockStart) ?? 0;
  const n = Math.max(1, input.strategies.length);
  const maxPoints = Math.max(MIN_POINTS, Math.min(MAX_POINTS, Math.floor(POINTS_BUDGET / n)));
  // The whole run keeps full resolution around each traffic event, so that zooming in on one shows every interval.
  const detail = window ? [] : eventWindows(input);
  const sampled = input.strategies.map((s) => sample(s, startS, maxPoints, window, detail)).filter((s): s is Sampled => s !== undefined);
  const causes: string[] = [];
  for (const s of sampled)
    for (const c of s.columns) if (c.startsWith('errors_') && !causes.includes(c.slice(7)) && s.column(c)!.some((v) => v !== null && v > 0)) causes.push(c.slice(7));
  const width = sampled[0]?.intervalS;
  const interval = width === undefined || !(width > 0) ? 'interval' : width % 60 === 0 ? `${width / 60} min` : `${tidy(width)} s`;
  const inView = window ? (tMs: number) => tMs >= (startS + window.fromS) * 1000 && tMs <= (startS + window.toS) * 1000 : () => true;
  return { input, sampled, causes, startS, interval, inView };
}

/**
 * Buckets a strategy's timeseries (within `window`, when given) into at most `maxPoints`
 * points, one bucket per interval inside the `detail` spans; undefined without `t_s` or rows.
 */
function sample(strategy: StrategyReport, startS: number, maxPoints: number, window: TimeSpan | undefined, detail: readonly TimeSpan[]): Sampled | undefined {
  const columns = strategy.timeseries?.columns ?? [];
  const rows = (strategy.timeseries?.rows ?? []).filter((r) => Array.isArray(r));
  const t = columns.indexOf('t_s');
  if (t < 0 || rows.length === 0) return undefined;
  const times = rows.map((r) => r[t]);
  if (!times.every((x) => Number.isFinite(x))) return undefined;
  // t_s is the end of each interval; the first interval starts one width earlier.
  const width = rows.length > 1 ? times[1] - times[0] : times[0];
  // Rows [first, last): those whose interval overlaps the window.
  let first = 0;
  let last = rows.length;
  if (window) {
    while (first < last && times[first] <= window.fromS) first++;
    while (last > first && times[last - 1] - width >= window.toS) last--;
  }
  if (last <= first) return undefined;
  const starts = bucketStarts(times, first, last, Math.ceil((last - first) / maxPoints), width, detail);
  const start = starts.map((i) => Math.round((startS + Math.max(0, times[i] - width)) * 1000));
  const end = starts.map((_, k) => Math.round((startS + times[(starts[k + 1] ?? last) - 1]) * 1000));
  const cache = new Map<string, (number | null)[] | undefined>();
  const raw = (name: string): number[] | undefined => {
    const c = columns.indexOf(name);
    if (c >= 0) return rows.map((r) => r[c]);
    // Cumulative cost from the per-interval cost when only that is there.
    if (name === 'cost_cumulative_usd' && columns.includes('cost_usd')) {
      let sum = 0;
      return (raw('cost_usd') ?? []).map((v) => (sum += Number.isFinite(v) ? v : 0));
    }
    return undefined;
  };
  const column = (name: string) => {
    if (!cache.has(name)) {
      const values = raw(name);
      cache.set(name, values && bucket(values, starts, last, aggregation(name)));
    }
    return cache.get(name);
  };
  return { strategy, start, end, column, columns, intervalS: width, fromRunStart: first === 0 };
}

/**
 * First row of each bucket over rows [first, last): `size` rows to a bucket, one inside a
 * detail span (an interval that overlaps one), and no bucket straddles a span's edge.
 */
function bucketStarts(times: readonly number[], first: number, last: number, size: number, widthS: number, detail: readonly TimeSpan[]): number[] {
  const inDetail = (i: number) => detail.some((d) => times[i] > d.fromS && times[i] - widthS < d.toS);
  const starts: number[] = [];
  for (let i = first; i < last; ) {
    starts.push(i);
    if (inDetail(i)) {
      i++;
      continue;
    }
    const end = Math.min(last, i + size);
    i++;
    while (i < end && !inDetail(i)) i++;
  }
  return starts;
}

function bucket(values: readonly number[], starts: readonly number[], last: number, how: 'mean' | 'last' | 'max'): (number | null)[] {
  return starts.map((from, k) => {
    let count = 0;
    let sum = 0;
    let max = -Infinity;
    let final = NaN;
    for (let j = from; j < (starts[k + 1] ?? last); j++) {
      const v = values[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      count++;
      sum += v;
      if (v > max) max = v;
      final = v;
    }
    return count === 0 ? null : tidy(how === 'mean' ? sum / count : how === 'last' ? final : max);
  });
}

/** Five significant digits: plenty for a chart, and it keeps report.html small. */
function tidy(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  const v = Number(x.toPrecision(5));
  return Object.is(v, -0) ? 0 : v;
}

/** Wide rows (one per bucket) with the given columns; undefined when none of them exists. */
function wideRows(s: Sampled, columns: readonly string[]): Row[] | undefined {
  const present = columns.map((c) => [c, s.column(c)] as const).filter((entry): entry is readonly [string, (number | null)[]] => entry[1] !== undefined);
  if (present.length === 0) return undefined;
  return s.start.map((t, i) => {
    const row: Row = { strategy: s.strategy.name, t };
    for (const [c, values] of present) row[c] = values[i];
    return row;
  });
}

/**
 * Leaves out rows that repeat the previous row's values (all but the first and last of a
 * run): a step line through the remaining points is the same line. Pod and node counts
 * change rarely, so this shrinks their charts many times over.
 */
function withoutRepeats(rows: Row[], columns: readonly string[]): Row[] {
  return rows.filter((row, i) => i === 0 || i === rows.length - 1 || columns.some((c) => row[c] !== rows[i - 1][c] || row[c] !== rows[i + 1][c]));
}

/** One row per strategy and traffic event in view, for the grey rules in faceted charts. */
function annotationRows(d: ChartData, strategy: string, extra: Row = {}): Row[] {
  return (d.input.scenario.annotations ?? [])
    .filter((a) => Number.isFinite(a.t_s) && d.inView(Math.round((d.startS + a.t_s) * 1000)))
    .map((a) => ({ strategy, ...extra, t: Math.round((d.startS + a.t_s) * 1000), annotation: String(a.label) }));
}

function trafficData(d: ChartData): Datasets {
  const capacity = d.sampled.flatMap((s) => withoutRepeats(wideRows(s, ['capacity_rps']) ?? [], ['capacity_rps']));
  const arrivals = d.sampled.map((s) => wideRows(s, ['arrivals_rps'])).filter((rows): rows is Row[] => rows !== undefined);
  // All strategies see the same arrivals (common random numbers): one grey area. Should
  // they differ (retries), each strategy's arrivals are drawn as a dotted line instead.
  const same = arrivals.every((rows) => rows.length === arrivals[0].length && rows.every((r, i) => r.t === arrivals[0][i].t && r.arrivals_rps === arrivals[0][i].arrivals_rps));
  const shared = same && arrivals.length > 0 ? arrivals[0].map(({ t, arrivals_rps }) => ({ t, arrivals_rps })) : [];
  // Labels on successive lines so that close events do not overprint.
  const annotations = (d.input.scenario.annotations ?? [])
    .filter((a) => Number.isFinite(a.t_s) && d.inView(Math.round((d.startS + a.t_s) * 1000)))
    .map((a, i) => ({ t: Math.round((d.startS + a.t_s) * 1000), label: String(a.label), y_px: 3 + 13 * (i % 6) }));
  return { arrivals: shared, arrivals_by_strategy: same ? [] : arrivals.flat(), capacity, annotations: capacity.length + shared.length > 0 || !same ? annotations : [] };
}

function latencyData(d: ChartData): Datasets {
  const rows: Row[] = [];
  for (const s of d.sampled) {
    const series = wideRows(s, ['p50_ms', 'p95_ms', 'p99_ms']);
    if (!series) continue;
    rows.push(...series);
    for (const slo of d.input.slo?.latency ?? []) {
      if (Number.isFinite(slo.thresholdMs) && slo.thresholdMs > 0) rows.push({ strategy: s.strategy.name, slo_ms: slo.thresholdMs, slo: `SLO: ${slo.percentile} < ${slo.thresholdMs.toLocaleString('en-US')} ms` });
    }
    rows.push(...annotationRows(d, s.strategy.name));
  }
  return { latency: rows };
}

function podsData(d: ChartData): Datasets {
  const rows: Row[] = [];
  for (const s of d.sampled) {
    const columns = ['pods_desired', 'pods_ready', 'pods_pending', 'nodes_ready'];
    const series = wideRows(s, columns);
    const decisions = decisionRows(d, s.strategy, (c) => c.startsWith('hpa/') || c.startsWith('cluster-autoscaler'));
    if (!series && decisions.length === 0) continue;
    rows.push(...withoutRepeats(series ?? [], columns), ...decisions, ...annotationRows(d, s.strategy.name));
  }
  return { pods: rows };
}

/** The decisions in view of the controllers `of` accepts, rescales first when there are too many. */
function decisionRows(d: ChartData, s: StrategyReport, of: (controller: string) => boolean, extra: Row = {}): Row[] {
  const all = (s.decisions ?? []).filter((x) => x && Number.isFinite(x.t_s) && Number.isFinite(x.to) && of(String(x.controller)) && d.inView(Math.round((d.startS + x.t_s) * 1000)));
  const rescales = all.filter((x) => x.from !== x.to);
  const chosen = [...rescales, ...all.filter((x) => x.from === x.to)].slice(0, MAX_DECISIONS);
  // Back in time order (a stable sort keeps equal times in their logged order).
  chosen.sort((a, b) => a.t_s - b.t_s);
  return chosen.map((x) => ({
    strategy: s.name,
    ...extra,
    t: Math.round((d.startS + x.t_s) * 1000),
    decision: x.to,
    direction: x.to > x.from ? 'scale up' : x.to < x.from ? 'scale down' : 'no change',
    time: formatClock(x.t_s, d.startS),
    controller: String(x.controller),
    change: `${x.from} → ${x.to}`,
    reason: String(x.reason),
    message: String(x.message),
  }));
}

/**
 * Leaves out each value that repeats the one before and after it (a step line through the rest
 * is the same line), series by series, and then rows with no value left.
 */
function withoutRepeatedValues(rows: Row[], keys: readonly string[]): Row[] {
  const kept = rows.map((row, i) =>
    Object.fromEntries(Object.entries(row).filter(([k, v]) => !keys.includes(k) || i === 0 || i === rows.length - 1 || v !== rows[i - 1][k] || v !== rows[i + 1][k])),
  );
  return kept.filter((row) => keys.some((k) => k in row));
}

/** Services with an HPA in any strategy (`hpa_<service>_metric_value`), in column order. */
function autoscaledServices(d: ChartData): string[] {
  const services: string[] = [];
  for (const s of d.sampled)
    for (const c of s.columns) {
      const m = /^hpa_(.+)_metric_value$/.exec(c);
      if (m && !services.includes(m[1])) services.push(m[1]);
    }
  return services;
}

/** Column headers of the autoscaler chart, left to right. */
const AUTOSCALER_PANELS = { metric: 'what the HPA read', replicas: 'replicas' } as const;

/**
 * What one service's HPA saw and did, per strategy: the metric it read against its target and
 * the true value at the same time (the gap is the metrics pipeline's lag), and the replicas it
 * asked for against those ready, with each decision and its reason.
 */
function autoscalerData(d: ChartData, service: string): Datasets {
  const rows: Row[] = [];
  const panel = { metric: { panel: AUTOSCALER_PANELS.metric }, replicas: { panel: AUTOSCALER_PANELS.replicas } };
  for (const s of d.sampled) {
    if (!s.columns.includes(`hpa_${service}_metric_value`)) continue;
    const view = s.strategy.autoscalers?.find((a) => a.service === service);
    const ready = s.columns.includes(`${service}_pods_ready`) ? `${service}_pods_ready` : 'pods_ready';
    // Wide rows under short keys (the template folds them into series): a day of them stays small.
    const columns: [key: string, column: string][] = [
      ['read', `hpa_${service}_metric_value`],
      ['true', `hpa_${service}_metric_true`],
      ['target', `hpa_${service}_metric_target`],
      ['desired', `hpa_${service}_desired`],
      ['ready', ready],
    ];
    const wide = wideRows(s, columns.map(([, c]) => c)) ?? [];
    const short = wide.map((r) => {
      const row: Row = { strategy: r.strategy, t: r.t, w: 1 };
      for (const [key, column] of columns) if (r[column] !== undefined) row[key] = r[column];
      return row;
    });
    rows.push(
      ...withoutRepeatedValues(short, columns.map(([key]) => key)),
      ...decisionRows(d, s.strategy, (c) => c === `hpa/${service}`, panel.replicas),
      ...annotationRows(d, s.strategy.name, panel.metric),
      ...annotationRows(d, s.strategy.name, panel.replicas),
      { strategy: s.strategy.name, ...panel.metric, metric: view ? `${view.metric} (${view.unit})` : "the HPA's first metric" },
    );
    if (view?.limit !== undefined) rows.push({ strategy: s.strategy.name, ...panel.metric, limit: view.limit, limit_label: `CPU limit: ${fmt(view.limit, 0)}% of request` });
  }
  return { autoscaler: rows };
}

/** Pods waiting for room against the nodes the cluster autoscaler is adding and those ready, with its decisions. */
function clusterAutoscalerData(d: ChartData): Datasets {
  const rows: Row[] = [];
  const columns = ['pods_pending', 'nodes_provisioning', 'nodes_ready'];
  for (const s of d.sampled) {
    if (!s.columns.includes('nodes_ready')) continue;
    rows.push(
      ...withoutRepeats(wideRows(s, columns) ?? [], columns),
      ...decisionRows(d, s.strategy, (c) => c.startsWith('cluster-autoscaler')),
      ...annotationRows(d, s.strategy.name),
    );
  }
  return { nodes: rows };
}

function errorsData(d: ChartData): Datasets {
  if (d.causes.length === 0) return { errors: [] };
  const rows: Row[] = [];
  for (const s of d.sampled) {
    const columns = d.causes.map((c, order) => [c, order, s.column(`errors_${c}`)] as const);
    if (columns.every(([, , values]) => values === undefined)) continue;
    let any = false;
    for (let i = 0; i < s.start.length; i++) {
      for (const [cause, order, values] of columns) {
        const count = values?.[i];
        if (count === null || count === undefined || count <= 0) continue;
        any = true;
        rows.push({ strategy: s.strategy.name, t: s.start[i], t2: s.end[i], time: formatClock(s.start[i] / 1000, 0), cause, order, count });
      }
    }
    // Keeps the strategy's row in the chart, and says why it is empty.
    if (!any) rows.push({ strategy: s.strategy.name, note: 'no failed requests' });
    // The whole run on the time axis, even when failures stop early.
    rows.push({ strategy: s.strategy.name, t: s.start[0], extent: true }, { strategy: s.strategy.name, t: s.end[s.end.length - 1], extent: true });
    rows.push(...annotationRows(d, s.strategy.name));
  }
  return { errors: rows };
}

/**
 * Per database (found by its `db_max_connections` column, prefixed `<db>_` with several): the
 * connections open on it against max_connections, what its proxy holds open to it, its CPU.
 * Long rows (one per series and bucket), so that several databases share the chart.
 */
function databaseData(d: ChartData): Datasets {
  const rows: Row[] = [];
  for (const s of d.sampled) {
    const prefixes = s.columns.filter((c) => c.endsWith('db_max_connections')).map((c) => c.slice(0, -'db_max_connections'.length));
    if (prefixes.length === 0) continue;
    for (const prefix of prefixes) {
      const label = (series: string) => (prefixes.length > 1 ? `${prefix.slice(0, -1)}: ${series}` : series);
      const lines: [column: string, series: string, kind: string][] = [
        ['db_connections', 'connections', 'in use'],
        ['db_max_connections', 'max_connections', 'limit'],
        ['proxy_db_connections', 'proxy → database connections', 'in use'],
      ];
      for (const [column, series, kind] of lines) {
        const wide = wideRows(s, [prefix + column]);
        if (!wide) continue;
        for (const r of withoutRepeats(wide, [prefix + column])) rows.push({ strategy: s.strategy.name, t: r.t, series: label(series), kind, connections: r[prefix + column] });
      }
      for (const r of wideRows(s, [`${prefix}db_cpu_pct`]) ?? []) rows.push({ strategy: s.strategy.name, t: r.t, series: label('CPU (%)'), cpu_pct: r[`${prefix}db_cpu_pct`] });
    }
    rows.push(...annotationRows(d, s.strategy.name));
  }
  return { database: rows };
}

/** Per cache (its `cache_hit_ratio` column, prefixed `<cache>_` with several) its hit ratio, and each database's CPU: long rows. */
function cacheData(d: ChartData): Datasets {
  const rows: Row[] = [];
  for (const s of d.sampled) {
    const caches = s.columns.filter((c) => c.endsWith('cache_hit_ratio'));
    if (caches.length === 0) continue;
    for (const c of caches) for (const r of wideRows(s, [c]) ?? []) rows.push({ strategy: s.strategy.name, t: r.t, series: caches.length > 1 ? `${c.slice(0, -'_cache_hit_ratio'.length)}: hit ratio` : 'hit ratio', hit_ratio: r[c] });
    for (const c of s.columns.filter((x) => x.endsWith('db_cpu_pct')))
      for (const r of wideRows(s, [c]) ?? []) rows.push({ strategy: s.strategy.name, t: r.t, series: c === 'db_cpu_pct' ? 'database CPU (%)' : `${c.slice(0, -'_db_cpu_pct'.length)}: database CPU (%)`, cpu_pct: r[c] });
    rows.push(...annotationRows(d, s.strategy.name));
  }
  return { cache: rows };
}

function costData(d: ChartData): Datasets {
  const rows: Row[] = [];
  for (const s of d.sampled) {
    // The running total at the end of each bucket, drawn at that time. It is smooth: every
    // k-th bucket draws the same curve. It starts from nothing.
    const values = s.column('cost_cumulative_usd') ?? [];
    const all: Row[] = values.map((v, i) => ({ strategy: s.strategy.name, t: s.end[i], cost_cumulative_usd: v })).filter((r) => r.cost_cumulative_usd !== null);
    const k = Math.ceil(all.length / COST_POINTS);
    const series = all.filter((_, i) => i % k === k - 1 || i === 0 || i === all.length - 1);
    if (series.length > 0 && s.fromRunStart) series.unshift({ strategy: s.strategy.name, t: s.start[0], cost_cumulative_usd: 0 });
    if (series.length > 0) series[series.length - 1].last = true;
    rows.push(...series);
  }
  return { cost: rows };
}

function comparisonData(d: ChartData): Datasets {
  const rows: Row[] = [];
  for (const s of d.input.strategies) {
    const add = (figure: string, e: Estimate | undefined, scale: number, format: (x: number) => string) => {
      if (!e || !Number.isFinite(e.mean)) return;
      const ci = Number.isFinite(e.halfWidth) && e.halfWidth > 0;
      const mean = tidy(e.mean * scale);
      rows.push({
        strategy: s.name,
        figure,
        mean,
        low: ci ? tidy((e.mean - e.halfWidth) * scale) : null,
        high: ci ? tidy((e.mean + e.halfWidth) * scale) : null,
        label: `${format(e.mean * scale)}${ci ? ` ± ${format(e.halfWidth * scale)}` : ''}`,
      });
    };
    add('p99', s.headline?.p99Ms, 1, (x) => `${fmt(x, 0)} ms`);
    add('error rate', s.headline?.errorRate, 100, (x) => `${fmt(x, 3)}%`);
    add('cost', s.headline?.costUsd, 1, (x) => `$${fmt(x, 2)}`);
  }
  return { headline: rows };
}

function frontierData(d: ChartData): Datasets {
  const points = d.input.strategies.map((s) => ({ strategy: s.name, cost: s.headline?.costUsd?.mean ?? NaN, p99: s.headline?.p99Ms?.mean ?? NaN }));
  const pareto = new Set(paretoOptimal(points));
  const rows = points
    .filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.p99))
    .map((p) => ({ strategy: p.strategy, cost: tidy(p.cost), p99: tidy(p.p99), pareto: pareto.has(p.strategy), position: pareto.has(p.strategy) ? 'Pareto-optimal' : 'dominated' }));
  return { frontier: rows };
}

/* ---------- label layout ---------- */

/** Text metrics for placing labels (11 px Helvetica): an average character's width, a line's height. */
const CHAR_PX = 6.3;
const LINE_PX = 13;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function overlap(a: Box, b: Box): number {
  return Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
}

/** Sets the scale of every `channel` encoding in the spec's layers (and their layers). */
function setScale(node: unknown, channel: 'x' | 'y', scale: object): void {
  if (Array.isArray(node)) return node.forEach((child) => setScale(child, channel, scale));
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const encoding = (record.encoding as Record<string, Record<string, unknown>> | undefined)?.[channel];
  if (encoding && encoding.scale !== null && encoding.value === undefined) encoding.scale = { ...(encoding.scale as object), ...scale };
  if (record.layer) setScale(record.layer, channel, scale);
}

/** The data's range with a margin on each side, so that no point sits on the plot's edge. */
function paddedDomain(values: readonly number[]): [number, number] {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const pad = hi > lo ? (hi - lo) * 0.12 : Math.max(Math.abs(lo) * 0.1, 1);
  return [lo - pad, hi + pad];
}

/** The first of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten at or above x: a round top for an axis. */
function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((v) => v >= x * (1 - 1e-9))!;
}

/**
 * Frontier labels beside their points, each where it overprints no other label or point and
 * stays inside the plot: right, left, above, below, then the diagonals; where none is free, the
 * one that overprints least. The scales are fixed so that pixel positions are known.
 */
function frontierLayout(spec: Record<string, unknown>, datasets: Datasets): void {
  const rows = datasets.frontier ?? [];
  if (rows.length === 0) return;
  const [width, height] = [spec.width as number, spec.height as number];
  const xDomain = paddedDomain(rows.map((r) => r.cost as number));
  const yDomain = paddedDomain(rows.map((r) => r.p99 as number));
  setScale(spec.layer, 'x', { domain: xDomain, nice: false, zero: false });
  setScale(spec.layer, 'y', { domain: yDomain, nice: false, zero: false });
  const px = (r: Row) => ((r.cost as number) - xDomain[0]) / (xDomain[1] - xDomain[0]) * width;
  const py = (r: Row) => height - ((r.p99 as number) - yDomain[0]) / (yDomain[1] - yDomain[0]) * height;
  const taken: Box[] = rows.map((r) => ({ x0: px(r) - 6, y0: py(r) - 6, x1: px(r) + 6, y1: py(r) + 6 }));
  // The frontier's dashed line too, as small boxes along each segment.
  const frontier = rows.filter((r) => r.pareto).sort((a, b) => (a.cost as number) - (b.cost as number));
  for (let i = 1; i < frontier.length; i++) {
    const [x0, y0, x1, y1] = [px(frontier[i - 1]), py(frontier[i - 1]), px(frontier[i]), py(frontier[i])];
    const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 6);
    for (let k = 1; k < steps; k++) {
      const [x, y] = [x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps];
      taken.push({ x0: x - 2, y0: y - 2, x1: x + 2, y1: y + 2 });
    }
  }
  const candidates: [dx: number, dy: number, align: 'left' | 'right' | 'center'][] = [
    [9, 0, 'left'], [-9, 0, 'right'], [0, -13, 'center'], [0, 13, 'center'], [7, -11, 'left'], [7, 11, 'left'], [-7, -11, 'right'], [-7, 11, 'right'],
  ];
  for (const r of rows) {
    const w = String(r.strategy).length * CHAR_PX;
    let best: { box: Box; x: number; y: number; align: string; cost: number } | undefined;
    for (const [dx, dy, align] of candidates) {
      const x = px(r) + dx;
      const y = py(r) + dy;
      const x0 = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
      const box = { x0, y0: y - LINE_PX / 2, x1: x0 + w, y1: y + LINE_PX / 2 };
      const outside = Math.max(0, -box.x0) + Math.max(0, box.x1 - width) + Math.max(0, -box.y0) + Math.max(0, box.y1 - height);
      const cost = taken.reduce((sum, t) => sum + overlap(box, t), 0) + outside * LINE_PX;
      if (!best || cost < best.cost) best = { box, x, y, align, cost };
      if (cost === 0) break;
    }
    taken.push(best!.box);
    Object.assign(r, { label_x: tidy(best!.x), label_y: tidy(best!.y), label_align: best!.align });
  }
}

/**
 * Each cumulative-cost line ends in its total and strategy, at the line's height where the labels
 * do not overprint: pushed apart to a line's height each, kept within the plot.
 */
function costLayout(spec: Record<string, unknown>, datasets: Datasets): void {
  const rows = datasets.cost ?? [];
  const ends = rows.filter((r) => r.last === true);
  if (ends.length === 0) return;
  const height = spec.height as number;
  const top = niceCeil(Math.max(...rows.map((r) => (r.cost_cumulative_usd as number) ?? 0)));
  setScale(spec.layer, 'y', { domain: [0, top], nice: false });
  const ys = ends.map((r) => height - ((r.cost_cumulative_usd as number) / top) * height);
  const order = ys.map((_, i) => i).sort((a, b) => ys[a] - ys[b] || a - b);
  // Downwards from the highest, then back up from the bottom if that ran out of room.
  for (let k = 1; k < order.length; k++) ys[order[k]] = Math.max(ys[order[k]], ys[order[k - 1]] + LINE_PX);
  ys[order[order.length - 1]] = Math.min(ys[order[order.length - 1]], height);
  for (let k = order.length - 2; k >= 0; k--) ys[order[k]] = Math.min(ys[order[k]], ys[order[k + 1]] - LINE_PX);
  ends.forEach((r, i) => Object.assign(r, { label_y: tidy(ys[i]), label: `$${fmt(r.cost_cumulative_usd as number, 2)} ${r.strategy}` }));
}

/* ---------- formatting ---------- */

function fmt(x: number, digits: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
