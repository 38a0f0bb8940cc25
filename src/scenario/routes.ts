import type { InputIssue } from './issues.js';
import type { Scenario } from './schema.js';

/**
 * Which services receive requests, and from where. Today every request class enters at one
 * service (`traffic.target`, or the only service); calls between services, when they come, add
 * their routes here so that the check below counts them.
 */
function trafficRoutes(scenario: Scenario): Map<string, string[]> {
  const routes = new Map<string, string[]>(Object.keys(scenario.services).map((name) => [name, []]));
  const entry = scenario.traffic.target ?? Object.keys(scenario.services)[0];
  for (const className of Object.keys(scenario.traffic.classes)) routes.get(entry)?.push(`traffic.classes.${className}`);
  return routes;
}

/** A service nothing routes to would only be billed: `services.admin: receives no traffic: …`. */
export function unroutedServiceIssues(scenario: Scenario): InputIssue[] {
  const entry = scenario.traffic.target ?? Object.keys(scenario.services)[0];
  return [...trafficRoutes(scenario)]
    .filter(([, sources]) => sources.length === 0)
    .map(([name]) => ({
      path: `services.${name}`,
      message: `receives no traffic: no request class routes to it (all traffic enters at ${JSON.stringify(entry)}); remove it (null in a strategy) or make it traffic.target`,
    }));
}
