/**
 * The Cluster Autoscaler's decisions as pure functions: which node group grows and by how
 * much when pods are unschedulable (estimation by bin-packing, then an expander), and which
 * nodes are unneeded and may go. The control loop around them is
 * src/model/cluster/cluster-autoscaler.ts.
 */
import { fits, type NodeResources, type PodResources } from '../scheduler/index.js';

export type Expander = 'least-waste' | 'most-pods' | 'price' | 'priority' | 'random';

/** What every node of a pool is, fixed by its instance type and DaemonSets. */
export interface NodeShape {
  /** A new node's capacity (what least-waste measures waste against). */
  readonly capacityCpuMillicores: number;
  readonly capacityMemoryBytes: number;
  readonly allocatableCpuMillicores: number;
  readonly allocatableMemoryBytes: number;
  readonly maxPods: number;
  /** What the DaemonSets request on every node: a new node starts with this. */
  readonly daemonSetCpuMillicores: number;
  readonly daemonSetMemoryBytes: number;
  readonly daemonSetPods: number;
  readonly hourlyPriceUsd: number;
  readonly priority: number;
}

/** A node group (node pool) as the autoscaler sees it. */
export interface NodeGroup extends NodeShape {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Nodes that exist or are being provisioned, not those being deleted. */
  readonly targetSize: number;
  /** Backed off after a failed scale-up until this time (µs); -Infinity when not. */
  readonly backoffUntilMicros: number;
}

export interface ScaleUpOption {
  readonly group: NodeGroup;
  readonly nodeCount: number;
  /** Indexes (into the unschedulable list) of the pods the new nodes would take. */
  readonly pods: number[];
  readonly wastedCpu: number;
  readonly wastedMemory: number;
}

export type ScaleUpDecision =
  | { readonly kind: 'scale-up'; readonly option: ScaleUpOption; readonly reason: 'TriggeredScaleUp'; readonly message: string }
  | { readonly kind: 'none'; readonly reason: 'NoUnschedulablePods' | 'PodsFitUpcomingNodes' | 'NotTriggerScaleUp'; readonly message: string };

export interface ScaleUpInput {
  readonly unschedulable: readonly PodResources[];
  /** Nodes still being provisioned: CA counts their room as if they were there. */
  readonly upcoming: readonly NodeResources[];
  readonly groups: readonly NodeGroup[];
  readonly expander: Expander;
  readonly nowMicros: number;
  /** A uniform draw in [0, 1), used by the `random` expander only. */
  readonly random: () => number;
}

/**
 * Decides a scale-up. Pods that fit on upcoming nodes are not counted (CA waits for those
 * nodes instead of adding more); for the rest, every group not at its max and not backed off
 * is estimated by first-fit bin-packing onto new empty nodes (each carrying the DaemonSets),
 * and the expander picks among the groups that would help at least one pod.
 */
export function planScaleUp(input: ScaleUpInput): ScaleUpDecision {
  if (input.unschedulable.length === 0) return { kind: 'none', reason: 'NoUnschedulablePods', message: 'no unschedulable pods' };
  const upcoming = input.upcoming.map(copyNode);
  const remaining: number[] = [];
  input.unschedulable.forEach((pod, i) => {
    const node = upcoming.find((n) => fits(n, pod));
    if (node) addPod(node, pod);
    else remaining.push(i);
  });
  if (remaining.length === 0)
    return { kind: 'none', reason: 'PodsFitUpcomingNodes', message: `${input.unschedulable.length} unschedulable pods fit on ${input.upcoming.length} nodes being provisioned` };

  const options: ScaleUpOption[] = [];
  const skipped: string[] = [];
  for (const group of input.groups) {
    if (group.targetSize >= group.maxSize) {
      skipped.push(`${group.name}: max node group size reached (${group.maxSize})`);
      continue;
    }
    if (group.backoffUntilMicros > input.nowMicros) {
      skipped.push(`${group.name}: backed off after a failed scale-up`);
      continue;
    }
    const option = estimate(group, remaining, input.unschedulable);
    if (option) options.push(option);
    else skipped.push(`${group.name}: pod requests exceed an empty node's allocatable`);
  }
  if (options.length === 0)
    return { kind: 'none', reason: 'NotTriggerScaleUp', message: `${remaining.length} pods didn't trigger scale-up: ${skipped.join('; ')}` };

  const option = expand(input.expander, options, input.random);
  const pods = option.pods.length;
  return {
    kind: 'scale-up',
    option,
    reason: 'TriggeredScaleUp',
    message:
      `${remaining.length} pods unschedulable; ${input.expander} chose ${option.group.name}: +${option.nodeCount} nodes for ${pods} pods ` +
      `(waste cpu ${pct(option.wastedCpu)}, memory ${pct(option.wastedMemory)}; ${options.length} of ${input.groups.length} groups could help)`,
  };
}

/** First-fit of the pods onto as many new nodes of `group` as it may still add. */
function estimate(group: NodeGroup, podIndexes: readonly number[], all: readonly PodResources[]): ScaleUpOption | undefined {
  const limit = group.maxSize - group.targetSize;
  const nodes: MutableNode[] = [];
  const helped: number[] = [];
  let cpu = 0;
  let memory = 0;
  for (const i of podIndexes) {
    const pod = all[i];
    let node = nodes.find((n) => fits(n, pod));
    if (!node && nodes.length < limit) {
      const empty = newNode(group);
      if (fits(empty, pod)) {
        nodes.push(empty);
        node = empty;
      }
    }
    if (!node) continue;
    addPod(node, pod);
    helped.push(i);
    cpu += pod.cpuMillicores;
    memory += pod.memoryBytes;
  }
  if (helped.length === 0) return undefined;
  const n = nodes.length;
  return {
    group,
    nodeCount: n,
    pods: helped,
    wastedCpu: (n * group.capacityCpuMillicores - cpu) / (n * group.capacityCpuMillicores),
    wastedMemory: (n * group.capacityMemoryBytes - memory) / (n * group.capacityMemoryBytes),
  };
}

/**
 * The expanders. least-waste: lowest wasted cpu + memory fraction of the new nodes (as
 * upstream). most-pods: most pods helped. price: lowest hourly cost per pod helped (upstream
 * also weighs node shape preference; not modelled). priority: highest group priority.
 * random: a seeded draw. Ties go to the earlier group in the scenario, where upstream would
 * fall back to random.
 */
export function expand(expander: Expander, options: readonly ScaleUpOption[], random: () => number): ScaleUpOption {
  if (expander === 'random') return options[Math.min(options.length - 1, Math.floor(random() * options.length))];
  const cost = (o: ScaleUpOption): number => {
    switch (expander) {
      case 'least-waste':
        return o.wastedCpu + o.wastedMemory;
      case 'most-pods':
        return -o.pods.length;
      case 'price':
        return (o.nodeCount * o.group.hourlyPriceUsd) / o.pods.length;
      case 'priority':
        return -o.group.priority;
    }
  };
  let best = options[0];
  for (const o of options) if (cost(o) < cost(best) - 1e-12) best = o;
  return best;
}

// ---------------------------------------------------------------- scale-down

export interface ScaleDownConfig {
  readonly utilizationThreshold: number;
  readonly unneededTimeMicros: number;
  readonly delayAfterAddMicros: number;
  readonly delayAfterFailureMicros: number;
  /** Empty nodes deleted at once per loop; non-empty nodes go one per loop. */
  readonly maxEmptyBulkDelete: number;
}

/** A Ready, schedulable node as scale-down sees it. */
export interface CandidateNode extends NodeResources {
  readonly name: string;
  readonly group: string;
  /** Requests of the workload pods that would have to move (DaemonSet pods do not move). */
  readonly movablePods: readonly PodResources[];
}

export interface ScaleDownInput {
  readonly nodes: readonly CandidateNode[];
  readonly groups: readonly NodeGroup[];
  /** Since when each node has been unneeded, from the previous loop (by name). */
  readonly unneededSince: ReadonlyMap<string, number>;
  readonly nowMicros: number;
  readonly lastScaleUpMicros: number;
  readonly lastFailureMicros: number;
  readonly config: ScaleDownConfig;
}

export interface NodeRemoval {
  readonly node: string;
  readonly group: string;
  readonly empty: boolean;
  readonly reason: 'ScaleDownEmpty' | 'ScaleDown';
  readonly message: string;
}

export interface ScaleDownDecision {
  readonly unneededSince: Map<string, number>;
  readonly remove: NodeRemoval[];
  /** Why nothing was removed although nodes are unneeded (cooldown), for the log. */
  readonly blocked?: string;
}

/** Requested / allocatable, the larger of cpu and memory, DaemonSets included (upstream's default). */
export function utilization(node: NodeResources): number {
  return Math.max(node.requestedCpuMillicores / node.allocatableCpuMillicores, node.requestedMemoryBytes / node.allocatableMemoryBytes);
}

/**
 * Finds the unneeded nodes: utilization below the threshold and every movable pod fits on
 * the other nodes (checked greedily, lowest utilization first, as if the earlier candidates
 * were already gone). A node unneeded for `unneededTime` is removed unless scale-down is in
 * cooldown after a scale-up or a failure; groups never go below their min size.
 */
export function planScaleDown(input: ScaleDownInput): ScaleDownDecision {
  const { config } = input;
  const room = input.nodes.map(copyNode);
  const order = input.nodes.map((_, i) => i).sort((a, b) => utilization(input.nodes[a]) - utilization(input.nodes[b]) || a - b);
  const gone = new Set<number>();
  const unneededSince = new Map<string, number>();
  const utilizationOf = new Map<string, number>();
  for (const i of order) {
    const node = input.nodes[i];
    const u = utilization(node);
    if (u >= config.utilizationThreshold) continue;
    const placed: [MutableNode, PodResources][] = [];
    let movable = true;
    for (const pod of node.movablePods) {
      const target = room.find((n, j) => j !== i && !gone.has(j) && fits(n, pod));
      if (!target) {
        movable = false;
        break;
      }
      addPod(target, pod);
      placed.push([target, pod]);
    }
    if (!movable) {
      for (const [target, pod] of placed) removePod(target, pod);
      continue;
    }
    gone.add(i);
    unneededSince.set(node.name, input.unneededSince.get(node.name) ?? input.nowMicros);
    utilizationOf.set(node.name, u);
  }

  const inCooldown =
    input.nowMicros - input.lastScaleUpMicros < config.delayAfterAddMicros
      ? 'scale-down-delay-after-add'
      : input.nowMicros - input.lastFailureMicros < config.delayAfterFailureMicros
        ? 'scale-down-delay-after-failure'
        : undefined;
  const remove: NodeRemoval[] = [];
  // Empty nodes first: they go in bulk and need no drain.
  const ripe = input.nodes
    .filter((n) => {
      const since = unneededSince.get(n.name);
      return since !== undefined && input.nowMicros - since >= config.unneededTimeMicros;
    })
    .sort((a, b) => a.movablePods.length - b.movablePods.length);
  if (inCooldown) return { unneededSince, remove, blocked: ripe.length > 0 ? `${ripe.length} unneeded nodes kept: ${inCooldown}` : undefined };

  const sizeAfter = new Map(input.groups.map((g) => [g.name, g.targetSize]));
  const minOf = new Map(input.groups.map((g) => [g.name, g.minSize]));
  let nonEmpty = 0;
  let empty = 0;
  for (const node of ripe) {
    const isEmpty = node.movablePods.length === 0;
    if (isEmpty ? empty >= config.maxEmptyBulkDelete : nonEmpty >= 1) continue;
    const size = sizeAfter.get(node.group)!;
    if (size - 1 < minOf.get(node.group)!) continue;
    sizeAfter.set(node.group, size - 1);
    if (isEmpty) empty++;
    else nonEmpty++;
    const minutes = (input.nowMicros - unneededSince.get(node.name)!) / 60e6;
    remove.push({
      node: node.name,
      group: node.group,
      empty: isEmpty,
      reason: isEmpty ? 'ScaleDownEmpty' : 'ScaleDown',
      message:
        `${node.name} unneeded for ${+minutes.toFixed(1)}m (utilization ${pct(utilizationOf.get(node.name)!)} < ${pct(config.utilizationThreshold)})` +
        (isEmpty ? '; empty, deleted' : `; draining ${node.movablePods.length} pods onto other nodes`),
    });
  }
  return { unneededSince, remove };
}

// ---------------------------------------------------------------- helpers

interface MutableNode {
  allocatableCpuMillicores: number;
  allocatableMemoryBytes: number;
  maxPods: number;
  requestedCpuMillicores: number;
  requestedMemoryBytes: number;
  pods: number;
}

function copyNode(n: NodeResources): MutableNode {
  return {
    allocatableCpuMillicores: n.allocatableCpuMillicores,
    allocatableMemoryBytes: n.allocatableMemoryBytes,
    maxPods: n.maxPods,
    requestedCpuMillicores: n.requestedCpuMillicores,
    requestedMemoryBytes: n.requestedMemoryBytes,
    pods: n.pods,
  };
}

function newNode(g: NodeGroup): MutableNode {
  return {
    allocatableCpuMillicores: g.allocatableCpuMillicores,
    allocatableMemoryBytes: g.allocatableMemoryBytes,
    maxPods: g.maxPods,
    requestedCpuMillicores: g.daemonSetCpuMillicores,
    requestedMemoryBytes: g.daemonSetMemoryBytes,
    pods: g.daemonSetPods,
  };
}

function addPod(n: MutableNode, pod: PodResources): void {
  n.requestedCpuMillicores += pod.cpuMillicores;
  n.requestedMemoryBytes += pod.memoryBytes;
  n.pods++;
}

function removePod(n: MutableNode, pod: PodResources): void {
  n.requestedCpuMillicores -= pod.cpuMillicores;
  n.requestedMemoryBytes -= pod.memoryBytes;
  n.pods--;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
