import { eksAllocatable, instanceTypes } from '../../catalog/instance-types.js';
import type { PriceCatalog } from '../../catalog/prices.js';
import { Cluster, type NodePoolConfig } from '../../model/cluster/cluster.js';
import { ClusterAutoscaler } from '../../model/cluster/cluster-autoscaler.js';
import type { ClusterSpec, NodePoolSpec } from '../cluster-schema.js';
import type { BuildContext } from './context.js';
import { buildDistribution } from './distribution.js';

const MIB = 1024 * 1024;

/**
 * Nodes, the scheduler and the Cluster Autoscaler when the scenario has a `cluster` block
 * (nodes are billed); without one, pods are billed as Fargate pods.
 */
export function buildCluster(ctx: BuildContext): Cluster | undefined {
  const { scenario, sim, cost, catalog, recorder } = ctx;
  if (!scenario.cluster) {
    cost.meterFargatePods(ctx.services.values());
    return undefined;
  }
  const spec = scenario.cluster;
  const pools = Object.entries(spec.nodePools).map(([name, pool]) => nodePoolConfig(name, pool, catalog));
  const cluster = new Cluster(sim, pools, spec.scheduler.scoringStrategy);
  for (const [name, pool] of Object.entries(spec.nodePools))
    cost.meterPool(name, typeof pool.instanceType === 'string' ? pool.instanceType : 'custom', typeof pool.instanceType === 'string' ? instanceTypes[pool.instanceType].priceId : pool.instanceType.hourlyPriceUsd);
  cluster.addListener(cost);
  for (const service of ctx.services.values()) service.setPlacement(cluster.placementFor(service));
  if (spec.clusterAutoscaler.enabled) {
    const autoscaler = new ClusterAutoscaler(sim, cluster, clusterAutoscalerConfig(spec.clusterAutoscaler), ctx.log);
    ctx.start.loops.push(() => autoscaler.start());
  }
  // Draining nodes still run (and bill) until their pods are gone.
  recorder.addColumn({ name: 'nodes_ready', sample: () => cluster.count('Ready') + cluster.count('Draining') });
  recorder.addColumn({ name: 'nodes_provisioning', sample: () => cluster.count('Provisioning') });
  ctx.start.warm.unshift(() => cluster.startWarm()); // nodes before the pods they hold
  return cluster;
}

function nodePoolConfig(name: string, spec: NodePoolSpec, catalog: PriceCatalog): NodePoolConfig {
  const type =
    typeof spec.instanceType === 'string'
      ? { ...instanceTypes[spec.instanceType], hourlyPriceUsd: catalog.prices[instanceTypes[spec.instanceType].priceId].priceUsd }
      : { vcpu: spec.instanceType.vcpu, memoryMi: spec.instanceType.memory / MIB, maxPods: spec.instanceType.maxPods, hourlyPriceUsd: spec.instanceType.hourlyPriceUsd };
  const allocatable = eksAllocatable(type);
  return {
    name,
    instanceType: typeof spec.instanceType === 'string' ? spec.instanceType : 'custom',
    capacityCpuMillicores: type.vcpu * 1000,
    capacityMemoryBytes: type.memoryMi * MIB,
    allocatableCpuMillicores: allocatable.cpuMillicores,
    allocatableMemoryBytes: allocatable.memoryBytes,
    maxPods: type.maxPods,
    daemonSetCpuMillicores: spec.daemonSetRequests.cpu,
    daemonSetMemoryBytes: spec.daemonSetRequests.memory,
    daemonSetPods: spec.daemonSetRequests.pods,
    hourlyPriceUsd: type.hourlyPriceUsd,
    priority: spec.priority,
    minNodes: spec.minNodes,
    maxNodes: spec.maxNodes,
    initialNodes: spec.initialNodes ?? spec.minNodes,
    instanceLaunch: buildDistribution(spec.instanceLaunch),
    nodeReady: buildDistribution(spec.nodeReady),
  };
}

function clusterAutoscalerConfig(spec: ClusterSpec['clusterAutoscaler']) {
  return {
    scanIntervalMicros: spec.scanInterval,
    expander: spec.expander,
    scaleDownEnabled: spec.scaleDownEnabled,
    maxNodeProvisionTimeMicros: spec.maxNodeProvisionTime,
    utilizationThreshold: spec.scaleDownUtilizationThreshold,
    unneededTimeMicros: spec.scaleDownUnneededTime,
    delayAfterAddMicros: spec.scaleDownDelayAfterAdd,
    delayAfterFailureMicros: spec.scaleDownDelayAfterFailure,
    maxEmptyBulkDelete: spec.maxEmptyBulkDelete,
  };
}
