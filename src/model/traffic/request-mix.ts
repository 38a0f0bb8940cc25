import type { Distribution, RandomStream } from '../../engine/index.js';

export interface RequestClass {
  readonly name: string;
  readonly share: number;
  /** CPU work of the class's first step, drawn at arrival; undefined when its path starts with another step. */
  readonly cpuWork: Distribution | undefined;
  readonly timeoutMicros: number;
}

/** Draws each arrival's class and CPU work from one stream, in arrival order. */
export class RequestMix {
  private readonly cumulative: Float64Array;

  constructor(
    readonly classes: readonly RequestClass[],
    private readonly random: RandomStream,
  ) {
    this.cumulative = new Float64Array(classes.length);
    let running = 0;
    classes.forEach((c, i) => (this.cumulative[i] = running += c.share));
  }

  drawClass(): number {
    if (this.cumulative.length === 1) return 0; // certain: no draw
    const u = this.random() * this.cumulative[this.cumulative.length - 1];
    let i = 0;
    while (i < this.cumulative.length - 1 && this.cumulative[i] <= u) i++;
    return i;
  }

  drawWork(classId: number): number {
    const work = this.classes[classId].cpuWork;
    return work === undefined ? 0 : work.sample(this.random);
  }
}
