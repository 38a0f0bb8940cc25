import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
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

export interface Chart {
  /** File name under charts/, e.g. "latency.svg". */
  file: string;
  title: string;
  svg: string;
  /** The compiled Vega spec with its data inlined, for the live view in report.html. */
  vegaSpec: object;
}

/** A chart before rendering: its Vega-Lite spec with the data injected as named datasets. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

type Row = Record<string, string | number | boolean | null>;
type Datasets = Record<string, Row[]>;

/**
 * The charts in report order: a Vega-Lite template each (kept as data in `*.vl.json`) and
 * the function that builds its named datasets. A layer whose dataset is empty is left out;
 * a chart with no data at all is left out.
 */
const CHARTS: { name: string; template: object; data: (d: ChartData) => Datasets }[] = [
  { name: 'traffic-capacity', template: trafficCapacity, data: trafficData },
  { name: 'latency', template: latency, data: latencyData },
  { name: 'pods-nodes', template: podsNodes, data: podsData },
  { name: 'errors', template: errors, data: errorsData },
  { name: 'database', template: database, data: databaseData },
  { name: 'shards', template: shards, data: shardData },
  { name: 'cache', template: cache, data: cacheData },
  { name: 'cost', template: cost, data: costData },
  { name: 'comparison', template: comparison, data: comparisonData },
  { name: 'frontier', template: frontier, data: frontierData },
];

/** One colour per strategy, by its position in `input.strategies` (Tableau 10, then Dark 2). */
export const STRATEGY_PALETTE = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
  '#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666',
];
/** Failure causes in a palette of their own (they only ever share a chart with each other). */
const CAUSE_PALETTE = ['#d62728', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f', '#bcbd22', '#e377c2'];

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

/** The Vega-Lite spec of every chart that has data, with the data injected. Never throws on missing columns. */
export function buildChartSpecs(input: ReportInput): ChartSpec[] {
  const data = prepare(input);
  const names = input.strategies.map((s) => s.name);
  const specs: ChartSpec[] = [];
  for (const chart of CHARTS) {
    const datasets = chart.data(data);
    const text = JSON.stringify(chart.template).replaceAll('{interval}', data.interval);
    const spec = prune(JSON.parse(text) as object, datasets) as Record<string, unknown> | undefined;
    if (!spec) continue;
    colour(spec, names, data.causes);
    const used = new Set<string>();
    collectDataNames(spec, used);
    spec.datasets = Object.fromEntries([...used].sort().map((name) => [name, datasets[name]]));
    spec.background = 'white';
    spec.config = CONFIG;
    specs.push({ name: chart.name, title: titleOf(spec), spec: spec as unknown as TopLevelSpec });
  }
  return specs;
}

/** Renders every chart to SVG (vega in Node, no browser). Deterministic: same input, same bytes. */
export async function renderCharts(input: ReportInput): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const { name, title, spec } of buildChartSpecs(input)) {
    // Plain JSON (vega-lite leaves lazy wrapper objects and undefined fields in its output).
    const vegaSpec = JSON.parse(JSON.stringify(compile(spec).spec)) as Record<string, unknown>;
    delete vegaSpec.$schema; // a URL nobody needs to fetch; the report stays free of network references
    // The view tags data objects in place: give it a copy, so that vegaSpec stays plain data.
    const view = new View(parse(structuredClone(vegaSpec) as never), { renderer: 'none' });
    try {
      charts.push({ file: `${name}.svg`, title, svg: await view.toSVG(), vegaSpec });
    } finally {
      view.finalize();
    }
  }
  return charts;
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', subtitleColor: '#555', subtitleFontSize: 11, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee' },
  legend: { labelLimit: 280, titleFontWeight: 'normal' },
  view: { stroke: '#ddd' },
  header: { labelLimit: 200 },
};

function titleOf(spec: Record<string, unknown>): string {
  const title = spec.title as string | { text: string };
  return typeof title === 'string' ? title : title.text;
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
}

interface ChartData {
  input: ReportInput;
  sampled: Sampled[];
  /** Failure causes present in any strategy, in column order (`errors_<cause>`). */
  causes: string[];
  /** Clock time of t = 0, seconds after midnight. */
  startS: number;
  /** The metrics interval for titles ("10 s"). */
  interval: string;
}

/** Per column: how a bucket of intervals becomes one point. Maxima keep spikes visible. */
function aggregation(column: string): 'mean' | 'last' | 'max' {
  if (column === 'cost_cumulative_usd') return 'last';
  if (column.endsWith('_rps') || column.endsWith('_per_s') || column.endsWith('_pct') || column.endsWith('_ratio') || column === 'cost_usd') return 'mean';
  return 'max';
}

function prepare(input: ReportInput): ChartData {
  const startS = clockSeconds(input.scenario.clockStart);
  const n = Math.max(1, input.strategies.length);
  const maxPoints = Math.max(MIN_POINTS, Math.min(MAX_POINTS, Math.floor(POINTS_BUDGET / n)));
  const sampled = input.strategies.map((s) => sample(s, startS, maxPoints)).filter((s): s is Sampled => s !== undefined);
  const causes: string[] = [];
  for (const s of sampled) for (const c of s.columns) if (c.startsWith('errors_') && !causes.includes(c.slice(7))) causes.push(c.slice(7));
  const width = sampled[0]?.intervalS;
  const interval = width === undefined || !(width > 0) ? 'interval' : width % 60 === 0 ? `${width / 60} min` : `${tidy(width)} s`;
  return { input, sampled, causes, startS, interval };
}

/** Buckets a strategy's timeseries into at most `maxPoints` points; undefined without `t_s` or rows. */
function sample(strategy: StrategyReport, startS: number, maxPoints: number): Sampled | undefined {
  const columns = strategy.timeseries?.columns ?? [];
  const rows = (strategy.timeseries?.rows ?? []).filter((r) => Array.isArray(r));
  const t = columns.indexOf('t_s');
  if (t < 0 || rows.length === 0) return undefined;
  const times = rows.map((r) => r[t]);
  if (!times.every((x) => Number.isFinite(x))) return undefined;
  // t_s is the end of each interval; the first interval starts one width earlier.
  const width = rows.length > 1 ? times[1] - times[0] : times[0];
  const size = Math.ceil(rows.length / maxPoints);
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < rows.length; i += size) {
    start.push(Math.round((startS + Math.max(0, times[i] - width)) * 1000));
    end.push(Math.round((startS + times[Math.min(rows.length, i + size) - 1]) * 1000));
  }
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
      cache.set(name, values && bucket(values, size, aggregation(name)));
    }
    return cache.get(name);
  };
  return { strategy, start, end, column, columns, intervalS: width };
}

function bucket(values: readonly number[], size: number, how: 'mean' | 'last' | 'max'): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < values.length; i += size) {
    let count = 0;
    let sum = 0;
    let max = -Infinity;
    let last = NaN;
    for (let j = i; j < Math.min(values.length, i + size); j++) {
      const v = values[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      count++;
      sum += v;
      if (v > max) max = v;
      last = v;
    }
    out.push(count === 0 ? null : tidy(how === 'mean' ? sum / count : how === 'last' ? last : max));
  }
  return out;
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

/** One row per strategy and traffic event, for the grey rules in faceted charts. */
function annotationRows(d: ChartData, strategy: string): Row[] {
  return (d.input.scenario.annotations ?? [])
    .filter((a) => Number.isFinite(a.t_s))
    .map((a) => ({ strategy, t: Math.round((d.startS + a.t_s) * 1000), annotation: String(a.label) }));
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
    .filter((a) => Number.isFinite(a.t_s))
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
    const decisions = decisionRows(d, s.strategy);
    if (!series && decisions.length === 0) continue;
    rows.push(...withoutRepeats(series ?? [], columns), ...decisions, ...annotationRows(d, s.strategy.name));
  }
  return { pods: rows };
}

function decisionRows(d: ChartData, s: StrategyReport): Row[] {
  const all = (s.decisions ?? []).filter((x) => x && Number.isFinite(x.t_s) && Number.isFinite(x.to));
  const rescales = all.filter((x) => x.from !== x.to);
  const chosen = [...rescales, ...all.filter((x) => x.from === x.to)].slice(0, MAX_DECISIONS);
  // Back in time order (a stable sort keeps equal times in their logged order).
  chosen.sort((a, b) => a.t_s - b.t_s);
  return chosen.map((x) => ({
    strategy: s.name,
    t: Math.round((d.startS + x.t_s) * 1000),
    decision: x.to,
    direction: x.to > x.from ? 'scale up' : x.to < x.from ? 'scale down' : 'no change',
    time: clock(d.startS + x.t_s),
    controller: String(x.controller),
    change: `${x.from} → ${x.to}`,
    reason: String(x.reason),
    message: String(x.message),
  }));
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
        rows.push({ strategy: s.strategy.name, t: s.start[i], t2: s.end[i], time: clock(s.start[i] / 1000), cause, order, count });
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
    if (series.length > 0) series.unshift({ strategy: s.strategy.name, t: s.start[0], cost_cumulative_usd: 0 });
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

/* ---------- formatting ---------- */

/** Seconds after midnight of "HH:MM" (or "HH:MM:SS"); 0 when it cannot be read. */
function clockSeconds(clock: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(String(clock ?? '').trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : 0;
}

/** "HH:MM:SS" of seconds after midnight of day 0, with "day N" after the first day. */
function clock(seconds: number): string {
  const total = Math.floor(seconds);
  const day = Math.floor(total / 86400);
  const s = total - day * 86400;
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${day > 0 ? `day ${day + 1} ` : ''}${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function fmt(x: number, digits: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
