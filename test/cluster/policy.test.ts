import { describe, expect, it } from 'vitest';
import { eksAllocatable, instanceTypes } from '../../src/catalog/instance-types.js';
import { planScaleDown, planScaleUp, type CandidateNode, type NodeGroup, type ScaleDownConfig } from '../../src/policy/cluster-autoscaler/index.js';
import { fits, pickNode, type NodeResources } from '../../src/policy/scheduler/index.js';

const MI = 1024 * 1024;
const GI = 1024 * MI;

describe('allocatable (EKS AMI kube-reserved + 100Mi eviction threshold)', () => {
  it('m5.large: 2000m − (60 + 10) = 1930m; 8192Mi − (255 + 11×29 + 100) = 7518Mi', () => {
    expect(eksAllocatable(instanceTypes['m5.large'])).toEqual({ cpuMillicores: 1930, memoryBytes: 7518 * MI });
  });
  it('m5.xlarge: 4000m − (60 + 10 + 5 + 5) = 3920m; 16384Mi − (255 + 11×58 + 100) = 15391Mi', () => {
    expect(eksAllocatable(instanceTypes['m5.xlarge'])).toEqual({ cpuMillicores: 3920, memoryBytes: 15391 * MI });
  });
});

const node = (requestedCpu: number, pods = 2, maxPods = 29): NodeResources => ({
  allocatableCpuMillicores: 1930,
  allocatableMemoryBytes: 7518 * MI,
  maxPods,
  requestedCpuMillicores: requestedCpu,
  requestedMemoryBytes: 0,
  pods,
});
const pod = { cpuMillicores: 500, memoryBytes: 512 * MI };

describe('scheduler (NodeResourcesFit)', () => {
  it('filters on cpu requests, memory and the pod limit', () => {
    expect(fits(node(1430), pod)).toBe(true); // 1430 + 500 = 1930 ≤ 1930
    expect(fits(node(1431), pod)).toBe(false);
    expect(fits(node(0, 29, 29), pod)).toBe(false); // no pod slot left
  });
  it('LeastAllocated spreads, MostAllocated packs, ties go to the first node', () => {
    const nodes = [node(625), node(125), node(1125), node(125)];
    const all = () => true;
    expect(pickNode('LeastAllocated', nodes, pod, all)).toBe(1);
    expect(pickNode('MostAllocated', nodes, pod, all)).toBe(2);
    expect(pickNode('MostAllocated', nodes, pod, (n) => n !== nodes[2])).toBe(0);
    expect(pickNode('LeastAllocated', [node(1500)], pod, all)).toBe(-1);
  });
});

function group(name: string, type: 'm5.large' | 'm5.xlarge', extra: Partial<NodeGroup> = {}): NodeGroup {
  const t = instanceTypes[type];
  const a = eksAllocatable(t);
  return {
    name,
    capacityCpuMillicores: t.vcpu * 1000,
    capacityMemoryBytes: t.memoryMi * MI,
    allocatableCpuMillicores: a.cpuMillicores,
    allocatableMemoryBytes: a.memoryBytes,
    maxPods: t.maxPods,
    daemonSetCpuMillicores: 125,
    daemonSetMemoryBytes: 0,
    daemonSetPods: 2,
    hourlyPriceUsd: type === 'm5.large' ? 0.096 : 0.192,
    priority: 0,
    minSize: 0,
    maxSize: 10,
    targetSize: 2,
    backoffUntilMicros: -Infinity,
    ...extra,
  };
}
const pods = (n: number, cpu = 500) => Array.from({ length: n }, () => ({ cpuMillicores: cpu, memoryBytes: 512 * MI }));
const noRandom = () => 0;

describe('cluster autoscaler scale-up', () => {
  it('bin-packs 7 pods of 500m onto m5.large nodes holding 3 each (1930 − 125 = 1805m): 3 nodes', () => {
    const d = planScaleUp({ unschedulable: pods(7), upcoming: [], groups: [group('general', 'm5.large')], expander: 'least-waste', nowMicros: 0, random: noRandom });
    expect(d.kind).toBe('scale-up');
    if (d.kind !== 'scale-up') return;
    expect(d.option.nodeCount).toBe(3);
    expect(d.option.pods).toHaveLength(7);
    // waste measured against capacity: (3 × 2000 − 7 × 500) / 6000
    expect(d.option.wastedCpu).toBeCloseTo(2500 / 6000, 12);
  });
  it('waits for nodes being provisioned when the pods fit there', () => {
    const upcoming = [{ ...node(125), pods: 2 }];
    const d = planScaleUp({ unschedulable: pods(3), upcoming, groups: [group('general', 'm5.large')], expander: 'least-waste', nowMicros: 0, random: noRandom });
    expect(d.reason).toBe('PodsFitUpcomingNodes');
    // a fourth pod does not fit the upcoming node: one more node
    const d4 = planScaleUp({ unschedulable: pods(4), upcoming, groups: [group('general', 'm5.large')], expander: 'least-waste', nowMicros: 0, random: noRandom });
    expect(d4.kind === 'scale-up' && d4.option.nodeCount).toBe(1);
  });
  it('stops at maxSize and says so', () => {
    const limited = planScaleUp({ unschedulable: pods(7), upcoming: [], groups: [group('general', 'm5.large', { targetSize: 9 })], expander: 'least-waste', nowMicros: 0, random: noRandom });
    expect(limited.kind === 'scale-up' && [limited.option.nodeCount, limited.option.pods.length]).toEqual([1, 3]);
    const full = planScaleUp({ unschedulable: pods(7), upcoming: [], groups: [group('general', 'm5.large', { targetSize: 10 })], expander: 'least-waste', nowMicros: 0, random: noRandom });
    expect(full.reason).toBe('NotTriggerScaleUp');
    expect(full.message).toContain('max node group size reached (10)');
  });
  it('skips a backed-off group and a group whose nodes are too small for the pod', () => {
    const d = planScaleUp({
      unschedulable: pods(1, 2500),
      upcoming: [],
      groups: [group('small', 'm5.large'), group('big', 'm5.xlarge', { backoffUntilMicros: 10 })],
      expander: 'least-waste',
      nowMicros: 5,
      random: noRandom,
    });
    expect(d.reason).toBe('NotTriggerScaleUp');
    expect(d.message).toContain('small: pod requests exceed');
    expect(d.message).toContain('big: backed off');
  });
  // 3 pods of 1000m/512Mi. m5.large holds 1 (1805m free): 3 nodes, waste cpu (6000−3000)/6000 = 0.5,
  // memory (3×8Gi − 1.5Gi)/24Gi = 0.9375 → 1.4375. m5.xlarge holds 3 (3795m free): 1 node, waste
  // cpu (4000−3000)/4000 = 0.25, memory (16Gi − 1.5Gi)/16Gi = 0.90625 → 1.15625.
  const choose = (expander: 'least-waste' | 'price' | 'priority' | 'most-pods') => {
    const d = planScaleUp({
      unschedulable: pods(3, 1000),
      upcoming: [],
      groups: [group('large', 'm5.large', { priority: 10 }), group('xlarge', 'm5.xlarge')],
      expander,
      nowMicros: 0,
      random: noRandom,
    });
    return d.kind === 'scale-up' ? `${d.option.group.name}+${d.option.nodeCount}` : d.reason;
  };
  it('least-waste takes the smaller waste (1.156 < 1.4375)', () => expect(choose('least-waste')).toBe('xlarge+1'));
  it('price takes the lower cost per pod (0.192/3 = 0.064 < 3×0.096/3 = 0.096 $/h)', () => expect(choose('price')).toBe('xlarge+1'));
  it('priority takes the highest priority', () => expect(choose('priority')).toBe('large+3'));
  it('most-pods ties (3 and 3) go to the first group', () => expect(choose('most-pods')).toBe('large+3'));
});

const config: ScaleDownConfig = { utilizationThreshold: 0.5, unneededTimeMicros: 600e6, delayAfterAddMicros: 600e6, delayAfterFailureMicros: 180e6, maxEmptyBulkDelete: 10 };
function candidate(name: string, podCount: number, groupName = 'general'): CandidateNode {
  return { ...node(125 + 500 * podCount, 2 + podCount), requestedMemoryBytes: podCount * 512 * MI, name, group: groupName, movablePods: pods(podCount) };
}

describe('cluster autoscaler scale-down', () => {
  const groups = [group('general', 'm5.large', { targetSize: 4, minSize: 1 })];
  it('marks nodes under 50% whose pods fit elsewhere; keeps the ones they move onto', () => {
    // a: 3 pods → (125 + 1500)/1930 = 84% (needed); b: 1 pod → 32%; c, d empty → 6.5%
    const nodes = [candidate('a', 3), candidate('b', 1), candidate('c', 0), candidate('d', 0)];
    const d = planScaleDown({ nodes, groups, unneededSince: new Map(), nowMicros: 1e6, lastScaleUpMicros: -Infinity, lastFailureMicros: -Infinity, config });
    // b's pod needs a node with 500m free: a has 305m, so it goes to c or d — the greedy check
    // takes the emptiest candidates first (c, d), then b can only move onto a: it cannot.
    expect([...d.unneededSince.keys()].sort()).toEqual(['c', 'd']);
    expect(d.remove).toEqual([]);
  });
  it('removes after scale-down-unneeded-time: empty nodes in bulk, one non-empty node per loop, not below minSize', () => {
    const nodes = [candidate('a', 1), candidate('b', 1), candidate('c', 0), candidate('d', 0)];
    const since = new Map([['a', 0], ['b', 0], ['c', 0], ['d', 0]]);
    const early = planScaleDown({ nodes, groups, unneededSince: since, nowMicros: 599e6, lastScaleUpMicros: -Infinity, lastFailureMicros: -Infinity, config });
    expect(early.remove).toEqual([]);
    const d = planScaleDown({ nodes, groups, unneededSince: since, nowMicros: 600e6, lastScaleUpMicros: -Infinity, lastFailureMicros: -Infinity, config });
    expect(d.remove.map((r) => `${r.node}:${r.reason}`)).toEqual(['c:ScaleDownEmpty', 'd:ScaleDownEmpty', 'a:ScaleDown']);
    const atMin = planScaleDown({ nodes, groups: [group('general', 'm5.large', { targetSize: 4, minSize: 3 })], unneededSince: since, nowMicros: 600e6, lastScaleUpMicros: -Infinity, lastFailureMicros: -Infinity, config });
    expect(atMin.remove).toHaveLength(1);
  });
  it('keeps unneeded nodes during scale-down-delay-after-add and -after-failure, still counting their time', () => {
    const nodes = [candidate('c', 0), candidate('d', 0)];
    const since = new Map([['c', 0]]);
    const afterAdd = planScaleDown({ nodes, groups, unneededSince: since, nowMicros: 700e6, lastScaleUpMicros: 101e6, lastFailureMicros: -Infinity, config });
    expect(afterAdd.remove).toEqual([]);
    expect(afterAdd.blocked).toContain('scale-down-delay-after-add');
    expect(afterAdd.unneededSince.get('c')).toBe(0);
    expect(afterAdd.unneededSince.get('d')).toBe(700e6);
    const afterFailure = planScaleDown({ nodes, groups, unneededSince: since, nowMicros: 700e6, lastScaleUpMicros: -Infinity, lastFailureMicros: 600e6, config });
    expect(afterFailure.blocked).toContain('scale-down-delay-after-failure');
    const free = planScaleDown({ nodes, groups, unneededSince: since, nowMicros: 701e6, lastScaleUpMicros: 101e6, lastFailureMicros: -Infinity, config });
    expect(free.remove.map((r) => r.node)).toEqual(['c']);
  });
  it('a node at or above the threshold is needed (memory counts too)', () => {
    const heavy = { ...candidate('m', 0), requestedMemoryBytes: 4 * GI };
    const d = planScaleDown({ nodes: [heavy, candidate('n', 0)], groups, unneededSince: new Map(), nowMicros: 0, lastScaleUpMicros: -Infinity, lastFailureMicros: -Infinity, config });
    // 4Gi / 7518Mi = 54% ≥ 50%
    expect([...d.unneededSince.keys()]).toEqual(['n']);
  });
});
