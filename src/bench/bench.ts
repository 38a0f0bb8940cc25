/**
 * `npm run bench`: throughput of the bare engine and of a simulated M/M/c, plus peak memory.
 * Wall-clock timing is the point here, so this file (not the simulator) reads the clock.
 */
import { Simulation, type EventHandler } from '../engine/index.js';
import { scenarioSchema } from '../scenario/schema.js';
import { runStrategy } from '../scenario/run.js';

// eslint-disable-next-line no-restricted-properties -- measuring wall time is the purpose of a benchmark
const clock = () => performance.now();
let peakRssBytes = 0;
const sampleMemory = () => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss));

/** Hold model: pop the earliest event, schedule one at now + Exp(1 ms), with 10,000 pending. */
function holdModel(events: number): number {
  const sim = new Simulation(1);
  const random = sim.random('hold');
  let remaining = events;
  const handler: EventHandler = {
    handleEvent() {
      if (--remaining > 0) sim.schedule(-1000 * Math.log(1 - random()), id);
      else sim.stop();
    },
  };
  const id = sim.register(handler);
  for (let i = 0; i < 10_000; i++) sim.schedule(-1000 * Math.log(1 - random()), id);
  const start = clock();
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  const seconds = (clock() - start) / 1000;
  sampleMemory();
  return events / seconds;
}

/** M/M/c with c = 10, ρ = 0.9: λ = 90/s, mean service 100 ms; `requests` arrivals. */
function mmc(requests: number): { requestsPerSecond: number; eventsPerSecond: number } {
  const durationSeconds = Math.round(requests / 90);
  const scenario = scenarioSchema.parse({
    name: 'bench-mmc',
    duration: durationSeconds,
    seed: 1,
    metricsInterval: '1m',
    traffic: { rate: { constant: 90 }, classes: { req: { share: 1, cpu: { exponential: { mean: '100ms' } }, timeout: '1h' } } },
    services: { web: { replicas: 1, workers: 10, queueCapacity: 100000, resources: { requests: { cpu: '10' } } } },
  });
  const start = clock();
  const result = runStrategy('bench', scenario, new Map(), sampleMemory);
  const seconds = (clock() - start) / 1000;
  sampleMemory();
  return { requestsPerSecond: result.summary.requests / seconds, eventsPerSecond: result.events / seconds };
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M`;
/** Median of three runs, with their range: one run on a shared VM can be off by a third. */
const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `(runs ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

holdModel(1_000_000); // warm-up (JIT)
const engine = Array.from({ length: RUNS }, () => holdModel(20_000_000));
console.log(`engine hold model (10,000 pending):  ${fmt(median(engine))} events/s   (target ≥ 5 M) ${range(engine)}`);
const mmcRuns = Array.from({ length: RUNS }, () => mmc(5_000_000));
const requestRates = mmcRuns.map((m) => m.requestsPerSecond);
const eventRates = mmcRuns.map((m) => m.eventsPerSecond);
console.log(`M/M/c c=10 ρ=0.9, 5 M requests:      ${fmt(median(requestRates))} requests/s (target ≥ 1.5 M) ${range(requestRates)}, ${fmt(median(eventRates))} events/s`);
console.log(`peak memory (RSS):                   ${(peakRssBytes / 1024 ** 2).toFixed(0)} MiB`);
