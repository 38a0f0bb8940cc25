/** One autoscaler decision, as written to decisions.csv. */
export interface DecisionRow {
  t_s: number;
  controller: string;
  from: number;
  to: number;
  reason: string;
  message: string;
  /**
   * What `kubectl describe` lists under Events for it, "<reason> <message>" joined by " | "
   * ("SuccessfulRescale New size: 6; reason: cpu resource utilization (percentage of request)
   * above target"); empty or absent for controllers that emit none here.
   */
  event?: string;
}

/**
 * Syncs of a controller in a row that neither rescaled nor changed its reason, so were not
 * logged as decisions: summarised, so that no quiet stretch of the timeline is unexplained.
 */
export interface HoldRow {
  controller: string;
  /** The first and the last of these syncs [s]. */
  from_s: number;
  to_s: number;
  syncs: number;
  /** The replica count every one of them kept. */
  replicas: number;
  /** Why, with how many syncs each ("within tolerance", "ScaleDownStabilized" …), in first-seen order. */
  reasons: Record<string, number>;
  /** Range of the first metric as read (same unit as `hpa_<service>_metric_value`); NaN without a reading. */
  metricMin: number;
  metricMax: number;
  /** The first metric's target, in the same unit; NaN without one. */
  metricTarget: number;
}

/** A moment worth telling in the narrative timeline. */
export interface TimelineNote {
  t_s: number;
  text: string;
}

/** Collects decisions and narrative notes from every controller during a run. */
export class DecisionLog {
  readonly decisions: DecisionRow[] = [];
  readonly holds: HoldRow[] = [];
  readonly notes: TimelineNote[] = [];

  decide(row: DecisionRow): void {
    this.decisions.push(row);
  }

  note(t_s: number, text: string): void {
    this.notes.push({ t_s, text });
  }
}
