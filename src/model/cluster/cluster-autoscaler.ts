import type { EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import { planScaleDown, planScaleUp, type CandidateNode, type Expander, type NodeGroup, type ScaleDownConfig } from '../../policy/cluster-autoscaler/index.js';
import type { Cluster, Node, NodePoolConfig } from './cluster.js';

export interface ClusterAutoscalerConfig extends ScaleDownConfig {
  readonly scanIntervalMicros: number;
  readonly expander: Expander;
  readonly scaleDownEnabled: boolean;
  readonly maxNodeProvisionTimeMicros: number;
}

/** Upstream's node-group backoff after a failed scale-up: 5 min, doubling, at most 30 min. */
const INITIAL_BACKOFF_MICROS = 5 * 60e6;
const MAX_BACKOFF_MICROS = 30 * 60e6;

/**
 * The Cluster Autoscaler's loop: every scan interval it gives up on nodes that missed
 * max-node-provision-time, asks the scale-up policy about unschedulable pods, and the
 * scale-down policy about unneeded nodes. Decisions go to decisions.csv as
 * `cluster-autoscaler/<pool>`.
 */
export class ClusterAutoscaler implements EventHandler {
  private readonly event: number;
  private readonly random: RandomStream;
  private unneededSince = new Map<string, number>();
  private lastScaleUp = -Infinity;
  private lastFailure = -Infinity;
  private readonly backoffUntil = new Map<string, number>();
  private readonly backoffMicros = new Map<string, number>();
  private lastQuietMessage = '';

  constructor(
    private readonly sim: Simulation,
    private readonly cluster: Cluster,
    private readonly config: ClusterAutoscalerConfig,
    private readonly log: DecisionLog,
  ) {
    this.event = sim.register(this);
    this.random = sim.random('cluster-autoscaler');
  }

  start(): void {
    // The loop's phase relative to t = 0 is arbitrary in a real cluster: draw it.
    this.sim.schedule(Math.floor(this.random() * this.config.scanIntervalMicros), this.event);
  }

  handleEvent(): void {
    this.sim.schedule(this.config.scanIntervalMicros, this.event);
    const now = this.sim.now;
    this.giveUpOnSlowNodes(now);
    this.scaleUp(now);
    if (this.config.scaleDownEnabled) this.scaleDown(now);
  }

  /** The node groups as CA sees them: an explicit object (a spread of the pool's config built a slow one on every loop). */
  private groups(): NodeGroup[] {
    return this.cluster.pools.map((pool) => ({
      name: pool.name,
      capacityCpuMillicores: pool.capacityCpuMillicores,
      capacityMemoryBytes: pool.capacityMemoryBytes,
      allocatableCpuMillicores: pool.allocatableCpuMillicores,
      allocatableMemoryBytes: pool.allocatableMemoryBytes,
      maxPods: pool.maxPods,
      daemonSetCpuMillicores: pool.daemonSetCpuMillicores,
      daemonSetMemoryBytes: pool.daemonSetMemoryBytes,
      daemonSetPods: pool.daemonSetPods,
      hourlyPriceUsd: pool.hourlyPriceUsd,
      priority: pool.priority,
      minSize: pool.minNodes,
      maxSize: pool.maxNodes,
      targetSize: this.targetSize(pool),
      backoffUntilMicros: this.backoffUntil.get(pool.name) ?? -Infinity,
    }));
  }

  private targetSize(pool: NodePoolConfig): number {
    let n = 0;
    for (const node of this.cluster.nodes) if (node.pool === pool && (node.phase === 'Provisioning' || node.phase === 'Ready')) n++;
    return n;
  }

  private giveUpOnSlowNodes(now: number): void {
    for (const node of this.cluster.nodes) {
      if (node.phase !== 'Provisioning' || now - node.createdAt < this.config.maxNodeProvisionTimeMicros) continue;
      const before = this.targetSize(node.pool);
      this.cluster.abandon(node);
      const backoff = Math.min(MAX_BACKOFF_MICROS, this.backoffMicros.get(node.pool.name) ?? INITIAL_BACKOFF_MICROS);
      this.backoffMicros.set(node.pool.name, backoff * 2);
      this.backoffUntil.set(node.pool.name, now + backoff);
      this.lastFailure = now;
      this.decide(node.pool, before, before - 1, 'ScaleUpTimedOut', `${node.name} not Ready after max-node-provision-time ${minutes(this.config.maxNodeProvisionTimeMicros)}; group backed off for ${minutes(backoff)}`);
    }
  }

  private scaleUp(now: number): void {
    const upcoming = this.cluster.nodes.filter((n) => n.phase === 'Provisioning');
    const decision = planScaleUp({ unschedulable: this.cluster.pendingPods(), upcoming, groups: this.groups(), expander: this.config.expander, nowMicros: now, random: this.random });
    if (decision.kind === 'none') {
      // Said once when it changes, not every 10 s.
      if (decision.reason === 'NotTriggerScaleUp' && decision.message !== this.lastQuietMessage) {
        const pool = this.cluster.pools[0];
        const size = this.targetSize(pool);
        this.log.decide({ t_s: now / 1e6, controller: 'cluster-autoscaler', from: size, to: size, reason: decision.reason, message: decision.message });
      }
      this.lastQuietMessage = decision.reason === 'NotTriggerScaleUp' ? decision.message : '';
      return;
    }
    this.lastQuietMessage = '';
    const pool = this.cluster.pools.find((p) => p.name === decision.option.group.name)!;
    const before = this.targetSize(pool);
    this.cluster.provision(pool, decision.option.nodeCount);
    this.lastScaleUp = now;
    this.backoffMicros.delete(pool.name);
    this.decide(pool, before, before + decision.option.nodeCount, decision.reason, decision.message);
  }

  private scaleDown(now: number): void {
    const ready = this.cluster.nodes.filter((n) => n.phase === 'Ready');
    const candidates: CandidateNode[] = ready.map((n) => candidate(n, this.cluster.podsOn(n)));
    const decision = planScaleDown({
      nodes: candidates,
      groups: this.groups(),
      unneededSince: this.unneededSince,
      nowMicros: now,
      lastScaleUpMicros: this.lastScaleUp,
      lastFailureMicros: this.lastFailure,
      config: this.config,
    });
    this.unneededSince = decision.unneededSince;
    for (const removal of decision.remove) {
      const node = ready.find((n) => n.name === removal.node)!;
      const before = this.targetSize(node.pool);
      this.cluster.drain(node);
      this.unneededSince.delete(node.name);
      this.decide(node.pool, before, before - 1, removal.reason, removal.message);
    }
  }

  private decide(pool: NodePoolConfig, from: number, to: number, reason: string, message: string): void {
    this.log.decide({ t_s: this.sim.now / 1e6, controller: `cluster-autoscaler/${pool.name}`, from, to, reason, message });
  }
}

function candidate(node: Node, pods: CandidateNode['movablePods']): CandidateNode {
  return {
    name: node.name,
    group: node.pool.name,
    allocatableCpuMillicores: node.allocatableCpuMillicores,
    allocatableMemoryBytes: node.allocatableMemoryBytes,
    maxPods: node.maxPods,
    requestedCpuMillicores: node.requestedCpuMillicores,
    requestedMemoryBytes: node.requestedMemoryBytes,
    pods: node.pods,
    movablePods: pods,
  };
}

function minutes(micros: number): string {
  return `${+(micros / 60e6).toFixed(1)}m`;
}
