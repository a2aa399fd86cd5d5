/**
 * A seeded pseudo-random number generator for everything stochastic in the core (virtual
 * populations, residual error, demo trials). Randomness is always an argument: the same seed
 * gives the same numbers on every platform, because the generator uses only 32-bit integer
 * arithmetic (Math.imul, >>>) and IEEE doubles.
 *
 * Generator: xoshiro128** 1.1 (Blackman & Vigna, 2018), 128-bit state, period 2^128 − 1,
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
export interface Rng {
  /** Uniform on [0, 1), 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1) (polar Box–Muller). */
  normal(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /**
   * An independent generator derived from this one's next outputs. Forking advances this
   * generator by a fixed amount, so the parent's later draws stay reproducible too.
   */
  fork(): Rng;
}

/** splitmix32 step: a well-mixed 32-bit output from a Weyl sequence (used only for seeding). */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 2^-53: scale from a 53-bit integer draw to [0, 1). */
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;

class Xoshiro128ss implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The second normal of the last Box–Muller pair, NaN when none is cached. */
  private spare = NaN;

  constructor(a: number, b: number, c: number, d: number) {
    this.s0 = a | 0;
    this.s1 = b | 0;
    this.s2 = c | 0;
    this.s3 = d | 0;
    // An all-zero state is the one fixed point of xoshiro; splitmix32 makes it practically
    // impossible, but guard it anyway.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  uint32(): number {
    const s1 = this.s1;
    const t = s1 << 9;
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return r >>> 0;
  }

  uniform(): number {
    // 27 high bits of one draw and 26 of the next give a double with 53 random bits.
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    // Polar Box–Muller (Marsaglia): no trigonometry, exact N(0,1) pairs.
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  fork(): Rng {
    // Seed the child from four fresh outputs, re-mixed so the child's stream does not start
    // with values the parent has just produced.
    const mix = { s: this.uint32() ^ 0x6a09e667 };
    const a = splitmix32(mix) ^ this.uint32();
    const b = splitmix32(mix) ^ this.uint32();
    const c = splitmix32(mix) ^ this.uint32();
    const d = splitmix32(mix) ^ this.uint32();
    return new Xoshiro128ss(a, b, c, d);
  }
}

/**
 * A generator for `seed` (any finite number; its integer part modulo 2^32 is used, so
 * 1 and 1.5 give the same stream).
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`RNG seed must be a finite number, got ${seed}`);
  const state = { s: (Math.trunc(seed) % 4294967296) | 0 };
  return new Xoshiro128ss(
    splitmix32(state),
    splitmix32(state),
    splitmix32(state),
    splitmix32(state),
  );
}

/** Uniform on [min, max). */
export function uniformBetween(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.uniform();
}

/**
 * A generator started from an explicit xoshiro128** state (four 32-bit words), bypassing the
 * splitmix32 seeding: for checking against the reference implementation's published output.
 */
export function rngFromState(s0: number, s1: number, s2: number, s3: number): Rng {
  return new Xoshiro128ss(s0, s1, s2, s3);
}
