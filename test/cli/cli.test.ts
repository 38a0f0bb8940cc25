import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// The CLI as users run it: the compiled bin (npm test builds first).
const bin = resolve('dist/cli/main.js');
const fixture = (name: string) => resolve('test/fixtures/scenarios', name);

function simulate(args: string[], cwd = mkdtempSync(join(tmpdir(), 'scalesim-'))) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

describe('bad input', () => {
  test('validate lists every problem by path, exit 2, no stack trace', () => {
    const file = fixture('broken.yaml');
    const r = simulate(['validate', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    // `file:line: path: message`, the line of the field (of the key itself for an unknown one).
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}:4: traffic.rate.constant: expected a rate like "1200/s" or "5k/min", got "fast"`,
        `${file}:7: traffic.classes.search.cpu.lognormal.cv: expected a number ≥ 0, got -1`,
        `${file}:11: services.api.resources.requests.cpu: expected a CPU quantity like "500m" or "2", got "fast"`,
        `${file}:12: services.api.workers: expected a number > 0, got 0`,
        `${file}:13: services.api: unknown field "colour"`,
        `${file}:5: traffic.classes: class shares must sum to 1, got 0.9`,
      ]),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frames
  });

  test('running a broken scenario exits 2 and creates no results directory', () => {
    const r = simulate([fixture('broken.yaml')]);
    expect(r.code).toBe(2);
    expect(existsSync(join(r.cwd, 'results'))).toBe(false);
  });

  test('a missing file and a bad flag are one clear line each', () => {
    const missing = simulate(['validate', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^nope\.json: cannot read the file \(ENOENT\)$/);
    const flag = simulate([fixture('small.yaml'), '--duration', 'soon']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe('--duration: expected a duration like "15m" or "2h", got "soon"');
    const strategy = simulate([fixture('small.yaml'), '--strategy', 'nine']);
    expect(strategy.code).toBe(2);
    expect(strategy.stderr).toContain('--strategy: expected one of four, eight, got "nine"');
  });
});

describe('a run', () => {
  test('writes summary.json and timeseries.csv per strategy, prints the table; byte-identical on a second run', () => {
    const first = simulate([fixture('small.yaml')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/rank\s+strategy\s+total\s+infra\s+lost\s+p99_ms\s+err_%\s+pods\s+nodes\s+slo_missed/);
    const dir = join(first.cwd, 'results', 'small');
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['eight', 'four']));
    const csv = readFileSync(join(dir, 'four', 'timeseries.csv'), 'utf8');
    const header = csv.split('\n')[0].split(',');
    for (const column of ['t_s', 'arrivals_rps', 'completed_rps', 'p50_ms', 'p95_ms', 'p99_ms', 'errors_timeout', 'errors_rejected', 'pods_ready', 'cpu_utilization_pct', 'queue_length'])
      expect(header).toContain(column);
    expect(csv.trim().split('\n')).toHaveLength(1 + 60); // 10 min / 10 s rows + header

    // A second run, serial this time, writes the same bytes in every file.
    const second = simulate([fixture('small.yaml'), '--jobs', '1']);
    for (const file of ['comparison.csv', 'report.html', 'charts/latency.svg', 'charts/frontier.svg'])
      expect(readFileSync(join(second.cwd, 'results', 'small', file))).toEqual(readFileSync(join(dir, file)));
    for (const strategy of ['four', 'eight'])
      for (const file of ['summary.json', 'timeseries.csv', 'decisions.csv', 'timeline.txt'])
        expect(readFileSync(join(second.cwd, 'results', 'small', strategy, file))).toEqual(readFileSync(join(dir, strategy, file)));
    // No temporary files left behind.
    expect(readdirSync(join(dir, 'four')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('another seed gives different outputs; --json prints the summary', () => {
    const a = simulate([fixture('small.yaml'), '--strategy', 'four', '--json']);
    const b = simulate([fixture('small.yaml'), '--strategy', 'four', '--json', '--seed', '8']);
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.strategies[0].strategy).toBe('four');
    expect(ja.strategies[0].summary.requests).not.toBe(jb.strategies[0].summary.requests);
  });

  test('`npx simulate` runs the package bin as a new user would (executable, with its shebang)', () => {
    const r = spawnSync('npx', ['--no-install', 'simulate', '--version'], { encoding: 'utf8' });
    expect(r.stderr).not.toContain('Permission denied');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('a reader that closes the pipe early gets no stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" --help | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toContain('Usage: simulate');
    expect(r.stderr).not.toContain('EPIPE');
  });

  test('--help is clear', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: simulate');
    expect(out).toContain('validate');
    const runHelp = execFileSync(process.execPath, [bin, 'run', '--help'], { encoding: 'utf8' });
    for (const flag of ['--seed', '--out', '--strategy', '--duration', '--quiet', '--json', '--replications', '--jobs', '--check', '--list-strategies']) expect(runHelp).toContain(flag);
    expect(out).toContain('Exit codes: 0 ok; 1 an SLO was missed');
  });
});

describe('SLOs, the --check gate and replications', () => {
  test('--check exits 1 and names the missed SLOs of a gated strategy; 0 when the gated ones meet them', () => {
    const all = simulate([fixture('small-slo.yaml'), '--check', '--no-report']);
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/^SLO missed: four: p99 < 500 ms over the run — missed by /m);
    expect(all.stderr).not.toContain('sixteen');
    expect(all.stdout).toMatch(/^ +1 +sixteen ◀ .* none$/m);
    expect(all.stdout).toMatch(/^ +2 +four .* p99, errors$/m);
    expect(all.stdout).toMatch(/^Recommended: sixteen — meets every SLO at the lowest total cost: \$[\d.]+ = \$[\d.]+ infrastructure \+ \$0 lost revenue\.$/m);
    const csv = readFileSync(join(all.cwd, 'results', 'small-slo', 'comparison.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^rank,strategy,recommended,meets_slo,slo_missed,replications,business_cost_usd,business_cost_usd_ci95,p99_ms,p99_ms_ci95,/);
    expect(csv[1]).toMatch(/^1,sixteen,yes,yes,,1,/);
    expect(csv[2]).toMatch(/^2,four,,no,p99; errors,1,/);
    const ok = simulate([fixture('small-slo.yaml'), '--check', '--strategy', 'sixteen', '--no-report']);
    expect(ok.code).toBe(0);
    const noSlo = simulate([fixture('small.yaml'), '--check', '--no-report']);
    expect(noSlo.code).toBe(2);
    expect(noSlo.stderr.trim()).toBe('--check: the scenario has no `slo` block to check');
  });

  test('--list-strategies shows each strategy with its merge patch', () => {
    const r = simulate([fixture('small-slo.yaml'), '--list-strategies']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('four\n  {}\nsixteen\n  {"services":{"web":{"replicas":16}}}\n');
    expect(existsSync(join(r.cwd, 'results'))).toBe(false);
  });

  test('--replications 3 gives means with confidence intervals, the same with one job or two', () => {
    const two = simulate([fixture('small.yaml'), '--replications', '3', '--jobs', '2', '--no-report', '--strategy', 'four']);
    expect(two.code).toBe(0);
    expect(two.stdout).toContain('(3 replications, mean ± 95% CI)');
    expect(two.stdout).toMatch(/four ◀ +\$[\d.]+[kM]? ± [\d.]+[kM]? /);
    const summary = JSON.parse(readFileSync(join(two.cwd, 'results', 'small', 'four', 'summary.json'), 'utf8'));
    expect(summary.replications.n).toBe(3);
    expect(summary.replications.seeds).toEqual([7, '7/r1', '7/r2']);
    expect(summary.replications.p99_ms.halfWidth).toBeGreaterThan(0);
    // Where the time went, over the replications: the worker wait and each step.
    const path = Object.values(summary.replications.path_by_class)[0] as { step: string; time_ms?: { p99: { mean: number; halfWidth: number } } }[];
    expect(path.map((s) => s.step)).toEqual(['worker', 'cpu']);
    expect(path[1].time_ms!.p99.mean).toBeGreaterThan(0);
    expect(path[1].time_ms!.p99.halfWidth).toBeGreaterThanOrEqual(0);
    const one = simulate([fixture('small.yaml'), '--replications', '3', '--jobs', '1', '--no-report', '--strategy', 'four']);
    expect(readFileSync(join(one.cwd, 'results', 'small', 'comparison.csv'))).toEqual(readFileSync(join(two.cwd, 'results', 'small', 'comparison.csv')));
    const bad = simulate([fixture('small.yaml'), '--replications', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('--replications: expected a whole number ≥ 1, got "0"');
  });
});

describe('hpa-dryrun', () => {
  test('replays recorded CPU through the HPA: 2 → 4 → 8 → 10 (cpu 100%, 100%, 60% of target 50%)', () => {
    const r = simulate(['hpa-dryrun', '--hpa', resolve('test/fixtures/hpa/seeds-hpa.yaml'), '--metrics', resolve('test/fixtures/hpa/recorded-cpu-averaged.csv'), '--pods', '2']);
    expect(r.code).toBe(0);
    // ceil(2 × 100/50) = 4; ceil(4 × 100/50) = 8; ceil(8 × 60/50) = 10 (= maxReplicas)
    expect(r.stdout).toMatch(/\s15\s+2\s+4\s/);
    expect(r.stdout).toMatch(/\s30\s+4\s+8\s/);
    expect(r.stdout).toMatch(/\s45\s+8\s+10\s/);
  });

  test('a broken manifest and CSV: one line per problem with file, field or row, exit 2', () => {
    const r = simulate(['hpa-dryrun', '--hpa', resolve('test/fixtures/hpa/seeds-hpa-broken.yaml'), '--metrics', resolve('test/fixtures/hpa/recorded-broken.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('seeds-hpa-broken.yaml: spec.maxReplicas: must be ≥ minReplicas (2), got 1');
    expect(r.stderr).toMatch(/recorded-broken\.csv: row 3, column timestamp/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('scenarios shipped with the project', () => {
  test.each(['black-friday.json', 'viral-spike-50x.yaml', 'azure-trace-replay.json'])('%s validates', (file) => {
    const r = simulate(['validate', resolve('scenarios', file)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
