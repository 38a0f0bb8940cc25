import type { PriceCatalog } from '../../catalog/prices.js';
import type { Node, NodeListener } from '../cluster/cluster.js';
import type { Pod } from '../service/pod.js';
import type { PodListener, Service } from '../service/service.js';
import { usageMeterFor, UsageMeter } from './usage-meter.js';

/** EC2 bills per second with a one-minute minimum. */
const EC2_BILLING = { granularitySeconds: 1, minimumSeconds: 60 };
/** Fargate's vCPU sizes; a pod's request is rounded up to the next one. */
const FARGATE_VCPU = [0.25, 0.5, 1, 2, 4, 8, 16];
const GIB = 1024 ** 3;

/** One metered resource line of the bill ("nodes general (m5.large)", "control plane"). */
interface Line {
  readonly label: string;
  readonly meter: UsageMeter;
}

/**
 * The run's bill: every resource meters its own running time against its catalog price
 * (nodes per pool, the control plane, Fargate pods when there are no nodes). Costs are
 * accrued as the run goes, so the time series and the total agree: the total is what was
 * accrued by the end of the simulated period (a resource still running keeps billing after).
 */
export class CostModel implements NodeListener, PodListener {
  private readonly lines: Line[] = [];
  private readonly nodeLines = new Map<string, Line>();
  private fargateCpu?: UsageMeter;
  private fargateMemory?: UsageMeter;
  private readonly serviceIndex = new Map<Service, number>();

  constructor(private readonly catalog: PriceCatalog, private readonly now: () => number) {}

  /** The control plane, billed per cluster-hour for the whole run. */
  meterControlPlane(priceId: string): void {
    const meter = this.meter(priceId);
    this.lines.push({ label: `control plane (${priceId})`, meter });
    meter.start(0, 0);
  }

  /** Nodes of a pool: a catalog price id, or an hourly price for a custom instance type. */
  meterPool(pool: string, instanceType: string, price: string | number): void {
    const meter = typeof price === 'string' ? this.meter(price) : new UsageMeter({ hourlyRateUsd: price, ...EC2_BILLING });
    const line = { label: `nodes ${pool} (${instanceType})`, meter };
    this.lines.push(line);
    this.nodeLines.set(pool, line);
  }

  /** Pods without nodes run on Fargate: vCPU-hours and GB-hours of their (rounded-up) requests. */
  meterFargatePods(services: Iterable<Service>): void {
    this.fargateCpu = this.meter('fargate.vcpu-hour');
    this.fargateMemory = this.meter('fargate.gb-hour');
    this.lines.push({ label: 'pods on Fargate (vCPU)', meter: this.fargateCpu }, { label: 'pods on Fargate (memory)', meter: this.fargateMemory });
    for (const service of services) {
      this.serviceIndex.set(service, this.serviceIndex.size);
      service.addListener(this);
    }
  }

  nodeCreated(node: Node): void {
    this.nodeLines.get(node.pool.name)!.meter.start(node.index, this.seconds());
  }

  nodeDeleted(node: Node): void {
    this.nodeLines.get(node.pool.name)!.meter.stop(node.index, this.seconds());
  }

  /** Fargate bills from the image pull (the pod has capacity) to termination. */
  podChanged(service: Service, pod: Pod): void {
    const key = this.serviceIndex.get(service)! * 2 ** 32 + pod.index;
    const t = service.config.template;
    const running = this.fargateCpu!.isRunning(key);
    if (!running && (pod.phase === 'Starting' || pod.phase === 'Ready')) {
      this.fargateCpu!.start(key, this.seconds(), fargateVcpu(t.cpuRequestMillicores));
      this.fargateMemory!.start(key, this.seconds(), fargateMemoryGb(t.memoryRequestBytes));
    } else if (running && pod.phase === 'Terminated') {
      this.fargateCpu!.stop(key, this.seconds());
      this.fargateMemory!.stop(key, this.seconds());
    }
  }

  /** Everything accrued up to now, USD. */
  accruedUsd(): number {
    const t = this.seconds();
    let total = 0;
    for (const line of this.lines) total += line.meter.accruedUsd(t);
    return total;
  }

  /** Cost by resource line at the end of the run, USD. */
  byResource(): Record<string, number> {
    const t = this.seconds();
    return Object.fromEntries(this.lines.map((l) => [l.label, l.meter.accruedUsd(t)]));
  }

  private meter(priceId: string): UsageMeter {
    const meter = usageMeterFor(this.catalog.prices[priceId]);
    if (!(meter instanceof UsageMeter)) throw new Error(meter.message); // the loader checked the ids
    return meter;
  }

  private seconds(): number {
    return this.now() / 1e6;
  }
}

export function fargateVcpu(cpuMillicores: number): number {
  const vcpu = cpuMillicores / 1000;
  return FARGATE_VCPU.find((size) => size >= vcpu - 1e-9) ?? FARGATE_VCPU[FARGATE_VCPU.length - 1];
}

/** Memory rounded up to a whole GB (0.5 GB minimum), as Fargate sizes go. */
export function fargateMemoryGb(memoryBytes: number): number {
  const gb = memoryBytes / GIB;
  return gb <= 0.5 ? 0.5 : Math.ceil(gb - 1e-9);
}
