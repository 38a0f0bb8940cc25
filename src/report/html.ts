import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { clockSeconds, formatClock } from '../engine/time.js';
import { chartTimeMs, eventWindows, strategyColors, type Chart, type ChartOptions } from './charts/charts.js';
import { TIME_BRUSH_SIGNAL, TIME_ZOOM_SIGNAL } from './charts/interaction.js';
import type { Estimate, ReportInput, StrategyReport } from './report-input.js';

/**
 * report.html: one self-contained offline file. Top to bottom: the verdict and the ranking,
 * the charts, each strategy's SLO verdicts and decision timeline, the scenario document.
 *
 * Each chart is there twice: its pre-rendered SVG (what shows without JavaScript) and its
 * compiled Vega spec with the data inlined, which vega's runtime (inlined too) turns into a
 * live view on load — hover an autoscaler decision for its reason. The time charts zoom together:
 * a drag across one sets the same span on all (double-click resets), and a button per traffic
 * event zooms to its minutes. Nothing is fetched. `options.window` says the charts were drawn
 * for a window (`--window`).
 */
export function renderReportHtml(input: ReportInput, charts: readonly Chart[], options: ChartOptions = {}): string {
  const names = input.strategies.map((s) => s.name);
  const colours = new Map(strategyColors(names).map((colour, i) => [names[i], colour]));
  const swatch = (name: string) => `<span class="swatch" style="background:${colours.get(name) ?? '#888'}"></span>`;
  const title = `${input.scenario.name} — scalesim report`;
  const specs = JSON.stringify(charts.map((c) => c.vegaSpec));

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
${CSS}
</style>
</head>
<body>
<header>
<h1>${esc(input.scenario.name)}</h1>
${input.scenario.description ? `<p class="description">${esc(input.scenario.description)}</p>` : ''}
</header>

<section id="verdict">
<h2>Verdict</h2>
${verdict(input, swatch)}
${rankingTable(input, swatch)}
</section>

<section id="charts">
<h2>Charts</h2>
${charts.length === 0 ? '<p class="none">No charts: the runs recorded no timeseries.</p>' : zoomControls(input, options)}
${charts.map((c, i) => `<figure class="chart" id="chart-${i}" data-file="${esc(c.file)}" aria-label="${esc(c.title)}">\n<div class="view">${c.svg}</div>\n</figure>`).join('\n')}
</section>

<section id="strategies">
<h2>Strategies</h2>
${input.strategies.map((s) => strategySection(s, swatch)).join('\n')}
</section>

<section id="scenario">
<h2>Scenario</h2>
<pre class="document">${esc(documentText(input.scenario.document))}</pre>
</section>

<script>${scriptSafe(vegaRuntime())}</script>
<script type="application/json" id="chart-specs">${jsonForScript(specs)}</script>
<script>
(function () {
  // Replaces each chart's pre-rendered SVG by a live view once that view has rendered.
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var views = [];
  var timeViews = [];
  // Sets the x domain of every time chart: [from, to] in the charts' milliseconds, or null for all of it.
  function zoomTo(span) {
    timeViews.forEach(function (view) {
      view.signal(${JSON.stringify(TIME_ZOOM_SIGNAL)}, span).runAsync();
    });
  }
  specs.forEach(function (spec, i) {
    var figure = document.getElementById('chart-' + i);
    var live = document.createElement('div');
    live.className = 'view live';
    var view = new vega.View(vega.parse(spec), { renderer: 'svg', container: live, hover: true });
    views.push(view);
    if ((spec.signals || []).some(function (s) { return s.name === ${JSON.stringify(TIME_ZOOM_SIGNAL)}; })) {
      timeViews.push(view);
      // The brush follows the drag and is cleared on release: the last span it showed is the zoom.
      var drawn = null;
      view.addSignalListener(${JSON.stringify(TIME_BRUSH_SIGNAL)}, function (name, value) {
        var span = value && value.t;
        if (span && span.length === 2) {
          drawn = [+span[0], +span[1]];
        } else if (drawn) {
          var chosen = drawn;
          drawn = null;
          if (chosen[1] > chosen[0]) zoomTo(chosen);
        }
      });
      live.addEventListener('dblclick', function () { zoomTo(null); });
    }
    view
      .runAsync()
      .then(function () {
        figure.replaceChildren(live);
        figure.setAttribute('data-rendered', 'true');
      })
      .catch(function (error) {
        console.error('chart ' + figure.getAttribute('data-file') + ': ' + error);
      });
  });
  document.querySelectorAll('button[data-zoom]').forEach(function (button) {
    button.addEventListener('click', function () { zoomTo(JSON.parse(button.getAttribute('data-zoom'))); });
  });
  var controls = document.getElementById('zoom-controls');
  if (controls) controls.hidden = false;
  // For scripting (and the browser test): every live view, in chart order, and the shared zoom.
  window.scalesimReport = { views: views, zoomTo: zoomTo };
})();
</script>
</body>
</html>
`;
}

const CSS = `:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --ok: #1a7f37; --miss: #c21c1c; --accent: #4c78a8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); max-width: 1120px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.9rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.75rem 0 0.5rem; }
.description { color: var(--muted); margin: 0; }
.verdict { background: #f3f7fb; border-left: 4px solid var(--accent); padding: 0.75rem 1rem; margin: 0.5rem 0; }
.verdict.none-met { background: #fdf3f3; border-left-color: var(--miss); }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 0.5rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.45rem 0.7rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { font-weight: 600; background: #f6f8fa; }
th.text, td.text { text-align: left; }
tr.recommended td { background: #eef8f0; }
.ok { color: var(--ok); } .miss { color: var(--miss); }
.note, .none { color: var(--muted); font-size: 0.9rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.45em; vertical-align: -0.05em; }
.badge { font-size: 0.8rem; font-weight: 600; padding: 0.1rem 0.5rem; border-radius: 1rem; margin-left: 0.6rem; vertical-align: 0.1em; }
.badge.ok { background: #dafbe1; } .badge.miss { background: #ffebe9; }
figure.chart { margin: 1.5rem 0 2rem; overflow-x: auto; }
ul.slo { list-style: none; padding-left: 0; margin: 0.4rem 0; }
ul.slo li { margin: 0.2rem 0; }
details { margin: 0.5rem 0 1rem; }
summary { cursor: pointer; color: var(--accent); }
p.zoom button { font: inherit; font-size: 0.85rem; margin: 0.15rem 0.3rem 0.15rem 0; padding: 0.15rem 0.6rem; border: 1px solid var(--line); border-radius: 1rem; background: #f6f8fa; cursor: pointer; }
p.zoom button:hover { border-color: var(--accent); }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; overflow-x: auto; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }`;

/** How to zoom, and a button per traffic event (its minutes, see eventWindows); shown once the script runs. */
function zoomControls(input: ReportInput, options: ChartOptions): string {
  const how = 'Drag across any time chart to zoom every time chart to that span; double-click one to zoom out again.';
  const startS = clockSeconds(input.scenario.clockStart) ?? 0;
  if (options.window) return `<p class="note">The time charts show ${esc(formatClock(options.window.fromS, startS).slice(0, -3))}–${esc(formatClock(options.window.toS, startS).slice(0, -3))} (<code>--window</code>). ${how}</p>`;
  const buttons = eventWindows(input).map((e) => `<button type="button" data-zoom="${esc(JSON.stringify([chartTimeMs(input, e.fromS), chartTimeMs(input, e.toS)]))}">${esc(e.clock)} ${esc(e.label)}</button>`);
  const zoom = buttons.length > 0 ? `\n<p class="zoom" id="zoom-controls" hidden>Zoom to: ${buttons.join(' ')} <button type="button" data-zoom="null">the whole run</button></p>` : '';
  return `<p class="note">${how}</p>${zoom}`;
}

function verdict(input: ReportInput, swatch: (name: string) => string): string {
  const strategies = input.strategies;
  if (strategies.length === 0) return '<p class="verdict none-met">No strategies were run.</p>';
  const hasSlo = strategies.some((s) => s.slo.length > 0);
  const meeting = strategies.filter((s) => s.meetsSlo);
  const names = (list: readonly StrategyReport[]) => list.map((s) => `${swatch(s.name)}${esc(s.name)}`).join(', ');
  const recommended = input.recommended ? `Recommended: <strong>${esc(input.recommended)}</strong>.` : '';
  if (!hasSlo) return `<p class="verdict">${recommended} The scenario sets no SLOs, so every strategy passes; they are ranked below.</p>`;
  if (meeting.length === 0) return `<p class="verdict none-met">No strategy meets every SLO. ${recommended} See below how far each one missed.</p>`;
  const all = meeting.length === strategies.length ? 'all of them' : `${meeting.length} of ${strategies.length}`;
  return `<p class="verdict">${recommended} Meeting every SLO (${all}): ${names(meeting)}.</p>`;
}

function rankingTable(input: ReportInput, swatch: (name: string) => string): string {
  if (input.strategies.length === 0) return '';
  const hasSlo = input.strategies.some((s) => s.slo.length > 0);
  const anyCi = input.strategies.some((s) => Object.values(s.headline).some((e) => hasCi(e)));
  const rows = input.strategies.map((s, i) => {
    const missed = s.slo.filter((x) => !x.met).length;
    const slo = !hasSlo ? '–' : s.meetsSlo ? '<span class="ok">✔ met</span>' : `<span class="miss">✘ missed ${missed} of ${s.slo.length}</span>`;
    const h = s.headline;
    return `<tr${s.name === input.recommended ? ' class="recommended"' : ''}><td>${i + 1}</td><td class="text">${swatch(s.name)}${esc(s.name)}${
      s.name === input.recommended ? ' <strong>(recommended)</strong>' : ''
    }</td><td class="text">${slo}</td><td>${estimate(h.p99Ms, latencyDigits)}</td><td>${estimate(h.errorRate, percentDigits, 100, '%')}</td><td>${estimate(h.costUsd, () => 2)}</td><td>${estimate(h.lostRevenueUsd, moneyDigits)}</td></tr>`;
  });
  return `<table class="ranking">
<thead><tr><th>rank</th><th class="text">strategy</th><th class="text">SLOs</th><th>p99 (ms)</th><th>error rate</th><th>cost (USD)</th><th>lost revenue (USD)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p class="note">Strategies in ranked order, best first.${anyCi ? ' ± is the half-width of the 95% confidence interval over replications.' : ''}</p>`;
}

function strategySection(s: StrategyReport, swatch: (name: string) => string): string {
  const missed = s.slo.filter((x) => !x.met).length;
  const badge = s.slo.length === 0 ? '' : s.meetsSlo ? '<span class="badge ok">meets every SLO</span>' : `<span class="badge miss">misses ${missed} of ${s.slo.length} SLOs</span>`;
  const slo = s.slo.length === 0 ? '<p class="none">No SLOs.</p>' : `<ul class="slo">\n${s.slo.map((x) => `<li class="${x.met ? 'ok' : 'miss'}">${x.met ? '✔' : '✘'} ${esc(x.name)}${x.detail ? ` — ${esc(x.detail)}` : ''}</li>`).join('\n')}\n</ul>`;
  const timeline = `<details><summary>Decision timeline (${s.timeline.length} ${s.timeline.length === 1 ? 'line' : 'lines'})</summary>\n<pre class="timeline">${esc(s.timeline.join('\n'))}</pre>\n</details>`;
  return `<article class="strategy">\n<h3>${swatch(s.name)}${esc(s.name)}${badge}</h3>\n${slo}\n${timeline}\n</article>`;
}

/* ---------- numbers ---------- */

function hasCi(e: Estimate | undefined): boolean {
  return e !== undefined && Number.isFinite(e.halfWidth) && e.halfWidth > 0;
}

/** "1,234 ± 56" with the half-width only when it is positive and finite; "–" for no value. */
function estimate(e: Estimate | undefined, digitsFor: (x: number) => number, scale = 1, unit = ''): string {
  if (!e || !Number.isFinite(e.mean)) return '–';
  const digits = digitsFor(Math.abs(e.mean * scale));
  const f = (x: number) => `${(x * scale).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit}`;
  return hasCi(e) ? `${f(e.mean)} ± ${f(e.halfWidth)}` : f(e.mean);
}

const latencyDigits = (x: number) => (x >= 100 ? 0 : x >= 10 ? 1 : 2);
const moneyDigits = (x: number) => (x >= 1000 ? 0 : 2);
/** Enough digits that a small error rate does not print as 0.00%. */
const percentDigits = (x: number) => (x === 0 || x >= 10 ? 1 : x >= 1 ? 2 : x >= 0.01 ? 3 : 4);

/* ---------- text ---------- */

function documentText(document: unknown): string {
  try {
    return JSON.stringify(document, null, 2) ?? String(document);
  } catch {
    return String(document);
  }
}

/** vega's browser build, read from the installed package (its exports hide the path). */
function vegaRuntime(): string {
  const entry = createRequire(import.meta.url).resolve('vega');
  return readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
}

/** HTML text and attribute values. */
export function esc(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside a <script> element: `<`, `>` and `&` as \u escapes, so no `</script>` or `<!--` can appear. */
export function jsonForScript(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text: nothing in it may close the element or open a comment (vega.min.js has neither today). */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
