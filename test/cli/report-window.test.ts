import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');
const small = resolve('test/fixtures/scenarios/small.yaml'); // 10 minutes from 00:00, a spike at 00:04

function simulate(args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'scalesim-window-'));
  const r = spawnSync(process.execPath, [bin, small, '--out', 'out', '--quiet', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, out: join(cwd, 'out', 'small') };
}

describe('--window and the zoom around traffic events', () => {
  test.each([
    ['13:50', 'two clock times as HH:MM-HH:MM (e.g. 13:50-14:30)'],
    ['13:50-14:30-15:00', 'two clock times as HH:MM-HH:MM (e.g. 13:50-14:30)'],
    ['25:00-26:00', 'two clock times as HH:MM-HH:MM (e.g. 13:50-14:30)'],
    ['00:03-00:03', "a window that ends after it starts, within the run (00:00–00:10 in the scenario's clock)"],
    ['13:50-14:30', "a window within the run (00:00–00:10 in the scenario's clock)"],
  ])('--window %s: exit 2, one line naming --window and what was expected, nothing written', (value, expected) => {
    const r = simulate(['--window', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`--window: expected ${expected}, got ${JSON.stringify(value)}\n`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(r.out)).toBe(false);
  });

  test('--window 00:03-00:06 draws every time chart for those minutes only; the totals stay whole', () => {
    const r = simulate(['--window', '00:03-00:06', '--strategy', 'four']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const charts = readdirSync(join(r.out, 'charts')).sort();
    expect(charts).toEqual(['comparison.svg', 'cost.svg', 'errors.svg', 'frontier.svg', 'latency.svg', 'pods-nodes.svg', 'traffic-capacity.svg']);
    for (const file of ['latency.svg', 'traffic-capacity.svg', 'cost.svg']) expect(readFileSync(join(r.out, 'charts', file), 'utf8'), file).toContain('(00:03–00:06)</text>');
    expect(readFileSync(join(r.out, 'charts', 'comparison.svg'), 'utf8')).not.toContain('00:03');
    // Only the chosen minutes, every 10 s interval of them: 00:03:00 … 00:05:50.
    const html = readFileSync(join(r.out, 'report.html'), 'utf8');
    expect(html).toContain('The time charts show 00:03–00:06');
    const specs = JSON.parse(html.split('<script type="application/json" id="chart-specs">')[1].split('</script>')[0]) as { data?: { name: string; values?: { t?: number }[] }[] }[];
    const latency = specs[1].data!.find((d) => d.name === 'latency')!.values!.filter((v) => v.t !== undefined);
    expect([...new Set(latency.map((v) => v.t))]).toEqual(Array.from({ length: 18 }, (_, i) => (180 + i * 10) * 1000));
  });

  test('without --window, every time chart is drawn again for each traffic event: 5 minutes before it to 20 after, within the run', () => {
    const r = simulate(['--strategy', 'four']);
    expect(r.code).toBe(0);
    expect(readdirSync(join(r.out, 'charts', 'zoom-0004')).sort()).toEqual(['cost.svg', 'errors.svg', 'latency.svg', 'pods-nodes.svg', 'traffic-capacity.svg']);
    expect(readFileSync(join(r.out, 'charts', 'zoom-0004', 'latency.svg'), 'utf8')).toContain('(00:00–00:10)</text>');
  });
});
