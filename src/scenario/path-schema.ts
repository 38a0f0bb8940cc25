import { z } from 'zod';
import { duration } from './schema-units.js';
import { distributionSchema, oneOf } from './distribution-schema.js';

/**
 * A request's path: the steps it walks while holding one of its pod's workers. Only `cpu`
 * steps use the pod's CPU; a worker waiting on a call or an external API uses none, so a
 * slow dependency backs the pods up.
 */
export const stepSchema = oneOf(
  {
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
  },
  'step',
).meta({ id: 'Step', description: 'One step of a path: cpu, call, external or db.' });

export const pathSchema = z.array(stepSchema).min(1, { error: 'expected at least one step' });

export type StepSpec = z.output<typeof stepSchema>;

/** A named operation a service offers to callers: its path. */
export const operationSchema = z.strictObject({ path: pathSchema });
