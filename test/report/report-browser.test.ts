import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { renderCharts } from '../../src/report/charts/charts.js';
import { renderReportHtml } from '../../src/report/html.js';
import { launchChromium } from '../helpers/chromium.js';
import { buildReportInput } from './fixture.js';

test('report.html opens offline in Chromium: every chart becomes a live view, no errors, decisions explain themselves', async () => {
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
    await pods.locator('.mark-symbol.role-mark path').first().hover();
    await expect.poll(() => pods.locator('.view.live').getAttribute('title')).toMatch(/controller: hpa\/web\nfrom → to: \d+ → \d+\nreason: \w+\nmessage: cpu \d+% of target/);

    expect(problems).toEqual([]);
    expect(requests).toEqual([]); // nothing fetched from the network
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
