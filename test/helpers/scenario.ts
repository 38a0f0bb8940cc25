import { scenarioSchema, type Scenario, type ScenarioInput } from '../../src/scenario/schema.js';
import { buildModel } from '../../src/scenario/build.js';
import { summarize } from '../../src/metrics/summary.js';

/** A valid scenario from a partial input: one service `web`, one class `req`. */
export function scenario(input: Partial<ScenarioInput> & Pick<ScenarioInput, 'traffic' | 'services'>): Scenario {
  return scenarioSchema.parse({ name: 'test', duration: '1h', seed: 1, ...input });
}

/** Builds and runs a scenario; returns the model and its summary. */
export function simulate(s: Scenario) {
  const model = buildModel(s, new Map());
  model.run();
  const summary = summarize(model.recorder, model.classNames, model.durationMicros, model.measuredInSystemIntegral(), model.paths);
  return { model, summary };
}
