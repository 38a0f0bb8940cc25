import type { RandomStream, Simulation } from '../../engine/index.js';
import { HotSetKeys, ScatteredKeys, UniformKeys, ZipfKeys, type KeyPopularity } from '../../model/keys/popularity.js';
import type { ClassKeys } from '../../model/traffic/arrivals.js';
import type { KeySpec } from '../key-schema.js';
import { keysOf, keySpaceName } from '../key-schema.js';
import type { Scenario } from '../schema.js';

/** A key space: the ids firstId…firstId+keys−1 in the requests' `key` column. */
export interface KeySpace {
  readonly name: string;
  readonly firstId: number;
  readonly keys: number;
}

/** The key spaces of a scenario, and each class's keys (undefined for a class without `key`). */
export interface BuiltKeys {
  readonly spaces: ReadonlyMap<string, KeySpace>;
  /** Key space of each class, undefined without `key`. */
  readonly classSpace: readonly (KeySpace | undefined)[];
  readonly classKeys: readonly (ClassKeys | undefined)[];
}

export function popularityOf(spec: KeySpec): KeyPopularity {
  const p = spec.popularity;
  let popularity: KeyPopularity;
  if (p.zipf) popularity = new ZipfKeys(p.zipf.keys, p.zipf.s);
  else if (p.uniform) popularity = new UniformKeys(p.uniform.keys);
  else {
    const h = p.hotSet!;
    popularity = new HotSetKeys(h.keys, hotKeyCount(h.keys, h.hotKeys), h.hotShare);
  }
  return spec.scatter ? new ScatteredKeys(popularity) : popularity;
}

/** The hot set's size in keys: at least one, and at most all but one (so the rest exists). */
export const hotKeyCount = (keys: number, hotFraction: number): number => Math.min(keys - 1, Math.max(1, Math.round(keys * hotFraction)));

/**
 * Numbers the key spaces one after another (in the order classes name them) and gives each
 * class with a `key` its popularity and its own stream `keys:<class>`: the same keys in every
 * strategy (common random numbers).
 */
export function buildKeys(scenario: Scenario, sim: Simulation): BuiltKeys {
  const spaces = new Map<string, KeySpace>();
  let nextId = 0;
  const classSpace: (KeySpace | undefined)[] = [];
  const classKeys: (ClassKeys | undefined)[] = [];
  for (const [name, c] of Object.entries(scenario.traffic.classes)) {
    if (c.key === undefined) {
      classSpace.push(undefined);
      classKeys.push(undefined);
      continue;
    }
    const spaceName = keySpaceName(name, c.key);
    let space = spaces.get(spaceName);
    if (space === undefined) {
      space = { name: spaceName, firstId: nextId, keys: keysOf(c.key) };
      nextId += space.keys;
      spaces.set(spaceName, space);
    }
    const random: RandomStream = sim.random(`keys:${name}`);
    classSpace.push(space);
    classKeys.push({ popularity: popularityOf(c.key), random, firstId: space.firstId });
  }
  return { spaces, classSpace, classKeys };
}
