import { Simulation } from '../engine/index.js';
import { clockSeconds } from '../engine/time.js';
import { DecisionLog } from '../metrics/decisions.js';
import { Recorder } from '../metrics/recorder.js';
import { SloTracker } from '../metrics/slo.js';
import type { ServiceStats } from '../metrics/service-stats.js';
import type { PathTimes } from '../metrics/summary.js';
import { defaultPriceCatalog, withOverrides, type PriceCatalog } from '../catalog/prices.js';
import type { Cache, CacheTotals } from '../model/cache/cache.js';
import type { Cluster } from '../model/cluster/cluster.js';
import { CostModel } from '../model/cost/cost-model.js';
import { PathRunner } from '../model/path/path-runner.js';
import { Requests } from '../model/requests.js';
import type { Service } from '../model/service/service.js';
import type { BuildContext } from './builders/context.js';
import { buildCluster } from './builders/cluster.js';
import { addCostColumns } from './builders/cost.js';
import { buildHpas } from './builders/hpa.js';
import { buildCaches } from './builders/caches.js';
import { buildDatabases, type DatabaseView } from './builders/databases.js';
import { buildKeys } from './builders/keys.js';
import { buildPaths } from './builders/paths.js';
import { addServiceColumns, buildServices, serviceStats } from './builders/services.js';
import { buildTraffic } from './builders/traffic.js';
import type { LoadedTraces } from './load.js';
import type { Scenario } from './schema.js';

export { buildDistribution } from './builders/distribution.js';

export interface Model {
  readonly sim: Simulation;
  readonly recorder: Recorder;
  readonly requests: Requests;
  readonly services: ReadonlyMap<string, Service>;
  readonly log: DecisionLog;
  readonly classNames: readonly string[];
  readonly durationMicros: number;
  readonly cost: CostModel;
  /** Judges the scenario's `slo` block as the run goes; absent without one. */
  readonly slo?: SloTracker;
  readonly cluster?: Cluster;
  /** Each service's own answers, with several services. */
  readonly serviceStats?: ReadonlyMap<string, ServiceStats>;
  /** Databases with their proxies and pools; empty without `databases`. */
  readonly databases: readonly DatabaseView[];
  /** Caches by name; empty without `caches`. */
  readonly caches: ReadonlyMap<string, Cache>;
  /** Each cache's totals over the measured period (after the warm-up). */
  measuredCacheTotals(): Record<string, CacheTotals>;
  /** Where each operation's time went (worker wait, steps). */
  readonly paths: PathTimes;
  /** Revenue per successful request of each class (order value × conversion), USD; 0 when none. */
  readonly revenuePerSuccessUsd: readonly number[];
  /** ∫ user requests in system dt over the measured period (after the warm-up), request·µs. */
  measuredInSystemIntegral(): number;
  /**
   * Runs the whole scenario; `onProgress` gets the simulated time and the requests arrived so far
   * every simulated `progressEveryMicros` (1 s: fine enough for a busy run to report often).
   */
  run(onProgress?: (simulatedMicros: number, requests: number) => void, progressEveryMicros?: number): void;
}

/**
 * The one place that wires a scenario into a model: it creates the shared pieces and asks
 * each component's builder (builders/) for its part — services, paths, traffic, cluster,
 * HPAs, cost. Streams are named per component (`traffic:arrivals`, `traffic:requests`,
 * `balancer:<service>`, `pods:<service>`, `path:<operation>:<step>` …), so common random
 * numbers hold across strategies and adding a component does not shift the others.
 */
export function buildModel(scenario: Scenario, traces: LoadedTraces): Model {
  const sim = new Simulation(scenario.seed);
  const durationMicros = scenario.duration;
  const classNames = Object.keys(scenario.traffic.classes);
  const recorder = new Recorder(sim, scenario.metricsInterval, classNames.length, scenario.warmup);
  const requests = new Requests(
    sim,
    recorder,
    classNames.map((name) => scenario.traffic.classes[name].timeout),
  );
  const runner = new PathRunner(sim, requests);
  let inSystemAtMeasuredStart = 0;
  let cachesAtMeasuredStart = new Map<string, CacheTotals>();
  const services = buildServices(scenario, sim, requests, runner);
  const catalog = priceCatalog(scenario);
  const cost = new CostModel(catalog, () => sim.now);
  if (scenario.cost.controlPlane !== 'none') cost.meterControlPlane(scenario.cost.controlPlane);
  const ctx: BuildContext = { scenario, sim, requests, runner, recorder, log: new DecisionLog(), cost, catalog, services, keys: buildKeys(scenario, sim), start: { warm: [], loops: [], traffic: [] } };

  const stats = serviceStats(services);
  const dataTier = buildDatabases(ctx);
  const caches = buildCaches(ctx);
  recorder.measuredStartListener = () => {
    inSystemAtMeasuredStart = requests.inSystemIntegral();
    cachesAtMeasuredStart = new Map([...(caches?.caches ?? [])].map(([name, cache]) => [name, cache.totals()]));
  };
  const paths = buildPaths(ctx, stats, dataTier, caches);
  buildTraffic(ctx, paths, traces);

  // The entry service's columns keep plain names; with several services each has its own too.
  const entry = paths.classService[0];
  const shares = classNames.map((name) => scenario.traffic.classes[name].share);
  const meanWorkSeconds = (service: string) => paths.meanCpuWorkMicros.reduce((sum, work, i) => sum + (paths.classService[i] === service ? shares[i] * work : 0), 0) / 1e6;
  addServiceColumns(recorder, services.get(entry)!, meanWorkSeconds(entry), '');
  if (stats) for (const [name, service] of services) addServiceColumns(recorder, service, meanWorkSeconds(name), `${name}_`, stats.get(name));
  for (const service of services.values()) ctx.start.warm.push(() => service.startWarm());
  dataTier?.addColumns();
  caches?.addColumns();

  const cluster = buildCluster(ctx);
  addCostColumns(ctx);
  const slo = scenario.slo ? new SloTracker(scenario.slo, scenario.metricsInterval, clockSeconds(scenario.clockStart)!) : undefined;
  if (slo) recorder.intervalListener = (t, histogram, arrivals, failures) => slo.onInterval(t, histogram, arrivals, failures);
  buildHpas(ctx);

  return {
    sim,
    recorder,
    requests,
    services,
    log: ctx.log,
    classNames,
    durationMicros,
    cost,
    cluster,
    serviceStats: stats,
    databases: dataTier?.views ?? [],
    caches: caches?.caches ?? new Map(),
    slo,
    paths,
    revenuePerSuccessUsd: classNames.map((name) => {
      const c = scenario.traffic.classes[name];
      return (c.orderValueUsd ?? 0) * c.conversionRate;
    }),
    measuredInSystemIntegral: () => requests.inSystemIntegral() - inSystemAtMeasuredStart,
    measuredCacheTotals: () =>
      Object.fromEntries(
        [...(caches?.caches ?? [])].map(([name, cache]) => {
          const now = cache.totals();
          const start = cachesAtMeasuredStart.get(name)!;
          return [name, Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - start[k as keyof CacheTotals]])) as unknown as CacheTotals];
        }),
      ),
    run(onProgress, progressEveryMicros = 1_000_000) {
      for (const start of ctx.start.warm) start();
      recorder.start();
      for (const start of ctx.start.loops) start();
      for (const start of ctx.start.traffic) start();
      for (let t = 0; t < durationMicros; ) {
        t = Math.min(durationMicros, t + progressEveryMicros);
        sim.runUntil(t);
        onProgress?.(t, requests.arrivedCount);
      }
      recorder.flush();
    },
  };
}

function priceCatalog(scenario: Scenario): PriceCatalog {
  const result = withOverrides(defaultPriceCatalog, scenario.cost.prices);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n')); // the loader reported these
  return result.catalog;
}
