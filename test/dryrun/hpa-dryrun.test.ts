/**
 * HPA dry run on small recordings, with every decision worked out by hand (requests are the
 * default 1000m, so 40% = 400m per pod; legacy path = the seeds' HPA, which has no behavior).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRecordedMetricsCsv, parseRfc3339Seconds, runHpaDryRun, type HpaDryRunRow, type RecordedMetrics } from '../../src/dryrun/index.js';
import type { HorizontalPodAutoscaler } from '../../src/policy/hpa/index.js';
import { parseHpaManifest } from '../../src/scenario/hpa-manifest.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/hpa/${name}`, import.meta.url), 'utf8');

async function recording(text: string, fileName = 'recorded.csv'): Promise<RecordedMetrics> {
  const parsed = await parseRecordedMetricsCsv(text, fileName);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.metrics;
}

function seedsHpa(): HorizontalPodAutoscaler {
  const parsed = parseHpaManifest(fixture('seeds-hpa.yaml'), 'seeds-hpa.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.hpa;
}

const brief = (rows: HpaDryRunRow[]) => rows.map(({ t_s, from, to, changed, reason, readyPods }) => ({ t_s, from, to, changed, reason, readyPods }));

describe('runHpaDryRun', () => {
  test('averaged CPU, pods ready at once (seeds HPA: min 2, max 10, cpu 50%, legacy path)', async () => {
    const result = runHpaDryRun({ hpa: seedsHpa(), samples: await recording(fixture('recorded-cpu-averaged.csv')), initialReplicas: 2 });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(brief(result.rows)).toEqual([
      // 40% → r = 0.8 → ceil(0.8 × 2) = 2 = current
      { t_s: 0, from: 2, to: 2, changed: false, reason: 'DesiredWithinRange', readyPods: 2 },
      // 100% → r = 2 → ceil(2 × 2) = 4; legacy cap max(2 × 2, 4) = 4
      { t_s: 15, from: 2, to: 4, changed: true, reason: 'DesiredWithinRange', readyPods: 2 },
      // the 2 new pods: Ready at 15, sample at 30 ≥ 15 + 15 → fresh; 100% × 4 pods → ceil(2 × 4) = 8; cap max(8, 4) = 8
      { t_s: 30, from: 4, to: 8, changed: true, reason: 'DesiredWithinRange', readyPods: 4 },
      // 60% → r = 1.2 → ceil(1.2 × 8) = ceil(9.6) = 10 = maxReplicas
      { t_s: 45, from: 8, to: 10, changed: true, reason: 'DesiredWithinRange', readyPods: 8 },
      // 30% → r = 0.6 → ceil(0.6 × 10) = 6, but the last 300 s held 10 → max(6, …, 10) = 10
      { t_s: 60, from: 10, to: 10, changed: false, reason: 'ScaleDownStabilized', readyPods: 10 },
    ]);
    expect(result.rows[1].message).toBe('cpu 100% of target 50% → 4; DesiredWithinRange; 2 → 4');
    expect(result.rows[4].message).toBe(
      'cpu 30% of target 50% → 6; ScaleDownStabilized: 6 → 10 (highest recommendation in the last 300s); stays at 10',
    );
  });

  test('pods that take 20 s to start damp the scale-up', async () => {
    const result = runHpaDryRun({ hpa: seedsHpa(), samples: await recording(fixture('recorded-cpu-averaged.csv')), initialReplicas: 2, podStartupSeconds: 20 });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(brief(result.rows)).toEqual([
      { t_s: 0, from: 2, to: 2, changed: false, reason: 'DesiredWithinRange', readyPods: 2 },
      { t_s: 15, from: 2, to: 4, changed: true, reason: 'DesiredWithinRange', readyPods: 2 }, // as before: ceil(2 × 2) = 4
      // 2 Pending pods: ready 100% → r = 2 → Pending := 0: 2000·100 // 4000 = 50 → r2 = 1 → hold
      { t_s: 30, from: 4, to: 4, changed: false, reason: 'DesiredWithinRange', readyPods: 2 },
      // new pods Ready at 35, sample at 45 < 35 + 15 → stale, unready; old 60% → r = 1.2 → unready := 0:
      // 1200·100 // 4000 = 30 → r2 = 0.6 flips direction → hold
      { t_s: 45, from: 4, to: 4, changed: false, reason: 'DesiredWithinRange', readyPods: 4 },
      // sample at 60 ≥ 50 → all fresh: 30% → ceil(0.6 × 4) = 3; window holds 4 → max(3, 4) = 4
      { t_s: 60, from: 4, to: 4, changed: false, reason: 'ScaleDownStabilized', readyPods: 4 },
    ]);
    expect(result.rows[2].decision.metrics[0].podCounts).toEqual({ ready: 2, unready: 2, missing: 0, ignored: 0 });
  });

  test('per-pod recording with RFC 3339 timestamps: extra simulated pods are missing', async () => {
    const samples = await recording(fixture('recorded-cpu-per-pod.csv'));
    expect(samples.startUnixSeconds).toBe(1732874400); // 2024-11-29T10:00:00Z
    const hpa: HorizontalPodAutoscaler = {
      spec: {
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
      },
    };
    const result = runHpaDryRun({ hpa, samples, initialReplicas: 2 });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(brief(result.rows)).toEqual([
      // pod-1 ← web-a 900m, pod-2 ← web-b 700m: 1600·100 // 2000 = 80 → r = 1.6 → ceil(3.2) = 4;
      // behavior {} scale-up limit max(2 + 4, ceil(2 × 2)) = 6
      { t_s: 0, from: 2, to: 4, changed: true, reason: 'DesiredWithinRange', readyPods: 2 },
      // 300m + 100m on pod-1/2, pod-3/4 unrecorded → missing: 400·100 // 2000 = 20 → r = 0.4 →
      // missing := 100%: 2400·100 // 4000 = 60 → r2 = 1.2 flips direction → hold 4
      { t_s: 15, from: 4, to: 4, changed: false, reason: 'DesiredWithinRange', readyPods: 4 },
    ]);
    expect(result.rows[1].message).toContain('cpu 20% of target 50% (2 ready, 2 missing) → 4');
  });

  test('a recorded pod without a sample: missing (0% on a scale-up) when raw, counted at the others\' mean when the load is constant', async () => {
    // web-b exists from 0 to 30 s but has no sample at 15 s.
    const samples = await recording(['t_s,pod,cpu_millicores', '0,web-a,500', '0,web-b,500', '0,web-c,500', '15,web-a,900', '15,web-c,900', '30,web-a,900', '30,web-b,900', '30,web-c,900'].join('\n'));
    const at15 = (load: 'raw' | 'constant') => {
      const result = runHpaDryRun({ hpa: seedsHpa(), samples, initialReplicas: 3, load, endSeconds: 15 });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return brief(result.rows).map((r) => [r.t_s, r.from, r.to]);
    };
    // 0 s: 3 × 500m of 1000m = 50% → hold 3 in both.
    // raw, 15 s: pod-1 ← web-a 900, pod-2 ← web-b missing, pod-3 ← web-c 900: 90% → r = 1.8 > 1, missing at 0%:
    // 1800 × 100 // 3000 = 60 → r2 = 1.2 → ceil(3.6) = 4.
    expect(at15('raw')).toEqual([
      [0, 3, 3],
      [15, 3, 4],
    ]);
    // constant, 15 s: total = mean 900 × 3 existing pods = 2700m over 3 pods = 90% → r = 1.8 → ceil(5.4) = 6 = max(2 × 3, 4).
    expect(at15('constant')).toEqual([
      [0, 3, 3],
      [15, 3, 6],
    ]);
  });

  test('custom Pods metric from an averaged recording (the seeds\' queue HPA, trimmed to its Pods metric)', async () => {
    const samples = await recording('t_s,queue_length_total\n0,75\n15,75\n');
    const hpa: HorizontalPodAutoscaler = {
      spec: { minReplicas: 3, maxReplicas: 10, metrics: [{ type: 'Pods', pods: { metric: { name: 'queue_length_total' }, target: { type: 'AverageValue', averageValue: 50_000 } } }] },
    };
    const result = runHpaDryRun({ hpa, samples, initialReplicas: 3 });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(brief(result.rows)).toEqual([
      { t_s: 0, from: 3, to: 5, changed: true, reason: 'DesiredWithinRange', readyPods: 3 }, // 75/50 = 1.5 → ceil(4.5) = 5; cap max(6, 4) = 6
      { t_s: 15, from: 5, to: 8, changed: true, reason: 'DesiredWithinRange', readyPods: 5 }, // no cpu rules: ceil(1.5 × 5) = ceil(7.5) = 8; cap 10
    ]);
  });

  test('External value from a recording', async () => {
    const samples = await recording('t_s,queue_messages_ready\n0,8.6\n');
    const hpa: HorizontalPodAutoscaler = {
      spec: { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'External', external: { metric: { name: 'queue_messages_ready' }, target: { type: 'Value', value: 4400 } } }] },
    };
    const result = runHpaDryRun({ hpa, samples, initialReplicas: 1 });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    // 8600 / 4400 = 1.9545 → 1 ready pod: ceil(1.9545) = 2
    expect(brief(result.rows)).toEqual([{ t_s: 0, from: 1, to: 2, changed: true, reason: 'DesiredWithinRange', readyPods: 1 }]);
  });

  test('a value older than the staleness limit is not served', async () => {
    const samples = await recording('t_s,cpu_utilization_pct\n0,100\n');
    const result = runHpaDryRun({ hpa: seedsHpa(), samples, initialReplicas: 2, endSeconds: 30, sampleStalenessSeconds: 20 });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    // t=0: ceil(2 × 2) = 4.
    // t=15: the only sample (t=0) began before the new pods' Ready transition at 0 + 15 s window → they are
    //       unready: 2 old at 100% → r = 2 → unready := 0: 2000·100 // 4000 = 50 → r2 = 1 → hold 4.
    // t=30: the 0 s value is 30 s old > 20 → no metrics served → FailedGetResourceMetric, hold.
    expect(result.rows.map((r) => [r.t_s, r.to, r.reason])).toEqual([
      [0, 4, 'DesiredWithinRange'],
      [15, 4, 'DesiredWithinRange'],
      [30, 4, 'FailedGetResourceMetric'],
    ]);
  });

  test('an HPA metric the recording lacks is an error naming the columns', async () => {
    const samples = await recording('t_s,queue_length_total\n0,1\n', 'rec.csv');
    const result = runHpaDryRun({ hpa: seedsHpa(), samples, initialReplicas: 2 });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'rec.csv: columns', message: "no column for the HPA's spec.metrics[0] (Resource cpu): expected cpu_millicores or cpu_cores or cpu_utilization_pct; the columns are queue_length_total" }],
    });
  });

  test('bad options come back as issues', async () => {
    const samples = await recording(fixture('recorded-cpu-averaged.csv'));
    expect(runHpaDryRun({ hpa: seedsHpa(), samples, initialReplicas: -1, syncPeriodSeconds: 0 })).toEqual({
      ok: false,
      issues: [
        { path: 'initialReplicas', message: 'expected an integer ≥ 0, got -1' },
        { path: 'syncPeriodSeconds', message: 'expected a number of seconds > 0, got 0' },
      ],
    });
  });
});

describe('parseRecordedMetricsCsv', () => {
  test('reports every bad row with its row number and column', async () => {
    const result = await parseRecordedMetricsCsv(fixture('recorded-broken.csv'), 'recorded.csv');
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'recorded.csv: row 3, column timestamp', message: 'expected unix seconds or an RFC 3339 time like 2024-11-29T10:00:00Z, got "yesterday"' },
        { path: 'recorded.csv: row 5, column cpu_utilization_pct', message: 'expected a number, got "high"' },
        { path: 'recorded.csv: row 6', message: 'expected 2 cells (timestamp, cpu_utilization_pct), got 3' },
        { path: 'recorded.csv: row 7, column cpu_utilization_pct', message: 'must be ≥ 0, got "-3"' },
        { path: 'recorded.csv: row 8, column timestamp', message: 'expected unix seconds, got "1732874475123" (milliseconds? divide by 1000)' },
      ],
    });
  });

  test('header problems', async () => {
    expect(await parseRecordedMetricsCsv('time,cpu_utilization_pct\n0,1\n', 'a.csv')).toEqual({
      ok: false,
      issues: [{ path: 'a.csv: row 1', message: 'expected a time column "timestamp" (unix seconds or RFC 3339) or "t_s" (seconds), got columns "time", "cpu_utilization_pct"' }],
    });
    expect(await parseRecordedMetricsCsv('t_s,cpu_utilization_pct,cpu_utilization_pct\n', 'b.csv')).toEqual({
      ok: false,
      issues: [{ path: 'b.csv: row 1, column cpu_utilization_pct', message: 'duplicate column (also column 2)' }],
    });
    expect(await parseRecordedMetricsCsv('t_s,pod\n', 'c.csv')).toEqual({ ok: false, issues: [{ path: 'c.csv: row 1', message: 'expected at least one metric column (e.g. cpu_utilization_pct)' }] });
    expect(await parseRecordedMetricsCsv('', 'd.csv')).toEqual({ ok: false, issues: [{ path: 'd.csv', message: 'expected a header row (timestamp or t_s, then metric columns), the file is empty' }] });
  });

  test('an empty pod cell', async () => {
    expect(await parseRecordedMetricsCsv('t_s,pod,cpu_millicores\n0,,5\n', 'p.csv')).toEqual({
      ok: false,
      issues: [{ path: 'p.csv: row 2, column pod', message: 'expected a pod name, got an empty cell' }],
    });
  });

  test('an unclosed quote is an issue, not a throw', async () => {
    const result = await parseRecordedMetricsCsv('t_s,cpu_utilization_pct\n0,"40\n', 'q.csv');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('q.csv');
  });

  test('accepted format: sorting, empty cells, NaN, comments, absolute time origin', async () => {
    const result = await parseRecordedMetricsCsv(
      ['# exported from Prometheus', 'Timestamp,cpu_utilization_pct,qps', '1732874415,50,', '2024-11-29T10:00:00Z,NaN,12.5', ''].join('\n'),
      'r.csv',
    );
    expect(result).toEqual({
      ok: true,
      metrics: {
        fileName: 'r.csv',
        source: 'recorded CSV',
        timeColumn: 'Timestamp',
        // The first data row's clock: unix seconds.
        clock: { kind: 'unix', unit: 's' },
        startUnixSeconds: 1732874400,
        perPod: false,
        metricColumns: ['cpu_utilization_pct', 'qps'],
        rows: [
          { t_s: 0, values: { qps: 12.5 }, row: 4 },
          { t_s: 15, values: { cpu_utilization_pct: 50 }, row: 3 },
        ],
      },
    });
  });
});

describe('parseRfc3339Seconds', () => {
  test.each([
    ['1970-01-01T00:00:00Z', 0],
    ['2000-03-01T00:00:00Z', 951868800], // values from Python's datetime
    ['2024-11-29T10:00:00Z', 1732874400],
    ['2024-11-29T11:00:00+01:00', 1732874400],
    ['2024-02-29T23:59:59.500Z', 1709251199.5],
    ['1969-12-31T23:00:00-02:00', 3600],
  ])('%s', (text, seconds) => {
    expect(parseRfc3339Seconds(text)).toBe(seconds);
  });

  test.each(['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-11-29T24:00:00Z', '2024-11-29T10:00:00', '29/11/2024 10:00', '2024-11-29T10:00:00+25:00'])('rejects %s', (text) => {
    expect(parseRfc3339Seconds(text)).toBeUndefined();
  });
});
