import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, type TopLevelSpec } from 'vega-lite';
import { buildChartSpecs, paretoOptimal, renderCharts, STRATEGY_PALETTE, type Chart } from '../../src/report/charts/charts.js';
import { withTimeInteraction } from '../../src/report/charts/interaction.js';
import { renderReportHtml } from '../../src/report/html.js';
import type { ReportInput } from '../../src/report/report-input.js';
import { buildReportInput, PIPELINE_LAG_S, SPIKE_T_S } from './fixture.js';

const ALL_FILES = [
  'traffic-capacity.svg',
  'latency.svg',
  'pods-nodes.svg',
  'autoscaler-web.svg',
  'cluster-autoscaler.svg',
  'errors.svg',
  'database.svg',
  'cost.svg',
  'comparison.svg',
  'frontier.svg',
];
/** One template per chart; the autoscaler's is drawn once per autoscaled service. */
const TEMPLATES = ALL_FILES.map((f) => f.replace('autoscaler-web', 'autoscaler').replace('.svg', '.vl.json'));

/** A vega-lite logger that records every warning and error. */
function recordingLogger(messages: string[]) {
  const logger = {
    level: () => logger,
    info: () => logger,
    debug: () => logger,
    warn: (...m: unknown[]) => (messages.push(`warn: ${m.join(' ')}`), logger),
    error: (...m: unknown[]) => (messages.push(`error: ${m.join(' ')}`), logger),
  };
  return logger;
}

/** Every `data` entry of a compiled Vega spec, by name. */
function vegaData(chart: Chart): Map<string, Record<string, unknown>[]> {
  const data = (chart.vegaSpec as { data?: { name: string; values?: Record<string, unknown>[] }[] }).data ?? [];
  return new Map(data.filter((d) => d.values).map((d) => [d.name, d.values!]));
}

/** Every scale of a compiled Vega spec, nested ones (facets, concatenations) included. */
function vegaScales(node: unknown, out: { domain?: unknown; range?: unknown }[] = []): { domain?: unknown; range?: unknown }[] {
  if (Array.isArray(node)) for (const child of node) vegaScales(child, out);
  else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.scales)) out.push(...(record.scales as { domain?: unknown; range?: unknown }[]));
    for (const [key, value] of Object.entries(record)) if (key !== 'scales' && key !== 'data') vegaScales(value, out);
  }
  return out;
}

function svgEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const threeStrategies = buildReportInput();
const rendered = renderCharts(threeStrategies);

describe('chart specs', () => {
  it('every Vega-Lite template (*.vl.json) compiles on its own, without warnings or errors', () => {
    const dir = 'src/report/charts';
    const files = readdirSync(dir).filter((f) => f.endsWith('.vl.json'));
    // The fixture has no sharded database and no cache, so its charts leave out shards.svg and cache.svg.
    expect(files.sort()).toEqual([...TEMPLATES, 'shards.vl.json', 'cache.vl.json'].sort());
    const messages: string[] = [];
    for (const file of files) {
      const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TopLevelSpec;
      expect(compile(spec, { logger: recordingLogger(messages) as never }).spec, file).toBeTruthy();
    }
    expect(messages).toEqual([]);
  });

  it('every chart spec, with its data injected, compiles without warnings or errors, and so does its live form', () => {
    const specs = buildChartSpecs(threeStrategies);
    expect(specs.map((s) => `${s.name}.svg`)).toEqual(ALL_FILES);
    const messages: string[] = [];
    for (const { spec, time } of specs) {
      compile(spec, { logger: recordingLogger(messages) as never });
      if (time) compile(withTimeInteraction(spec), { logger: recordingLogger(messages) as never });
    }
    expect(messages).toEqual([]);
  });
});

describe('renderCharts', () => {
  it('renders every chart to a non-empty SVG that carries its title', async () => {
    const charts = await rendered;
    expect(charts.map((c) => c.file)).toEqual(ALL_FILES);
    for (const c of charts) {
      expect(c.svg.startsWith('<svg'), c.file).toBe(true);
      expect(c.svg.length, c.file).toBeGreaterThan(5000);
      expect(c.title.length, c.file).toBeGreaterThan(5);
      expect(c.svg, c.file).toContain(`>${svgEscape(c.title)}<`);
      expect(c.svg, c.file).toMatch(/class="mark-(line|area|rect|symbol)[^"]*role-mark/);
      expect(c.svg, `${c.file}: times are clock times, not dates`).not.toContain('1970');
    }
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    const a = await rendered;
    const b = await renderCharts(buildReportInput());
    expect(b.map((c) => c.svg)).toEqual(a.map((c) => c.svg));
    expect(b.map((c) => JSON.stringify(c.vegaSpec))).toEqual(a.map((c) => JSON.stringify(c.vegaSpec)));
  });

  it('gives each strategy the same colour in every chart, by its rank', async () => {
    const charts = await rendered;
    const names = threeStrategies.strategies.map((s) => s.name);
    const expected = new Map(names.map((n, i) => [n, STRATEGY_PALETTE[i]]));
    const seen = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
    for (const c of charts) {
      // Scales on strategy (lines, bars, points) …
      const scales = vegaScales(c.vegaSpec).filter((s) => JSON.stringify(s.domain) === JSON.stringify(names));
      for (const s of scales) if (Array.isArray(s.range) && s.range.every((x) => typeof x === 'string' && x.startsWith('#'))) (s.range as string[]).forEach((colour, i) => seen.get(names[i])!.add(colour));
      // … and the facet headers of the small multiples, as drawn.
      for (const name of names) {
        const header = new RegExp(`font-weight="bold" fill="(#[0-9a-f]{6})"[^>]*>${name}</text>`).exec(c.svg);
        if (header) seen.get(name)!.add(header[1]);
      }
      // Every chart shows every strategy in its colour somewhere.
      for (const [name, colour] of expected) expect(c.svg, `${c.file}: ${name}`).toContain(`"${colour}"`);
    }
    for (const [name, colours] of seen) expect([...colours], name).toEqual([expected.get(name)]);
  });

  it('puts exactly the non-dominated strategies on the cost/p99 frontier', async () => {
    const input = buildReportInput({ strategies: 6, hours: 1 });
    const figures: [string, number, number][] = [
      ['cheap', 2, 900],
      ['balanced', 5, 300],
      ['fast', 9, 120],
      ['wasteful', 9.5, 350], // balanced is cheaper and faster
      ['tie', 5, 310], // as cheap as balanced, slower
      ['broken', 1, NaN], // no p99 (nothing succeeded): not on the frontier, not drawn
    ];
    input.strategies.forEach((s, i) => {
      s.name = figures[i][0];
      s.headline.costUsd = { mean: figures[i][1], halfWidth: NaN };
      s.headline.p99Ms = { mean: figures[i][2], halfWidth: NaN };
    });
    const points = figures.map(([strategy, cost, p99]) => ({ strategy, cost, p99 }));
    expect(paretoOptimal(points)).toEqual(['cheap', 'balanced', 'fast']);

    const frontier = (await renderCharts(input)).find((c) => c.file === 'frontier.svg')!;
    const rows = [...vegaData(frontier).values()].flat().filter((r) => 'pareto' in r);
    expect(rows.filter((r) => r.pareto).map((r) => r.strategy)).toEqual(['cheap', 'balanced', 'fast']);
    expect(rows.map((r) => r.strategy).sort()).toEqual(['balanced', 'cheap', 'fast', 'tie', 'wasteful']);
    for (const name of ['cheap', 'balanced', 'fast', 'tie', 'wasteful']) expect(frontier.svg).toContain(`>${name}</text>`);
  });

  it('downsamples a day at 10 s to at most 1,000 points per series, keeping the spike, and every interval around it', async () => {
    const charts = await rendered;
    const latency = [...vegaData(charts.find((c) => c.file === 'latency.svg')!).values()].flat().filter((r) => 'p99_ms' in r);
    // From 5 minutes before the flash sale to 20 after it, every 10 s interval is a point of its own.
    const sale = (Date.UTC(1970, 0, 1, 6) + SPIKE_T_S * 1000) as number;
    const aroundSale = (r: Record<string, unknown>) => (r.t as number) >= sale - 300_000 && (r.t as number) < sale + 1_200_000;
    for (const s of threeStrategies.strategies) {
      const points = latency.filter((r) => r.strategy === s.name);
      expect(s.timeseries.rows.length).toBe(8640);
      expect(points.length).toBeGreaterThan(500);
      expect(points.filter((r) => !aroundSale(r)).length).toBeLessThanOrEqual(1000);
      expect(points.filter(aroundSale).map((r) => r.t)).toEqual(Array.from({ length: 150 }, (_, i) => sale - 300_000 + i * 10_000));
      const p99 = s.timeseries.columns.indexOf('p99_ms');
      const rawMax = Math.max(...s.timeseries.rows.map((r) => r[p99]).filter(Number.isFinite));
      const chartMax = Math.max(...points.map((r) => r.p99_ms as number));
      expect(chartMax).toBeCloseTo(rawMax, 0);
    }
  });

  it('skips missing columns and charts without data, without throwing', async () => {
    const dropped = await renderCharts(buildReportInput({ hours: 2, drop: ['capacity_rps', 'nodes_ready', 'p95_ms', 'errors_pod_terminated', 'cost_cumulative_usd'] }));
    // Cumulative cost falls back on cost_usd; without nodes there is no cluster autoscaler to show.
    expect(dropped.map((c) => c.file)).toEqual(ALL_FILES.filter((f) => f !== 'cluster-autoscaler.svg'));

    const noCost = await renderCharts(buildReportInput({ hours: 2, drop: ['cost_usd', 'cost_cumulative_usd', 'errors_timeout', 'errors_rejected', 'errors_pod_terminated'] }));
    expect(noCost.map((c) => c.file)).toEqual(ALL_FILES.filter((f) => f !== 'cost.svg' && f !== 'errors.svg'));

    const onlyTime = buildReportInput({ hours: 1 });
    for (const s of onlyTime.strategies) s.timeseries = { columns: ['t_s'], rows: s.timeseries.rows.map((r) => [r[0]]) };
    for (const s of onlyTime.strategies) s.decisions = [];
    expect((await renderCharts(onlyTime)).map((c) => c.file)).toEqual(['comparison.svg', 'frontier.svg']);

    const empty = buildReportInput({ hours: 1 });
    empty.strategies[0].timeseries = { columns: [], rows: [] };
    empty.strategies[1].timeseries = { columns: ['p99_ms'], rows: [[5]] }; // no t_s
    empty.scenario.clockStart = 'not a time';
    empty.scenario.annotations.push({ t_s: NaN, label: 'broken' });
    expect((await renderCharts(empty)).length).toBe(ALL_FILES.length);

    const none: ReportInput = { ...buildReportInput({ hours: 1 }), strategies: [], recommended: undefined };
    expect(await renderCharts(none)).toEqual([]);
  });

  it('draws the database chart only when the run has a database: connections against max_connections, CPU, proxy connections with a proxy', async () => {
    const charts = await renderCharts(buildReportInput({ hours: 9 }));
    const chart = charts.find((c) => c.file === 'database.svg')!;
    const rows = vegaData(chart).get('database')!;
    const seriesOf = (strategy: string) => [...new Set(rows.filter((r) => r.strategy === strategy && r.series !== undefined).map((r) => r.series))];
    expect(seriesOf('hpa-cpu-50')).toEqual(['connections', 'max_connections', 'CPU (%)']);
    expect(seriesOf('headroom-nodes')).toEqual(['connections', 'max_connections', 'proxy → database connections', 'CPU (%)']);
    // Without a proxy the flash sale's pods fill the database to its limit; the CPU saturates.
    const hpa = rows.filter((r) => r.strategy === 'hpa-cpu-50');
    expect(Math.max(...hpa.filter((r) => r.series === 'connections').map((r) => r.connections as number))).toBe(400);
    expect(hpa.filter((r) => r.series === 'max_connections').every((r) => r.connections === 400 && r.kind === 'limit')).toBe(true);
    expect(Math.max(...hpa.filter((r) => r.series === 'CPU (%)').map((r) => r.cpu_pct as number))).toBeGreaterThan(90);
    expect(chart.svg).toContain('max_connections');
    expect(chart.svg).toContain('>CPU (%)</text>');
    expect(chart.svg).toMatch(/class="mark-line role-mark/);

    const without = await renderCharts(buildReportInput({ hours: 2, drop: ['db_cpu_pct', 'db_connections', 'db_max_connections', 'proxy_db_connections'] }));
    expect(without.map((c) => c.file)).toEqual(ALL_FILES.filter((f) => f !== 'database.svg'));
  });

  it('draws the cache chart only when the run has a cache: its hit ratio (mean per bucket) and the database CPU', async () => {
    const input = buildReportInput({ hours: 24 });
    for (const s of input.strategies) {
      s.timeseries.columns.push('cache_hit_ratio');
      s.timeseries.rows.forEach((row, i) => row.push(i % 2 === 0 ? 0.8 : 0.6));
    }
    const chart = (await renderCharts(input)).find((c) => c.file === 'cache.svg')!;
    const rows = vegaData(chart).get('cache')!;
    expect([...new Set(rows.filter((r) => r.series !== undefined).map((r) => r.series))]).toEqual(['hit ratio', 'database CPU (%)']);
    // A day in 10 s rows is bucketed: buckets average the ratio, where 0.8 and 0.6 alternate.
    const ratios = rows.filter((r) => r.hit_ratio !== undefined).map((r) => r.hit_ratio as number);
    // (Around traffic events the rows stay whole, so 0.8 and 0.6 appear there as they are.)
    expect(ratios.some((r) => Math.abs(r - 0.7) < 1e-9)).toBe(true);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(0.8);
    expect(chart.svg).toContain('hit ratio');
    expect((await renderCharts(buildReportInput({ hours: 2 }))).map((c) => c.file)).not.toContain('cache.svg');
  });

  it("draws what each HPA read against the true value, lagging it by the metrics pipeline's lag, with the replicas and decisions", async () => {
    const charts = await rendered;
    const chart = charts.find((c) => c.file === 'autoscaler-web.svg')!;
    expect(chart.title).toBe('What hpa/web read, and what it did');
    const rows = vegaData(chart).get('autoscaler')!;
    const autoscaled = threeStrategies.strategies.filter((s) => s.autoscalers).map((s) => s.name);
    expect(autoscaled.length).toBe(2);
    expect(new Set(rows.map((r) => r.strategy))).toEqual(new Set(autoscaled));
    const sale = Date.UTC(1970, 0, 1, 6) + SPIKE_T_S * 1000;
    for (const name of autoscaled) {
      // When the flash sale saturates the pods, the true CPU passes 100% of request; the HPA reads it PIPELINE_LAG_S later.
      const first = (key: string) => rows.find((r) => r.strategy === name && r.w === 1 && (r.t as number) >= sale && (r[key] as number) >= 100)!.t as number;
      expect(first('read') - first('true'), name).toBe(PIPELINE_LAG_S * 1000);
      // Its decisions, on the replicas panel, with their reasons.
      const decisions = rows.filter((r) => r.strategy === name && r.decision !== undefined);
      expect(decisions.length, name).toBeGreaterThan(0);
      expect(decisions.every((d) => d.panel === 'replicas' && d.controller === 'hpa/web' && typeof d.reason === 'string'), name).toBe(true);
    }
    for (const text of ['what the HPA read', 'replicas', 'read by the HPA', 'true value', 'target', 'desired', 'ready', 'cpu (% of request)', 'CPU limit: 200% of request'])
      expect(chart.svg, text).toContain(`>${text}</text>`);
  });

  it('gives each strategy its own y scale where one dwarfs another, and says so', async () => {
    const subtitle = (spec: unknown) => [(spec as { title: { subtitle: string | string[] } }).title.subtitle].flat().join(' ');
    const shared = buildChartSpecs(threeStrategies).find((c) => c.name === 'pods-nodes')!.spec as unknown as Record<string, unknown>;
    expect(shared.resolve).toBeUndefined();
    expect(subtitle(shared)).not.toContain('own y scale');
    // One strategy ten times bigger: 0–800 pods would flatten the 80-pod ones.
    const input = buildReportInput({ hours: 2 });
    const big = input.strategies[0].timeseries;
    for (const c of ['pods_desired', 'pods_ready', 'pods_pending', 'nodes_ready']) for (const row of big.rows) row[big.columns.indexOf(c)] *= 10;
    const own = buildChartSpecs(input).find((c) => c.name === 'pods-nodes')!.spec as unknown as Record<string, unknown>;
    expect(own.resolve).toEqual({ scale: { y: 'independent' } });
    expect(subtitle(own)).toContain('Each strategy has its own y scale: their peaks differ more than 5×.');
  });

  it('draws one arrivals area when all strategies saw the same traffic, one line each when not', async () => {
    const arrivalsData = async (input: ReportInput) => vegaData((await renderCharts(input)).find((c) => c.file === 'traffic-capacity.svg')!);
    const same = await arrivalsData(buildReportInput({ hours: 1 }));
    expect(same.get('arrivals')?.length).toBe(360);
    expect([...same.values()].flat().filter((r) => 'strategy' in r && 'arrivals_rps' in r)).toEqual([]);

    const input = buildReportInput({ hours: 1 });
    const s = input.strategies[1];
    const a = s.timeseries.columns.indexOf('arrivals_rps');
    for (const row of s.timeseries.rows) row[a] *= 1.1; // retries
    const differ = await arrivalsData(input);
    expect([...differ.values()].flat().some((r) => 'strategy' in r === false && 'arrivals_rps' in r)).toBe(false);
    const perStrategy = [...differ.values()].flat().filter((r) => 'strategy' in r && 'arrivals_rps' in r);
    expect(new Set(perStrategy.map((r) => r.strategy))).toEqual(new Set(input.strategies.map((x) => x.name)));
  });

  it('turns NaN and infinite values into nulls', async () => {
    const input = buildReportInput({ hours: 1 });
    const s = input.strategies[0];
    const p99 = s.timeseries.columns.indexOf('p99_ms');
    s.timeseries.rows.forEach((r, i) => (r[p99] = i % 3 === 0 ? NaN : i % 3 === 1 ? Infinity : r[p99]));
    s.headline.errorRate = { mean: NaN, halfWidth: NaN };
    const charts = await renderCharts(input);
    const numbers: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'number') numbers.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    };
    for (const c of charts) for (const values of vegaData(c).values()) walk(values);
    expect(numbers.length).toBeGreaterThan(1000);
    expect(numbers.every(Number.isFinite)).toBe(true);
  });
});

describe('renderReportHtml', () => {
  const page = rendered.then((charts) => ({ charts, html: renderReportHtml(threeStrategies, charts) }));

  it('references nothing on the network: no src/href to a URL, no @import, no url() to a URL', async () => {
    const { html } = await page;
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(?:[a-z]+:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
  });

  it('inlines vega, and every chart both as SVG and as its live spec', async () => {
    const { html, charts } = await page;
    expect(html).toContain(readFileSync('node_modules/vega/build/vega.min.js', 'utf8').slice(0, 2000));
    const figures = html.split('<figure class="chart"').slice(1);
    expect(figures).toHaveLength(charts.length);
    figures.forEach((f, i) => expect(f.slice(0, f.indexOf('</figure>'))).toContain(charts[i].svg));
    const island = /<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(JSON.parse(island)).toEqual(charts.map((c) => c.vegaSpec));
  });

  it('escapes text: nothing a scenario says can close a script or open a comment', async () => {
    const { html } = await page;
    expect(html).toContain('A day of shopping with a &lt;b&gt;&quot;flash sale&quot;&lt;/b&gt; at 14:00 &amp; its aftermath');
    expect(html).toContain('text that must stay text: &lt;/script&gt;&lt;!-- &amp; &lt;b&gt;');
    expect(html).toContain('0.740% &lt;failed&gt;');
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('<!--');
    // The hostile decision message survives the trip through the JSON island intact.
    expect(html).toContain('\\u003c/script\\u003e\\u003c!-- capped');
  });

  it('has the sections in order: verdict and ranking, charts, strategies, scenario', async () => {
    const { html } = await page;
    const at = (s: string) => {
      const i = html.indexOf(s);
      expect(i, s).toBeGreaterThan(0);
      return i;
    };
    const order = ['id="verdict"', '<table class="ranking">', 'id="charts"', 'id="strategies"', '<details>', 'id="scenario"', '<pre class="document">'].map(at);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const [best, second, third] = threeStrategies.strategies.map((s) => s.name);
    expect(html).toContain(`Recommended: <strong>${best}</strong>`);
    expect(html).toMatch(new RegExp(`Meeting every SLO \\(2 of 3\\):.*${best}.*${second}\\.`));
    expect(html).toContain(`${third}<span class="badge miss">misses 2 of 2 SLOs</span>`);
    expect(html).toContain('✘ p99 &lt; 500 ms over the run — missed by');
    expect(html).toContain('<summary>Decision timeline (41 lines)</summary>');
  });

  it('shows ± confidence half-widths only where they are positive and finite', async () => {
    const { html } = await page;
    const table = html.slice(html.indexOf('<table class="ranking">'), html.indexOf('</table>'));
    const hpa = threeStrategies.strategies[0];
    expect(table).toContain(`${hpa.headline.costUsd.mean.toFixed(2)} ± ${hpa.headline.costUsd.halfWidth.toFixed(2)}`);
    expect(table.match(/ ± /g)).toHaveLength(3 * 4);

    const single = buildReportInput({ hours: 1, replications: 1 });
    single.strategies[0].headline.p99Ms.halfWidth = 0;
    const html1 = renderReportHtml(single, []);
    expect(html1.slice(html1.indexOf('<table'), html1.indexOf('</table>'))).not.toContain('±');
  });

  it('stays under 5 MB for 7 strategies over 24 h', async () => {
    const input = buildReportInput({ strategies: 7 });
    const html = renderReportHtml(input, await renderCharts(input));
    expect(Buffer.byteLength(html)).toBeLessThan(5e6);
  });
});
