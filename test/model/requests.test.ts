import { describe, expect, test } from 'vitest';
import { Simulation } from '../../src/engine/index.js';
import { CAUSE_TIMEOUT, Requests, type OutcomeListener } from '../../src/model/requests.js';

/** Records every outcome with its request's arrival number. */
function recorder() {
  const outcomes: { kind: 'ok' | 'failed'; cause?: number; latency: number }[] = [];
  const listener: OutcomeListener = {
    arrived: () => {},
    succeeded: (_c, latency) => outcomes.push({ kind: 'ok', latency }),
    failed: (_c, cause, latency) => outcomes.push({ kind: 'failed', cause, latency }),
  };
  return { outcomes, listener };
}

describe('client deadlines', () => {
  test('every unanswered request fails at exactly arrival + timeout; answered ones never do; the FIFO stays small', () => {
    // One arrival per ms for 200 s with a 1 h timeout: 200,000 deadlines pending at once
    // if none were dropped. Every 1,000th request is left unanswered; the rest are answered
    // after 5 ms. The FIFO must hold only requests still in flight.
    const sim = new Simulation(1);
    const timeoutMicros = 3_600_000_000;
    const { outcomes, listener } = recorder();
    const requests = new Requests(sim, listener, [timeoutMicros]);
    const total = 200_000;
    let n = 0;
    const arrive = sim.register({
      handleEvent() {
        const id = requests.arrive(0, 0, 0);
        if (n % 1000 !== 0) sim.schedule(5000, answer, id);
        if (++n < total) sim.schedule(1000, arrive);
      },
    });
    const answer = sim.register({
      handleEvent(id) {
        requests.served(id);
      },
    });
    sim.schedule(0, arrive);
    let peakSlots = 0;
    const gauge = sim.register({
      handleEvent() {
        peakSlots = Math.max(peakSlots, requests.deadlineSlots());
        if (sim.now < total * 1000) sim.schedule(1_000_000, gauge);
      },
    });
    sim.schedule(0, gauge);
    sim.runUntil(timeoutMicros + total * 1000 + 1);

    const failures = outcomes.filter((o) => o.kind === 'failed');
    expect(failures).toHaveLength(total / 1000);
    for (const f of failures) {
      expect(f.cause).toBe(CAUSE_TIMEOUT);
      expect(f.latency).toBe(timeoutMicros);
    }
    expect(outcomes.filter((o) => o.kind === 'ok')).toHaveLength(total - total / 1000);
    // In flight at any time: 5 answered-soon + up to 200 never-answered; a few thousand slots at most.
    expect(peakSlots).toBeLessThanOrEqual(4096);
    expect(requests.inSystem).toBe(0);
  });
});

describe('misuse fails loudly', () => {
  const message = /request \d+: the server already let go of it/;

  test('a request answered twice throws instead of freeing its id twice', () => {
    const sim = new Simulation(1);
    const requests = new Requests(sim, recorder().listener, [1_000_000]);
    const id = requests.arrive(0, 0, 0);
    requests.served(id);
    expect(() => requests.served(id)).toThrow(message);
    expect(() => requests.releaseServer(id)).toThrow(message);
    // The free list was not corrupted: the next two requests get two different ids.
    const a = requests.arrive(0, 0, 0);
    const b = requests.arrive(0, 0, 0);
    expect(a).not.toBe(b);
  });

  test('a request released twice after its client gave up throws', () => {
    const sim = new Simulation(1);
    const requests = new Requests(sim, recorder().listener, [1_000_000]);
    const id = requests.arrive(0, 0, 0);
    requests.fail(id, CAUSE_TIMEOUT);
    requests.releaseServer(id);
    expect(() => requests.releaseServer(id)).toThrow(message);
  });
});
