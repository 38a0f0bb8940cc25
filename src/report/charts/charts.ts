import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import type { ReportInput, StrategyReport } from '../report-input.js';
import trafficCapacity from './traffic-capacity.vl.json' with { type: 'json' };
import latency from './latency.vl.json' with { type: 'json' };
import podsNodes from './pods-nodes.vl.json' with { type: 'json' };
import errors from './errors.vl.json' with { type: 'json' };
import cost from './cost.vl.json' with { type: 'json' };
import comparison from './comparison.vl.json' with { type: 'json' };
import frontier from './frontier.vl.json' with { type: 'json' };

export interface Chart {
  /** File name under charts/, e.g. "latency.svg". */
  file: string;
  title: string;
  svg: string;
  /** The compiled Vega spec with its data inlined, for the live view in report.html. */
  vegaSpec: object;
}

/** The charts, in report order, as Vega-Lite templates (data is injected as named datasets). */
const TEMPLATES: [name: string, template: object, series: readonly string[]][] = [
  ['traffic-capacity', trafficCapacity, ['capacity_rps']],
  ['latency', latency, ['p99_ms', 'p50_ms']],
  ['pods-nodes', podsNodes, ['pods_desired', 'pods_ready', 'pods_pending', 'nodes_ready', 'decision']],
  ['errors', errors, ['errors_timeout', 'errors_rejected', 'errors_pod_terminated']],
  ['cost', cost, ['cost_cumulative_usd']],
  ['comparison', comparison, []],
  ['frontier', frontier, []],
];

/** One colour per strategy in every chart (Tableau 10, then a second set). */
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#1b9e77', '#d95f02', '#7570b3', '#e7298a'];
/** At most this many points per series and strategy: a day at 10 s is 8,640 rows. */
const MAX_POINTS = 480;
const MAX_DECISIONS = 400;
/** Columns averaged over a bucket; all others keep the bucket's maximum so spikes stay visible. */
const MEAN_COLUMNS = new Set(['arrivals_rps']);
const LAST_COLUMNS = new Set(['cost_cumulative_usd']);
const SERIES_COLUMNS = ['capacity_rps', 'p50_ms', 'p99_ms', 'pods_desired', 'pods_ready', 'pods_pending', 'nodes_ready', 'errors_timeout', 'errors_rejected', 'errors_pod_terminated', 'cost_cumulative_usd'];

/** Renders every chart to SVG (vega in Node, no browser). Deterministic: same input, same bytes. */
export async function renderCharts(input: ReportInput): Promise<Chart[]> {
  const datasets = buildDatasets(input);
  const names = input.strategies.map((s) => s.name);
  const clockExpr = "format(floor(datum.value % 24), '02d') + ':' + format(floor((datum.value * 60) % 60), '02d')";
  const charts: Chart[] = [];
  for (const [name, template, wanted] of TEMPLATES) {
    const text = JSON.stringify(template);
    const used = Object.keys(datasets).filter((d) => text.includes(`"name":"${d}"`));
    // Each chart carries only its own series: report.html inlines every chart's data.
    const chartData = { ...datasets, series: datasets.series.filter((row) => wanted.includes(row.series)) };
    const spec = JSON.parse(text.replaceAll('"CLOCK"', JSON.stringify(clockExpr))) as Record<string, unknown>;
    colourStrategies(spec, names);
    spec.$schema = 'https://vega.github.io/schema/vega-lite/v6.json';
    spec.datasets = Object.fromEntries(used.map((d) => [d, chartData[d as keyof typeof chartData]]));
    spec.config = { font: 'Helvetica, Arial, sans-serif', title: { fontSize: 14, anchor: 'start' }, view: { stroke: null }, legend: { labelLimit: 280 } };
    const vegaSpec = compile(spec as unknown as TopLevelSpec).spec;
    const view = new View(parse(vegaSpec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    charts.push({ file: `${name}.svg`, title: String(spec.title), svg, vegaSpec });
  }
  return charts;
}

/** Fixes the strategy → colour mapping in every encoding that colours by strategy. */
function colourStrategies(node: unknown, names: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) colourStrategies(child, names);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const color = record.color as Record<string, unknown> | undefined;
  if (color && color.field === 'strategy') color.scale = { domain: names, range: names.map((_, i) => PALETTE[i % PALETTE.length]) };
  for (const value of Object.values(record)) colourStrategies(value, names);
}

interface SeriesRow {
  strategy: string;
  t_h: number;
  series: string;
  value: number | null;
  clock?: string;
  controller?: string;
  change?: string;
  reason?: string;
  message?: string;
}

function buildDatasets(input: ReportInput) {
  const startH = clockHours(input.scenario.clockStart);
  const series: SeriesRow[] = [];
  for (const s of input.strategies) series.push(...strategySeries(s, startH));
  const first = input.strategies[0];
  const arrivals = first ? downsample(first, 'arrivals_rps', startH).map(({ t_h, value }) => ({ t_h, value })) : [];
  // Labels on successive lines so that close events do not overprint.
  const annotations = input.scenario.annotations.map((a, i) => ({ t_h: round(startH + a.t_s / 3600), label: a.label, y_px: 2 + 13 * i }));
  const slo = (input.slo?.latency ?? []).map((l) => ({ value: l.thresholdMs, label: `SLO ${l.percentile} < ${l.thresholdMs} ms` }));
  const headline = input.strategies.flatMap((s) => {
    const figure = (name: string, e: { mean: number; halfWidth: number }, scale = 1) => ({
      strategy: s.name,
      figure: name,
      mean: finite(e.mean * scale),
      halfWidth: finite(e.halfWidth * scale),
      low: Number.isFinite(e.halfWidth) ? finite((e.mean - e.halfWidth) * scale) : null,
      high: Number.isFinite(e.halfWidth) ? finite((e.mean + e.halfWidth) * scale) : null,
    });
    return [figure('p99 (ms)', s.headline.p99Ms), figure('error rate (%)', s.headline.errorRate, 100), figure('cost (USD)', s.headline.costUsd)];
  });
  const points = input.strategies.map((s) => ({ strategy: s.name, cost: s.headline.costUsd.mean, p99: s.headline.p99Ms.mean }));
  const frontier = new Set(paretoOptimal(points));
  const frontierData = points.map((p) => ({ ...p, pareto: frontier.has(p.strategy), frontier: frontier.has(p.strategy) ? 'Pareto-optimal' : 'dominated' }));
  return { series, arrivals, annotations, slo, headline: headline.concat(frontierData as never[]) as object[] };
}

/** Strategies on the Pareto frontier of (cost, p99): no other is at least as good in both and better in one. */
export function paretoOptimal(points: readonly { strategy: string; cost: number; p99: number }[]): string[] {
  return points.filter((p) => !points.some((q) => q !== p && q.cost <= p.cost && q.p99 <= p.p99 && (q.cost < p.cost || q.p99 < p.p99))).map((p) => p.strategy);
}

function strategySeries(s: StrategyReport, startH: number): SeriesRow[] {
  const rows: SeriesRow[] = [];
  for (const column of SERIES_COLUMNS) for (const point of downsample(s, column, startH)) rows.push({ strategy: s.name, series: column, ...point });
  const rescales = s.decisions.filter((d) => d.from !== d.to);
  const others = s.decisions.filter((d) => d.from === d.to);
  for (const d of [...rescales, ...others].slice(0, MAX_DECISIONS)) {
    const t = startH + d.t_s / 3600;
    rows.push({
      strategy: s.name,
      t_h: round(t),
      series: 'decision',
      value: d.to,
      clock: `${String(Math.floor(t % 24)).padStart(2, '0')}:${String(Math.floor((t * 60) % 60)).padStart(2, '0')}:${String(Math.floor((t * 3600) % 60)).padStart(2, '0')}`,
      controller: d.controller,
      change: `${d.from} → ${d.to}`,
      reason: d.reason,
      message: d.message,
    });
  }
  return rows;
}

/** Bucketed copy of one column: ≤ MAX_POINTS points, max (or mean, or last) per bucket. */
function downsample(s: StrategyReport, column: string, startH: number): { t_h: number; value: number | null }[] {
  const { columns, rows } = s.timeseries;
  const c = columns.indexOf(column);
  const t = columns.indexOf('t_s');
  if (c < 0 || t < 0 || rows.length === 0) return [];
  const width = rows.length > 1 ? rows[1][t] - rows[0][t] : rows[0][t];
  const size = Math.ceil(rows.length / MAX_POINTS);
  const out: { t_h: number; value: number | null }[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const bucket = rows.slice(i, i + size).map((r) => r[c]).filter((v) => Number.isFinite(v));
    let value: number | null = null;
    if (bucket.length > 0) {
      if (MEAN_COLUMNS.has(column)) value = bucket.reduce((a, b) => a + b, 0) / bucket.length;
      else if (LAST_COLUMNS.has(column)) value = bucket[bucket.length - 1];
      else value = Math.max(...bucket);
    }
    out.push({ t_h: round(startH + (rows[i][t] - width) / 3600), value: value === null ? null : Number(value.toPrecision(5)) });
  }
  return out;
}

function clockHours(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h + m / 60;
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
