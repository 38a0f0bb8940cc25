/**
 * Instance types a node pool can use: capacity, pod density and the price entry that bills
 * them. What pods may request of a node (its allocatable) follows the EKS AMI's reservations.
 */
import raw from './instance-types.json' with { type: 'json' };

export interface InstanceType {
  readonly vcpu: number;
  readonly memoryMi: number;
  /** Pods a node can hold (ENI/IP limit of the VPC CNI). */
  readonly maxPods: number;
  /** Price catalog id, e.g. `ec2.m5.large.instance-hour`. */
  readonly priceId: string;
}

export const instanceTypes: Readonly<Record<string, InstanceType>> = raw.instanceTypes;

export interface Allocatable {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

const MI = 1024 * 1024;
/** kubelet's default hard eviction threshold, memory.available < 100Mi. */
const EVICTION_HARD_MI = 100;

/**
 * Capacity minus kube-reserved and the eviction threshold, as the EKS AMI configures the
 * kubelet: CPU reserves 6% of the first core, 1% of the second, 0.5% of the third and
 * fourth, 0.25% of the rest; memory reserves 255Mi + 11Mi per pod the node can hold.
 * m5.large (2 vCPU, 8Gi, 29 pods): 1930m and 7518Mi.
 */
export function eksAllocatable(type: Pick<InstanceType, 'vcpu' | 'memoryMi' | 'maxPods'>): Allocatable {
  const cores = type.vcpu;
  const reservedCpu = 60 * Math.min(cores, 1) + 10 * clamp(cores - 1, 0, 1) + 5 * clamp(cores - 2, 0, 2) + 2.5 * Math.max(cores - 4, 0);
  const reservedMemoryMi = 255 + 11 * type.maxPods + EVICTION_HARD_MI;
  return { cpuMillicores: cores * 1000 - reservedCpu, memoryBytes: (type.memoryMi - reservedMemoryMi) * MI };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
