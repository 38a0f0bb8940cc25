import { DB_CPU_SATURATED_PCT, duration, episodes, QUIET_S, type DataTierEvent } from './data-tier-timeline.js';

/** A hot shard: one at DB_CPU_SATURATED_PCT or more while the others average at most this share of its CPU. */
export const HOT_SHARD_OTHERS_SHARE = 0.5;

/**
 * Timeline lines for sharded databases (found by their `<db>_shard_imbalance` column): when one
 * shard saturated while the others idled — a hot shard, the shard key concentrating the load —
 * and when that ended. Shards that took no queries in an interval (one a resharding has not
 * started yet) do not count as idle.
 */
export function shardEvents(columns: readonly string[], rows: readonly number[][], starts: readonly number[]): DataTierEvent[] {
  const events: DataTierEvent[] = [];
  for (const db of columns.filter((c) => c.endsWith('_shard_imbalance')).map((c) => c.slice(0, -'_shard_imbalance'.length))) {
    const imbalance = columns.indexOf(`${db}_shard_imbalance`);
    const shards: { cpu: number; queries: number }[] = [];
    for (let i = 1; columns.includes(`${db}_shard${i}_db_cpu_pct`); i++) shards.push({ cpu: columns.indexOf(`${db}_shard${i}_db_cpu_pct`), queries: columns.indexOf(`${db}_shard${i}_queries_per_s`) });
    /** The busiest live shard of row r (index from 0) and the mean CPU of the other live shards. */
    const busiest = (r: number): { shard: number; cpu: number; others: number; count: number } => {
      const live = shards.map((s, i) => ({ i, cpu: rows[r][s.cpu] })).filter((_, i) => rows[r][shards[i].queries] > 0);
      const top = live.reduce((a, b) => (b.cpu > a.cpu ? b : a), { i: -1, cpu: -Infinity });
      const rest = live.filter((s) => s !== top);
      return { shard: top.i, cpu: top.cpu, others: rest.reduce((sum, s) => sum + s.cpu, 0) / Math.max(1, rest.length), count: rest.length };
    };
    const hot = (r: number) => {
      const b = busiest(r);
      return b.count > 0 && b.cpu >= DB_CPU_SATURATED_PCT && b.others <= HOT_SHARD_OTHERS_SHARE * b.cpu;
    };
    for (const e of episodes(starts, hot, QUIET_S)) {
      const b = busiest(e.first);
      events.push({
        t: starts[e.first],
        text: `${db} hot shard: ${db}_shard${b.shard + 1} CPU at ${Math.round(b.cpu)}% while the other ${b.count} shards average ${Math.round(b.others)}% (busiest shard's queries ${rows[e.first][imbalance].toFixed(1)}× the mean): the shard key puts the load on one shard`,
      });
      const r = e.last + 1;
      if (r >= rows.length) continue;
      const after = busiest(r);
      events.push({ t: starts[r], text: `${db} hot shard over after ${duration(starts[r] - starts[e.first])}: busiest shard at ${Math.round(after.cpu)}%, the others at ${Math.round(after.others)}% on average` });
    }
  }
  return events;
}
