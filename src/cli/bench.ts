/**
 * `npm run bench`: throughput of the engine and of the model, each as a ratio to a bare
 * baseline measured in the same run, so that the verdicts hold on a busy machine as on a
 * quiet one (absolute rates on a shared VM vary by a factor of three).
 *
 * Baselines: plain loops over a typed-array binary heap (keys: event times in integer µs;
 * payload: one number per event), with the simulator's random generator and nothing else —
 * no engine, no model, no metrics.
 * - bare heap hold: the hold model on that heap (10,000 pending; pop the earliest, push one
 *   at now + Exp(1 ms)); the engine's hold model is compared with it.
 * - bare M/M/c: c = 10 servers, λ = 90/s, Exp(100 ms) service (ρ = 0.9), FIFO queue (a ring
 *   of arrival times), the sum of response times kept; the model rows are compared with it.
 *
 * Timing is the point here, so this CLI entry (not the simulator) reads the clock: the
 * process's CPU time (user + system), which on a loaded machine, unlike wall time, does not
 * count the time spent waiting for a core; rates are per CPU-second. Each measurement runs in its own process after a warm-up, so one's JIT feedback does not
 * shape the other's code; rates and ratios are medians of three rounds.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RandomStreams, Simulation, type EventHandler, type RandomStream } from '../engine/index.js';
import { scenarioSchema, type ScenarioInput } from '../scenario/schema.js';
import { runStrategy } from '../scenario/run.js';
import { inlineDeeper } from './v8-inlining.js';

/** CPU time of this process, ms. */
const clock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
let peakRssBytes = 0;
// `rss()` alone: the full `memoryUsage()` also walks the V8 heap, which would slow what is measured.
const sampleMemory = () => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss()));

const HOLD_PENDING = 10_000;
const HOLD_MEAN_MICROS = 1000;
const MMC_SERVERS = 10;
const MMC_ARRIVALS_PER_S = 90;
const MMC_SERVICE_MICROS = 100_000;
const HOLD_EVENTS = 20_000_000;
const REQUESTS = 5_000_000;

const exp = (random: RandomStream, mean: number) => Math.round(-mean * Math.log(1 - random()));

/** A binary min-heap of (time, payload) in typed arrays: the baselines' event list. */
class BareHeap {
  times = new Float64Array(1024);
  payloads = new Float64Array(1024);
  size = 0;
  /** Time and payload of the last `pop`. */
  time = 0;
  payload = 0;

  push(time: number, payload: number): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const payloads = this.payloads;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      payloads[i] = payloads[parent];
      i = parent;
    }
    times[i] = time;
    payloads[i] = payload;
  }

  pop(): void {
    const times = this.times;
    const payloads = this.payloads;
    this.time = times[0];
    this.payload = payloads[0];
    const n = --this.size;
    const time = times[n];
    const payload = payloads[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1] < times[child]) child++;
      if (times[child] >= time) break;
      times[i] = times[child];
      payloads[i] = payloads[child];
      i = child;
    }
    times[i] = time;
    payloads[i] = payload;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const payloads = new Float64Array(this.times.length * 2);
    times.set(this.times);
    payloads.set(this.payloads);
    this.times = times;
    this.payloads = payloads;
  }
}

/** Bare heap hold loop; events/s. */
function bareHold(events: number): number {
  const random = new RandomStreams(1).get('hold');
  const heap = new BareHeap();
  for (let i = 0; i < HOLD_PENDING; i++) heap.push(exp(random, HOLD_MEAN_MICROS), i);
  const start = clock();
  for (let k = 0; k < events; k++) {
    heap.pop();
    heap.push(heap.time + exp(random, HOLD_MEAN_MICROS), heap.payload);
  }
  const seconds = (clock() - start) / 1000;
  sampleMemory();
  return events / seconds;
}

/** The engine's hold model: the same loop through `Simulation` (ladder queue, handlers by id); events/s. */
function engineHold(events: number): number {
  const sim = new Simulation(1);
  const random = sim.random('hold');
  let remaining = events;
  const handler: EventHandler = {
    handleEvent() {
      if (--remaining > 0) sim.schedule(exp(random, HOLD_MEAN_MICROS), id);
      else sim.stop();
    },
  };
  const id = sim.register(handler);
  for (let i = 0; i < HOLD_PENDING; i++) sim.schedule(exp(random, HOLD_MEAN_MICROS), id);
  const start = clock();
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  const seconds = (clock() - start) / 1000;
  sampleMemory();
  return events / seconds;
}

const ARRIVAL = -1;

/** Bare heap M/M/c loop: `requests` arrivals, each served to the end; requests/s. */
function bareMmc(requests: number): number {
  const streams = new RandomStreams(1);
  const arrivalsRandom = streams.get('arrivals');
  const serviceRandom = streams.get('service');
  const heap = new BareHeap();
  let queue = new Float64Array(1024); // arrival times of the waiting requests, a ring
  let head = 0;
  let waiting = 0;
  let busy = 0;
  let arrived = 0;
  let responseSum = 0;
  const interarrival = 1e6 / MMC_ARRIVALS_PER_S;
  const start = clock();
  heap.push(exp(arrivalsRandom, interarrival), ARRIVAL);
  while (heap.size > 0) {
    heap.pop();
    const now = heap.time;
    if (heap.payload === ARRIVAL) {
      if (++arrived < requests) heap.push(now + exp(arrivalsRandom, interarrival), ARRIVAL);
      if (busy < MMC_SERVERS) {
        busy++;
        heap.push(now + exp(serviceRandom, MMC_SERVICE_MICROS), now);
      } else {
        if (waiting === queue.length) {
          const grown = new Float64Array(queue.length * 2);
          for (let k = 0; k < waiting; k++) grown[k] = queue[(head + k) % queue.length];
          queue = grown;
          head = 0;
        }
        queue[(head + waiting++) % queue.length] = now;
      }
    } else {
      responseSum += now - heap.payload; // payload: the request's arrival time
      if (waiting > 0) {
        const arrival = queue[head];
        head = (head + 1) % queue.length;
        waiting--;
        heap.push(now + exp(serviceRandom, MMC_SERVICE_MICROS), arrival);
      } else busy--;
    }
  }
  const seconds = (clock() - start) / 1000;
  sampleMemory();
  if (!(responseSum > 0)) throw new Error('bare M/M/c served nothing');
  return requests / seconds;
}

/** RSS when the timed run was half-way through its simulated time, and at its end (a row's memory over simulated time). */
let rssAtHalfBytes = 0;
let rssAtEndBytes = 0;

/** Runs a scenario through the whole model (`runStrategy`, as the CLI does); requests/s. */
function throughModel(input: Omit<ScenarioInput, 'name' | 'duration' | 'seed' | 'metricsInterval'>, requests: number): number {
  const durationS = Math.round(requests / MMC_ARRIVALS_PER_S);
  const scenario = scenarioSchema.parse({ name: 'bench', duration: durationS, seed: 1, metricsInterval: '1m', ...input });
  let progressCalls = 0;
  // Progress comes every simulated second; `rss()` reads /proc, which every second cost 12% of the row: sample every 16th simulated minute.
  const sampleSometimes = (simulatedMicros: number) => {
    if (++progressCalls % 960 !== 0) return;
    sampleMemory();
    if (rssAtHalfBytes === 0 && simulatedMicros >= durationS * 5e5) rssAtHalfBytes = process.memoryUsage.rss();
  };
  const start = clock();
  const result = runStrategy('bench', scenario, new Map(), sampleSometimes);
  const seconds = (clock() - start) / 1000;
  sampleMemory();
  rssAtEndBytes = process.memoryUsage.rss();
  return result.summary.requests / seconds;
}

/** Traffic of the model rows: one class at the bare loop's rate, with what each row gives it (its CPU, or a key and a path). */
const oneClass = (what: object) => ({ rate: { constant: MMC_ARRIVALS_PER_S }, classes: { req: { share: 1, timeout: '1h', ...what } } });

/** M/M/c through the service model: one pod of 10 workers on 10 cores, 100 ms exponential CPU, 90/s. */
const mmcScenario = {
  traffic: oneClass({ cpu: { exponential: { mean: '100ms' } } }),
  services: { web: { replicas: 1, workers: MMC_SERVERS, queueCapacity: 100_000, resources: { requests: { cpu: String(MMC_SERVERS) } } } },
};

/**
 * The request path: the load balancer spreads 90/s over 4 pods; each request computes on its
 * pod, queries the database through the pod's pool (processor-shared vCPUs, then I/O), and
 * computes again. Pools and the database have room: nothing fails, as in the M/M/c row.
 */
const pathScenario = {
  traffic: oneClass({ path: [{ cpu: { exponential: { mean: '20ms' } } }, { db: { query: 'order' } }, { cpu: { exponential: { mean: '20ms' } } }] }),
  services: {
    web: {
      replicas: 4,
      workers: 10,
      queueCapacity: 100_000,
      resources: { requests: { cpu: '2' } },
      connectionPools: { main: { maximumPoolSize: 10 } },
    },
  },
  databases: {
    main: {
      instanceClass: { vcpu: 4, memory: '32Gi', hourlyPriceUsd: 1 },
      queries: { order: { cpu: { exponential: { mean: '5ms' } }, io: { exponential: { mean: '5ms' } } } },
    },
  },
};

/**
 * A Redis cache in front of the path row's database (cache-aside): requests go pod CPU → GET (a
 * node's queue, a round trip) → on a miss the database query and a SET. Keys: Zipf (s = 1) over
 * `keys`, with room for `entries` (exact LRU).
 */
const cacheScenario = (keys: number, entries: number) => ({
  ...pathScenario,
  traffic: oneClass({
    key: { popularity: { zipf: { keys, s: 1 } } },
    path: [{ cpu: { exponential: { mean: '40ms' } } }, { cache: { onMiss: [{ db: { query: 'order' } }] } }],
  }),
  caches: { main: { maxEntries: entries, evictionPolicy: 'allkeys-lru' as const } },
});
/** The cache row: 100,000 keys, room for 20,000: about one request in five misses. */
const CACHE_ROW = cacheScenario(100_000, 20_000);
/** The memory row: 10 million keys, room for 1 million — the store fills, then must stay flat. */
const BIG_CACHE = cacheScenario(10_000_000, 1_000_000);

const PARTS: Record<string, { warmUp: () => number; run: () => number }> = {
  'bare-hold': { warmUp: () => bareHold(1_000_000), run: () => bareHold(HOLD_EVENTS) },
  engine: { warmUp: () => engineHold(1_000_000), run: () => engineHold(HOLD_EVENTS) },
  'bare-mmc': { warmUp: () => bareMmc(500_000), run: () => bareMmc(REQUESTS) },
  mmc: { warmUp: () => throughModel(mmcScenario, 500_000), run: () => throughModel(mmcScenario, REQUESTS) },
  path: { warmUp: () => throughModel(pathScenario, 500_000), run: () => throughModel(pathScenario, REQUESTS) },
  cache: { warmUp: () => throughModel(CACHE_ROW, 500_000), run: () => throughModel(CACHE_ROW, REQUESTS) },
  'cache-10m': { warmUp: () => throughModel(BIG_CACHE, 100_000), run: () => throughModel(BIG_CACHE, 2 * REQUESTS) },
};
/** Parts measured once, for their memory, not in the rounds of rates. */
const MEMORY_PARTS = new Set(['cache-10m']);

/** One measurement, in this process: a warm-up (JIT), then the timed run. */
function measure(name: string): Measurement {
  const part = PARTS[name];
  part.warmUp();
  rssAtHalfBytes = 0;
  return { rate: part.run(), peakRssBytes, rssAtHalfBytes, rssAtEndBytes };
}

interface Measurement {
  rate: number;
  peakRssBytes: number;
  rssAtHalfBytes: number;
  rssAtEndBytes: number;
}

const ROUNDS = 3;
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `runs ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

/**
 * Three rounds, each measuring every part once in its own process, one after the other: a
 * change in the machine's load then weighs on a round's rows alike, and a ratio is the median
 * of its three rounds' ratios (rates are medians of three too).
 */
function report(): void {
  const child = (name: string) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: 'utf8' })) as Measurement;
  const names = Object.keys(PARTS).filter((name) => !MEMORY_PARTS.has(name));
  const rates: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  let peakRss = 0;
  for (let round = 0; round < ROUNDS; round++)
    for (const name of names) {
      const m = child(name);
      rates[name].push(m.rate);
      peakRss = Math.max(peakRss, m.peakRssBytes);
    }
  const bigCache = child('cache-10m');
  const ratio = (name: string, of: string) => median(rates[name].map((r, i) => r / rates[of][i]));
  const verdicts: boolean[] = [];
  const target = (value: number, min: number, of: string) => {
    verdicts.push(value >= min);
    return `${value.toFixed(2)}× ${of} (target ≥ ${min}×: ${value >= min ? 'PASS' : 'FAIL'})`;
  };
  const row = (label: string, name: string, unit: string, verdict: string) =>
    console.log(`${label.padEnd(46)} ${`${fmt(median(rates[name]))} ${unit}`.padEnd(18)} ${`(${range(rates[name])})`.padEnd(24)} ${verdict}`);
  console.log('Rates per CPU-second of the measuring process (user + system), medians of three rounds.');
  row('bare heap hold loop (10,000 pending)', 'bare-hold', 'events/s', 'baseline');
  row('engine hold model (10,000 pending)', 'engine', 'events/s', target(ratio('engine', 'bare-hold'), 1.3, 'bare heap hold'));
  row(`bare heap M/M/c loop (c=10, ρ=0.9, ${REQUESTS / 1e6} M req.)`, 'bare-mmc', 'requests/s', 'baseline');
  row('M/M/c through the service model', 'mmc', 'requests/s', target(ratio('mmc', 'bare-mmc'), 0.6, 'bare M/M/c'));
  row('balancer → pod CPU → pool → database → CPU', 'path', 'requests/s', `${ratio('path', 'bare-mmc').toFixed(2)}× bare M/M/c, ${target(ratio('path', 'mmc'), 0.5, 'M/M/c row')}`);
  row('pod CPU → cache (on a miss: database, SET)', 'cache', 'requests/s', `${ratio('cache', 'bare-mmc').toFixed(2)}× bare M/M/c, ${target(ratio('cache', 'mmc'), 0.5, 'M/M/c row')}`);
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  const flat = bigCache.rssAtEndBytes <= bigCache.rssAtHalfBytes * 1.1;
  verdicts.push(flat);
  console.log(
    `${'10M-key Zipf cache (1M entries), 10 M req.'.padEnd(46)} ${`${fmt(bigCache.rate)} requests/s`.padEnd(18)} ${''.padEnd(24)} RSS ${mib(bigCache.rssAtHalfBytes)} half-way, ${mib(bigCache.rssAtEndBytes)} at the end, peak ${mib(bigCache.peakRssBytes)} (flat within 10%: ${flat ? 'PASS' : 'FAIL'})`,
  );
  console.log(`${'peak memory (RSS) of the other rows'.padEnd(46)} ${mib(peakRss)}`);
  const missed = verdicts.filter((v) => !v).length;
  console.log(missed === 0 ? 'every target met' : `${missed} of ${verdicts.length} targets missed`);
}

inlineDeeper(); // as the CLI runs simulations
const part = process.argv[2];
if (part) console.log(JSON.stringify(measure(part)));
else report();
