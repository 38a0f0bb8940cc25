import type { PriceCatalog } from '../../catalog/prices.js';
import type { Node, NodeListener } from '../cluster/cluster.js';
import type { Pod } from '../service/pod.js';
import type { PodListener, Service } from '../service/service.js';
import { usageMeterFor, UsageMeter } from './usage-meter.js';

/** EC2 bills per second with a one-minute minimum. */
const EC2_BILLING = { granularitySeconds: 1, minimumSeconds: 60 };
const GIB = 1024 ** 3;
/** Memory Fargate adds to every pod for kubelet, kube-proxy and containerd. */
const FARGATE_OVERHEAD_BYTES = 256 * 1024 ** 2;
/** Fargate's configurations: vCPU with its memory sizes (GB), smallest first. */
const FARGATE_CONFIGURATIONS: { vcpu: number; memoryGb: number[] }[] = [
  { vcpu: 0.25, memoryGb: [0.5, 1, 2] },
  { vcpu: 0.5, memoryGb: [1, 2, 3, 4] },
  { vcpu: 1, memoryGb: range(2, 8, 1) },
  { vcpu: 2, memoryGb: range(4, 16, 1) },
  { vcpu: 4, memoryGb: range(8, 30, 1) },
  { vcpu: 8, memoryGb: range(16, 60, 4) },
  { vcpu: 16, memoryGb: range(32, 120, 8) },
];

/** A line of the bill that a component starts, re-sizes and stops as the run goes. */
export interface MeterLine {
  /** Bills `quantity` units from now (instances, ACUs); 0 stops the line. */
  setQuantity(quantity: number): void;
  stop(): void;
}

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
      const size = fargateConfiguration(t.cpuRequestMillicores, t.memoryRequestBytes);
      this.fargateCpu!.start(key, this.seconds(), size.vcpu);
      this.fargateMemory!.start(key, this.seconds(), size.memoryGb);
    } else if (running && pod.phase === 'Terminated') {
      this.fargateCpu!.stop(key, this.seconds());
      this.fargateMemory!.stop(key, this.seconds());
    }
  }

  /**
   * A resource that runs from the start of the run (a database instance, a proxy), billed by a
   * catalog price id (its own granularity and minimum) or an hourly price; `quantity` units
   * (vCPUs for a proxy). A custom hourly price bills as RDS does: per second, 10-minute minimum.
   */
  meterFromStart(label: string, price: string | number, quantity = 1): void {
    const meter = typeof price === 'string' ? this.meter(price) : new UsageMeter({ hourlyRateUsd: price, granularitySeconds: 1, minimumSeconds: 600 });
    this.lines.push({ label, meter });
    meter.start(0, 0, quantity);
  }

  /**
   * A resource line billed while it runs (a read replica, the class a resize moves to, an
   * Aurora Serverless v2 instance's ACUs), by a catalog price id or an hourly price (custom
   * prices bill as RDS does: per second, 10-minute minimum). Start and stop it at the simulated
   * time; `setQuantity` re-bills it with a new quantity from now (0 stops it).
   */
  meterLine(label: string, price: string | number): MeterLine {
    const meter = typeof price === 'string' ? this.meter(price) : new UsageMeter({ hourlyRateUsd: price, granularitySeconds: 1, minimumSeconds: 600 });
    this.lines.push({ label, meter });
    let key = 0;
    let running = false;
    const line: MeterLine = {
      setQuantity: (quantity) => {
        if (running) meter.stop(key++, this.seconds());
        running = quantity > 0;
        if (running) meter.start(key, this.seconds(), quantity);
      },
      stop: () => line.setQuantity(0),
    };
    return line;
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

/**
 * The configuration Fargate bills a pod for: its requests plus 256 MB for the Kubernetes
 * components, rounded up to the smallest vCPU/memory combination that holds both (EKS user
 * guide, "Fargate Pod configuration"); the largest one if nothing does.
 */
export function fargateConfiguration(cpuMillicores: number, memoryBytes: number): { vcpu: number; memoryGb: number } {
  const vcpu = cpuMillicores / 1000;
  const memoryGb = (memoryBytes + FARGATE_OVERHEAD_BYTES) / GIB;
  for (const c of FARGATE_CONFIGURATIONS) {
    if (c.vcpu < vcpu - 1e-9) continue;
    const fit = c.memoryGb.find((m) => m >= memoryGb - 1e-9);
    if (fit !== undefined) return { vcpu: c.vcpu, memoryGb: fit };
  }
  const largest = FARGATE_CONFIGURATIONS[FARGATE_CONFIGURATIONS.length - 1];
  return { vcpu: largest.vcpu, memoryGb: largest.memoryGb[largest.memoryGb.length - 1] };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}
