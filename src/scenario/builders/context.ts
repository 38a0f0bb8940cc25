import type { Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import type { Recorder } from '../../metrics/recorder.js';
import type { CostModel } from '../../model/cost/cost-model.js';
import type { PathRunner } from '../../model/path/path-runner.js';
import type { Requests } from '../../model/requests.js';
import type { Service } from '../../model/service/service.js';
import type { PriceCatalog } from '../../catalog/prices.js';
import type { Scenario } from '../schema.js';
import type { BuiltKeys } from './keys.js';

/**
 * What every builder shares: the scenario, the kernel, the request columns, the path runner,
 * the recorder (builders add their time-series columns), the cost model (they meter what
 * they create), and the start-up lists. A builder adds its component's handlers by
 * constructing it, then contributes columns, costs and start functions here.
 */
export interface BuildContext {
  readonly scenario: Scenario;
  readonly sim: Simulation;
  readonly requests: Requests;
  readonly runner: PathRunner;
  readonly recorder: Recorder;
  readonly log: DecisionLog;
  readonly cost: CostModel;
  readonly catalog: PriceCatalog;
  readonly services: ReadonlyMap<string, Service>;
  /** Key spaces, and the keys each class's requests carry (what caches and shards look up). */
  readonly keys: BuiltKeys;
  /** At time 0, in this order: warm start of what exists before the run, control loops, then traffic. */
  readonly start: { readonly warm: (() => void)[]; readonly loops: (() => void)[]; readonly traffic: (() => void)[] };
}
