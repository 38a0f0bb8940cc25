import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { StrategyResult } from '../../src/scenario/run.js';

// Worker threads run compiled JS (vitest's transform doesn't reach them), so everything here is
// the build in dist/ (npm test builds first): pool, tasks and the serial reference alike.
const dist = (path: string) => import(pathToFileURL(resolve('dist', path)).href);
const { runTasks } = (await dist('runner/pool.js')) as typeof import('../../src/runner/pool.js');
const { buildTasks, replicationSeed } = (await dist('runner/tasks.js')) as typeof import('../../src/runner/tasks.js');
const { loadScenarioFile } = (await dist('scenario/load.js')) as typeof import('../../src/scenario/load.js');
const { runStrategy } = (await dist('scenario/run.js')) as typeof import('../../src/scenario/run.js');
type RunTask = import('../../src/runner/tasks.js').RunTask;
type TaskProgress = import('../../src/runner/pool.js').TaskProgress;

const fixture = resolve('test/runner/fixtures/spike-hpa.json');
const strategies = ['hpa-default', 'hpa-aggressive', 'fixed-4', 'fixed-8'];
const MINUTE = 60_000_000;

/** The run as the CLI did it before the runner: load once, run each strategy in turn. */
async function serialRun(strategy: string, overrides: { seed?: number | string; durationMicros?: number } = {}): Promise<StrategyResult> {
  const loaded = await loadScenarioFile(fixture, overrides);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const s = loaded.value.strategies.find((x) => x.name === strategy)!;
  return runStrategy(strategy, s.scenario, loaded.value.traces);
}

function column(result: StrategyResult, name: string): number[] {
  const i = result.timeseries.columns.indexOf(name);
  expect(i).toBeGreaterThanOrEqual(0);
  return result.timeseries.rows.map((row) => row[i]);
}

describe('replication seeds', () => {
  test('replication 0 is the seed itself; r > 0 is "<seed>/r<r>"', () => {
    expect(replicationSeed(7, 0)).toBe(7);
    expect(replicationSeed('abc', 0)).toBe('abc');
    expect(replicationSeed(7, 1)).toBe('7/r1');
    expect(replicationSeed(7, 12)).toBe('7/r12');
    expect(replicationSeed('abc', 2)).toBe('abc/r2');
    expect(() => replicationSeed(7, -1)).toThrow(RangeError);
    expect(() => replicationSeed(7, 1.5)).toThrow(RangeError);
  });

  test('buildTasks is replication-major and copies the overrides', () => {
    const overrides = { seed: 3 };
    const tasks = buildTasks('f.json', ['a', 'b'], 2, overrides);
    expect(tasks.map((t) => `${t.strategy}/${t.replication}`)).toEqual(['a/0', 'b/0', 'a/1', 'b/1']);
    expect(tasks.every((t) => t.scenarioFile === 'f.json' && t.overrides.seed === 3 && t.overrides !== overrides)).toBe(true);
    expect(() => buildTasks('f.json', ['a'], 0)).toThrow(RangeError);
  });
});

describe('runTasks', () => {
  test('jobs 2 (worker threads) gives byte-identical results to jobs 1 (in process)', async () => {
    const tasks = buildTasks(fixture, strategies, 2);
    const progress: Record<number, TaskProgress[]> = { 1: [], 2: [] };
    const serial = await runTasks(tasks, { jobs: 1, onProgress: (p) => progress[1].push(p) });
    const parallel = await runTasks(tasks, { jobs: 2, onProgress: (p) => progress[2].push(p) });

    expect(serial).toHaveLength(8);
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(serial));
    // Not vacuous: the strategies behave differently, and so do the replications.
    expect(new Set(serial.map((r) => r.summary.peakPodsReady)).size).toBeGreaterThan(2);
    expect(serial[4].summary.requests).not.toBe(serial[0].summary.requests);

    // Workers report simulated time while running, not only at the end.
    expect(progress[2].filter((p) => !p.done).length).toBeGreaterThan(tasks.length);
    for (const jobs of [1, 2]) {
      for (const [taskIndex] of tasks.entries()) {
        const mine = progress[jobs].filter((p) => p.taskIndex === taskIndex);
        const done = mine.filter((p) => p.done);
        const requests = (jobs === 1 ? serial : parallel)[taskIndex].summary.requests;
        expect(done).toEqual([{ taskIndex, simulatedS: 300, durationS: 300, requests, done: true }]);
        expect(mine.at(-1)!.done).toBe(true);
        const times = mine.map((p) => p.simulatedS);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        // Requests arrived so far grow with simulated time, up to the run's total.
        const counts = mine.map((p) => p.requests);
        expect(counts).toEqual([...counts].sort((a, b) => a - b));
        expect(counts[0]).toBeGreaterThan(0);
        expect(mine.every((p) => p.durationS === 300 && p.simulatedS > 0 && p.simulatedS <= 300)).toBe(true);
      }
    }
  });

  test('results come back in task order when tasks finish out of order', async () => {
    const tasks: RunTask[] = [
      { scenarioFile: fixture, strategy: 'fixed-8', replication: 0, overrides: { durationMicros: 20 * MINUTE } },
      { scenarioFile: fixture, strategy: 'fixed-4', replication: 0, overrides: { durationMicros: MINUTE / 2 } },
      { scenarioFile: fixture, strategy: 'hpa-default', replication: 1, overrides: { durationMicros: MINUTE / 2 } },
      { scenarioFile: fixture, strategy: 'fixed-4', replication: 2, overrides: { durationMicros: MINUTE } },
    ];
    const finished: number[] = [];
    const results = await runTasks(tasks, { jobs: 2, onProgress: (p) => p.done && finished.push(p.taskIndex) });
    expect(finished).toHaveLength(4);
    expect(finished).not.toEqual([0, 1, 2, 3]); // the long first task finishes after the short ones
    expect(results.map((r) => [r.strategy, r.seed, r.durationS])).toEqual([
      ['fixed-8', 7, 1200],
      ['fixed-4', 7, 30],
      ['hpa-default', '7/r1', 30],
      ['fixed-4', '7/r2', 60],
    ]);
    expect(JSON.stringify(results)).toBe(JSON.stringify(await runTasks(tasks, { jobs: 1 })));
  });

  test('replication 0 is the plain run; replication r is the run with seed "<seed>/r<r>"', async () => {
    const tasks = [0, 1].map((replication): RunTask => ({ scenarioFile: fixture, strategy: 'hpa-default', replication, overrides: {} }));
    for (const jobs of [1, 2]) {
      const [r0, r1] = await runTasks(tasks, { jobs });
      expect(JSON.stringify(r0)).toBe(JSON.stringify(await serialRun('hpa-default')));
      expect(JSON.stringify(r1)).toBe(JSON.stringify(await serialRun('hpa-default', { seed: '7/r1' })));
      expect(r1.seed).toBe('7/r1');
      expect(column(r1, 'arrivals_rps')).not.toEqual(column(r0, 'arrivals_rps'));
      expect(r1.summary).not.toEqual(r0.summary);
    }
  });

  test('an overridden seed is the base of the replications', async () => {
    const tasks = [0, 1].map((replication): RunTask => ({ scenarioFile: fixture, strategy: 'fixed-4', replication, overrides: { seed: 11, durationMicros: 2 * MINUTE } }));
    const [r0, r1] = await runTasks(tasks, { jobs: 1 });
    expect([r0.seed, r1.seed]).toEqual([11, '11/r1']);
    expect(JSON.stringify(r0)).toBe(JSON.stringify(await serialRun('fixed-4', { seed: 11, durationMicros: 2 * MINUTE })));
    expect(JSON.stringify(r1)).toBe(JSON.stringify(await serialRun('fixed-4', { seed: '11/r1', durationMicros: 2 * MINUTE })));
  });

  test('common random numbers: strategies of one replication see the same arrivals', async () => {
    const tasks = buildTasks(fixture, ['fixed-4', 'fixed-8'], 2);
    const [a0, b0, a1, b1] = await runTasks(tasks, { jobs: 2 });
    expect(column(a0, 'arrivals_rps')).toEqual(column(b0, 'arrivals_rps'));
    expect(column(a1, 'arrivals_rps')).toEqual(column(b1, 'arrivals_rps'));
    expect(a0.summary.requests).toBe(b0.summary.requests);
    expect(column(a0, 'arrivals_rps')).not.toEqual(column(a1, 'arrivals_rps'));
    // …while the systems under that traffic do differ.
    expect(a0.summary.latency_ms.p99).not.toBe(b0.summary.latency_ms.p99);
  });

  test('load errors surface as Errors with the issue text, in workers too', async () => {
    const task = (scenarioFile: string, strategy: string): RunTask => ({ scenarioFile, strategy, replication: 0, overrides: { durationMicros: MINUTE } });
    const ok = task(fixture, 'fixed-4');
    for (const jobs of [1, 2]) {
      await expect(runTasks([ok, task(resolve('test/runner/fixtures/missing.json'), 'x')], { jobs })).rejects.toThrow(/missing\.json: cannot read the file \(ENOENT\)/);
      await expect(runTasks([ok, task(fixture, 'nope')], { jobs })).rejects.toThrow(/no strategy "nope" \(expected one of hpa-default, hpa-aggressive, fixed-4, fixed-8\)/);
      await expect(runTasks([ok, task(resolve('test/fixtures/scenarios/broken.yaml'), 'x')], { jobs })).rejects.toThrow('services.api.workers: expected a number > 0, got 0');
    }
  });

  test('an abort signal stops the run: the workers are terminated at once, even with jobs 1', async () => {
    // Ten simulated hours: far longer than the test waits.
    const long = buildTasks(fixture, ['hpa-default', 'fixed-8'], 1, { durationMicros: 600 * MINUTE });
    for (const jobs of [1, 2]) {
      const controller = new AbortController();
      const reason = new Error('stop');
      const started = performance.now();
      let progressAfterAbort = 0;
      const run = runTasks(long, {
        jobs,
        onProgress: (p) => {
          if (controller.signal.aborted) progressAfterAbort++;
          // Abort once the simulation is under way (in a worker: this thread gets its messages).
          else if (p.simulatedS > 60) controller.abort(reason);
        },
        signal: controller.signal,
      });
      await expect(run).rejects.toBe(reason);
      expect(performance.now() - started).toBeLessThan(60_000);
      expect(progressAfterAbort).toBe(0);
    }
    const aborted = AbortSignal.abort(new Error('before'));
    await expect(runTasks(long, { jobs: 2, signal: aborted })).rejects.toThrow('before');
  });

  test('jobs must be a whole number ≥ 1; no tasks, no results', async () => {
    await expect(runTasks([], { jobs: 0 })).rejects.toThrow(RangeError);
    await expect(runTasks([], { jobs: 1.5 })).rejects.toThrow(RangeError);
    expect(await runTasks([], { jobs: 2 })).toEqual([]);
  });
});
