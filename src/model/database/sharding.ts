import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import type { Database } from './database.js';
import type { ShardLayout } from './shard-layouts.js';

/**
 * Picks the shard of each query from its key (within the key space the database is sharded
 * on) and counts the queries each shard gets. While a resharding copies keys, a key already
 * copied goes to its shard under the new layout, the others stay where they were.
 */
export class ShardRouter {
  /** Queries routed to each shard since the start (every shard the run will have). */
  readonly queries: Float64Array;
  /** Shards that take queries now (a shard being added does from the resharding's start). */
  live: number;
  private current: ShardLayout;
  private next: ShardLayout | undefined;
  /** Keys below this have been copied to their shard under `next`. */
  private movedBelow = 0;

  constructor(layout: ShardLayout, totalShards: number) {
    this.current = layout;
    this.live = layout.count;
    this.queries = new Float64Array(totalShards);
  }

  /** The shard of a query on `key`; counts it. */
  route(key: number): number {
    const s = key < this.movedBelow ? this.next!.shardOf(key) : this.current.shardOf(key);
    this.queries[s]++;
    return s;
  }

  beginMove(next: ShardLayout): void {
    this.next = next;
    this.live = next.count;
  }

  /** Keys below `key` now live on their new shards. */
  movedUpTo(key: number): void {
    this.movedBelow = key;
  }

  finishMove(): void {
    this.current = this.next!;
    this.next = undefined;
    this.movedBelow = 0;
  }
}

/** Keys whose shard differs between two layouts, of keys 0…keys−1. */
export function movedKeys(from: ShardLayout, to: ShardLayout, keys: number): number {
  let moved = 0;
  for (let k = 0; k < keys; k++) if (from.shardOf(k) !== to.shardOf(k)) moved++;
  return moved;
}

export interface ReshardingConfig {
  /** The database's name, for the decision lines. */
  readonly name: string;
  /** How the layout is named in the lines ("consistent hashing"). */
  readonly strategy: string;
  readonly atMicros: number;
  /** The copy is paced over this long; it takes longer when the shards cannot keep up. */
  readonly copyMicros: number;
  readonly keys: number;
  readonly from: ShardLayout;
  readonly to: ShardLayout;
  /** CPU work to read one moved key's data on its old shard and to write it on its new one, µs at one core. */
  readonly sourceCpuPerKeyMicros: number;
  readonly targetCpuPerKeyMicros: number;
}

/** One copy batch per second of the configured duration, at most this many batches. */
const BATCH_MICROS = 1_000_000;
const MAX_BATCHES = 3600;
const BEGIN = -1;
const NEXT_BATCH = -2;

/**
 * Adding shards while serving: from `at`, the keys are scanned in key order in batches paced
 * over the configured duration (one batch a second); each key whose shard changes is read on
 * its old shard and written on its new one — CPU work on both databases, a background job that
 * shares their vCPUs with the queries (one copy stream per database, at most one core, as
 * VReplication streams or MongoDB's chunk migrations run). A batch's keys switch to their new
 * shards once the batch is written (key by key, as MongoDB commits each migrated chunk; Vitess
 * switches all traffic at the end instead). A batch that is not done when the next one is due
 * delays the rest: a busy shard stretches the migration. `onStart` starts billing new shards.
 */
export class Resharding implements EventHandler {
  private readonly event: number;
  private readonly batches: number;
  private readonly tickMicros: number;
  private readonly sourceKeys: Float64Array;
  private readonly targetKeys: Float64Array;
  private batch = 0;
  private outstanding = 0;
  private moved = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly router: ShardRouter,
    /** Every shard's primary, the new ones included. */
    private readonly databases: readonly Database[],
    private readonly config: ReshardingConfig,
    private readonly log: DecisionLog,
    private readonly onStart: () => void,
  ) {
    this.event = sim.register(this);
    this.batches = Math.max(1, Math.min(MAX_BATCHES, Math.round(config.copyMicros / BATCH_MICROS)));
    this.tickMicros = config.copyMicros / this.batches;
    this.sourceKeys = new Float64Array(databases.length);
    this.targetKeys = new Float64Array(databases.length);
    databases.forEach((db, s) => {
      if (db.backgroundClient !== undefined) throw new Error(`${db.config.name} already runs a background job`);
      db.backgroundClient = new CopyStream(this, s);
    });
  }

  start(): void {
    this.sim.scheduleAt(this.config.atMicros, this.event, BEGIN);
  }

  /** Share of the key space copied and switched to the new layout so far (0 before, 1 once done). */
  get copiedFraction(): number {
    return this.batch / this.batches;
  }

  handleEvent(phase: number): void {
    if (phase === BEGIN) this.begin();
    this.copyBatch();
  }

  /** A shard's copy work for the current batch is done. */
  copyDone(): void {
    if (--this.outstanding === 0) this.batchDone();
  }

  private begin(): void {
    const { name, strategy, from, to, keys, copyMicros } = this.config;
    this.onStart();
    const moving = movedKeys(from, to, keys);
    this.router.beginMove(to);
    this.log.decide({
      t_s: this.sim.now / 1e6,
      controller: `shards/${name}`,
      from: from.count,
      to: to.count,
      reason: 'Resharding',
      message: `resharding ${name} ${from.count} → ${to.count} shards (${strategy}): ${percent(moving / keys)} of keys (${count(moving)} of ${count(keys)}) move, copied in key order over ${minutes(copyMicros)}; each key's queries switch to its new shard once it is copied`,
    });
  }

  /** Reads the batch's moved keys on their old shards and writes them on their new ones. */
  private copyBatch(): void {
    const { from, to, sourceCpuPerKeyMicros, targetCpuPerKeyMicros } = this.config;
    this.sourceKeys.fill(0);
    this.targetKeys.fill(0);
    const end = this.batchEnd();
    for (let k = this.batchEnd(this.batch - 1); k < end; k++) {
      const a = from.shardOf(k);
      const b = to.shardOf(k);
      if (a === b) continue;
      this.sourceKeys[a]++;
      this.targetKeys[b]++;
      this.moved++;
    }
    this.outstanding = 0;
    for (let s = 0; s < this.databases.length; s++) {
      const work = this.sourceKeys[s] * sourceCpuPerKeyMicros + this.targetKeys[s] * targetCpuPerKeyMicros;
      if (work <= 0) continue;
      this.outstanding++;
      this.databases[s].cpu.startBackground(work);
    }
    if (this.outstanding === 0) this.batchDone();
  }

  private batchDone(): void {
    this.router.movedUpTo(this.batchEnd());
    this.batch++;
    if (this.batch < this.batches) {
      const due = this.config.atMicros + Math.round(this.batch * this.tickMicros);
      this.sim.scheduleAt(Math.max(this.sim.now, due), this.event, NEXT_BATCH);
      return;
    }
    this.router.finishMove();
    const { name, to, atMicros, copyMicros } = this.config;
    const took = this.sim.now - atMicros;
    const late = took > copyMicros * 1.01 ? `, ${minutes(took - copyMicros)} longer than planned: the shards' CPUs could not keep the pace` : '';
    this.log.decide({
      t_s: this.sim.now / 1e6,
      controller: `shards/${name}`,
      from: to.count,
      to: to.count,
      reason: 'ReshardingComplete',
      message: `copy finished after ${minutes(took)}${late}: ${count(this.moved)} keys moved; every query now routed over ${to.count} shards`,
    });
  }

  /** First key after batch `j` (the current one by default). */
  private batchEnd(j = this.batch): number {
    return Math.floor(((j + 1) * this.config.keys) / this.batches);
  }
}

/** Tells the resharding when one database's copy work is done. */
class CopyStream {
  constructor(
    private readonly resharding: Resharding,
    readonly shard: number,
  ) {}

  backgroundDone(): void {
    this.resharding.copyDone();
  }
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function count(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function minutes(micros: number): string {
  const s = Math.round(micros / 1e6);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
}
