import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'scalesim-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scenario replaying `file` in `format`, written next to it; returns its path. */
function scenarioFor(name: string, file: string, format: 'timestamps' | 'counts', multiplier = 1): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      duration: '10s',
      seed: 1,
      traffic: { trace: { file, format, multiplier }, classes: { req: { share: 1, cpu: { exponential: { mean: '1ms' } }, timeout: '5s' } } },
      services: { web: { replicas: 2, resources: { requests: { cpu: '500m' } } } },
    }),
  );
  return path;
}

function simulate(args: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [...nodeFlags, bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a trace too big to replay is bad input', () => {
  test('a counts row of 1e12 requests: exit 2, the file, row and column named, nothing written', () => {
    writeFileSync(join(dir, 'huge-row.csv'), 'second,requests\n0,5\n1,1000000000000\n2,5\n');
    const out = join(dir, 'out-row');
    const r = simulate(['run', scenarioFor('huge-row', 'huge-row.csv', 'counts'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('huge-row.csv:row 3, column requests: expected at most 268,435,456 requests in one second (one replay pass is held in memory), got 1000000000000');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  test('a multiplier that makes one pass too big: exit 2 on traffic.trace.multiplier, nothing written', () => {
    writeFileSync(join(dir, 'fine.csv'), 'second,requests\n0,1000\n1,1000\n');
    const out = join(dir, 'out-multiplier');
    const r = simulate(['run', scenarioFor('big-multiplier', 'fine.csv', 'counts', 1e6), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'traffic.trace.multiplier: expected a multiplier that keeps one replay pass within 268,435,456 arrivals (it is held in memory), got 1000000: 2,000 requests × 1000000 = 2,000,000,000',
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('a big timestamp trace streams', () => {
  // Peak RSS of the process, written at exit by a preloaded hook (so the CLI's own output is untouched).
  const hook = join(dir, 'max-rss.cjs');
  writeFileSync(hook, "process.on('exit', () => require('node:fs').writeFileSync(process.env.MAX_RSS_FILE, String(process.resourceUsage().maxRSS * 1024)));\n");

  /** Validates `scenario` (which parses its whole trace) under a 64 MiB V8 heap; returns the peak RSS in bytes. */
  function validatePeakRss(scenario: string): number {
    const rssFile = join(dir, 'max-rss.txt');
    const r = simulate(['validate', scenario], ['--max-old-space-size=64', '--require', hook], { MAX_RSS_FILE: rssFile });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return Number(readFileSync(rssFile, 'utf8'));
  }

  test('a 30 MB trace in the Azure format is read in about twice its compact form, not whole', () => {
    // 850,000 requests, 36 bytes a row: about 31 MB of text. Compact form: three Float64 columns (the offsets and the
    // two token columns) = 850,000 × 3 × 8 B = 20.4 MB.
    const rows = 850_000;
    const two = (n: number) => String(n).padStart(2, '0');
    const lines = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
    let ticks = (18 * 3600 + 17 * 60 + 3) * 1e7; // 100 ns since midnight
    for (let i = 0; i < rows; i++) {
      ticks += 20_000 + ((i * 7919) % 9973) * 10;
      const s = Math.floor(ticks / 1e7);
      lines.push(`2023-11-16 ${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${String(ticks % 1e7).padStart(7, '0')},${100 + ((i * 37) % 5000)},${1 + ((i * 13) % 300)}`);
    }
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'tiny.csv'), lines.slice(0, 3).join('\n') + '\n');
    const compactBytes = rows * 3 * 8;

    const baseline = validatePeakRss(scenarioFor('tiny', 'tiny.csv', 'timestamps'));
    const big = validatePeakRss(scenarioFor('big', 'big.csv', 'timestamps'));
    // Loaded whole (the text, then every record as an array of strings) this file needs over 400 MB; the 64 MiB heap
    // alone would abort the process. Streamed, the process holds: the columns in chunks, then packed into shared arrays
    // at the end (2 × the compact form), plus a fixed allowance of 40 MiB for V8's young generation (its semispaces
    // grow to 16 MiB each) and fast-csv's buffers, which does not depend on the file's size. (Measured: ~66 MB.)
    expect(big - baseline).toBeLessThan(2 * compactBytes + 40 * 2 ** 20);
  }, 120_000);
});
