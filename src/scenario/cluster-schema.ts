import { z } from 'zod';
import { instanceTypes } from '../catalog/instance-types.js';
import { cpu, duration, fraction, memory, period, timeout } from './schema-units.js';
import { distributionSchema } from './distribution-schema.js';
import { MAX_CLUSTER_NODES, NODES_LIMIT_TEXT } from './limits.js';

/**
 * Nodes, the scheduler and the Cluster Autoscaler. Without a `cluster` block every pod gets
 * a node at once (and is billed like a Fargate pod). Flag names are the Cluster
 * Autoscaler's (`--scale-down-unneeded-time` → `scaleDownUnneededTime`).
 */

const customInstanceType = z.strictObject({
  vcpu: z.number().positive(),
  memory: memory(),
  maxPods: z.number().int().positive(),
  hourlyPriceUsd: z.number().nonnegative(),
});

export const nodePoolSchema = z.strictObject({
  instanceType: z
    .union([
      z.string().refine((t) => t in instanceTypes, { error: (issue) => `expected one of ${Object.keys(instanceTypes).join(', ')} (or {vcpu, memory, maxPods, hourlyPriceUsd}), got ${JSON.stringify(issue.input)}` }),
      customInstanceType,
    ])
    .meta({ description: `An instance type from the catalog (${Object.keys(instanceTypes).join(', ')}) or {vcpu, memory, maxPods, hourlyPriceUsd}. Allocatable follows the EKS AMI's kube-reserved.` }),
  minNodes: z.number().int().nonnegative().default(0).meta({ description: 'Smallest size the autoscaler scales down to (default 0).' }),
  maxNodes: z
    .number()
    .int()
    .positive()
    .max(MAX_CLUSTER_NODES, { error: `expected at most ${MAX_CLUSTER_NODES} (${NODES_LIMIT_TEXT})` })
    .meta({ description: `Largest size the autoscaler scales up to; at most ${MAX_CLUSTER_NODES}, ${NODES_LIMIT_TEXT}, and so is the sum of initialNodes over the pools.` }),
  initialNodes: z.number().int().nonnegative().optional().meta({ description: 'Nodes Ready at the start (default minNodes).' }),
  priority: z.number().int().default(0).meta({ description: 'For the `priority` expander: the highest wins (default 0).' }),
  daemonSetRequests: z
    .strictObject({ cpu: cpu().prefault('125m'), memory: memory().prefault('0'), pods: z.number().int().nonnegative().default(2) })
    .prefault({})
    .meta({ description: 'What DaemonSets request on every node (default: aws-node 25m + kube-proxy 100m cpu, 2 pods).' }),
  instanceLaunch: distributionSchema.prefault({ lognormal: { mean: '25s', cv: 0.2 } }).meta({ description: 'EC2 API call to a running instance (default lognormal mean 25s, cv 0.2).' }),
  nodeReady: distributionSchema.prefault({ lognormal: { mean: '60s', cv: 0.25 } }).meta({ description: 'Running instance to a Ready node: boot, kubelet join, CNI (default lognormal mean 60s, cv 0.25).' }),
});

export const clusterAutoscalerSchema = z.strictObject({
  enabled: z.boolean().default(true).meta({ description: 'Default true; false keeps the node count fixed.' }),
  scanInterval: period().prefault('10s').meta({ description: '--scan-interval (default 10s).' }),
  expander: z.enum(['least-waste', 'most-pods', 'price', 'priority', 'random']).default('least-waste').meta({ description: '--expander (default least-waste).' }),
  scaleDownEnabled: z.boolean().default(true).meta({ description: '--scale-down-enabled (default true).' }),
  scaleDownUtilizationThreshold: fraction().prefault(0.5).meta({ description: '--scale-down-utilization-threshold: requested/allocatable below which a node is unneeded: 0.5 or "50%"; a bare number must be below 1 (default 0.5).' }),
  scaleDownUnneededTime: duration().prefault('10m').meta({ description: '--scale-down-unneeded-time (default 10m).' }),
  scaleDownDelayAfterAdd: duration().prefault('10m').meta({ description: '--scale-down-delay-after-add (default 10m).' }),
  scaleDownDelayAfterFailure: duration().prefault('3m').meta({ description: '--scale-down-delay-after-failure (default 3m).' }),
  maxNodeProvisionTime: timeout().prefault('15m').meta({ description: '--max-node-provision-time: a node not Ready by then is given up and its group backed off (default 15m).' }),
  maxEmptyBulkDelete: z.number().int().positive().default(10).meta({ description: '--max-empty-bulk-delete (default 10).' }),
});

export const clusterSchema = z
  .strictObject({
    nodePools: z
      .record(z.string(), nodePoolSchema)
      .refine((p) => Object.keys(p).length > 0, { message: 'expected at least one node pool' }),
    scheduler: z
      .strictObject({
        scoringStrategy: z.enum(['LeastAllocated', 'MostAllocated']).default('LeastAllocated').meta({ description: "kube-scheduler NodeResourcesFit scoringStrategy.type (default LeastAllocated: spread; MostAllocated: bin-pack)." }),
      })
      .prefault({}),
    clusterAutoscaler: clusterAutoscalerSchema.prefault({}),
  })
  .superRefine(
    (c, ctx) => {
      let initialNodes = 0;
      for (const [name, pool] of Object.entries(c.nodePools ?? {})) {
        const p = pool as { minNodes?: unknown; maxNodes?: unknown; initialNodes?: unknown };
        if (typeof p.minNodes === 'number' && typeof p.maxNodes === 'number' && p.minNodes > p.maxNodes)
          ctx.addIssue({ code: 'custom', path: ['nodePools', name, 'minNodes'], message: `expected minNodes ≤ maxNodes (${p.maxNodes}), got ${p.minNodes}` });
        if (typeof p.initialNodes === 'number' && typeof p.maxNodes === 'number' && p.initialNodes > p.maxNodes)
          ctx.addIssue({ code: 'custom', path: ['nodePools', name, 'initialNodes'], message: `expected initialNodes ≤ maxNodes (${p.maxNodes}), got ${p.initialNodes}` });
        const initial = p.initialNodes ?? p.minNodes ?? 0;
        if (typeof initial === 'number') initialNodes += initial;
      }
      if (initialNodes > MAX_CLUSTER_NODES)
        ctx.addIssue({ code: 'custom', path: ['nodePools'], message: `expected at most ${MAX_CLUSTER_NODES} initial nodes over all pools (${NODES_LIMIT_TEXT}), got ${initialNodes}` });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .meta({ description: 'Node pools, the scheduler and the Cluster Autoscaler. Absent: pods never wait for nodes.' });

export type ClusterSpec = z.output<typeof clusterSchema>;
export type NodePoolSpec = ClusterSpec['nodePools'][string];
