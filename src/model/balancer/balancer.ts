import type { RandomStream } from '../../engine/index.js';

/** What a balancer needs of an endpoint. */
export interface Endpoint {
  readonly outstanding: number;
}

export type BalancingAlgorithm = 'round-robin' | 'least-outstanding' | 'random';

/**
 * Picks an endpoint for each request from the current endpoint list (ready pods).
 * Returns an index into `endpoints`, or -1 when the list is empty.
 */
export class Balancer {
  private cursor = 0;

  constructor(
    readonly algorithm: BalancingAlgorithm,
    private readonly random: RandomStream,
  ) {}

  pick(endpoints: readonly Endpoint[]): number {
    const n = endpoints.length;
    if (n === 0) return -1;
    switch (this.algorithm) {
      case 'round-robin':
        return (this.cursor = (this.cursor + 1) % n);
      case 'random':
        return Math.min(n - 1, Math.floor(this.random() * n));
      case 'least-outstanding': {
        // Scan from a rotating start so ties spread instead of piling on the first pod.
        const start = (this.cursor = (this.cursor + 1) % n);
        let best = start;
        let bestLoad = endpoints[start].outstanding;
        for (let k = 1; k < n && bestLoad > 0; k++) {
          const i = (start + k) % n;
          const load = endpoints[i].outstanding;
          if (load < bestLoad) {
            best = i;
            bestLoad = load;
          }
        }
        return best;
      }
    }
  }
}
