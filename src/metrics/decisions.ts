/** One autoscaler decision, as written to decisions.csv. */
export interface DecisionRow {
  t_s: number;
  controller: string;
  from: number;
  to: number;
  reason: string;
  message: string;
}

/** A moment worth telling in the narrative timeline. */
export interface TimelineNote {
  t_s: number;
  text: string;
}

/** Collects decisions and narrative notes from every controller during a run. */
export class DecisionLog {
  readonly decisions: DecisionRow[] = [];
  readonly notes: TimelineNote[] = [];

  decide(row: DecisionRow): void {
    this.decisions.push(row);
  }

  note(t_s: number, text: string): void {
    this.notes.push({ t_s, text });
  }
}
