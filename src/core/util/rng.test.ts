import { describe, expect, it } from 'vitest';
import { createRng, rngFromState, uniformBetween } from './rng';
import { expectClose } from '../../testing/close';

/** Draws for the moment checks: the standard error of the mean is 1/sqrt(N) ≈ 0.0032. */
const N = 100_000;
/** Five standard errors: a correct generator fails this about once in 3.5 million runs. */
const MEAN_TOL = 5 / Math.sqrt(N);
/** The SD of a sample SD is about 1/sqrt(2N) ≈ 0.0022; allow five. */
const SD_TOL = 5 / Math.sqrt(2 * N);

describe('rng', () => {
  it('reproduces the reference xoshiro128** output for state {1, 2, 3, 4}', () => {
    // Reference values from the C reference implementation's algorithm (independently
    // re-implemented in Python with plain integers).
    const rng = rngFromState(1, 2, 3, 4);
    const expected = [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849];
    expect(expected.map(() => rng.uint32())).toEqual(expected);
  });

  it('gives the same numbers for the same seed and different ones for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 50 }, () => a.normal());
    const xb = Array.from({ length: 50 }, () => b.normal());
    const xc = Array.from({ length: 50 }, () => c.normal());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('forks reproducibly into streams independent of the parent', () => {
    const p1 = createRng(7);
    const p2 = createRng(7);
    const c1 = p1.fork();
    const c2 = p2.fork();
    const u1 = Array.from({ length: 20 }, () => c1.uniform());
    expect(Array.from({ length: 20 }, () => c2.uniform())).toEqual(u1);
    // The parent continues identically after forking, and differs from its child.
    const v1 = Array.from({ length: 20 }, () => p1.uniform());
    expect(Array.from({ length: 20 }, () => p2.uniform())).toEqual(v1);
    expect(v1).not.toEqual(u1);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(1);
    let s = 0;
    let s2 = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < N; i++) {
      const u = rng.uniform();
      s += u;
      s2 += u * u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const mean = s / N;
    expectClose(mean, 0.5, { abs: MEAN_TOL * Math.sqrt(1 / 12), context: 'uniform mean' });
    expectClose(s2 / N - mean * mean, 1 / 12, { rel: 0.02, context: 'uniform variance' });
  });

  it('draws standard normals with mean 0, sd 1, and normal tails', () => {
    const rng = createRng(2024);
    let s = 0;
    let s2 = 0;
    let beyond2 = 0;
    for (let i = 0; i < N; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
      if (Math.abs(z) > 1.959964) beyond2++;
    }
    const mean = s / N;
    const sd = Math.sqrt(s2 / N - mean * mean);
    expectClose(mean, 0, { abs: MEAN_TOL, context: 'normal mean' });
    expectClose(sd, 1, { abs: SD_TOL, context: 'normal sd' });
    // P(|Z| > 1.96) = 0.05; binomial SD sqrt(0.05·0.95/N) ≈ 0.0007.
    expectClose(beyond2 / N, 0.05, { abs: 0.0035, context: 'two-sided 5% tail' });
  });

  it('maps uniforms onto an interval and rejects a non-finite seed', () => {
    const rng = createRng(3);
    for (let i = 0; i < 1000; i++) {
      const x = uniformBetween(rng, 50, 100);
      expect(x).toBeGreaterThanOrEqual(50);
      expect(x).toBeLessThan(100);
    }
    expect(() => createRng(NaN)).toThrow(/seed/);
  });
});
