import type { Distribution } from '../../engine/index.js';
import { PathTiming } from '../../metrics/path-timing.js';
import type { ServiceStats } from '../../metrics/service-stats.js';
import type { Step } from '../../model/path/path-runner.js';
import { CallStep, CpuStep, ExternalStep } from '../../model/path/steps.js';
import { Entry } from '../../model/traffic/arrivals.js';
import type { StepSpec } from '../path-schema.js';
import type { BuildContext } from './context.js';
import type { DataTier } from './databases.js';
import { buildDistribution } from './distribution.js';

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
export function buildPaths(ctx: BuildContext, stats: ReadonlyMap<string, ServiceStats> | undefined, dataTier: DataTier | undefined): BuiltPaths {
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
  const compile = (op: number, owner: string, service: string, path: readonly StepSpec[], firstDrawnAtArrival: boolean): Step[] => {
    timing.addOperation(op, path.map(label), path.map((step) => step.db !== undefined));
    return path.map((step, i) => {
      const streamName = `path:${owner}:${i}`;
      if (step.cpu !== undefined) return new CpuStep(requests, runner.hosts, buildDistribution(step.cpu), sim.random(streamName), i === 0 && firstDrawnAtArrival);
      if (step.call) return new CallStep(requests, ctx.services.get(step.call.service)!, serviceOperations.get(callee(step.call))!, requests.addChildGroup(step.call.timeout));
      if (step.external) return new ExternalStep(sim, runner, buildDistribution(step.external.latency), sim.random(streamName), step.external.timeout);
      if (step.db) return dataTier!.dbStep(service, step.db, streamName);
      throw new Error('unreachable: the schema admits exactly one step kind');
    });
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
