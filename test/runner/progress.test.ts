import { Writable } from 'node:stream';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createProgress, formatClock } from '../../src/cli/progress.js';

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

  test('disabled: draws nothing', () => {
    const stream = new FakeTty();
    const progress = createProgress({ enabled: false, tasks: [{ strategy: 'a', replication: 0 }], stream });
    progress.update({ taskIndex: 0, simulatedS: 10, durationS: 60, done: false });
    progress.stop();
    expect(stream.text).toBe('');
  });

  test('shows each running task\'s simulated time and the tasks done', () => {
    vi.useFakeTimers();
    const stream = new FakeTty();
    const tasks = [
      { strategy: 'hpa-default', replication: 0 },
      { strategy: 'hpa-aggressive', replication: 0 },
      { strategy: 'hpa-default', replication: 1 },
    ];
    const progress = createProgress({ enabled: true, tasks, stream });
    progress.update({ taskIndex: 1, simulatedS: 14 * 3600 + 3 * 60, durationS: 24 * 3600, done: false });
    expect(stream.plain()).toMatch(/hpa-aggressive r0 +\S+ 14:03 \/ 24:00/);
    expect(stream.plain()).toMatch(/all +\S+ 0\/3 done/);

    vi.advanceTimersByTime(200);
    progress.update({ taskIndex: 0, simulatedS: 24 * 3600, durationS: 24 * 3600, done: true });
    vi.advanceTimersByTime(200);
    expect(stream.plain()).toMatch(/1\/3 done/);
    // The finished task's line is reused by the next task: never more lines than tasks at once.
    progress.update({ taskIndex: 2, simulatedS: 3600, durationS: 24 * 3600, done: false });
    vi.advanceTimersByTime(200);
    expect(stream.plain()).toMatch(/hpa-default r1 +\S+ 1:00 \/ 24:00/);
    const before = stream.text.length;
    progress.update({ taskIndex: 0, simulatedS: 60, durationS: 24 * 3600, done: false }); // late message of a finished task
    vi.advanceTimersByTime(200);
    expect(stream.text.slice(before)).not.toMatch(/0:01 \/ 24:00/);
    progress.stop();
  });

  test('without replications the labels are the strategy names', () => {
    vi.useFakeTimers();
    const stream = new FakeTty();
    const progress = createProgress({ enabled: true, tasks: [{ strategy: 'four', replication: 0 }, { strategy: 'eight', replication: 0 }], stream });
    progress.update({ taskIndex: 0, simulatedS: 150, durationS: 300, done: false });
    expect(stream.plain()).toMatch(/four +\S+ 2:30 \/ 5:00/);
    expect(stream.plain()).not.toMatch(/four r0/);
    progress.stop();
  });
});
