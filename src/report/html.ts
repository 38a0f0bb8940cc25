import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import type { Chart } from './charts/charts.js';
import type { Estimate, ReportInput } from './report-input.js';

/**
 * report.html: one offline file. vega's runtime and every chart's compiled spec (data
 * included) are inlined, so the charts are live (hover a decision mark for its reason)
 * without a network; the same charts are also written as SVG files beside it.
 */
export function renderReportHtml(input: ReportInput, charts: readonly Chart[]): string {
  const vega = readFileSync(join(dirname(createRequire(import.meta.url).resolve('vega')), 'vega.min.js'), 'utf8');
  const recommended = input.recommended;
  const meeting = input.strategies.filter((s) => s.meetsSlo).map((s) => s.name);
  const hasSlo = input.strategies.some((s) => s.slo.length > 0);
  const verdict = !hasSlo
    ? 'The scenario has no SLOs: strategies are ranked by cost, then p99.'
    : recommended
      ? `Recommended: <strong>${esc(recommended)}</strong> — it meets every SLO at the lowest cost. Meeting every SLO: ${meeting.map(esc).join(', ')}.`
      : 'No strategy meets every SLO. Strategies are ranked by cost; see below how far each missed.';

  const rows = input.strategies
    .map(
      (s, i) => `<tr${s.name === recommended ? ' class="recommended"' : ''}><td>${i + 1}</td><td>${esc(s.name)}${s.name === recommended ? ' ◀' : ''}</td><td>${
        hasSlo ? (s.meetsSlo ? '<span class="ok">met</span>' : `<span class="miss">missed ${s.slo.filter((x) => !x.met).length}/${s.slo.length}</span>`) : '–'
      }</td><td>${estimate(s.headline.p99Ms, 0)}</td><td>${estimate(s.headline.errorRate, 2, 100)}</td><td>${estimate(s.headline.costUsd, 2)}</td><td>${estimate(s.headline.lostRevenueUsd, 0)}</td></tr>`,
    )
    .join('\n');

  const chartBlocks = charts.map((c, i) => `<figure class="chart" id="chart-${i}" data-title="${esc(c.title)}"><noscript>Charts need JavaScript; they are also in charts/${esc(c.file)}.</noscript></figure>`).join('\n');
  const specs = JSON.stringify(charts.map((c) => c.vegaSpec));
  const strategies = input.strategies
    .map(
      (s) => `<section class="strategy"><h3>${esc(s.name)}</h3>
<ul class="slo">${s.slo.map((x) => `<li class="${x.met ? 'ok' : 'miss'}">${x.met ? '✔' : '✘'} ${esc(x.name)}${x.detail ? ` — ${esc(x.detail)}` : ''}</li>`).join('')}</ul>
<details><summary>Timeline (${s.timeline.length} events)</summary><pre>${esc(s.timeline.join('\n'))}</pre></details></section>`,
    )
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.scenario.name)} — scalesim report</title>
<style>
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } .description { color: #555; margin-top: 0; }
.verdict { background: #f3f7fb; border-left: 4px solid #4c78a8; padding: 0.8em 1em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { padding: 0.35em 0.6em; border-bottom: 1px solid #ddd; text-align: right; }
th:nth-child(2), td:nth-child(2), th:nth-child(3), td:nth-child(3) { text-align: left; }
tr.recommended { background: #eef8ee; font-weight: bold; }
.ok { color: #217a21; } .miss { color: #b30000; }
figure.chart { margin: 1.5em 0; overflow-x: auto; }
ul.slo { list-style: none; padding-left: 0; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(input.scenario.name)}</h1>
${input.scenario.description ? `<p class="description">${esc(input.scenario.description)}</p>` : ''}
<p class="verdict">${verdict}</p>
<table>
<thead><tr><th>rank</th><th>strategy</th><th>SLOs</th><th>p99 (ms)</th><th>errors (%)</th><th>cost (USD)</th><th>lost revenue (USD)</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>Charts</h2>
${chartBlocks}
<h2>Strategies</h2>
${strategies}
<h2>Scenario</h2>
<pre>${esc(JSON.stringify(input.scenario.document, null, 2))}</pre>
<script>${scriptSafe(vega)}</script>
<script>
const specs = ${scriptSafe(specs)};
specs.forEach(function (spec, i) {
  const el = document.getElementById('chart-' + i);
  el.innerHTML = '';
  new vega.View(vega.parse(spec), { renderer: 'svg', container: el, hover: true }).runAsync()
    .then(function () { el.setAttribute('data-rendered', 'true'); })
    .catch(function (error) { console.error('chart ' + i + ': ' + error); });
});
</script>
</body>
</html>
`;
}

function estimate(e: Estimate, digits: number, scale = 1): string {
  const f = (x: number) => (x * scale).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (!Number.isFinite(e.mean)) return '–';
  return Number.isFinite(e.halfWidth) && e.halfWidth > 0 ? `${f(e.mean)} ± ${f(e.halfWidth)}` : f(e.mean);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Text placed inside <script>: nothing in it may close the element or open a comment. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
