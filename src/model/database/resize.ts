import type { EventHandler, Simulation } from '../../engine/index.js';
import type { DecisionLog } from '../../metrics/decisions.js';
import type { Database } from './database.js';

/** An instance class as the database sees it. */
export interface DbClass {
  readonly label: string;
  readonly vcpu: number;
  readonly maxConnections: number;
}

export interface ResizeConfig {
  /** When the switch to the new class happens (the outage starts). */
  readonly atMicros: number;
  readonly outageMicros: number;
  readonly from: DbClass;
  readonly to: DbClass;
  /** Multi-AZ: the standby was resized first and a failover switches to it; single-AZ: a restart on a new host. */
  readonly multiAZ: boolean;
}

const BEGIN = 0;
const END = 1;

/**
 * A scheduled change of instance class (modify-db-instance, apply immediately). RDS resizes a
 * Multi-AZ instance's standby first, then fails over to it (typically 60–120 s of
 * unavailability); a single-AZ instance is stopped, its storage moved to a host of the new
 * class and restarted, down for the engine's recovery (AWS re:Post "What factors affect my
 * downtime…"). Either way the database goes down at `at` — queries in progress are lost and
 * connections refused — and comes back after `outage` with the new class's vCPUs and
 * max_connections. `onSwitch` moves the bill to the new class.
 */
export class ScheduledResize implements EventHandler {
  private readonly event: number;

  constructor(
    private readonly sim: Simulation,
    private readonly database: Database,
    private readonly config: ResizeConfig,
    private readonly log: DecisionLog,
    private readonly onSwitch: () => void,
  ) {
    this.event = sim.register(this);
  }

  start(): void {
    this.sim.scheduleAt(this.config.atMicros, this.event, BEGIN);
  }

  handleEvent(phase: number): void {
    const { from, to, outageMicros, multiAZ } = this.config;
    const name = `rds/${this.database.config.name}`;
    if (phase === BEGIN) {
      const lost = this.database.goDown();
      this.onSwitch();
      const how = multiAZ ? 'failover to the resized standby' : 'restart on a host of the new class';
      this.log.decide({
        t_s: this.sim.now / 1e6,
        controller: name,
        from: from.vcpu,
        to: to.vcpu,
        reason: 'ScheduledResize',
        message: `instance class ${from.label} → ${to.label} (vCPU ${from.vcpu} → ${to.vcpu}): ${how}, unavailable for ${outageMicros / 1e6}s; ${lost} ${lost === 1 ? 'query' : 'queries'} in progress lost`,
      });
      this.sim.schedule(outageMicros, this.event, END);
      return;
    }
    this.database.comeUp(to.vcpu, to.maxConnections);
    this.log.decide({
      t_s: this.sim.now / 1e6,
      controller: name,
      from: to.vcpu,
      to: to.vcpu,
      reason: 'ResizeComplete',
      message: `available again as ${to.label}: ${to.vcpu} vCPU, max_connections ${to.maxConnections} (was ${from.maxConnections}); pools reconnect`,
    });
  }
}
