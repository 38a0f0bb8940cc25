import type { EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { PathRunner } from '../path/path-runner.js';
import { CAUSE_POD_TERMINATED, type Requests } from '../requests.js';
import { shardOfSlot, slotOfNumberedKey } from './hash-slot.js';
import { KeyStore } from './key-store.js';
import { LoadTable } from './load-table.js';
import type { WriteBehind } from './write-behind.js';

/** What a GET found: a live value, nothing, or a live value XFetch chose to recompute early. */
export const HIT = 0;
export const MISS = 1;
export const REFRESH = 2;

/** Redis's active expiry runs `hz` (10) times a second. */
const EXPIRE_CYCLE_MICROS = 100_000;
/** XFetch's chance of an early refresh is below e^−30 further than 30 δβ from the expiry: no draw there. */
const XFETCH_HORIZON = 30;
const NONE = -1;
const LOADER = 1;
const WAITER = 2;
const EXPIRE = -1;

export interface CacheConfig {
  readonly name: string;
  /** An in-process cache in each pod (lost with the pod), instead of a cache server. */
  readonly local: boolean;
  /** Time to live of a value set, µs (Infinity: none), spread uniformly by ±`ttlJitter` of it. */
  readonly ttlMicros: number;
  readonly ttlJitter: number;
  /** Entries a store holds at most (Infinity: unbounded), and what makes room (key-store EVICT_*). */
  readonly capacityEntries: number;
  readonly evictionPolicy: number;
  /** Nodes that serve the keys (a Redis Cluster's shards; 1 for one node; unused when local). */
  readonly shards: number;
  /** Time a node's one command thread takes per command, µs. */
  readonly serviceMicros: number;
  /** Network round trip of a command, µs (0 for a local cache: it answers at once). */
  readonly roundTripMicros: number;
  /** Concurrent misses of one key in one pod wait for the first one's load (single flight). */
  readonly coalesce: boolean;
  /** XFetch's β (0: no early refresh). */
  readonly earlyRefreshBeta: number;
  /** When the cache is emptied (a flush, or a restart), µs from the start. */
  readonly flushAtMicros: readonly number[];
  /** A teaching shortcut: every GET hits with this probability and nothing is stored (NaN: the hit ratio emerges). */
  readonly declaredHitRatio: number;
}

/** A cache's running totals: GETs, hits, loads begun (misses and early refreshes that loaded), misses that waited for another's load, early refreshes, evictions. */
export interface CacheTotals {
  gets: number;
  hits: number;
  loads: number;
  coalesced: number;
  earlyRefreshes: number;
  evictions: number;
}

/** The Redis key of a request's key id, for hash slots: the CRC of its text before the number, and the first id of its key space, per class. */
export interface KeyNames {
  readonly prefixCrc: ArrayLike<number>;
  readonly firstId: ArrayLike<number>;
}

/**
 * A cache: a Redis server or cluster, or an in-process cache in each pod (`local`). It holds
 * keys (key-store.ts), answers GET, SET and DEL for the `cache` steps, and keeps the loads in
 * flight of the values it missed.
 *
 * A server node is one command thread (Redis executes commands on one thread): a command
 * reaches it half a round trip after it is sent, waits for the commands before it (FIFO), takes
 * `serviceMicros`, and its answer arrives half a round trip later — so latency rises as a node
 * saturates, with no event but the answer's. A cluster hashes each key's text (`<space>:<n>`)
 * with CRC16 into one of 16,384 slots; shards own equal ranges of slots. The command acts on
 * the keys when the node executes it.
 *
 * Loads: a request that missed runs the miss block (a load). With `coalesce`, a request that
 * misses a key its own pod is already loading waits for that load (single flight, as Go's
 * singleflight within one process): when the loader has the value, its waiters go on as hits;
 * when the load fails, they fail with its error, as singleflight hands every caller the same
 * result. The most loads of one key in flight at once (over all pods) is kept per interval:
 * a hot key expiring under load shows as many concurrent loads — a stampede.
 */
export class Cache implements EventHandler {
  /** GETs and those that found a live value (Redis keyspace_hits), SETs and DELs, commands a server executed, loads begun, waiters that joined a load, XFetch refreshes. */
  gets = 0;
  hits = 0;
  writes = 0;
  commands = 0;
  loads = 0;
  coalesced = 0;
  earlyRefreshes = 0;
  /** The most loads of one key in flight at once since `takeKeyLoadsMax`. */
  private keyLoadsMax = 0;
  /** The write-behind batches of the steps that write through this cache that way. */
  readonly writeBehinds: WriteBehind[] = [];
  /** Delay until the answer of the command just issued, µs (0: at once). */
  answerIn = 0;
  private readonly shared: KeyStore | undefined;
  /** A local cache's store per pod, by host index; stores of terminated pods are reused. */
  private readonly perPod: (KeyStore | undefined)[] = [];
  private readonly spare: KeyStore[] = [];
  private readonly live: KeyStore[] = [];
  private retiredEvictions = 0;
  private readonly busyUntil: Float64Array;
  private readonly busyAssigned: Float64Array;
  /** Loads in flight per key (all pods), and per key and pod with their waiters (coalescing). */
  private readonly byKey = new LoadTable();
  private readonly byKeyPod = new LoadTable();
  // Per request id: its part in a load, when it began loading or waiting, where a waiter resumes, the next waiter.
  private role = new Int8Array(1024);
  private since = new Float64Array(1024);
  private resumeAt = new Int32Array(1024);
  private nextWaiter = new Int32Array(1024);
  private loadKey = new Int32Array(1024);
  private loadPod = new Int32Array(1024);
  private readonly flushEvent: number;

  constructor(
    readonly config: CacheConfig,
    private readonly sim: Simulation,
    private readonly requests: Requests,
    private readonly runner: PathRunner,
    private readonly names: KeyNames,
    private readonly random: RandomStream,
  ) {
    if (!config.local) {
      this.shared = this.newStore();
      this.live.push(this.shared);
    }
    this.busyUntil = new Float64Array(config.local ? 0 : config.shards);
    this.busyAssigned = new Float64Array(config.local ? 0 : config.shards);
    this.flushEvent = sim.register(this);
  }

  /** Schedules the flushes and, with a TTL, the active expiry. */
  start(): void {
    for (const at of this.config.flushAtMicros) this.sim.scheduleAt(at, this.flushEvent, 0);
    if (Number.isFinite(this.config.ttlMicros)) this.sim.schedule(EXPIRE_CYCLE_MICROS, this.flushEvent, EXPIRE);
  }

  handleEvent(what: number): void {
    if (what === EXPIRE) {
      for (const store of this.live) store.expireCycle(this.sim.now);
      this.sim.schedule(EXPIRE_CYCLE_MICROS, this.flushEvent, EXPIRE);
    } else for (const store of this.live) store.clear();
  }

  /** A GET of the request's key: HIT, MISS or REFRESH. A request without a key always misses (and loads alone). */
  get(id: number): number {
    const key = this.requests.key[id];
    const at = this.issue(id, key);
    const declared = this.config.declaredHitRatio;
    if (declared >= 0) {
      this.gets++;
      if (this.random() >= declared) return MISS;
      this.hits++;
      return HIT;
    }
    if (key < 0) return MISS;
    this.gets++;
    const store = this.storeOf(id);
    const e = store.lookup(key, at);
    if (e < 0) return MISS;
    this.hits++;
    store.touch(e, at);
    const beta = this.config.earlyRefreshBeta;
    if (beta > 0) {
      // XFetch: recompute early when at − δβ·ln(u) ≥ expiry, u uniform (Vattani, Chierichetti & Lowenstein, 2015).
      const scale = store.loadTime(e) * beta;
      const gap = store.expiry(e) - at;
      if (gap < scale * XFETCH_HORIZON && -scale * Math.log(this.random()) >= gap) {
        this.earlyRefreshes++;
        return REFRESH;
      }
    }
    return HIT;
  }

  /** A SET of the request's key (after its load, or a write-through); `background`: the request does not wait for it (read-through: the cache stores what it loaded). */
  set(id: number, background = false): void {
    const key = this.requests.key[id];
    const at = this.issue(id, key, background);
    if (key < 0 || this.config.declaredHitRatio >= 0) return;
    this.writes++;
    const ttl = this.config.ttlMicros;
    const jitter = this.config.ttlJitter;
    const expiresAt = jitter > 0 ? at + ttl * (1 + jitter * (2 * this.random() - 1)) : at + ttl;
    this.storeOf(id).set(key, at, expiresAt, this.role[id] === LOADER ? at - this.since[id] : -1);
  }

  /** A DEL of the request's key (a write that invalidates). */
  delete(id: number): void {
    const key = this.requests.key[id];
    this.issue(id, key);
    if (key < 0 || this.config.declaredHitRatio >= 0) return;
    this.writes++;
    this.storeOf(id).delete(key);
  }

  /**
   * With `coalesce`: joins the load of the request's key already in flight in its pod, to go on
   * at step `resumeAt` when it is done; false when there is none (the request must load).
   */
  joinLoad(id: number, resumeAt: number): boolean {
    const key = this.requests.key[id];
    if (key < 0) return false;
    const e = this.byKeyPod.find(key, this.requests.pod[id]);
    if (e < 0) return false;
    this.ensure(id);
    this.role[id] = WAITER;
    this.since[id] = this.sim.now;
    this.resumeAt[id] = resumeAt;
    this.nextWaiter[id] = NONE;
    const t = this.byKeyPod;
    if (t.tail[e] === NONE) t.head[e] = id;
    else this.nextWaiter[t.tail[e]] = id;
    t.tail[e] = id;
    this.coalesced++;
    return true;
  }

  /** With `coalesce`: a load of the request's key is in flight in its pod. */
  isLoading(id: number): boolean {
    const key = this.requests.key[id];
    return key >= 0 && this.byKeyPod.find(key, this.requests.pod[id]) >= 0;
  }

  /** The request begins loading its key (the miss block). */
  startLoad(id: number): void {
    this.loads++;
    const key = this.requests.key[id];
    if (key < 0) return;
    this.ensure(id);
    this.role[id] = LOADER;
    this.since[id] = this.sim.now;
    this.loadKey[id] = key;
    this.loadPod[id] = this.requests.pod[id];
    let e = this.byKey.find(key, 0);
    if (e < 0) e = this.byKey.add(key, 0);
    const concurrent = ++this.byKey.loads[e];
    if (concurrent > this.keyLoadsMax) this.keyLoadsMax = concurrent;
    if (!this.config.coalesce) return;
    const pod = this.loadPod[id];
    if (this.byKeyPod.find(key, pod) < 0) this.byKeyPod.loads[this.byKeyPod.add(key, pod)] = 1;
  }

  /** The request's load is over: its value is in hand (its waiters go on as hits), or it failed with `cause` (they fail too). */
  endLoad(id: number, failedWith = -1): void {
    if (id >= this.role.length || this.role[id] !== LOADER) return;
    this.dropLoad(id);
    if (!this.config.coalesce) return;
    const w = this.byKeyPod.find(this.loadKey[id], this.loadPod[id]);
    if (w < 0) return;
    const waiter = this.byKeyPod.head[w];
    this.byKeyPod.remove(w);
    this.releaseAll(waiter, failedWith);
  }

  /** A pod terminated: its local store empties, and loads its requests had in flight end with them (their waiters fail). */
  podTerminated(hostIndex: number): void {
    const store = this.perPod[hostIndex];
    if (store !== undefined) {
      this.retiredEvictions += store.evictions;
      store.evictions = 0;
      store.clear();
      this.perPod[hostIndex] = undefined;
      this.live.splice(this.live.indexOf(store), 1);
      this.spare.push(store);
    }
    const t = this.byKeyPod;
    for (let e = t.count - 1; e >= 0; e--) {
      if (t.group[e] !== hostIndex) continue;
      const waiter = t.head[e];
      t.remove(e);
      this.releaseAll(waiter, CAUSE_POD_TERMINATED);
    }
    // Its loaders: those killed on the pod's CPU never come back to end their load, the others end it now.
    for (let id = 0; id < this.role.length; id++) if (this.role[id] === LOADER && this.loadPod[id] === hostIndex) this.dropLoad(id);
  }

  /** The running totals a summary reports (differences of two readings give a period's). */
  totals(): CacheTotals {
    return { gets: this.gets, hits: this.hits, loads: this.loads, coalesced: this.coalesced, earlyRefreshes: this.earlyRefreshes, evictions: this.evictions() };
  }

  /** The most loads of one key that were in flight at once since the last call. */
  takeKeyLoadsMax(): number {
    const max = this.keyLoadsMax;
    let now = 0;
    for (let e = 0; e < this.byKey.count; e++) now = Math.max(now, this.byKey.loads[e]);
    this.keyLoadsMax = now;
    return max;
  }

  /** Entries held (all pods' for a local cache). */
  keys(): number {
    let n = 0;
    for (const store of this.live) n += store.count;
    return n;
  }

  evictions(): number {
    let n = this.retiredEvictions;
    for (const store of this.live) n += store.evictions;
    return n;
  }

  /** Command time each node has executed up to now, µs (its busy time: its CPU). */
  busyMicros(node: number): number {
    return this.busyAssigned[node] - Math.max(0, this.busyUntil[node] - this.sim.now);
  }

  /**
   * Sends a command about `key` for request `id`: for a server, queues it on the key's node
   * and sets `answerIn` (the wait in the node's queue counts as the step's wait, unless the
   * request does not wait for it). Returns the time the command acts on the keys.
   */
  private issue(id: number, key: number, background = false): number {
    const now = this.sim.now;
    const config = this.config;
    if (config.local) {
      this.answerIn = 0;
      return now;
    }
    this.commands++;
    const node = config.shards === 1 || key < 0 ? 0 : this.nodeOf(id, key);
    const half = config.roundTripMicros / 2;
    const arrives = now + half;
    const start = Math.max(arrives, this.busyUntil[node]);
    this.busyUntil[node] = start + config.serviceMicros;
    this.busyAssigned[node] += config.serviceMicros;
    if (!background) this.requests.stepWait[id] += start - arrives;
    this.answerIn = start + config.serviceMicros + half - now;
    return start;
  }

  private nodeOf(id: number, key: number): number {
    const c = this.requests.classId[id];
    // A background request (a write-behind batch) has an internal class: its key is named by its id alone.
    if (c >= this.names.firstId.length) return shardOfSlot(slotOfNumberedKey(0, key), this.config.shards);
    return shardOfSlot(slotOfNumberedKey(this.names.prefixCrc[c], key - this.names.firstId[c]), this.config.shards);
  }

  private storeOf(id: number): KeyStore {
    if (this.shared !== undefined) return this.shared;
    const pod = this.requests.pod[id];
    let store = this.perPod[pod];
    if (store === undefined) {
      store = this.spare.pop() ?? this.newStore();
      this.perPod[pod] = store;
      this.live.push(store);
    }
    return store;
  }

  private newStore(): KeyStore {
    return new KeyStore(this.config.capacityEntries, this.config.evictionPolicy, this.random);
  }

  /** The request is no longer loading: one load of its key fewer in flight. */
  private dropLoad(id: number): void {
    this.role[id] = 0;
    const e = this.byKey.find(this.loadKey[id], 0);
    if (--this.byKey.loads[e] === 0) this.byKey.remove(e);
  }

  /** Releases a list of waiters (each may go on at once and wait again elsewhere: the next is read first). */
  private releaseAll(first: number, failedWith: number): void {
    for (let waiter = first; waiter !== NONE; ) {
      const next = this.nextWaiter[waiter];
      this.release(waiter, failedWith);
      waiter = next;
    }
  }

  /** A waiter's load ended: it goes on past the miss block, or fails with the load's cause. */
  private release(waiter: number, failedWith: number): void {
    this.role[waiter] = 0;
    this.requests.stepWait[waiter] += this.sim.now - this.since[waiter];
    if (failedWith >= 0) this.runner.fail(waiter, failedWith);
    else this.runner.jump(waiter, this.resumeAt[waiter]);
  }

  /** The per-request arrays cover request id `id` (ids grow with the requests in flight). */
  private ensure(id: number): void {
    if (id < this.role.length) return;
    let size = this.role.length;
    while (size <= id) size *= 2;
    const role = new Int8Array(size);
    role.set(this.role);
    this.role = role;
    const since = new Float64Array(size);
    since.set(this.since);
    this.since = since;
    const i32 = (a: Int32Array) => { const b = new Int32Array(size); b.set(a); return b; };
    this.resumeAt = i32(this.resumeAt);
    this.nextWaiter = i32(this.nextWaiter);
    this.loadKey = i32(this.loadKey);
    this.loadPod = i32(this.loadPod);
  }
}
