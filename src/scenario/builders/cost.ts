import type { BuildContext } from './context.js';

/** The interval's cost and the running total, as the last columns. */
export function addCostColumns(ctx: BuildContext): void {
  const { recorder, cost } = ctx;
  let last = 0;
  recorder.addColumn({
    name: 'cost_usd',
    sample: () => {
      const now = cost.accruedUsd();
      const interval = now - last;
      last = now;
      return interval;
    },
  });
  recorder.addColumn({ name: 'cost_cumulative_usd', sample: () => last });
}
