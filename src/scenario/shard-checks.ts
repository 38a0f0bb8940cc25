import type { z } from 'zod';
import type { ShardsSpec } from './database-schema.js';
import { keysOf, keySpaceName, type KeySpec } from './key-schema.js';
import { eachStep, type StepSpec } from './path-schema.js';

type Path = (string | number)[];

/** What the shard checks read of a scenario (its parsed form). */
interface ShardedScenario {
  traffic: { classes: Record<string, { key?: KeySpec; path?: StepSpec[] }> };
  services: Record<string, { operations?: Record<string, { path: StepSpec[] }> }>;
  databases?: Record<string, { shards?: ShardsSpec }>;
}

/** A `db` step some class's requests reach (on their own path, or through calls). */
interface DbStepUse {
  className: string;
  database: string;
  at: Path;
}

/** Every (class, db step) pair: the class's path and the operations its calls reach, each once. */
function dbStepUses(s: ShardedScenario): DbStepUse[] {
  const databases = Object.keys(s.databases ?? {});
  const uses: DbStepUse[] = [];
  for (const [className, c] of Object.entries(s.traffic.classes)) {
    const seen = new Set<string>();
    const walk = (path: readonly StepSpec[], at: Path) =>
      eachStep(path, at, (step, stepAt) => {
        if (step.db) uses.push({ className, database: step.db.database ?? (databases.length === 1 ? databases[0] : ''), at: [...stepAt, 'db'] });
        if (!step.call) return;
        const ops = Object.keys(s.services[step.call.service]?.operations ?? {});
        const op = step.call.operation ?? (ops.length === 1 ? ops[0] : undefined);
        const operation = op === undefined ? undefined : s.services[step.call.service].operations?.[op];
        if (operation === undefined || seen.has(`${step.call.service}.${op}`)) return;
        seen.add(`${step.call.service}.${op}`);
        walk(operation.path, ['services', step.call.service, 'operations', op!, 'path']);
      });
    walk(c.path ?? [], ['traffic', 'classes', className, 'path']);
  }
  return uses;
}

/** The key spaces of the scenario's classes, with their sizes, and each class's space. */
function keySpaces(s: ShardedScenario): { sizes: Map<string, number>; ofClass: Map<string, string> } {
  const sizes = new Map<string, number>();
  const ofClass = new Map<string, string>();
  for (const [name, c] of Object.entries(s.traffic.classes)) {
    if (c.key === undefined) continue;
    const space = keySpaceName(name, c.key);
    ofClass.set(name, space);
    if (!sizes.has(space)) sizes.set(space, keysOf(c.key));
  }
  return { sizes, ofClass };
}

/**
 * The key space a sharded database is sharded on: its `shards.key` (a space, or a class's
 * space), else the one space of the classes that query it. A string saying what is wrong when
 * there is none.
 */
export function shardKeySpace(s: ShardedScenario, database: string): { space: string } | { problem: string; at: 'key' | 'steps' } {
  const { sizes, ofClass } = keySpaces(s);
  const key = s.databases?.[database]?.shards?.key;
  if (key !== undefined) {
    if (sizes.has(key)) return { space: key };
    if (ofClass.has(key)) return { space: ofClass.get(key)! };
    const known = [...sizes.keys(), ...ofClass.keys()];
    return { problem: `expected a key space or the name of a class with a key (${known.join(', ') || 'no class has a key'})`, at: 'key' };
  }
  const used = new Set(dbStepUses(s).flatMap((u) => (u.database === database && ofClass.has(u.className) ? [ofClass.get(u.className)!] : [])));
  if (used.size === 1) return { space: [...used][0] };
  if (used.size === 0) return { problem: 'no class that queries it has a key', at: 'steps' };
  return { problem: `expected the key space to shard on: the classes querying ${database} use several (${[...used].join(', ')})`, at: 'key' };
}

/**
 * Sharded databases: their key space is known, range boundaries fall inside it, and every
 * request reaching a `db` step on one carries a key of that space to pick its shard by.
 */
export function checkShards(s: ShardedScenario, ctx: z.core.$RefinementCtx): void {
  const { sizes, ofClass } = keySpaces(s);
  const uses = dbStepUses(s);
  for (const [name, db] of Object.entries(s.databases ?? {})) {
    const shards = db.shards;
    if (shards === undefined) continue;
    const at: Path = ['databases', name, 'shards'];
    const found = shardKeySpace(s, name);
    if ('problem' in found && found.at === 'key') ctx.addIssue({ code: 'custom', path: [...at, 'key'], message: `${found.problem}, got ${JSON.stringify(shards.key ?? null)}` });
    const space = 'space' in found ? found.space : undefined;
    for (const use of uses) {
      if (use.database !== name) continue;
      const has = ofClass.get(use.className);
      if (has !== undefined && (space === undefined || has === space)) continue;
      const wanted = space === undefined ? 'a `key`' : `a \`key\` in key space ${JSON.stringify(space)}`;
      ctx.addIssue({ code: 'custom', path: use.at, message: `database ${name} is sharded: expected class ${use.className}, whose requests reach this step, to have ${wanted} to pick a shard by, got ${has === undefined ? 'none' : `key space ${JSON.stringify(has)}`}` });
    }
    if (space === undefined) continue;
    const keys = sizes.get(space)!;
    const inside = (firsts: number[] | undefined, path: Path) =>
      firsts?.forEach((k, i) => {
        if (!(k > 0 && k < keys)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `expected a key inside key space ${JSON.stringify(space)} (0 < key < ${keys}), got ${k}` });
      });
    inside(shards.ranges, [...at, 'ranges']);
    inside(shards.resharding?.ranges, [...at, 'resharding', 'ranges']);
    const most = Math.max(shards.count, shards.resharding?.to ?? 0);
    if (most > keys) ctx.addIssue({ code: 'custom', path: [...at, 'count'], message: `expected at most one shard per key (${keys} in key space ${JSON.stringify(space)}), got ${most}` });
  }
}
