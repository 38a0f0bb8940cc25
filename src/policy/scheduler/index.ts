/**
 * kube-scheduler's resource filter and scoring (the NodeResourcesFit plugin), as pure
 * functions over a node's allocatable and what its pods already request.
 */

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

export interface PodResources {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

export interface NodeResources {
  readonly allocatableCpuMillicores: number;
  readonly allocatableMemoryBytes: number;
  readonly maxPods: number;
  /** Sum of the requests of the pods on the node, DaemonSet pods included. */
  readonly requestedCpuMillicores: number;
  readonly requestedMemoryBytes: number;
  readonly pods: number;
}

/** The Fit filter: requests, not usage, decide — a busy node with free requests still fits. */
export function fits(node: NodeResources, pod: PodResources): boolean {
  return (
    node.pods + 1 <= node.maxPods &&
    node.requestedCpuMillicores + pod.cpuMillicores <= node.allocatableCpuMillicores &&
    node.requestedMemoryBytes + pod.memoryBytes <= node.allocatableMemoryBytes
  );
}

/**
 * Score 0–100 with the pod on the node, cpu and memory weighted equally (upstream's default
 * weights). LeastAllocated prefers the emptiest node (spreads pods); MostAllocated the
 * fullest (bin-packs, so the cluster autoscaler can remove empty nodes).
 */
export function score(strategy: ScoringStrategy, node: NodeResources, pod: PodResources): number {
  const cpu = (node.requestedCpuMillicores + pod.cpuMillicores) / node.allocatableCpuMillicores;
  const memory = (node.requestedMemoryBytes + pod.memoryBytes) / node.allocatableMemoryBytes;
  const allocated = (cpu + memory) / 2;
  return 100 * (strategy === 'MostAllocated' ? allocated : 1 - allocated);
}

/**
 * The node a pod goes to among `nodes` (only those `schedulable` are considered), or -1 if
 * none fits. Ties go to the lowest index: upstream breaks them at random, which would make
 * placement depend on a stream for no modelling gain.
 */
export function pickNode<N extends NodeResources>(strategy: ScoringStrategy, nodes: readonly N[], pod: PodResources, schedulable: (node: N) => boolean): number {
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (!schedulable(node) || !fits(node, pod)) continue;
    const s = score(strategy, node, pod);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}
