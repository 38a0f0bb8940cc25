/** What a sharded database's shards came to over the measured period (from its time-series columns). */
export interface ShardFigures {
  /** Shards taking queries at the end of the run. */
  shards: number;
  /** Queries each shard took (shard 1 first). */
  queriesByShard: number[];
  /** The busiest shard's queries over the mean of the shards that took any: 1 is even. */
  imbalance: number;
  /** The highest imbalance of one interval (`<db>_shard_imbalance`). */
  peakImbalance: number;
  /** Each shard's CPU utilization averaged over the intervals, %. */
  meanCpuPctByShard: number[];
}

/**
 * Per sharded database (found by its `<db>_shard_imbalance` column), its shards' figures over
 * the rows whose interval ends after `measuredFromS`; undefined without sharded databases.
 */
export function shardFigures(columns: readonly string[], rows: readonly number[][], measuredFromS: number): Record<string, ShardFigures> | undefined {
  const t = columns.indexOf('t_s');
  const measured = rows.map((row, i) => ({ row, widthS: row[t] - (i > 0 ? rows[i - 1][t] : 0) })).filter(({ row }) => row[t] > measuredFromS);
  const out: Record<string, ShardFigures> = {};
  for (const db of columns.filter((c) => c.endsWith('_shard_imbalance')).map((c) => c.slice(0, -'_shard_imbalance'.length))) {
    const imbalance = columns.indexOf(`${db}_shard_imbalance`);
    const queriesByShard: number[] = [];
    const meanCpuPctByShard: number[] = [];
    const last = measured[measured.length - 1]?.row;
    let live = 0;
    for (let i = 1; columns.includes(`${db}_shard${i}_queries_per_s`); i++) {
      const q = columns.indexOf(`${db}_shard${i}_queries_per_s`);
      const cpu = columns.indexOf(`${db}_shard${i}_db_cpu_pct`);
      queriesByShard.push(Math.round(measured.reduce((sum, m) => sum + m.row[q] * m.widthS, 0)));
      meanCpuPctByShard.push(measured.length === 0 ? 0 : measured.reduce((sum, m) => sum + m.row[cpu], 0) / measured.length);
      if (last !== undefined && last[q] > 0) live++;
    }
    const busy = queriesByShard.filter((q) => q > 0);
    const mean = busy.reduce((a, b) => a + b, 0) / Math.max(1, busy.length);
    out[db] = {
      shards: live,
      queriesByShard,
      imbalance: mean > 0 ? Math.max(...busy) / mean : 1,
      peakImbalance: measured.reduce((max, m) => Math.max(max, m.row[imbalance]), 0),
      meanCpuPctByShard,
    };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
