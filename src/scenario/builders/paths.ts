import type { Distribution } from '../../engine/index.js';
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

  const compile = (owner: string, service: string, path: readonly StepSpec[], firstDrawnAtArrival: boolean): Step[] =>
    path.map((step, i) => {
      const streamName = `path:${owner}:${i}`;
      if (step.cpu !== undefined) return new CpuStep(requests, runner.hosts, buildDistribution(step.cpu), sim.random(streamName), i === 0 && firstDrawnAtArrival);
      if (step.call) {
        const callee = scenario.services[step.call.service];
        const operation = step.call.operation ?? Object.keys(callee.operations ?? {})[0];
        return new CallStep(requests, ctx.services.get(step.call.service)!, serviceOperations.get(`${step.call.service}.${operation}`)!, requests.addChildGroup(step.call.timeout));
      }
      if (step.external) return new ExternalStep(sim, runner, buildDistribution(step.external.latency), sim.random(streamName), step.external.timeout);
      if (step.db) return dataTier!.dbStep(service, step.db, streamName);
      throw new Error('unreachable: the schema admits exactly one step kind');
    });

  for (const [service, spec] of Object.entries(scenario.services))
    for (const [name, operation] of Object.entries(spec.operations ?? {}))
      runner.setSteps(serviceOperations.get(`${service}.${name}`)!, compile(`${service}.${name}`, service, operation.path, false));

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
    runner.setSteps(operations[i], compile(name, classService[i], classPaths[i], true));
  });
  return {
    entry: new Entry(requests, operations, classService.map((name) => ctx.services.get(name)!)),
    classService,
    firstCpuWork: classPaths.map((path) => (path[0].cpu !== undefined ? buildDistribution(path[0].cpu) : undefined)),
    meanCpuWorkMicros: classPaths.map((path) => path.reduce((sum, step) => sum + (step.cpu !== undefined ? buildDistribution(step.cpu).mean : 0), 0)),
  };
}
