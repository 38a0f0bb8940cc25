/**
 * `npm run bench`: throughput of the bare engine and of a simulated M/M/c, plus peak memory.
 * Wall-clock timing is the point here, so this CLI entry (not the simulator) reads the clock.
 * Each measurement runs in its own process, so one's JIT feedback does not shape the other's code.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Simulation, type EventHandler } from '../engine/index.js';
import { scenarioSchema } from '../scenario/schema.js';
import { runStrategy } from '../scenario/run.js';

const clock = () => performance.now();
let peakRssBytes = 0;
// `rss()` alone: the full `memoryUsage()` also walks the V8 heap, which would slow what is measured.
const sampleMemory = () => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss()));

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

type Part = { rates: number[]; eventRates?: number[]; peakRssBytes: number };

function measure(part: string): Part {
  if (part === 'engine') {
    holdModel(1_000_000); // warm-up (JIT)
    return { rates: Array.from({ length: RUNS }, () => holdModel(20_000_000)), peakRssBytes };
  }
  mmc(500_000); // warm-up (JIT)
  const runs = Array.from({ length: RUNS }, () => mmc(5_000_000));
  return { rates: runs.map((m) => m.requestsPerSecond), eventRates: runs.map((m) => m.eventsPerSecond), peakRssBytes };
}

const part = process.argv[2];
if (part) console.log(JSON.stringify(measure(part)));
else {
  const child = (name: string): Part => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: 'utf8' })) as Part;
  const engine = child('engine');
  console.log(`engine hold model (10,000 pending):  ${fmt(median(engine.rates))} events/s   (target ≥ 5 M) ${range(engine.rates)}`);
  const m = child('mmc');
  console.log(`M/M/c c=10 ρ=0.9, 5 M requests:      ${fmt(median(m.rates))} requests/s (target ≥ 1.5 M) ${range(m.rates)}, ${fmt(median(m.eventRates ?? []))} events/s`);
  console.log(`peak memory (RSS):                   ${(Math.max(engine.peakRssBytes, m.peakRssBytes) / 1024 ** 2).toFixed(0)} MiB`);
}
