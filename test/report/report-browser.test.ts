import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { renderCharts } from '../../src/report/charts/charts.js';
import { renderReportHtml } from '../../src/report/html.js';
import { launchChromium } from '../helpers/chromium.js';
import { buildReportInput, SPIKE_T_S } from './fixture.js';

test('report.html opens offline in Chromium: every chart becomes a live view, no errors, decisions explain themselves, time charts zoom together', async () => {
  const input = buildReportInput();
  const charts = await renderCharts(input);
  const dir = mkdtempSync(join(tmpdir(), 'scalesim-report-'));
  const report = join(dir, 'report.html');
  writeFileSync(report, renderReportHtml(input, charts));

  // Not a skip: without a browser this test cannot vouch for the report, so a launch failure fails it.
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
    await page.goto(pathToFileURL(report).href);

    // Before the live views replace them, each figure shows its pre-rendered SVG; after, a vega view.
    await page.waitForFunction(
      (n) => {
        const figures = [...document.querySelectorAll('figure.chart')];
        return figures.length === n && figures.every((f) => f.getAttribute('data-rendered') === 'true');
      },
      charts.length,
      { timeout: 30_000 },
    );
    const views = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => ({
        live: f.querySelectorAll(':scope > .view.live > svg.marks').length,
        views: f.querySelectorAll(':scope > .view').length,
        marks: f.querySelectorAll('.view.live svg .role-mark > *').length,
        text: f.querySelector('.view.live svg')?.textContent ?? '',
      })),
    );
    expect(views).toHaveLength(charts.length);
    views.forEach((v, i) => {
      expect(v.live, charts[i].file).toBe(1);
      expect(v.views, `${charts[i].file}: the pre-rendered SVG is replaced, not kept beside the live view`).toBe(1);
      expect(v.marks, charts[i].file).toBeGreaterThan(2);
      expect(v.text, charts[i].file).toContain(charts[i].title);
    });
    expect(await page.textContent('.verdict')).toContain(`Recommended: ${input.recommended}`);

    // Hovering an autoscaler decision shows its reason (vega's default tooltip sets the title).
    const pods = page.locator('figure.chart').nth(charts.findIndex((c) => c.file === 'pods-nodes.svg'));
    await pods.locator('.mark-symbol.role-mark path[fill="#222"]').first().hover();
    await expect.poll(() => pods.locator('.view.live').getAttribute('title')).toMatch(/controller: hpa\/web\nfrom → to: \d+ → \d+\nreason: \w+\nmessage: cpu \d+% of target/);

    // Hovering a line's point reads out its clock time, its series and its value.
    const latency = page.locator('figure.chart').nth(charts.findIndex((c) => c.file === 'latency.svg'));
    // (The points are invisible, so the pointer goes to where one is.)
    await latency.scrollIntoViewIfNeeded();
    const point = (await latency.locator('.mark-symbol.role-mark path[opacity="0"]').nth(40).boundingBox())!;
    await page.mouse.move(point.x + point.width / 2, point.y + point.height / 2);
    await expect.poll(() => latency.locator('.view.live').getAttribute('title')).toMatch(/^time: \d\d:\d\d:\d\d\nstrategy: [\w-]+\npercentile: p(50|95|99)\nlatency \(ms, log\): [\d.,]+$/);

    // A drag across one time chart zooms every time chart to the span dragged over; a double-click zooms out again.
    const timeCharts = charts.flatMap((c, i) => ((c.vegaSpec as { signals?: { name: string }[] }).signals?.some((s) => s.name === 'time_zoom') ? [i] : []));
    expect(timeCharts.map((i) => charts[i].file)).toEqual(charts.filter((c) => !['comparison.svg', 'frontier.svg'].includes(c.file)).map((c) => c.file));
    const domains = () =>
      page.evaluate(
        (indices) => indices.map((i) => (window as unknown as { scalesimReport: { views: { scale(name: string): { domain(): unknown[] } }[] } }).scalesimReport.views[i].scale('x').domain().map(Number)),
        timeCharts,
      );
    const whole = await domains();
    const plot = (await pods.locator('.view.live g.cell path.background').first().boundingBox())!;
    const [from, to] = [plot.x + plot.width * 0.3, plot.x + plot.width * 0.5];
    await page.mouse.move(from, plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move((from + to) / 2, plot.y + plot.height / 2, { steps: 4 });
    await page.mouse.move(to, plot.y + plot.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => new Set((await domains()).map((d) => d.join())).size).toBe(1);
    const [zoomed] = await domains();
    const span = whole[timeCharts.indexOf(charts.findIndex((c) => c.file === 'pods-nodes.svg'))];
    const at = (fraction: number) => span[0] + (span[1] - span[0]) * fraction;
    const pixel = (span[1] - span[0]) / plot.width;
    expect(Math.abs(zoomed[0] - at(0.3))).toBeLessThan(2 * pixel); // where the drag began and ended, to a pixel or two
    expect(Math.abs(zoomed[1] - at(0.5))).toBeLessThan(2 * pixel);
    await page.locator('figure.chart').nth(timeCharts[0]).locator('.view.live').dblclick();
    await expect.poll(domains).toEqual(whole);
    // The flash sale's button zooms every time chart to its minutes: 5 before it, 20 after.
    await page.getByRole('button', { name: /traffic spike/ }).click();
    const sale = Date.UTC(1970, 0, 1, 6) + SPIKE_T_S * 1000;
    await expect.poll(domains).toEqual(timeCharts.map(() => [sale - 300_000, sale + 1_200_000]));

    expect(problems).toEqual([]);
    expect(requests).toEqual([]); // nothing fetched from the network
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
