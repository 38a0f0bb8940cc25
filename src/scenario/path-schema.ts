import { z } from 'zod';
import { duration, period } from './schema-units.js';
import { distributionSchema, oneOf } from './distribution-schema.js';

/** The step kinds that hold no steps of their own. */
const plainSteps = {
  cpu: distributionSchema.meta({ description: "CPU work on the pod's CPU, at one full core (\"20ms\" or a distribution)." }),
  call: z
    .strictObject({
      service: z.string().meta({ description: 'The service called (synchronously: the worker waits for the answer).' }),
      operation: z.string().optional().meta({ description: "The callee's operation (default: its only one)." }),
      timeout: duration().prefault('30s').meta({ description: 'The caller gives up after this: the step fails with `downstream_timeout` (default 30s). A failed call fails with `downstream_error`.' }),
    })
    .meta({ description: 'A synchronous call to another service of the scenario.' }),
  external: z
    .strictObject({
      latency: distributionSchema.meta({ description: 'Response time of the outside service.' }),
      timeout: duration().prefault('30s').meta({ description: 'Beyond this the step fails with `external_timeout` (default 30s).' }),
    })
    .meta({ description: 'Waiting on something outside the model (a third-party API); uses no CPU.' }),
  db: z
    .strictObject({
      query: z.string().meta({ description: "One of the database's `queries`." }),
      database: z.string().optional().meta({ description: 'The database (default: the only one).' }),
    })
    .meta({ description: "A query through the pod's connection pool (and the database's proxy, if any): the worker waits, using no pod CPU. A `read` query goes to the read replicas when the database has them." }),
};

type PlainStep = { [K in keyof typeof plainSteps]?: z.output<(typeof plainSteps)[K]> };
type PlainStepInput = { [K in keyof typeof plainSteps]?: z.input<(typeof plainSteps)[K]> };

/** A `cache` step: a cached read with its miss block, or a write with its own steps. */
export interface CacheStepSpec {
  name?: string;
  pattern: 'cache-aside' | 'read-through';
  onMiss?: StepSpec[];
  write?: 'write-through' | 'write-behind' | 'invalidate';
  steps?: StepSpec[];
  batchEvery?: number;
}
export type StepSpec = PlainStep & { cache?: CacheStepSpec };
export type StepInput = PlainStepInput & {
  cache?: Omit<CacheStepSpec, 'pattern' | 'onMiss' | 'steps' | 'batchEvery'> & { pattern?: CacheStepSpec['pattern']; onMiss?: StepInput[]; steps?: StepInput[]; batchEvery?: number | string };
};

const nestedPath = (description: string) => z.lazy(() => z.array(stepSchema).min(1, { error: 'expected at least one step' })).optional().meta({ description });

const cacheStepSchema = z
  .strictObject({
    name: z.string().optional().meta({ description: 'The cache (one of `caches`; default: the only one).' }),
    pattern: z.enum(['cache-aside', 'read-through']).default('cache-aside').meta({ description: "A read: `cache-aside` (default: GET; on a miss the application runs `onMiss`, then SETs the value — one more round trip) or `read-through` (the cache loads on a miss and stores the value itself: no SET round trip for the request)." }),
    onMiss: nestedPath('A read: the steps that load the value on a miss (e.g. a `db` query). A hit skips them.'),
    write: z.enum(['write-through', 'write-behind', 'invalidate']).optional().meta({ description: "A write instead of a read: run `steps` (the database write), then SET the new value (`write-through`) or DEL the key (`invalidate`, cache-aside writes); or `write-behind`: SET at once and go on, the steps run later in the background, once per key written in each `batchEvery`." }),
    steps: nestedPath('A write: its own steps (e.g. a `db` write query), run before the cache is updated (write-behind: in the background).'),
    batchEvery: period().optional().meta({ description: 'Write-behind: how often the keys written since the last batch go to the database, each once (default 1s).' }),
  })
  .superRefine((c, ctx) => {
    if (c.write === undefined) {
      if (c.onMiss === undefined) ctx.addIssue({ code: 'custom', path: ['onMiss'], message: 'expected the steps that load the value on a miss (or `write` for a write)' });
      if (c.steps !== undefined) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'expected `steps` only with `write`; a read loads its value in `onMiss`' });
    } else {
      if (c.steps === undefined) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'expected the write\'s own steps (e.g. [{ db: { query: update } }])' });
      if (c.onMiss !== undefined) ctx.addIssue({ code: 'custom', path: ['onMiss'], message: 'a write has no miss: give its steps in `steps`' });
    }
    if (c.batchEvery !== undefined && c.write !== 'write-behind') ctx.addIssue({ code: 'custom', path: ['batchEvery'], message: 'expected `batchEvery` only with `write: write-behind`' });
  })
  .meta({ description: 'A cache on the path, keyed by the request\'s key: a read (GET, on a miss `onMiss` then SET) or a write (`write`: `steps`, then SET or DEL).' });

/**
 * A request's path: the steps it walks while holding one of its pod's workers. Only `cpu`
 * steps use the pod's CPU; a worker waiting on a call, a cache or an external API uses none,
 * so a slow dependency backs the pods up.
 */
export const stepSchema: z.ZodType<StepSpec, StepInput> = oneOf({ ...plainSteps, cache: cacheStepSchema }, 'step').meta({
  id: 'Step',
  description: 'One step of a path: cpu, call, external, db or cache.',
}) as unknown as z.ZodType<StepSpec, StepInput>;

export const pathSchema = z.array(stepSchema).min(1, { error: 'expected at least one step' });

/** A named operation a service offers to callers: its path. */
export const operationSchema = z.strictObject({ path: pathSchema });

/** Calls `visit` with every step of a path, those nested in `cache` steps included, and its field path. */
export function eachStep(path: readonly StepSpec[], at: readonly (string | number)[], visit: (step: StepSpec, at: (string | number)[]) => void): void {
  path.forEach((step, i) => {
    visit(step, [...at, i]);
    const c = step.cache;
    if (c?.onMiss) eachStep(c.onMiss, [...at, i, 'cache', 'onMiss'], visit);
    if (c?.steps) eachStep(c.steps, [...at, i, 'cache', 'steps'], visit);
  });
}
