import type { RandomStream } from '../../engine/index.js';

/**
 * Which key a request is about (a product, a customer): a popularity model over the integers
 * 0…keys−1, drawn from its own stream. Nothing per key is stored, so ten million keys cost
 * no memory here; key 0 is the most popular unless the ranks are scattered (`scatter`).
 */
export interface KeyPopularity {
  readonly keys: number;
  /** A key, 0…keys−1. */
  draw(random: RandomStream): number;
  /** Probability of the key of popularity rank r (0 = most popular): for theory and tests. */
  probabilityOfRank(rank: number): number;
}

export class UniformKeys implements KeyPopularity {
  constructor(readonly keys: number) {}

  draw(random: RandomStream): number {
    return Math.floor(random() * this.keys);
  }

  probabilityOfRank(): number {
    return 1 / this.keys;
  }
}

/** A hot set: `hotShare` of the requests go to the first `hotKeys` keys, uniformly; the rest spread over the others. */
export class HotSetKeys implements KeyPopularity {
  constructor(
    readonly keys: number,
    private readonly hotKeys: number,
    private readonly hotShare: number,
  ) {}

  draw(random: RandomStream): number {
    const u = random();
    if (u < this.hotShare) return Math.floor((u / this.hotShare) * this.hotKeys);
    return this.hotKeys + Math.floor(((u - this.hotShare) / (1 - this.hotShare)) * (this.keys - this.hotKeys));
  }

  probabilityOfRank(rank: number): number {
    return rank < this.hotKeys ? this.hotShare / this.hotKeys : (1 - this.hotShare) / (this.keys - this.hotKeys);
  }
}

/**
 * Zipf over `keys` ranks with exponent s: P(rank r) ∝ (r+1)^−s. Drawn by rejection-inversion
 * (Hörmann & Derflinger, 1996): O(1) memory and time, about one uniform draw per key, exact.
 */
export class ZipfKeys implements KeyPopularity {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly squeeze: number;
  private normaliser = 0;

  constructor(
    readonly keys: number,
    private readonly s: number,
  ) {
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(keys + 0.5);
    this.squeeze = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  draw(random: RandomStream): number {
    for (;;) {
      const u = this.hIntegralN + random() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.round(x);
      if (k < 1) k = 1;
      else if (k > this.keys) k = this.keys;
      if (k - x <= this.squeeze || u >= this.hIntegral(k + 0.5) - this.h(k)) return k - 1;
    }
  }

  probabilityOfRank(rank: number): number {
    if (this.normaliser === 0) {
      // H(N, s), summed smallest terms first, on first use: only theory and summaries need it.
      for (let k = this.keys; k >= 1; k--) this.normaliser += Math.pow(k, -this.s);
    }
    return Math.pow(rank + 1, -this.s) / this.normaliser;
  }

  /** h(x) = x^−s, the (unnormalised) density the ranks are drawn from. */
  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }

  /** H(x) = ∫ h, written so that s = 1 (where it is log x) needs no special case. */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return expm1OverX((1 - this.s) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1; // rounding near the bound
    return Math.exp(log1pOverX(t) * x);
  }
}

/** (e^x − 1)/x, continuous at 0. */
function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x / 2 + (x * x) / 6;
}

/** log(1 + x)/x, continuous at 0. */
function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x / 2 + (x * x) / 3;
}

/**
 * Scatters popularity ranks over key ids (rank r → key (a·r + b) mod keys, a bijection when
 * a is coprime with keys): the hottest keys are then not neighbours, as with customer ids,
 * which matters for range sharding. Without it key = rank, as with time-ordered keys.
 */
export class ScatteredKeys implements KeyPopularity {
  private readonly multiplier: number;
  private readonly offset: number;

  constructor(private readonly ranks: KeyPopularity) {
    const keys = ranks.keys;
    let a = Math.max(1, Math.floor(keys * 0.6180339887)) % keys || 1;
    while (gcd(a, keys) !== 1) a++;
    this.multiplier = a;
    this.offset = Math.floor(keys / 3);
  }

  get keys(): number {
    return this.ranks.keys;
  }

  draw(random: RandomStream): number {
    return this.keyOfRank(this.ranks.draw(random));
  }

  probabilityOfRank(rank: number): number {
    return this.ranks.probabilityOfRank(rank);
  }

  keyOfRank(rank: number): number {
    // Exact in doubles: a·r < keys² ≤ 2^53 for keys up to about 9.4e7.
    return (this.multiplier * rank + this.offset) % this.keys;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
