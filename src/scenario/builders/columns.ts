/** A column sampler of a running total's increase over each interval (a counter's delta). */
export function increaseOf(total: () => number): () => number {
  let last = 0;
  return () => {
    const now = total();
    const increase = now - last;
    last = now;
    return increase;
  };
}

/** A column sampler of a time integral's average over each interval (from an occupancy integral, µs-weighted). */
export function averageOf(integral: () => number): (widthMicros: number) => number {
  const increase = increaseOf(integral);
  return (widthMicros) => increase() / widthMicros;
}
