import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, type TopLevelSpec } from 'vega-lite';
import { paretoOptimal, renderCharts } from '../../src/report/charts/charts.js';
import { renderReportHtml } from '../../src/report/html.js';
import type { ReportInput, StrategyReport } from '../../src/report/report-input.js';

const est = (mean: number, halfWidth = NaN) => ({ mean, halfWidth });

/** Three strategies over 2 h at 10 s with a spike at 1 h; synthetic but shaped like a run. */
function input(drop: string[] = []): ReportInput {
  const columns = ['t_s', 'arrivals_rps', 'capacity_rps', 'p50_ms', 'p99_ms', 'pods_desired', 'pods_ready', 'pods_pending', 'nodes_ready', 'errors_timeout', 'errors_rejected', 'errors_pod_terminated', 'cost_cumulative_usd'].filter((c) => !drop.includes(c));
  const strategy = (name: string, pods: number, costUsd: number, p99: number): StrategyReport => {
    const rows: number[][] = [];
    for (let i = 1; i <= 720; i++) {
      const spike = i > 360 && i < 400;
      const values: Record<string, number> = {
        t_s: i * 10, arrivals_rps: spike ? 500 : 50, capacity_rps: pods * 40, p50_ms: 20, p99_ms: spike ? p99 * 5 : p99,
        pods_desired: pods, pods_ready: pods, pods_pending: spike ? 2 : 0, nodes_ready: Math.ceil(pods / 3),
        errors_timeout: spike ? 7 : 0, errors_rejected: spike ? 3 : 0, errors_pod_terminated: 0, cost_cumulative_usd: (costUsd * i) / 720,
      };
      rows.push(columns.map((c) => values[c]));
    }
    return {
      name, timeseries: { columns, rows },
      decisions: [{ t_s: 3610, controller: `hpa/${name}`, from: pods, to: pods * 2, reason: 'ScaleUpLimit', message: 'cpu 142% of target 50% → 12' }],
      timeline: ['01:00:00  traffic spike ×10'], headline: { p99Ms: est(p99, 12), errorRate: est(0.01), costUsd: est(costUsd, 0.1), lostRevenueUsd: est(100) },
      slo: [{ name: 'p99 < 500 ms over the run', met: p99 < 500, detail: '' }], meetsSlo: p99 < 500,
    };
  };
  return {
    scenario: { name: 'demo', description: 'x < y & "z"', document: { name: 'demo' }, clockStart: '13:00', annotations: [{ t_s: 3600, label: 'traffic spike ×10' }] },
    slo: { latency: [{ percentile: 'p99', thresholdMs: 500 }] },
    strategies: [strategy('fast', 12, 9, 120), strategy('balanced', 8, 5, 300), strategy('cheap', 4, 2, 900)],
    recommended: 'balanced',
  };
}

describe('charts', () => {
  it('renders every chart to a non-empty SVG carrying its title', async () => {
    const charts = await renderCharts(input());
    expect(charts.map((c) => c.file)).toEqual(['traffic-capacity.svg', 'latency.svg', 'pods-nodes.svg', 'errors.svg', 'cost.svg', 'comparison.svg', 'frontier.svg']);
    for (const c of charts) {
      expect(c.svg.startsWith('<svg')).toBe(true);
      expect(c.svg.length).toBeGreaterThan(2000);
      // vega escapes text: compare against the escaped title
      expect(c.svg).toContain(c.title.replace(/&/g, '&amp;'));
      expect(c.svg).toMatch(/<path|<line|<rect/);
    }
  });

  it('every Vega-Lite template (*.vl.json) compiles without warnings', () => {
    const warnings: string[] = [];
    const logger = { level: () => logger, warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger), info: () => logger, debug: () => logger, error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger) };
    const dir = 'src/report/charts';
    const files = readdirSync(dir).filter((f) => f.endsWith('.vl.json'));
    expect(files).toHaveLength(7);
    for (const file of files) {
      const spec = JSON.parse(readFileSync(join(dir, file), 'utf8').replaceAll('"CLOCK"', '"datum.value"'));
      const datasets = { series: [], arrivals: [], annotations: [], slo: [], headline: [] };
      expect(compile({ ...spec, datasets } as TopLevelSpec, { logger: logger as never }).spec).toBeTruthy();
    }
    expect(warnings).toEqual([]);
  });

  it('is deterministic and gives each strategy the same colour in every chart', async () => {
    const a = await renderCharts(input());
    const b = await renderCharts(input());
    expect(a.map((c) => c.svg)).toEqual(b.map((c) => c.svg));
    const scales = a.flatMap((c) => JSON.stringify(c.vegaSpec).match(/"domain":\["fast","balanced","cheap"\],"range":\[[^\]]*\]/g) ?? []);
    expect(scales.length).toBeGreaterThanOrEqual(5);
    expect(new Set(scales).size).toBe(1);
  });

  it('puts exactly the non-dominated strategies on the cost/p99 frontier', () => {
    const points = [
      { strategy: 'fast', cost: 9, p99: 120 },
      { strategy: 'balanced', cost: 5, p99: 300 },
      { strategy: 'cheap', cost: 2, p99: 900 },
      { strategy: 'wasteful', cost: 9.5, p99: 350 }, // dominated by balanced (cheaper and faster)
      { strategy: 'tie', cost: 5, p99: 310 }, // dominated by balanced (same cost, slower)
    ];
    expect(paretoOptimal(points)).toEqual(['fast', 'balanced', 'cheap']);
  });

  it('skips missing columns without failing', async () => {
    const charts = await renderCharts(input(['nodes_ready', 'capacity_rps', 'cost_cumulative_usd', 'errors_pod_terminated']));
    expect(charts).toHaveLength(7);
  });
});

describe('report.html', () => {
  it('is self-contained: no network references, text escaped', async () => {
    const data = input();
    const html = renderReportHtml(data, await renderCharts(data));
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain('x &lt; y &amp; &quot;z&quot;');
    expect(html).toContain('Recommended: <strong>balanced</strong>');
    expect(html.match(/<figure class="chart"/g)).toHaveLength(7);
    // nothing inside the inline scripts closes them early
    const scripts = html.split('<script>').slice(1).map((s) => s.slice(0, s.indexOf('</script>')));
    for (const s of scripts) expect(s).not.toMatch(/<\/script/i);
  });
});
