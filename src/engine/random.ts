import seedrandom from 'seedrandom';

/** A uniform [0, 1) generator. */
export type RandomStream = () => number;

/**
 * Named, independent random streams. Each stream is seeded from (run seed, stream name),
 * so adding a stream — a new component — never shifts the draws of any other.
 * The generator is seedrandom's Alea: fast, and fully reproducible across machines.
 */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(private readonly seed: string | number) {}

  get(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = seedrandom.alea(`${this.seed}\u0000${name}`);
      this.streams.set(name, stream);
    }
    return stream;
  }
}
