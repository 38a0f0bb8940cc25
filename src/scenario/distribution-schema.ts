import { z } from 'zod';
import { duration } from './schema-units.js';

/** Exactly one of an object's keys must be set: how tagged alternatives read in YAML. */
export function oneOf<T extends Record<string, z.ZodType>>(shape: T, what: string) {
  const keys = Object.keys(shape);
  return z
    .strictObject(Object.fromEntries(keys.map((k) => [k, shape[k].optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> })
    .refine((v) => Object.values(v).filter((x) => x !== undefined).length === 1, {
      message: `expected exactly one ${what} (${keys.join(', ')})`,
    });
}

export const positive = (what: string) => z.number({ error: `expected ${what}` }).positive({ error: `expected ${what} > 0` });

// ---------------------------------------------------------------- distributions

export const distributionSchema = z
  .union([
    duration(),
    oneOf(
      {
        constant: duration(),
        exponential: z.strictObject({ mean: duration() }),
        uniform: z.strictObject({ min: duration(), max: duration() }),
        normal: z.strictObject({ mean: duration(), sd: duration() }),
        lognormal: z.strictObject({ mean: duration(), cv: z.number().nonnegative().meta({ description: 'Coefficient of variation: standard deviation / mean.' }) }),
        pareto: z.strictObject({ alpha: positive('a shape alpha'), min: duration(), max: duration() }),
        empirical: z.strictObject({ samples: z.array(duration()).min(1) }),
        histogram: z.array(z.strictObject({ upTo: duration(), weight: z.number().nonnegative() })).min(1),
      },
      'distribution',
    ),
  ])
  .meta({ description: 'A duration distribution: a plain duration ("20ms") is constant; or one of constant, exponential, uniform, normal, lognormal {mean, cv}, pareto (bounded), empirical {samples}, histogram [{upTo, weight}].' });
export type DistributionSpec = z.output<typeof distributionSchema>;

