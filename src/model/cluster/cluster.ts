import type { Distribution, EventHandler, RandomStream, Simulation } from '../../engine/index.js';
import { pickNode, type NodeResources, type PodResources, type ScoringStrategy } from '../../policy/scheduler/index.js';
import type { NodeShape } from '../../policy/cluster-autoscaler/index.js';
import type { Pod } from '../service/pod.js';
import type { PodPlacement, Service } from '../service/service.js';

export interface NodePoolConfig extends NodeShape {
  readonly name: string;
  readonly instanceType: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly initialNodes: number;
  readonly instanceLaunch: Distribution;
  readonly nodeReady: Distribution;
}

export type NodePhase = 'Provisioning' | 'Ready' | 'Draining' | 'Deleted';

export class Node implements NodeResources {
  phase: NodePhase = 'Provisioning';
  readyAt = -Infinity;
  deletedAt = -Infinity;
  requestedCpuMillicores: number;
  requestedMemoryBytes: number;
  /** Pods on the node, DaemonSet pods included. */
  pods: number;
  /** Workload pods bound to the node (not DaemonSets). */
  workloadPods = 0;
  readyHandle = -1;
  readonly images = new Set<string>();
  readonly allocatableCpuMillicores: number;
  readonly allocatableMemoryBytes: number;
  readonly maxPods: number;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly pool: NodePoolConfig,
    readonly createdAt: number,
  ) {
    this.allocatableCpuMillicores = pool.allocatableCpuMillicores;
    this.allocatableMemoryBytes = pool.allocatableMemoryBytes;
    this.maxPods = pool.maxPods;
    this.requestedCpuMillicores = pool.daemonSetCpuMillicores;
    this.requestedMemoryBytes = pool.daemonSetMemoryBytes;
    this.pods = pool.daemonSetPods;
  }
}

/** Observer of nodes starting and stopping (billing, the timeline). */
export interface NodeListener {
  nodeCreated(node: Node): void;
  nodeDeleted(node: Node): void;
}

interface PendingPod {
  readonly service: Service;
  readonly pod: Pod;
}

/**
 * Nodes in pools and the scheduler that binds pods to them. A pod goes to the best-scoring
 * Ready node with room for its requests, or waits Pending; the pending queue is retried
 * whenever room appears (a node becomes Ready, a pod leaves). Provisioning and draining are
 * driven by the cluster autoscaler.
 */
export class Cluster implements EventHandler {
  readonly nodes: Node[] = [];
  private readonly pending: PendingPod[] = [];
  private readonly services: Service[] = [];
  private readonly listeners: NodeListener[] = [];
  private readonly event: number;
  private readonly randomByPool = new Map<string, RandomStream>();
  private nodeNumbers = new Map<string, number>();
  private readonly schedulable = (n: Node) => n.phase === 'Ready';

  constructor(
    private readonly sim: Simulation,
    readonly pools: readonly NodePoolConfig[],
    private readonly scoring: ScoringStrategy,
  ) {
    this.event = sim.register(this);
    for (const pool of pools) this.randomByPool.set(pool.name, sim.random(`nodes:${pool.name}`));
  }

  addListener(listener: NodeListener): void {
    this.listeners.push(listener);
  }

  /** The placement a service's pods use. */
  placementFor(service: Service): PodPlacement {
    this.services.push(service);
    const request: PodResources = { cpuMillicores: service.config.template.cpuRequestMillicores, memoryBytes: service.config.template.memoryRequestBytes };
    return {
      place: (pod) => {
        const node = this.bind(request);
        if (node < 0) this.pending.push({ service, pod });
        return node;
      },
      release: (pod) => {
        if (pod.node < 0) {
          const i = this.pending.findIndex((p) => p.pod === pod);
          if (i >= 0) this.pending.splice(i, 1);
          return;
        }
        this.unbind(this.nodes[pod.node], request);
      },
      hasImage: (node, name) => this.nodes[node].images.has(name),
      imagePulled: (node, name) => {
        this.nodes[node].images.add(name);
      },
    };
  }

  /** The initial nodes, Ready when the run starts. */
  startWarm(): void {
    for (const pool of this.pools)
      for (let i = 0; i < pool.initialNodes; i++) {
        const node = this.createNode(pool);
        node.phase = 'Ready';
        node.readyAt = this.sim.now;
      }
  }

  /** Launches `count` nodes in `pool`; each is Ready after launch + join. */
  provision(pool: NodePoolConfig, count: number): void {
    const random = this.randomByPool.get(pool.name)!;
    for (let i = 0; i < count; i++) {
      const node = this.createNode(pool);
      const delay = pool.instanceLaunch.sample(random) + pool.nodeReady.sample(random);
      node.readyHandle = this.sim.schedule(delay, this.event, node.index);
    }
  }

  /** A node that never became Ready: the cloud instance is terminated. */
  abandon(node: Node): void {
    if (node.phase !== 'Provisioning') return;
    this.sim.cancel(node.readyHandle);
    this.deleteNode(node);
  }

  /** Cordons the node and evicts its pods (each replaced by its Deployment elsewhere); deleted once empty. */
  drain(node: Node): void {
    if (node.phase !== 'Ready') return;
    node.phase = 'Draining';
    for (const service of this.services)
      for (const pod of service.pods)
        if (pod.node === node.index && pod.phase !== 'Terminated' && pod.phase !== 'Terminating') service.evict(pod);
    if (node.phase === 'Draining' && node.workloadPods === 0) this.deleteNode(node);
  }

  /** Pods waiting for a node, in arrival order. */
  pendingPods(): PodResources[] {
    return this.pending.map(({ service }) => ({ cpuMillicores: service.config.template.cpuRequestMillicores, memoryBytes: service.config.template.memoryRequestBytes }));
  }

  /** Requests of the workload pods on a node (what would move if it were drained). */
  podsOn(node: Node): PodResources[] {
    const pods: PodResources[] = [];
    for (const service of this.services) {
      const t = service.config.template;
      for (const pod of service.pods)
        if (pod.node === node.index && pod.phase !== 'Terminated') pods.push({ cpuMillicores: t.cpuRequestMillicores, memoryBytes: t.memoryRequestBytes });
    }
    return pods;
  }

  count(phase: NodePhase): number {
    let n = 0;
    for (const node of this.nodes) if (node.phase === phase) n++;
    return n;
  }

  /** A provisioning node became Ready: pending pods get a chance. */
  handleEvent(nodeIndex: number): void {
    const node = this.nodes[nodeIndex];
    if (node.phase !== 'Provisioning') return;
    node.phase = 'Ready';
    node.readyAt = this.sim.now;
    node.readyHandle = -1;
    this.schedulePending();
  }

  // ------------------------------------------------------------ internals

  private createNode(pool: NodePoolConfig): Node {
    const number = this.nodeNumbers.get(pool.name) ?? 0;
    this.nodeNumbers.set(pool.name, number + 1);
    const node = new Node(this.nodes.length, `${pool.name}-${number}`, pool, this.sim.now);
    this.nodes.push(node);
    for (const listener of this.listeners) listener.nodeCreated(node);
    return node;
  }

  private deleteNode(node: Node): void {
    node.phase = 'Deleted';
    node.deletedAt = this.sim.now;
    for (const listener of this.listeners) listener.nodeDeleted(node);
  }

  private bind(request: PodResources): number {
    const i = pickNode(this.scoring, this.nodes, request, this.schedulable);
    if (i < 0) return -1;
    const node = this.nodes[i];
    node.requestedCpuMillicores += request.cpuMillicores;
    node.requestedMemoryBytes += request.memoryBytes;
    node.pods++;
    node.workloadPods++;
    return i;
  }

  private unbind(node: Node, request: PodResources): void {
    node.requestedCpuMillicores -= request.cpuMillicores;
    node.requestedMemoryBytes -= request.memoryBytes;
    node.pods--;
    node.workloadPods--;
    if (node.phase === 'Draining' && node.workloadPods === 0) this.deleteNode(node);
    else this.schedulePending();
  }

  /** Binds the pending pods that now fit, oldest first (kube-scheduler retries on cluster events). */
  private schedulePending(): void {
    for (let i = 0; i < this.pending.length; ) {
      const { service, pod } = this.pending[i];
      const t = service.config.template;
      const node = this.bind({ cpuMillicores: t.cpuRequestMillicores, memoryBytes: t.memoryRequestBytes });
      if (node < 0) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      service.podScheduled(pod, node);
    }
  }
}
