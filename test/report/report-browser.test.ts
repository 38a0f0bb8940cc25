import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
// Flags for a closed network and a root user (see .ci/run, which installs Debian's chromium).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('report.html opens offline in Chromium with every chart rendered and no console errors', async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`).toBe(true);
  const cwd = mkdtempSync(join(tmpdir(), 'scalesim-report-'));
  const run = spawnSync(process.execPath, [resolve('dist/cli/main.js'), resolve('test/fixtures/scenarios/small-slo.yaml'), '--quiet'], { cwd, encoding: 'utf8' });
  expect(run.status).toBe(0);
  const report = join(cwd, 'results', 'small-slo', 'report.html');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction(() => document.querySelectorAll('figure.chart').length > 0 && [...document.querySelectorAll('figure.chart')].every((f) => f.getAttribute('data-rendered') === 'true'), undefined, { timeout: 20_000 });

    const charts = await page.$$eval('figure.chart', (figures) => figures.map((f) => ({ marks: f.querySelectorAll('svg path, svg line, svg rect, svg text').length, title: f.querySelector('svg')?.textContent ?? '' })));
    expect(charts).toHaveLength(7);
    for (const chart of charts) expect(chart.marks).toBeGreaterThan(20);
    expect(charts[1].title).toContain('Latency of successful requests');
    expect(await page.textContent('.verdict')).toContain('Recommended: sixteen');
    expect(problems).toEqual([]);
    expect(requests).toEqual([]); // nothing fetched from the network

    // Hovering an autoscaler decision mark shows its reason (vega's tooltip sets the title).
    const hpaRun = spawnSync(process.execPath, [resolve('dist/cli/main.js'), resolve('scenarios/viral-spike-50x.json'), '--strategy', 'hpa-default', '--duration', '12m', '--quiet'], { cwd, encoding: 'utf8' });
    expect(hpaRun.status).toBe(0);
    await page.goto(pathToFileURL(join(cwd, 'results', 'viral-spike-50x', 'report.html')).href);
    await page.waitForFunction(() => document.querySelector('figure.chart:nth-of-type(3)')?.getAttribute('data-rendered') === 'true', undefined, { timeout: 20_000 });
    const pods = page.locator('figure.chart').nth(2);
    await pods.locator('.mark-symbol.role-mark path').first().hover();
    await expect.poll(() => pods.getAttribute('title')).toMatch(/controller: hpa\/web\n(.|\n)*reason: \w+/);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
}, 60_000);
