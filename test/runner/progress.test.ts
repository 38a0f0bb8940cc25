import { Writable } from 'node:stream';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { asTerminal, createProgress, formatClock, formatEta, formatRate, runRates } from '../../src/cli/progress.js';

/** A terminal that records what is drawn. */
class FakeTty extends Writable {
  isTTY = true;
  columns = 120;
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, callback: () => void): void {
    this.text += String(chunk);
    callback();
  }
  /** What was written, without escape sequences. */
  plain(): string {
    // eslint-disable-next-line no-control-regex
    return this.text.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '');
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress display', () => {
  test('formatClock: h:mm for runs of an hour or more, m:ss below', () => {
    expect(formatClock(14 * 3600 + 3 * 60 + 59, 24 * 3600)).toBe('14:03');
    expect(formatClock(24 * 3600, 24 * 3600)).toBe('24:00');
    expect(formatClock(150, 300)).toBe('2:30');
    expect(formatClock(0, 300)).toBe('0:00');
  });

  test('runRates: requests per wall second, and the ETA from the simulated time done so far', () => {
    // 10 s of wall time for a quarter of the simulated time: 30 s to go.
    expect(runRates({ elapsedS: 10, simulatedS: 900, totalS: 3600, requests: 50_000 })).toEqual({ requestsPerS: 5000, etaS: 30 });
    expect(runRates({ elapsedS: 2, simulatedS: 3600, totalS: 3600, requests: 10 })).toEqual({ requestsPerS: 5, etaS: 0 });
    expect(runRates({ elapsedS: 1, simulatedS: 0, totalS: 3600, requests: 0 })).toEqual({ requestsPerS: 0, etaS: undefined });
    expect(runRates({ elapsedS: 0, simulatedS: 0, totalS: 3600, requests: 0 })).toEqual({});
  });

  test('formatRate and formatEta', () => {
    expect(formatRate(undefined)).toBe('– req/s');
    expect(formatRate(849.6)).toBe('850 req/s');
    expect(formatRate(9999)).toBe('9999 req/s');
    expect(formatRate(12_340)).toBe('12.3k req/s');
    expect(formatRate(1_250_000)).toBe('1.3M req/s');
    expect(formatEta(undefined)).toBe('–');
    expect(formatEta(Infinity)).toBe('–');
    expect(formatEta(41.2)).toBe('0:42');
    expect(formatEta(185)).toBe('3:05');
    expect(formatEta(3723)).toBe('1:02:03');
  });

  test('disabled: draws nothing', () => {
    const stream = new FakeTty();
    const progress = createProgress({ enabled: false, tasks: [{ strategy: 'a', replication: 0, durationS: 60 }], stream });
    progress.update({ taskIndex: 0, simulatedS: 10, durationS: 60, requests: 5, done: false });
    progress.stop();
    expect(stream.text).toBe('');
  });

  test("shows the run's rate and ETA, each running task's simulated time and the tasks done", () => {
    vi.useFakeTimers();
    const stream = new FakeTty();
    const day = 24 * 3600;
    const tasks = [
      { strategy: 'hpa-default', replication: 0, durationS: day },
      { strategy: 'hpa-aggressive', replication: 0, durationS: day },
      { strategy: 'hpa-default', replication: 1, durationS: day },
    ];
    const progress = createProgress({ enabled: true, tasks, stream });
    vi.advanceTimersByTime(200);
    expect(stream.plain()).toMatch(/all +\S+ 0\/3 done · 0 req\/s · ETA –/);

    vi.advanceTimersByTime(9700); // the redraw at 10 s: a quarter of all simulated time done, 2M requests
    progress.update({ taskIndex: 0, simulatedS: day / 2, durationS: day, requests: 1_000_000, done: false });
    progress.update({ taskIndex: 1, simulatedS: day / 4, durationS: day, requests: 1_000_000, done: false });
    vi.advanceTimersByTime(100);
    expect(stream.plain()).toMatch(/hpa-aggressive r0 +\S+ 6:00 \/ 24:00/);
    expect(stream.plain()).toMatch(/all +\S+ 0\/3 done · 200\.0k req\/s · ETA 0:30/);

    progress.update({ taskIndex: 0, simulatedS: day, durationS: day, requests: 2_000_000, done: true });
    vi.advanceTimersByTime(200);
    expect(stream.plain()).toMatch(/1\/3 done/);
    // The finished task's line is reused by the next task: never more lines than tasks at once.
    progress.update({ taskIndex: 2, simulatedS: 3600, durationS: day, requests: 10, done: false });
    vi.advanceTimersByTime(200);
    expect(stream.plain()).toMatch(/hpa-default r1 +\S+ 1:00 \/ 24:00/);
    const before = stream.text.length;
    progress.update({ taskIndex: 0, simulatedS: 60, durationS: day, requests: 1, done: false }); // late message of a finished task
    vi.advanceTimersByTime(200);
    expect(stream.text.slice(before)).not.toMatch(/0:01 \/ 24:00/);
    progress.stop();
  });

  test('a single task is one line with its clock; stop() turns line wrapping back on', () => {
    vi.useFakeTimers();
    const stream = new FakeTty();
    const progress = createProgress({ enabled: true, tasks: [{ strategy: 'four', replication: 0, durationS: 300 }], stream });
    vi.advanceTimersByTime(1000);
    progress.update({ taskIndex: 0, simulatedS: 150, durationS: 300, requests: 5000, done: false });
    vi.advanceTimersByTime(100);
    expect(stream.plain()).toMatch(/four +\S+ 2:30 \/ 5:00 · 4545 req\/s · ETA 0:02/);
    expect(stream.plain()).not.toMatch(/all|done/);
    expect(stream.text).toContain('\x1b[?7l');
    progress.stop();
    expect(stream.text.lastIndexOf('\x1b[?7h')).toBeGreaterThan(stream.text.lastIndexOf('\x1b[?7l'));
  });

  test('without replications the labels are the strategy names', () => {
    vi.useFakeTimers();
    const stream = new FakeTty();
    const progress = createProgress({ enabled: true, tasks: [{ strategy: 'four', replication: 0, durationS: 300 }, { strategy: 'eight', replication: 0, durationS: 300 }], stream });
    progress.update({ taskIndex: 0, simulatedS: 150, durationS: 300, requests: 0, done: false });
    vi.advanceTimersByTime(200);
    expect(stream.plain()).toMatch(/four +\S+ 2:30 \/ 5:00/);
    expect(stream.plain()).not.toMatch(/four r0/);
    progress.stop();
  });

  test('asTerminal: cli-progress draws on a pipe as on a terminal', () => {
    vi.useFakeTimers();
    const pipe = new FakeTty();
    pipe.isTTY = false;
    const progress = createProgress({ enabled: true, tasks: [{ strategy: 'four', replication: 0, durationS: 300 }], stream: asTerminal(pipe) });
    vi.advanceTimersByTime(200);
    progress.stop();
    expect(pipe.plain()).toMatch(/four +\S+ 0:00 \/ 5:00/);
    expect(pipe.text).toContain('\x1b[?7h');
  });
});
