import { describe, expect, test } from 'vitest';
import { EventQueue, Simulation, exponential } from '../../src/engine/index.js';

function drain(queue: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  while (queue.pop()) out.push([queue.poppedTime, queue.poppedArg]);
  return out;
}

describe('event queue', () => {
  test('pops in time order', () => {
    const q = new EventQueue(16);
    for (const [t, a] of [[5, 1], [1, 2], [3, 3], [2, 4], [4, 5]]) q.push(t, 0, a);
    expect(drain(q).map(([t]) => t)).toEqual([1, 2, 3, 4, 5]);
  });

  test('same-time events run in the order they were scheduled (FIFO), across growth', () => {
    const q = new EventQueue(16);
    // 100 events at time 7 interleaved with earlier/later ones: the heap grows past 16.
    for (let i = 0; i < 100; i++) {
      q.push(7, 0, i);
      q.push(i % 2 === 0 ? 3 : 9, 0, 1000 + i);
    }
    const at7 = drain(q).filter(([t]) => t === 7).map(([, a]) => a);
    expect(at7).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test('cancel removes exactly that event; stale handles are no-ops', () => {
    const q = new EventQueue(16);
    const a = q.push(1, 0, 1);
    const b = q.push(2, 0, 2);
    q.push(3, 0, 3);
    expect(q.cancel(b)).toBe(true);
    expect(q.cancel(b)).toBe(false); // already cancelled
    q.pop(); // runs a
    expect(q.cancel(a)).toBe(false); // already ran
    const c = q.push(4, 0, 4); // may reuse a's or b's slot
    expect(q.cancel(a)).toBe(false); // a stale handle must not cancel the new event
    expect(drain(q).map(([, x]) => x)).toEqual([3, 4]);
    expect(q.cancel(c)).toBe(false);
  });

  test('cancelling most events (lazy removal and compaction) keeps the order and the count', () => {
    const q = new EventQueue(16);
    const random = new Simulation(3).random('cancel');
    const handles: { t: number; arg: number; handle: number }[] = [];
    for (let i = 0; i < 10_000; i++) {
      const t = Math.floor(random() * 500); // many equal times: FIFO must survive the rebuild
      handles.push({ t, arg: i, handle: q.push(t, 0, i) });
    }
    const kept = handles.filter((_, i) => i % 10 === 3);
    for (const [i, h] of handles.entries()) if (i % 10 !== 3) expect(q.cancel(h.handle)).toBe(true);
    expect(q.size).toBe(1000);
    for (const [i, h] of handles.entries()) if (i % 10 !== 3) expect(q.cancel(h.handle)).toBe(false);
    kept.sort((a, b) => a.t - b.t || a.arg - b.arg);
    expect(drain(q)).toEqual(kept.map((h) => [h.t, h.arg]));
    expect(q.size).toBe(0);
  });

  test('a random mix of pushes, pops and cancels matches a sorted reference', () => {
    const sim = new Simulation(7);
    const random = sim.random('test');
    const q = new EventQueue(16);
    const reference: { t: number; seq: number; handle: number }[] = [];
    let seq = 0;
    const popped: number[] = [];
    const expected: number[] = [];
    for (let step = 0; step < 5000; step++) {
      const u = random();
      if (u < 0.55) {
        const t = Math.floor(random() * 100);
        reference.push({ t, seq, handle: q.push(t, 0, seq) });
        seq++;
      } else if (u < 0.75 && reference.length > 0) {
        const i = Math.floor(random() * reference.length);
        expect(q.cancel(reference[i].handle)).toBe(true);
        reference.splice(i, 1);
      } else if (reference.length > 0) {
        reference.sort((x, y) => x.t - y.t || x.seq - y.seq);
        expected.push(reference.shift()!.seq);
        q.pop();
        popped.push(q.poppedArg);
      }
    }
    expect(popped).toEqual(expected);
  });
});

/** An independent reference: events kept sorted by (time, sequence) with binary-search insertion. */
class SortedReference {
  private times: number[] = [];
  private seqs: number[] = [];
  private start = 0;
  /** First position at or after (t, seq). */
  private lowerBound(t: number, seq: number): number {
    let lo = this.start;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] < t || (this.times[mid] === t && this.seqs[mid] < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(t: number, seq: number): void {
    const at = this.lowerBound(t, seq);
    this.times.splice(at, 0, t);
    this.seqs.splice(at, 0, seq);
  }
  /** Removes (t, seq); false when it is not there (already popped). */
  remove(t: number, seq: number): boolean {
    const lo = this.lowerBound(t, seq);
    if (lo === this.times.length || this.times[lo] !== t || this.seqs[lo] !== seq) return false;
    this.times.splice(lo, 1);
    this.seqs.splice(lo, 1);
    return true;
  }
  get size(): number {
    return this.times.length - this.start;
  }
  peek(): number {
    return this.size === 0 ? Infinity : this.times[this.start];
  }
  shift(): [number, number] {
    const out: [number, number] = [this.times[this.start], this.seqs[this.start]];
    this.start++;
    if (this.start > 4096) {
      this.times = this.times.slice(this.start);
      this.seqs = this.seqs.slice(this.start);
      this.start = 0;
    }
    return out;
  }
}

describe('event queue against a sorted reference, in the regimes its ladder and re-keys handle', () => {
  // Each regime drives push (never before the last popped time, as the simulation does),
  // cancel, peekTime, pop and popUntil, and compares every popped (time, sequence) with the reference.
  type Regime = { name: string; steps: number; delay: (u: () => number) => number; pushShare: number; cancelShare: number };
  const regimes: Regime[] = [
    { name: 'hold model, exponential delays', steps: 60_000, delay: (u) => Math.floor(-1000 * Math.log(1 - u())), pushShare: 0.5, cancelShare: 0.1 },
    { name: 'many equal times (delays 0–3 µs)', steps: 60_000, delay: (u) => Math.floor(u() * 4), pushShare: 0.5, cancelShare: 0.1 },
    { name: 'growth to ~30 000 pending then drain', steps: 90_000, delay: (u) => Math.floor(u() * 1e6), pushShare: 0.66, cancelShare: 0.02 },
    { name: 'timeouts far ahead, mostly cancelled', steps: 60_000, delay: (u) => (u() < 0.5 ? Math.floor(u() * 100) : 3_600_000_000 + Math.floor(u() * 10)), pushShare: 0.5, cancelShare: 0.3 },
    { name: 'times spanning 2^52 µs (far list)', steps: 30_000, delay: (u) => (u() < 0.02 ? Math.floor(u() * 2 ** 52) : Math.floor(u() * 50)), pushShare: 0.5, cancelShare: 0.1 },
    { name: 'bursts: 2 000 events at one time, then long gaps', steps: 60_000, delay: (u) => (u() < 0.001 ? 10_000_000 : 0), pushShare: 0.5, cancelShare: 0.05 },
  ];
  for (const regime of regimes) {
    test(regime.name, () => {
      const u = new Simulation(11).random(regime.name);
      const queue = new EventQueue(64);
      const reference = new SortedReference();
      const handles: { handle: number; seq: number; t: number }[] = [];
      let seq = 0;
      let now = 0;
      let mismatches = 0;
      const popOne = (until: number) => {
        const expectedTime = reference.peek();
        if (queue.peekTime() !== expectedTime) mismatches++;
        const ran = queue.popUntil(until);
        if (ran !== (reference.size > 0 && expectedTime <= until)) mismatches++;
        if (!ran) return;
        const [t, s] = reference.shift();
        if (queue.poppedTime !== t || queue.poppedArg !== s) mismatches++;
        now = t;
      };
      for (let step = 0; step < regime.steps; step++) {
        const x = u();
        if (x < regime.pushShare) {
          const t = Math.min(now + regime.delay(u), Number.MAX_SAFE_INTEGER);
          handles.push({ handle: queue.push(t, 1, seq), seq, t });
          reference.insert(t, seq);
          seq++;
          if (regime.name.startsWith('bursts') && u() < 0.001) for (let k = 0; k < 2000; k++, seq++) {
            handles.push({ handle: queue.push(now, 1, seq), seq, t: now });
            reference.insert(now, seq);
          }
        } else if (x < regime.pushShare + regime.cancelShare && handles.length > 0) {
          const i = Math.floor(u() * handles.length);
          const h = handles[i];
          handles[i] = handles[handles.length - 1];
          handles.pop();
          // Still pending (the reference has it) or already ran: cancel must say which.
          const inReference = reference.remove(h.t, h.seq);
          if (queue.cancel(h.handle) !== inReference) mismatches++;
        } else popOne(u() < 0.5 ? Infinity : now + regime.delay(u));
      }
      while (reference.size > 0) popOne(Infinity);
      expect(mismatches).toBe(0);
      expect(queue.size).toBe(0);
      expect(queue.pop()).toBe(false);
    });
  }
});

describe('simulation', () => {
  test('runs handlers at their times, FIFO among equal times, and stops', () => {
    const sim = new Simulation(1);
    const log: [number, number][] = [];
    const h = sim.register({ handleEvent: (arg) => log.push([sim.now, arg]) });
    sim.schedule(10, h, 1);
    sim.schedule(5, h, 2);
    sim.schedule(10, h, 3);
    sim.schedule(5, h, 4);
    sim.runUntil(100);
    expect(log).toEqual([[5, 2], [5, 4], [10, 1], [10, 3]]);
    expect(sim.now).toBe(100);
  });

  test('events scheduled by a handler for "now" run after those already queued for now', () => {
    const sim = new Simulation(1);
    const log: string[] = [];
    const second = sim.register({ handleEvent: () => log.push('scheduled-later') });
    const first = sim.register({
      handleEvent: () => {
        log.push('first');
        sim.schedule(0, second);
      },
    });
    const other = sim.register({ handleEvent: () => log.push('queued-earlier') });
    sim.schedule(5, first);
    sim.schedule(5, other);
    sim.runUntil(10);
    expect(log).toEqual(['first', 'queued-earlier', 'scheduled-later']);
  });

  test('stop() ends the run after the current event', () => {
    const sim = new Simulation(1);
    let count = 0;
    const h = sim.register({ handleEvent: () => (++count === 3 ? sim.stop() : undefined) });
    for (let i = 1; i <= 10; i++) sim.schedule(i, h);
    sim.runUntil(100);
    expect(count).toBe(3);
    expect(sim.now).toBe(3);
  });

  test('refuses to schedule in the past', () => {
    const sim = new Simulation(1);
    expect(() => sim.schedule(-1, 0)).toThrow(RangeError);
  });

  test('refuses an event argument that is not an int32 (an Int32Array would store it changed)', () => {
    const sim = new Simulation(1);
    const log: number[] = [];
    const h = sim.register({ handleEvent: (a) => log.push(a) });
    for (const arg of [1.5, 2 ** 31, -(2 ** 31) - 1, NaN, Infinity]) {
      expect(() => sim.schedule(1, h, arg), String(arg)).toThrow(`event queue: arg must be an int32, got ${arg}`);
      expect(() => sim.scheduleAt(1, h, arg), String(arg)).toThrow(RangeError);
    }
    sim.schedule(1, h, 2 ** 31 - 1);
    sim.schedule(2, h, -(2 ** 31));
    sim.runUntil(10);
    expect(log).toEqual([2 ** 31 - 1, -(2 ** 31)]); // the int32 extremes pass unchanged; nothing refused was queued
  });

  test('cancel through the simulation', () => {
    const sim = new Simulation(1);
    const log: number[] = [];
    const h = sim.register({ handleEvent: (a) => log.push(a) });
    const handle = sim.schedule(5, h, 1);
    sim.schedule(6, h, 2);
    expect(sim.cancel(handle)).toBe(true);
    sim.runUntil(10);
    expect(log).toEqual([2]);
  });
});

describe('random streams', () => {
  const draws = (seed: number, name: string, n = 5) => {
    const stream = new Simulation(seed).random(name);
    return Array.from({ length: n }, () => stream());
  };

  test('same seed and name ⇒ identical draws; other seed ⇒ different', () => {
    expect(draws(42, 'traffic')).toEqual(draws(42, 'traffic'));
    expect(draws(43, 'traffic')).not.toEqual(draws(42, 'traffic'));
  });

  test('adding an unrelated stream leaves existing streams unchanged', () => {
    const alone = new Simulation(42);
    const a1 = alone.random('traffic');
    const expected = [a1(), a1(), a1(), a1()];

    const crowded = new Simulation(42);
    const other = crowded.random('cache');
    const a2 = crowded.random('traffic');
    const got = [a2(), other(), a2(), other(), a2(), a2()];
    expect([got[0], got[2], got[4], got[5]]).toEqual(expected);
  });

  test('draws are uniform on [0,1): chi-square over 10 bins', () => {
    const stream = new Simulation(3).random('u');
    const bins = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) bins[Math.floor(stream() * 10)]++;
    const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    // 9 degrees of freedom: P(χ² > 27.88) = 0.001.
    expect(chi2).toBeLessThan(27.88);
  });

  test('an exponential built from a stream has its mean (±1% at n = 200k, ≈4.5σ)', () => {
    const stream = new Simulation(5).random('x');
    const d = exponential(100);
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += d.sample(stream);
    // σ of the sample mean = 100/√n ≈ 0.224.
    expect(Math.abs(sum / n - 100)).toBeLessThan(1);
  });
});
