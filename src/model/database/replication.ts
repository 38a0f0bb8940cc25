import type { Distribution, EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { Database } from './database.js';

/**
 * Asynchronous replication to one read replica, from its mechanism rather than a lag figure.
 *
 * Every write committed on the primary produces WAL that is shipped to the replica (network and
 * flush: the `ship` delay drawn per write, the lag with nothing to catch up) and then replayed by
 * one apply thread — PostgreSQL's startup process replays WAL serially. Replay is cheaper than the
 * original write (the primary already found the rows and pages; replay applies page changes),
 * but the primary writes from many backends on many cores while the replica applies on one:
 * when write rate × apply work exceeds the apply thread's share of a core, the backlog and the
 * lag grow without bound; below it they stay near the shipping delay (an M/G/1 queue of WAL
 * records). The apply thread is a background job on the replica's processor-shared vCPUs, so
 * heavy read traffic on the replica slows replay too.
 *
 * The replica's state is the log sequence number (LSN) of the last write it applied; a read
 * there is stale when its own request wrote something with a later LSN. The lag at a moment is
 * the age of the oldest write not yet applied, as replication lag is measured.
 */
export class ReplicaStream implements EventHandler {
  /** LSN of the last write applied. */
  appliedLsn: number;
  /** Largest lag seen since `takeIntervalMaxLag`, µs. */
  private intervalMaxLag = 0;
  private lsn = new Float64Array(256);
  private committedAt = new Float64Array(256);
  private arrivesAt = new Float64Array(256);
  private work = new Float64Array(256);
  private head = 0;
  private length = 0;
  private applying = false;
  private arrivalPending = false;
  private lastArrival = 0;
  private readonly event: number;

  constructor(
    private readonly sim: Simulation,
    readonly replica: Database,
    private readonly ship: Distribution,
    private readonly random: RandomStream,
    /** LSN the replica starts in sync with (it is created from the primary's current state). */
    startLsn: number,
  ) {
    this.appliedLsn = startLsn;
    this.event = sim.register(this);
    replica.backgroundClient = this;
  }

  /** A write committed on the primary now with `lsn`; replaying it costs `applyMicros` at one core. */
  commit(lsn: number, applyMicros: number): void {
    if (this.length === this.lsn.length) this.grow();
    const now = this.sim.now;
    const i = (this.head + this.length) & (this.lsn.length - 1);
    // The WAL is one stream: a record never arrives before the one written ahead of it.
    this.lastArrival = Math.max(this.lastArrival, now + this.ship.sample(this.random));
    this.lsn[i] = lsn;
    this.committedAt[i] = now;
    this.arrivesAt[i] = this.lastArrival;
    this.work[i] = applyMicros;
    this.length++;
    if (!this.applying && !this.arrivalPending) this.applyNext();
  }

  /** Lag now: how long ago the oldest write not yet applied was committed (0 when caught up), µs. */
  lagMicros(): number {
    return this.length === 0 ? 0 : this.sim.now - this.committedAt[this.head];
  }

  /** The largest lag since the last call (including now), µs; starts a new interval. */
  takeIntervalMaxLag(): number {
    const max = Math.max(this.intervalMaxLag, this.lagMicros());
    this.intervalMaxLag = 0;
    return max;
  }

  /** The apply thread replayed the head record. */
  backgroundDone(): void {
    const h = this.head;
    this.appliedLsn = this.lsn[h];
    const lag = this.sim.now - this.committedAt[h];
    if (lag > this.intervalMaxLag) this.intervalMaxLag = lag;
    this.head = (h + 1) & (this.lsn.length - 1);
    this.length--;
    this.applying = false;
    this.applyNext();
  }

  /** The head record has arrived. */
  handleEvent(): void {
    this.arrivalPending = false;
    this.applyNext();
  }

  private applyNext(): void {
    if (this.length === 0) return;
    const at = this.arrivesAt[this.head];
    if (at > this.sim.now) {
      this.arrivalPending = true;
      this.sim.scheduleAt(at, this.event);
      return;
    }
    this.applying = true;
    this.replica.cpu.startBackground(this.work[this.head]);
  }

  private grow(): void {
    const size = this.lsn.length * 2;
    const copy = (a: Float64Array) => {
      const b = new Float64Array(size);
      for (let k = 0; k < this.length; k++) b[k] = a[(this.head + k) & (a.length - 1)];
      return b;
    };
    this.lsn = copy(this.lsn);
    this.committedAt = copy(this.committedAt);
    this.arrivesAt = copy(this.arrivesAt);
    this.work = copy(this.work);
    this.head = 0;
  }
}

/**
 * The primary's WAL position and the replicas it streams to: a committed write gets the next
 * LSN and goes to every replica that exists. A replica that joins later starts in sync (an
 * Aurora replica shares the cluster volume; an RDS replica's catch-up from its snapshot is not
 * modelled).
 */
export class Replication {
  /** LSN of the latest committed write. */
  lsn = 0;
  readonly streams: ReplicaStream[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly ship: Distribution,
    private readonly random: RandomStream,
  ) {}

  /** Starts streaming to a new replica. */
  attach(replica: Database): ReplicaStream {
    const stream = new ReplicaStream(this.sim, replica, this.ship, this.random, this.lsn);
    this.streams.push(stream);
    return stream;
  }

  /** A write commits on the primary; returns its LSN. */
  commit(applyMicros: number): number {
    const lsn = ++this.lsn;
    for (let i = 0; i < this.streams.length; i++) this.streams[i].commit(lsn, applyMicros);
    return lsn;
  }
}
