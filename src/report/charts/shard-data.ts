type Row = Record<string, string | number | boolean | null>;

/** What the shard chart reads of a strategy's downsampled time series (charts.ts's `Sampled`). */
interface SampledSeries {
  strategy: { name: string };
  /** Start of each bucket, epoch milliseconds of day 0. */
  start: number[];
  column(name: string): (number | null)[] | undefined;
  columns: readonly string[];
}

/**
 * Load per shard: for each sharded database (found by its `<db>_shard_imbalance` column) each
 * shard's `queries_per_s` as a series "<db> shard <i>", and the imbalance as "<db>". Long rows,
 * so that several databases and shards share the chart.
 */
export function shardData(d: { sampled: readonly SampledSeries[] }): Record<string, Row[]> {
  const rows: Row[] = [];
  for (const s of d.sampled) {
    for (const db of s.columns.filter((c) => c.endsWith('_shard_imbalance')).map((c) => c.slice(0, -'_shard_imbalance'.length))) {
      for (let i = 1; s.columns.includes(`${db}_shard${i}_queries_per_s`); i++) {
        const values = s.column(`${db}_shard${i}_queries_per_s`) ?? [];
        values.forEach((v, j) => rows.push({ strategy: s.strategy.name, t: s.start[j], series: `${db} shard ${i}`, queries_per_s: v }));
      }
      const imbalance = s.column(`${db}_shard_imbalance`) ?? [];
      imbalance.forEach((v, j) => rows.push({ strategy: s.strategy.name, t: s.start[j], series: db, imbalance: v }));
    }
  }
  return { shards: rows };
}
