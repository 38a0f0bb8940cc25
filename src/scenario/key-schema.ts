import { z } from 'zod';
import { oneOf, positive } from './distribution-schema.js';
import { fraction } from './schema-units.js';

/** Keys up to 50 million: popularity needs no memory per key, and scattering stays exact in doubles. */
export const MAX_KEYS = 50_000_000;
/** All key spaces together: key ids are int32 in the request columns. */
export const MAX_KEY_IDS = 2 ** 31 - 1;

const keyCount = () =>
  z
    .number({ error: 'expected a number of keys' })
    .int({ error: 'expected a whole number of keys' })
    .min(1, { error: 'expected at least 1 key' })
    .max(MAX_KEYS, { error: `expected at most ${MAX_KEYS.toLocaleString('en-US')} keys` });

/**
 * Which key (product, customer…) each request is about. Keys are 0…keys−1, key 0 the most
 * popular unless `scatter` spreads the popular ones over the key range. Caches and shards
 * on the request's path look this key up.
 */
export const keySchema = z
  .strictObject({
    popularity: oneOf(
      {
        zipf: z
          .strictObject({
            keys: keyCount(),
            s: positive('a Zipf exponent s').max(10, { error: 'expected a Zipf exponent s ≤ 10' }).meta({ description: 'Exponent: P(rank r) ∝ r^−s; about 0.8–1.2 for web objects.' }),
          })
          .meta({ description: 'Zipf popularity over `keys` keys.' }),
        uniform: z.strictObject({ keys: keyCount() }).meta({ description: 'Every key equally likely.' }),
        hotSet: z
          .strictObject({
            keys: keyCount(),
            hotKeys: fraction().meta({ description: 'Fraction of the keys that are hot: "1%".' }),
            hotShare: fraction().meta({ description: 'Fraction of the requests that go to the hot keys: "80%".' }),
          })
          .meta({ description: '`hotShare` of the requests on `hotKeys` of the keys, uniformly within each set.' }),
      },
      'popularity model',
    ),
    space: z.string().optional().meta({ description: 'Key space shared with other classes (default: the class\'s own): a write class and a read class of the same products name the same space.' }),
    scatter: z.boolean().default(false).meta({ description: 'Spread popular keys over the key range (as customer ids are); default false: popularity follows key order (as time-ordered keys do), which puts the hot keys in one range shard.' }),
  })
  .meta({ id: 'Key', description: 'The key each request of the class is about, drawn from a popularity model.' });

export type KeySpec = z.output<typeof keySchema>;

export function keysOf(spec: KeySpec): number {
  const p = spec.popularity;
  return (p.zipf ?? p.uniform ?? p.hotSet)!.keys;
}

/** Name of a class's key space: the shared `space`, or the class's own. */
export const keySpaceName = (className: string, spec: KeySpec): string => spec.space ?? `class:${className}`;
