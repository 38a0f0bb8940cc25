import { describe, expect, test } from 'vitest';
import { constant, Simulation, type EventHandler } from '../../src/engine/index.js';
import { Database } from '../../src/model/database/database.js';
import { Replication } from '../../src/model/database/replication.js';

/**
 * Writes committed on a primary as a Poisson stream (λ per second), each costing `applyMs` of
 * replay on one replica with `vcpu` idle cores and no shipping delay. Records the lag of
 * every write when the replica's apply thread has replayed it (apply done − commit).
 */
function replicate(writesPerS: number, applyMs: number, durationS: number, vcpu = 2) {
  const sim = new Simulation(42);
  const replica = new Database({ name: 'replica', vcpu, maxConnections: 10, maxJobs: 10 }, sim, { stepAt: () => undefined });
  const replication = new Replication(sim, constant(0), sim.random('ship'));
  const stream = replication.attach(replica);
  const committedAt: number[] = [];
  const lags: { at: number; lag: number }[] = [];
  // Watch each replay as it completes, then let the stream go on.
  replica.backgroundClient = {
    backgroundDone() {
      const lsn = stream.appliedLsn + 1;
      lags.push({ at: sim.now, lag: sim.now - committedAt[lsn] });
      stream.backgroundDone();
    },
  };
  const random = sim.random('writes');
  const writer: EventHandler = {
    handleEvent() {
      committedAt[replication.commit(applyMs * 1000)] = sim.now;
      sim.schedule(Math.ceil((-Math.log(1 - random()) / writesPerS) * 1e6), event);
    },
  };
  const event = sim.register(writer);
  sim.schedule(0, event);
  sim.runUntil(durationS * 1e6);
  return { lags, stream, replica };
}

describe('replica apply lag: one apply thread replaying the primary’s writes', () => {
  test('below capacity (λ·s = 0.5) the lag is the M/D/1 time in system: s + ρs/(2(1−ρ)) = 15 ms (±5%)', () => {
    // λ = 50/s, s = 10 ms deterministic: Pollaczek–Khinchine Wq = ρ·s/(2(1−ρ)) = 5 ms, plus the 10 ms replay.
    const { lags } = replicate(50, 10, 2 * 3600);
    const mean = lags.reduce((sum, l) => sum + l.lag, 0) / lags.length / 1000;
    expect(lags.length).toBeGreaterThan(300_000);
    expect(mean).toBeGreaterThan(15 * 0.95);
    expect(mean).toBeLessThan(15 * 1.05);
  });

  test('above capacity (λ·s = 1.2) the lag grows as the fluid model says: a write committed at t is replayed at ρt, lag (ρ−1)·t (±5% at 10 min)', () => {
    const { lags, stream } = replicate(120, 10, 600);
    // Writes replayed in the last 10 s of the run were committed at about t/ρ, so their lag is t·(1 − 1/ρ).
    const late = lags.filter((l) => l.at > 590e6);
    const meanLate = late.reduce((sum, l) => sum + l.lag, 0) / late.length / 1e6;
    expect(meanLate).toBeGreaterThan(595 * (1 - 1 / 1.2) * 0.95);
    expect(meanLate).toBeLessThan(595 * (1 - 1 / 1.2) * 1.05);
    // The oldest unreplayed write at the end was committed about 600/1.2 = 500 s in: lag ≈ 100 s.
    expect(stream.lagMicros() / 1e6).toBeGreaterThan(100 * 0.95);
    expect(stream.lagMicros() / 1e6).toBeLessThan(100 * 1.05);
  });

  test('the apply thread uses one core of the replica, no more: its CPU is λ·s of a core', () => {
    const { replica } = replicate(50, 10, 600, 4);
    replica.cpu.advance();
    const cores = replica.cpu.cpuUsage / 1000 / 600e6;
    expect(cores).toBeGreaterThan(0.5 * 0.95);
    expect(cores).toBeLessThan(0.5 * 1.05);
  });
});
