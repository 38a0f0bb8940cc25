import type { InputIssue } from './issues.js';
import { eachStep, type StepSpec } from './path-schema.js';
import type { Scenario } from './schema.js';

/**
 * Which services receive requests, and from where: each request class enters at its `service`
 * (default `traffic.target`, or the only service), and `call` steps reach other services — from
 * a class's path, or from an operation of a service that is itself reached.
 */
function trafficRoutes(scenario: Scenario): Map<string, string[]> {
  const routes = new Map<string, string[]>(Object.keys(scenario.services).map((name) => [name, []]));
  const entry = scenario.traffic.target ?? Object.keys(scenario.services)[0];
  const reached: string[] = [];
  const reach = (service: string, from: string) => {
    const sources = routes.get(service);
    if (!sources) return;
    if (sources.length === 0) reached.push(service);
    sources.push(from);
  };
  const follow = (path: readonly StepSpec[], from: string) => eachStep(path, [], (step, at) => step.call && reach(step.call.service, `${from}${at.map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`)).join('')}`));
  for (const [className, c] of Object.entries(scenario.traffic.classes)) {
    reach(c.service ?? entry, `traffic.classes.${className}`);
    follow(c.path ?? [], `traffic.classes.${className}.path`);
  }
  // Breadth first: the operations of every service reached so far may call further.
  for (let i = 0; i < reached.length; i++)
    for (const [op, operation] of Object.entries(scenario.services[reached[i]].operations ?? {})) follow(operation.path, `services.${reached[i]}.operations.${op}.path`);
  return routes;
}

/** A service nothing routes to would only be billed: `services.admin: receives no traffic: …`. */
export function unroutedServiceIssues(scenario: Scenario): InputIssue[] {
  const entry = scenario.traffic.target ?? Object.keys(scenario.services)[0];
  return [...trafficRoutes(scenario)]
    .filter(([, sources]) => sources.length === 0)
    .map(([name]) => ({
      path: `services.${name}`,
      message: `receives no traffic: no request class enters it and no call reaches it (traffic enters at ${JSON.stringify(entry)}); remove it (null in a strategy), route a class to it, or call it`,
    }));
}
