/**
 * `simulate hpa-dryrun` on the exports users have (test/fixtures/examples/, shown in the README),
 * through the compiled CLI. Every decision is worked out by hand from the HPA formula of
 * /work/shared/reference/hpa-algorithm.md §5.3 with the seeds' HPA (min 2, max 10, cpu 50%, no
 * behavior: the legacy scale-up limit max(2 × current, 4)): util = Σ millicores × 100 // Σ requests,
 * r = util / 50, desired = ceil(r × ready pods), and a pod without a metric ("missing") counted at
 * 0% when r > 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const bin = resolve('dist/cli/main.js');
const hpa = resolve('test/fixtures/hpa/seeds-hpa.yaml');
const example = (name: string) => resolve('test/fixtures/examples', name);

function dryrun(metrics: string, args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'scalesim-dryrun-'));
  const r = spawnSync(process.execPath, [bin, 'hpa-dryrun', '--hpa', hpa, '--metrics', metrics, '--all', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

/** The decisions as [time, from, to], the time as printed (the input's clock). */
function decisions(stdout: string): string[][] {
  return stdout
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const cells = line.trim().split(/ {2,}/);
      return [cells[0], cells[1], cells[2]];
    });
}

describe('hpa-dryrun reads real exports unchanged, and answers in their clock', () => {
  test('a Prometheus /api/v1/query_range JSON: one series per pod, CPU in cores, unix-second times', () => {
    const r = dryrun(example('prometheus-query-range.json'), ['--pods', '2', '--cpu-request', '500m']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('read as Prometheus range-query JSON, 2 pods, columns cpu_cores; load raw');
    expect(r.stdout.split('\n')[0]).toMatch(/^ *timestamp +from +to +reason/);
    expect(decisions(r.stdout)).toEqual([
      // 0.2 + 0.3 cores of 2 × 500m: 500 × 100 // 1000 = 50% → r = 1 → hold 2.
      ['1732888800', '2', '2'],
      // 0.6 + 0.5: 110% → r = 2.2 → ceil(4.4) = 5, limited to max(2 × 2, 4) = 4.
      ['1732888815', '2', '4'],
      // 0.6 + 0.6 on pods 1–2, pods 3–4 not recorded (missing): 120% → r = 2.4 > 1, missing at 0%:
      // 1200 × 100 // 2000 = 60 → r2 = 1.2 → ceil(1.2 × 4) = 5.
      ['1732888830', '4', '5'],
    ]);
    expect(r.stdout).toContain('cpu 120% of target 50% (2 ready, 2 missing) → 5');
  });

  test("a Prometheus CSV (one row per sample): a pod's missing sample is a missing metric, as upstream treats it", () => {
    const r = dryrun(example('prometheus-query-range.csv'), ['--pods', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('read as Prometheus CSV, 3 pods');
    expect(decisions(r.stdout)).toEqual([
      // 3 × 0.5 cores of 1000m: 50% → hold 3.
      ['2024-11-29 15:00:00+01:00', '3', '3'],
      // web-c has no sample at 15:00:15 (it has one before and after): pods 1–2 at 90% → r = 1.8 > 1,
      // pod 3 missing at 0%: 1800 × 100 // 3000 = 60 → r2 = 1.2 → ceil(1.2 × 3) = 4. (Its stale
      // 0.5 would have given ceil(1.52 × 3) = 5; ignoring it, ceil(1.8 × 2) = 4 held by nothing.)
      ['2024-11-29 15:00:15+01:00', '3', '4'],
      // 3 × 0.9, pod 4 missing: 90% → r = 1.8, missing at 0%: 2700 × 100 // 4000 = 67 → r2 = 1.34 →
      // ceil(5.36) = 6.
      ['2024-11-29 15:00:30+01:00', '4', '6'],
    ]);
    expect(r.stdout).toContain('cpu 90% of target 50% (2 ready, 1 missing) → 4');
  });

  test('a Grafana CSV (Time in local time, a column per pod named {pod="…"}, CPU in cores): local times out', () => {
    const r = dryrun(example('grafana-cpu-cores.csv'), ['--pods', '2', '--cpu-request', '500m']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('read as Grafana CSV, 2 pods, columns cpu_cores');
    expect(r.stdout.split('\n')[0]).toMatch(/^Time +from +to/);
    expect(decisions(r.stdout)).toEqual([
      // 2 × 0.25 of 500m = 50% → hold.
      ['2024-11-29 14:00:00', '2', '2'],
      // 100% → r = 2 → ceil(4) = 4 = max(2 × 2, 4).
      ['2024-11-29 14:00:15', '2', '4'],
      // pods 1–2 at 100%, 3–4 missing at 0%: 1000 × 100 // 2000 = 50 → r2 = 1 → within tolerance, hold 4.
      ['2024-11-29 14:00:30', '4', '4'],
    ]);
  });

  test('--load constant keeps the recorded total, so utilization falls as pods are added; raw replays the values', () => {
    // The recording: 100% of a 1000m request averaged over 2 pods, all along — 2 cores of work.
    const raw = dryrun(example('recorded-cpu-averaged-steady.csv'), ['--pods', '2']);
    expect(raw.code).toBe(0);
    // raw: every pod keeps reading 100% → r = 2 each sync: 2 → 4 → 8 → min(16, 10) → stays 10.
    expect(decisions(raw.stdout)).toEqual([
      ['0', '2', '4'],
      ['15', '4', '8'],
      ['30', '8', '10'],
      ['45', '10', '10'],
    ]);
    const constant = dryrun(example('recorded-cpu-averaged-steady.csv'), ['--pods', '2', '--load', 'constant']);
    expect(constant.code).toBe(0);
    expect(constant.stderr).toContain('load constant');
    // constant: 2 cores over 2 pods = 100% → 4; then 2 cores over 4 pods = 50% → r = 1 → 4 holds.
    expect(decisions(constant.stdout)).toEqual([
      ['0', '2', '4'],
      ['15', '4', '4'],
      ['30', '4', '4'],
      ['45', '4', '4'],
    ]);
    // --recorded-pods: the same average was over 4 pods (4 cores): 200% on 2 → 8 (limit max(4, 4) → 4), then 100% on 4 → 8.
    const four = dryrun(example('recorded-cpu-averaged-steady.csv'), ['--pods', '2', '--load', 'constant', '--recorded-pods', '4']);
    expect(decisions(four.stdout).slice(0, 3)).toEqual([
      ['0', '2', '4'],
      ['15', '4', '8'],
      ['30', '8', '8'],
    ]);
  });

  test('--load constant on a per-pod export: the total is the sum over the recorded pods', () => {
    // 0.6 + 0.6 cores at the third sync spread over 4 pods: 300m of 500m = 60% → r = 1.2 → ceil(4.8) = 5,
    // as the raw replay's missing pods at 0% gave (the two agree on a scale-up).
    const r = dryrun(example('prometheus-query-range.json'), ['--pods', '2', '--cpu-request', '500m', '--load', 'constant']);
    expect(decisions(r.stdout).map((d) => d[2])).toEqual(['2', '4', '5']);
  });
});

describe('hpa-dryrun refuses a broken export at the boundary: exit 2, one line per problem, nothing written', () => {
  function refused(name: string, text: string, args: string[] = []) {
    const dir = mkdtempSync(join(tmpdir(), 'scalesim-dryrun-bad-'));
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = dryrun(file, ['--out', join(dir, 'decisions.csv'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'decisions.csv'))).toBe(false);
    return r.stderr.trim().split('\n').map((line) => line.replace(`${dir}/`, ''));
  }

  test('Prometheus JSON: a syntax error by line, an instant query, a series without pod, a duplicate pod, bad values', () => {
    expect(refused('bad.json', '{\n  "status": "success",\n  "data": {,\n}')).toEqual([expect.stringMatching(/^bad\.json:3: invalid JSON: /)]);
    expect(refused('vector.json', JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }))).toEqual([
      'vector.json: data.resultType: expected "matrix" (a range query: /api/v1/query_range), got "vector" (an instant query: one value per series, no history)',
    ]);
    expect(refused('failed.json', JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }))).toEqual([
      'failed.json: status: the export is a failed query (bad_data: parse error), not data',
    ]);
    const series = (metric: object, values: unknown[]) => ({ metric, values });
    const lines = refused(
      'series.json',
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            series({ pod: 'a' }, [[1732888800, '0.5'], [1732888815, 'abc'], [1732888830, '-1'], ['x', '1'], [1732888845, '+Inf']]),
            series({ container: 'app' }, [[1732888800, '0.5']]),
            series({ pod: 'a' }, [[1732888800, '0.5']]),
          ],
        },
      }),
    );
    expect(lines).toEqual([
      'series.json: data.result[0].values[1][1]: expected a number as a string like "0.25", got "abc"',
      'series.json: data.result[0].values[2][1]: must be ≥ 0, got "-1"',
      'series.json: data.result[0].values[3]: expected [unix seconds, "value"], got ["x","1"]',
      'series.json: data.result[0].values[4][1]: expected a finite number, got "+Inf"',
      'series.json: data.result[1].metric.pod: expected a pod label on every series (e.g. sum by (pod) (…)), got nothing',
      'series.json: data.result[2].metric: a second series for pod "a" (also data.result[0]): one series per pod — aggregate by pod first (e.g. sum by (pod) (…))',
    ]);
  });

  test('Prometheus CSV: bad cells by row and column, two samples of a pod at one time', () => {
    const lines = refused('prom.csv', 'timestamp,pod,value\n1732888800,a,0.5\n1732888800,a,0.7\n1732888815,b,lots\nyesterday,b,1\n1732888830,,1\n');
    expect(lines).toEqual([
      'prom.csv: row 4, column value: expected a number, got "lots"',
      'prom.csv: row 5, column timestamp: expected unix seconds or an RFC 3339 time like 2024-11-29T10:00:00Z, got "yesterday"',
      'prom.csv: row 6, column pod: expected a pod name, got an empty cell',
    ]);
    expect(refused('dup.csv', 'timestamp,pod,value\n1732888800,a,0.5\n1732888800,a,0.7\n')).toEqual([
      'dup.csv: row 3: a second sample of pod "a" at this time (the first is row 2): one value per pod and time — aggregate by pod first (e.g. sum by (pod) (…))',
    ]);
  });

  test('Grafana CSV: a formatted value, a bad time, two columns for one pod', () => {
    expect(refused('g.csv', '"Time","web-a","web-b"\n2024-11-29 14:00:00,250 mcores,0.25\n29/11/2024 14:00,0.1,0.1\n')).toEqual([
      'g.csv: row 2, column web-a: expected a number (download with "Formatted data" off, or a panel unit without a suffix), got "250 mcores"',
      'g.csv: row 3, column Time: expected a time like 2024-11-29 14:00:00 or unix milliseconds, got "29/11/2024 14:00"',
    ]);
    expect(refused('twice.csv', '"Time","{pod=""web-a""}","web-a"\n2024-11-29 14:00:00,0.1,0.1\n')).toEqual(['twice.csv: row 1, column web-a: a second column for pod "web-a" (also column 2)']);
  });

  test('flags: --load and --metric are checked', () => {
    expect(refused('ok.csv', 't_s,cpu_utilization_pct\n0,50\n', ['--load', 'steady'])).toEqual(['--load: expected raw or constant, got "steady"']);
    expect(refused('ok.csv', 't_s,cpu_utilization_pct\n0,50\n', ['--metric', 'cpu cores'])).toEqual(['--metric: expected a metric column name like cpu_cores, got "cpu cores"']);
  });
});
