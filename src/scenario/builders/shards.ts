import { DirectoryLayout, ModuloLayout, RangeLayout, RingLayout, type ShardLayout } from '../../model/database/shard-layouts.js';
import { Resharding, ShardRouter } from '../../model/database/sharding.js';
import type { DatabaseSpec, ShardsSpec } from '../database-schema.js';
import { shardKeySpace } from '../shard-checks.js';
import type { BuildContext } from './context.js';
import type { BuiltDatabase } from './databases.js';
import { increaseOf } from './columns.js';

/** A sharded database as built: every shard the run will have, and the router its `db` steps ask. */
export interface BuiltShards {
  readonly members: readonly BuiltDatabase[];
  readonly router: ShardRouter;
  /** Where its key space starts among the requests' key ids. */
  readonly firstKeyId: number;
  readonly resharding: Resharding | undefined;
}

/**
 * The shards of database `name`: `count` instances named `<name>-shard-<i>` (from 1), each a
 * database as `build` makes it (its own CPU, max_connections, proxy, replicas and bill), plus
 * the shards a resharding adds (billed from its start), and the layout that routes keys of the
 * key space it is sharded on.
 */
export function buildShards(ctx: BuildContext, name: string, spec: DatabaseSpec, build: (member: string, billFromStart: boolean) => BuiltDatabase): BuiltShards {
  const shards = spec.shards!;
  const found = shardKeySpace(ctx.scenario, name);
  if (!('space' in found)) throw new Error(`unreachable: the schema checked the key space of ${name}`);
  const space = ctx.keys.spaces.get(found.space)!;
  const r = shards.resharding;
  const total = Math.max(shards.count, r?.to ?? 0);
  const members = Array.from({ length: total }, (_, i) => build(`${name}-shard-${i + 1}`, i < shards.count));
  const layout = layoutOf(shards, shards.count, shards.ranges, space.keys);
  const router = new ShardRouter(layout, total);
  let resharding: Resharding | undefined;
  if (r) {
    const to = layout instanceof DirectoryLayout ? layout.grownTo(r.to, space.keys) : layoutOf(shards, r.to, r.ranges, space.keys);
    const config = {
      name,
      strategy: strategyLabel(shards),
      atMicros: r.at,
      copyMicros: r.duration,
      keys: space.keys,
      from: layout,
      to,
      sourceCpuPerKeyMicros: r.migration.sourceCpuPerKey,
      targetCpuPerKeyMicros: r.migration.targetCpuPerKey,
    };
    const added = members.slice(shards.count);
    resharding = new Resharding(ctx.sim, router, members.map((m) => m.database), config, ctx.log, () => added.forEach((m) => m.startBilling()));
    ctx.start.loops.push(() => resharding!.start());
  }
  return { members, router, firstKeyId: space.firstId, resharding };
}

function layoutOf(shards: ShardsSpec, count: number, ranges: number[] | undefined, keys: number): ShardLayout {
  switch (shards.strategy) {
    case 'range':
      return ranges ? new RangeLayout(Float64Array.from(ranges)) : RangeLayout.equal(keys, count);
    case 'hash':
      return new ModuloLayout(count);
    case 'consistent':
      return new RingLayout(count, shards.virtualNodes);
    case 'directory':
      return DirectoryLayout.dealt(count, keys, shards.blocks);
  }
}

function strategyLabel(shards: ShardsSpec): string {
  if (shards.strategy === 'hash') return 'modulo hashing';
  if (shards.strategy === 'consistent') return `consistent hashing, ${shards.virtualNodes} virtual nodes per shard`;
  return shards.strategy === 'range' ? 'range' : `directory of ${shards.blocks} key blocks`;
}

/**
 * Per shard i (from 1) every database column prefixed `<db>_shard<i>_`, and its
 * `<db>_shard<i>_queries_per_s`; then `<db>_shard_imbalance`: the busiest shard's queries over
 * the mean of the shards taking queries, in each interval (1 with no queries); with a
 * resharding, `<db>_resharding_copied_pct`: the share of the key space copied and switched.
 */
export function addShardColumns(ctx: BuildContext, name: string, shards: BuiltShards, addDatabaseColumns: (shard: BuiltDatabase, prefix: string) => void): void {
  const { recorder } = ctx;
  const queries = shards.router.queries;
  shards.members.forEach((shard, i) => {
    const prefix = `${name}_shard${i + 1}_`;
    addDatabaseColumns(shard, prefix);
    const routed = increaseOf(() => queries[i]);
    recorder.addColumn({ name: `${prefix}queries_per_s`, sample: (widthMicros) => routed() / (widthMicros / 1e6) });
  });
  const last = new Float64Array(queries.length);
  recorder.addColumn({
    name: `${name}_shard_imbalance`,
    sample: () => {
      let busiest = 0;
      let sum = 0;
      for (let s = 0; s < queries.length; s++) {
        const q = queries[s] - last[s];
        last[s] = queries[s];
        sum += q;
        if (q > busiest) busiest = q;
      }
      return sum > 0 ? busiest / (sum / shards.router.live) : 1;
    },
  });
  const resharding = shards.resharding;
  if (resharding) recorder.addColumn({ name: `${name}_resharding_copied_pct`, sample: () => 100 * resharding.copiedFraction });
}
