import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import type { Database } from './database.js';

/** Something billed by a quantity that changes over time (ACUs). */
export interface QuantityMeter {
  setQuantity(quantity: number): void;
}

export interface ServerlessConfig {
  readonly minAcu: number;
  readonly maxAcu: number;
  /** vCPUs one ACU gives (see the builder for the figure and its source). */
  readonly vcpuPerAcu: number;
  /** Bytes of memory one ACU gives (about 2 GiB). */
  readonly memoryPerAcuBytes: number;
  /** Memory a connection is budgeted: RDS's max_connections formula allots DBInstanceClassMemory / 9531392. */
  readonly memoryPerConnectionBytes: number;
  /** CPU utilization the capacity aims at. */
  readonly targetUtilization: number;
  /** Largest rise per second, as a fraction of the current capacity (at least one 0.5-ACU step). */
  readonly scaleUpPerSecond: number;
  /** Largest fall per second, as a fraction of the current capacity (at least one 0.5-ACU step). */
  readonly scaleDownPerSecond: number;
}

/** Capacity is re-evaluated every second, as Aurora does. */
const TICK_MICROS = 1_000_000;
/** Scale-down acts on the largest need of this many past seconds, so it lags the load (Aurora scales down gradually). */
const SCALE_DOWN_WINDOW_S = 60;
const STEP_ACU = 0.5;
/** Needs within this fraction of the capacity change nothing (as the HPA's tolerance), so noise does not flap it. */
const TOLERANCE = 0.1;

/**
 * Aurora Serverless v2 capacity: every second the instance's need is worked out from the last
 * second — the ACUs that would keep CPU at `targetUtilization`, and the ACUs whose memory holds
 * the open connections — and when it differs from the capacity by more than 10% (a tolerance,
 * as the HPA's) capacity moves toward it in 0.5-ACU steps within [min, max]. A
 * rise is limited to `scaleUpPerSecond` of the current capacity (AWS: "the higher the current
 * capacity, the faster it can scale up"), so a burst on a small instance waits for capacity
 * while CPU saturates; a fall follows the highest need of the last minute. vCPUs follow the
 * capacity at once (no outage, no dropped connection); max_connections stays fixed, from the
 * maximum ACU. Each change is billed from that second and logged with its reason.
 */
export class ServerlessCapacity implements EventHandler {
  acu: number;
  private lastCpuUsage = 0;
  private readonly recentNeed = new Float64Array(SCALE_DOWN_WINDOW_S);
  private tick = 0;
  private readonly event: number;

  constructor(
    private readonly sim: Simulation,
    private readonly database: Database,
    private readonly config: ServerlessConfig,
    private readonly log: DecisionLog,
    private readonly meter: QuantityMeter,
  ) {
    this.acu = config.minAcu;
    this.event = sim.register(this);
  }

  /** Starts at the minimum capacity, billed from now. */
  start(): void {
    this.database.setVcpu(this.acu * this.config.vcpuPerAcu);
    this.meter.setQuantity(this.acu);
    this.sim.schedule(TICK_MICROS, this.event);
  }

  handleEvent(): void {
    const c = this.config;
    const cpu = this.database.cpu;
    cpu.advance();
    const usedCores = (cpu.cpuUsage - this.lastCpuUsage) / 1000 / TICK_MICROS;
    this.lastCpuUsage = cpu.cpuUsage;
    const forCpu = usedCores / c.vcpuPerAcu / c.targetUtilization;
    const forConnections = (this.database.connections * c.memoryPerConnectionBytes) / c.memoryPerAcuBytes;
    const need = Math.max(forCpu, forConnections);
    this.recentNeed[this.tick++ % SCALE_DOWN_WINDOW_S] = need;
    const from = this.acu;
    let to = from;
    let limited = false;
    if (need > from * (1 + TOLERANCE)) {
      const wanted = clamp(roundUpToStep(need), c.minAcu, c.maxAcu);
      const ceiling = from + Math.max(STEP_ACU, roundDownToStep(from * c.scaleUpPerSecond));
      limited = wanted > ceiling;
      to = Math.min(wanted, ceiling);
    } else {
      let recent = 0;
      for (let i = 0; i < Math.min(this.tick, SCALE_DOWN_WINDOW_S); i++) recent = Math.max(recent, this.recentNeed[i]);
      if (recent < from * (1 - TOLERANCE)) to = Math.max(clamp(roundUpToStep(recent), c.minAcu, c.maxAcu), from - Math.max(STEP_ACU, roundDownToStep(from * c.scaleDownPerSecond)));
    }
    if (to !== from) this.change(from, to, usedCores, forCpu >= forConnections, limited);
    this.sim.schedule(TICK_MICROS, this.event);
  }

  private change(from: number, to: number, usedCores: number, cpuBound: boolean, limited: boolean): void {
    const c = this.config;
    this.acu = to;
    this.database.setVcpu(to * c.vcpuPerAcu);
    this.meter.setQuantity(to);
    const utilization = Math.round((100 * usedCores) / (from * c.vcpuPerAcu));
    const up = to > from;
    const why = !up
      ? `the load of the last ${SCALE_DOWN_WINDOW_S}s needs less (CPU ${utilization}% of ${from} ACU)`
      : cpuBound
        ? `CPU ${utilization}% of ${from} ACU (${from * c.vcpuPerAcu} vCPU) over the last second, above the ${Math.round(100 * c.targetUtilization)}% target`
        : `${this.database.connections} connections need the memory of more ACUs`;
    const limit = limited ? ` (capped: at most +${Math.round(100 * c.scaleUpPerSecond)}% a second)` : '';
    this.log.decide({
      t_s: this.sim.now / 1e6,
      controller: `aurora-serverless-v2/${this.database.config.name}`,
      from,
      to,
      reason: up ? (cpuBound ? 'CpuAboveTarget' : 'ConnectionsMemory') : 'LoadDecreased',
      message: `${why}: ${from} → ${to} ACU${limit}`,
    });
  }
}

function roundUpToStep(acu: number): number {
  return Math.ceil(acu / STEP_ACU - 1e-9) * STEP_ACU;
}

function roundDownToStep(acu: number): number {
  return Math.floor(acu / STEP_ACU + 1e-9) * STEP_ACU;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
