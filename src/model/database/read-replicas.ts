import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import type { MeterLine } from '../cost/cost-model.js';
import type { ReaderEndpoint } from './reader-endpoint.js';
import type { Replication } from './replication.js';

export interface ReplicaPlan {
  /** Replicas available from the start. */
  readonly initial: number;
  /** Replicas requested during the run, in the order given. */
  readonly additions: readonly { readonly atMicros: number; readonly count: number }[];
  /** From a request to the replica taking connections. */
  readonly creationMicros: number;
  readonly classLabel: string;
  /** vCPUs of a replica once it exists. */
  readonly vcpu: number;
}

/**
 * A database's read replicas over the run: the initial ones are in sync and billed from the
 * start; each one requested later is billed from its request (AWS bills an instance from its
 * creation) and joins the reader endpoint and the WAL stream `creationTime` later. Requests
 * and arrivals are logged as decisions.
 */
export class ReadReplicas implements EventHandler {
  private readonly event: number;
  private readonly firstIndex: number[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly name: string,
    private readonly endpoint: ReaderEndpoint,
    private readonly replication: Replication,
    /** The bill line of each replica, by index (initial ones first). */
    private readonly lines: readonly MeterLine[],
    private readonly plan: ReplicaPlan,
    private readonly log: DecisionLog,
  ) {
    this.event = sim.register(this);
    let next = plan.initial;
    for (const addition of plan.additions) {
      this.firstIndex.push(next);
      next += addition.count;
    }
  }

  /** The initial replicas, in sync; the additions, scheduled. */
  start(): void {
    for (let i = 0; i < this.plan.initial; i++) {
      this.lines[i].setQuantity(1);
      this.makeAvailable(i);
    }
    this.plan.additions.forEach((addition, k) => this.sim.scheduleAt(addition.atMicros, this.event, 2 * k));
  }

  /** `2k`: addition k is requested; `2k + 1`: its replicas are available. */
  handleEvent(arg: number): void {
    const k = arg >> 1;
    const { count } = this.plan.additions[k];
    const first = this.firstIndex[k];
    const before = this.endpoint.availableCount;
    if ((arg & 1) === 0) {
      for (let i = first; i < first + count; i++) this.lines[i].setQuantity(1);
      this.decide('ReplicaRequested', before, before + count, `creating ${count} read replica${count > 1 ? 's' : ''} (${this.plan.classLabel}), billed from now, taking connections in ${this.plan.creationMicros / 60e6} min`);
      this.sim.schedule(this.plan.creationMicros, this.event, arg + 1);
      return;
    }
    for (let i = first; i < first + count; i++) this.makeAvailable(i);
    this.decide('ReplicaAvailable', before, this.endpoint.availableCount, `${count} read replica${count > 1 ? 's' : ''} available behind the reader endpoint; pools move to ${count > 1 ? 'them' : 'it'} only as they open new connections`);
  }

  private makeAvailable(index: number): void {
    const server = index + 1;
    const replica = this.endpoint.servers[server];
    replica.setVcpu(this.plan.vcpu);
    this.endpoint.addAvailable(server, this.replication.attach(replica));
  }

  private decide(reason: string, from: number, to: number, message: string): void {
    this.log.decide({ t_s: this.sim.now / 1e6, controller: `rds/${this.name}/replicas`, from, to, reason, message });
  }
}
