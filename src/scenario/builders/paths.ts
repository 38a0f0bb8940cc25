import type { Distribution } from '../../engine/index.js';
import { PathTiming } from '../../metrics/path-timing.js';
import type { ServiceStats } from '../../metrics/service-stats.js';
import { CacheFillStep, CacheReadStep, CacheWriteStep } from '../../model/cache/cache-steps.js';
import { WriteBehind } from '../../model/cache/write-behind.js';
import type { Step, StepGuard } from '../../model/path/path-runner.js';
import { CallStep, CpuStep, ExternalStep } from '../../model/path/steps.js';
import { Entry } from '../../model/traffic/arrivals.js';
import type { StepSpec } from '../path-schema.js';
import type { BuiltCaches } from './caches.js';
import type { BuildContext } from './context.js';
import type { DataTier } from './databases.js';
import { buildDistribution } from './distribution.js';

/** Write-behind: how often written keys go to the database by default, and how long a background write may take before it counts as lost. */
const DEFAULT_BATCH_MICROS = 1_000_000;
const BACKGROUND_WRITE_TIMEOUT_MICROS = 30_000_000;

/** The user-facing side of the paths: where each class enters, and what its first CPU step costs. */
export interface BuiltPaths {
  readonly entry: Entry;
  /** Service that receives each class. */
  readonly classService: readonly string[];
  /** CPU work of each class's first step, drawn at arrival; undefined when its path starts otherwise. */
  readonly firstCpuWork: readonly (Distribution | undefined)[];
  /** Mean CPU work per request of each class on its own service (all its `cpu` steps), µs. */
  readonly meanCpuWorkMicros: readonly number[];
  /** Where each operation's time went (worker wait, each step's time and wait). */
  readonly timing: PathTiming;
  /** The operation of each class, and of each service operation by `service.operation`. */
  readonly classOperations: Int32Array;
  readonly serviceOperations: ReadonlyMap<string, number>;
}

/**
 * Every operation — each request class on its service, each service's named operations for
 * its callers — compiled into steps. Operations are declared before any is compiled, so a
 * `call` can name one defined later (the schema has refused cycles).
 */
export function buildPaths(ctx: BuildContext, stats: ReadonlyMap<string, ServiceStats> | undefined, dataTier: DataTier | undefined, caches: BuiltCaches | undefined): BuiltPaths {
  const { scenario, runner, requests, sim } = ctx;
  const serviceOperations = new Map<string, number>();
  for (const [service, spec] of Object.entries(scenario.services))
    for (const name of Object.keys(spec.operations ?? {})) serviceOperations.set(`${service}.${name}`, runner.addOperation(stats?.get(service)));

  // The recorder's measured period starts at the first interval boundary at or after the warm-up.
  const measuredFromMicros = Math.ceil(scenario.warmup / scenario.metricsInterval) * scenario.metricsInterval;
  const timing = new PathTiming(sim, measuredFromMicros);
  runner.stepTimes = timing;
  const callee = (call: NonNullable<StepSpec['call']>): string => `${call.service}.${call.operation ?? Object.keys(scenario.services[call.service].operations ?? {})[0]}`;
  const label = (step: StepSpec): string => {
    if (step.cpu !== undefined) return 'cpu';
    if (step.call) return `call ${callee(step.call)}`;
    if (step.external) return 'external';
    return `db ${step.db!.query}`;
  };
  const cacheNames = Object.keys(scenario.caches ?? {});

  /**
   * Compiles a path into `out`, flat: a `cache` step's nested steps follow it in the list (a
   * read: GET, the miss block, then the SET; a hit jumps past the SET), labelled with ` (miss)`.
   * `guard` is the read whose miss block the steps are in, if any.
   */
  interface Compiled {
    readonly steps: Step[];
    readonly labels: string[];
    readonly waits: boolean[];
  }
  const compileInto = (out: Compiled, op: number, owner: string, service: string, path: readonly StepSpec[], firstDrawnAtArrival: boolean, guard: StepGuard | undefined, suffix: string): void => {
    for (const step of path) {
      const i = out.steps.length;
      const streamName = `path:${owner}:${i}`;
      const c = step.cache;
      if (c === undefined) {
        out.labels.push(label(step) + suffix);
        out.waits.push(step.db !== undefined);
        out.steps.push(compileStep(step, service, streamName, i === 0 && firstDrawnAtArrival));
        continue;
      }
      const name = c.name ?? cacheNames[0];
      const cache = caches!.caches.get(name)!;
      if (c.write === 'write-behind') {
        // The write's steps are an operation of their own, walked later by background requests.
        const behind = new WriteBehind(sim, requests, runner, ctx.services.get(service)!, c.batchEvery ?? DEFAULT_BATCH_MICROS, BACKGROUND_WRITE_TIMEOUT_MICROS);
        const writeOp = runner.addOperation();
        runner.setSteps(writeOp, compile(writeOp, `${owner}:${i}:write-behind`, service, c.steps!, false));
        behind.setOperation(writeOp);
        cache.writeBehinds.push(behind);
        ctx.start.loops.push(() => behind.start());
        out.labels.push(`cache ${name} set (write-behind)${suffix}`);
        out.waits.push(true);
        out.steps.push(new CacheWriteStep(sim, runner, cache, false, behind));
        continue;
      }
      if (c.write !== undefined) {
        compileInto(out, op, owner, service, c.steps!, false, guard, suffix);
        out.labels.push(`cache ${name} ${c.write === 'invalidate' ? 'delete' : 'set'}${suffix}`);
        out.waits.push(true);
        out.steps.push(new CacheWriteStep(sim, runner, cache, c.write === 'invalidate', undefined));
        continue;
      }
      const fill = i + 1 + flatLength(c.onMiss!);
      const read = new CacheReadStep(sim, runner, requests, cache, fill + 1, guard);
      out.labels.push(`cache ${name}${suffix}`);
      out.waits.push(true);
      out.steps.push(read);
      // Before the miss block is compiled: a read nested in it guards its own miss block instead (and tells this one).
      runner.guardSteps(op, i + 1, fill, read);
      compileInto(out, op, owner, service, c.onMiss!, false, read, `${suffix} (miss)`);
      out.labels.push(`cache ${name} ${c.pattern === 'read-through' ? 'fill' : 'set'}${suffix}`);
      out.waits.push(true);
      out.steps.push(new CacheFillStep(sim, runner, cache, c.pattern === 'read-through'));
    }
  };
  /** Steps a path compiles to. */
  const flatLength = (path: readonly StepSpec[]): number =>
    path.reduce((n, step) => {
      const c = step.cache;
      if (c === undefined || c.write === 'write-behind') return n + 1;
      return n + 1 + flatLength(c.onMiss ?? c.steps!) + (c.write === undefined ? 1 : 0);
    }, 0);
  const compileStep = (step: StepSpec, service: string, streamName: string, drawnAtArrival: boolean): Step => {
    if (step.cpu !== undefined) return new CpuStep(requests, runner.hosts, buildDistribution(step.cpu), sim.random(streamName), drawnAtArrival);
    if (step.call) return new CallStep(requests, ctx.services.get(step.call.service)!, serviceOperations.get(callee(step.call))!, requests.addChildGroup(step.call.timeout));
    if (step.external) return new ExternalStep(sim, runner, buildDistribution(step.external.latency), sim.random(streamName), step.external.timeout);
    if (step.db) return dataTier!.dbStep(service, step.db, streamName);
    throw new Error('unreachable: the schema admits exactly one step kind');
  };
  const compile = (op: number, owner: string, service: string, path: readonly StepSpec[], firstDrawnAtArrival: boolean): Step[] => {
    const out: Compiled = { steps: [], labels: [], waits: [] };
    compileInto(out, op, owner, service, path, firstDrawnAtArrival, undefined, '');
    timing.addOperation(op, out.labels, out.waits);
    return out.steps;
  };

  for (const [service, spec] of Object.entries(scenario.services))
    for (const [name, operation] of Object.entries(spec.operations ?? {})) {
      const op = serviceOperations.get(`${service}.${name}`)!;
      runner.setSteps(op, compile(op, `${service}.${name}`, service, operation.path, false));
    }

  const classNames = Object.keys(scenario.traffic.classes);
  const defaultService = scenario.traffic.target ?? Object.keys(scenario.services)[0];
  const classService = classNames.map((name) => scenario.traffic.classes[name].service ?? defaultService);
  const classPaths = classNames.map((name) => {
    const c = scenario.traffic.classes[name];
    return c.path ?? [{ cpu: c.cpu! }];
  });
  const operations = new Int32Array(classNames.length);
  classNames.forEach((name, i) => {
    operations[i] = runner.addOperation(stats?.get(classService[i]));
    runner.setSteps(operations[i], compile(operations[i], name, classService[i], classPaths[i], true));
  });
  return {
    entry: new Entry(requests, operations, classService.map((name) => ctx.services.get(name)!), ctx.keys.classKeys),
    classService,
    firstCpuWork: classPaths.map((path) => (path[0].cpu !== undefined ? buildDistribution(path[0].cpu) : undefined)),
    timing,
    classOperations: operations,
    serviceOperations,
    meanCpuWorkMicros: classPaths.map((path) => path.reduce((sum, step) => sum + (step.cpu !== undefined ? buildDistribution(step.cpu).mean : 0), 0)),
  };
}
