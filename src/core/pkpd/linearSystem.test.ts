import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import {
  AMOUNT_SLOTS,
  centralAmountAfter,
  equilibriumAmounts,
  linearPkSystem,
  propagateAmounts,
  solvePeriodic,
} from './linearSystem';
import type { PkParameters } from './types';

/**
 * Independent reference: the matrix exponential of the augmented system [A; r_d; r_c]
 * (inputs as states with zero derivative), by scaling and squaring of a 30-term Taylor series
 * on plain 5×5 arrays: no eigenvalues, so coincident rates are no special case.
 */
function referencePropagate(
  pk: PkParameters,
  a0: number[],
  rd: number,
  rc: number,
  t: number,
): number[] {
  const k10 = pk.CL / pk.V;
  const ka = pk.ka ?? 0;
  const k12 = pk.Q && pk.V2 ? pk.Q / pk.V : 0;
  const k21 = pk.Q && pk.V2 ? pk.Q / pk.V2 : 0;
  const K: number[][] = [
    [-ka, 0, 0, 1, 0],
    [ka, -(k10 + k12), k21, 0, 1],
    [0, k12, -k21, 0, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0],
  ];
  const norm = Math.max(...K.map((row) => row.reduce((s, v) => s + Math.abs(v), 0))) * t;
  const squarings = Math.max(0, Math.ceil(Math.log2(norm + 1)) + 4);
  const h = t / 2 ** squarings;
  const mul = (A: number[][], B: number[][]) =>
    A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
  let E: number[][] = K.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  let term = E;
  for (let n = 1; n <= 30; n++) {
    term = mul(term, K).map((row) => row.map((v) => (v * h) / n));
    E = E.map((row, i) => row.map((v, j) => v + term[i][j]));
  }
  for (let s = 0; s < squarings; s++) E = mul(E, E);
  const x = [...a0, rd, rc];
  return E.slice(0, 3).map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
}

const MODELS: PkParameters[] = [
  { type: 'iv1', CL: 2, V: 10 },
  { type: 'oral1', CL: 2, V: 10, ka: 1.3 },
  { type: 'oral1', CL: 2, V: 10, ka: 0.2 }, // ka = k exactly
  { type: 'iv2', CL: 2, V: 10, Q: 1.5, V2: 30 },
  { type: 'oral2', CL: 2, V: 10, Q: 1.5, V2: 30, ka: 0.9 },
  { type: 'oral2', CL: 0.5, V: 10, Q: 1, V2: 20, ka: 0.05 }, // ka near β
];

describe('exact propagation of the linear system', () => {
  for (const pk of MODELS) {
    it(`${pk.type} (ka ${pk.ka ?? '-'}) matches the matrix exponential, inputs included`, () => {
      const sys = linearPkSystem(pk);
      const a0 = [sys.oral ? 40 : 0, 25, sys.twoCompartment ? 10 : 0];
      const rd = sys.oral ? 3 : 0;
      for (const t of [0, 0.05, 1, 6, 30, 200]) {
        const out = new Float64Array(AMOUNT_SLOTS);
        propagateAmounts(sys, a0, rd, 5, t, out);
        const ref = referencePropagate(pk, a0, rd, 5, t);
        for (let i = 0; i < 3; i++)
          expectClose(out[i], ref[i], {
            rel: 1e-10,
            abs: 1e-12,
            context: `${pk.type} A${i}(${t})`,
          });
        expect(centralAmountAfter(sys, a0[0], a0[1], a0[2], rd, 5, t)).toBe(out[1]);
      }
    });
  }

  it('is a semigroup: propagating t then s equals propagating t + s', () => {
    for (const pk of MODELS) {
      const sys = linearPkSystem(pk);
      const a = Float64Array.of(sys.oral ? 50 : 0, 10, sys.twoCompartment ? 4 : 0);
      const twoSteps = new Float64Array(AMOUNT_SLOTS);
      const oneStep = new Float64Array(AMOUNT_SLOTS);
      propagateAmounts(sys, a, 2, 1, 3.3, twoSteps);
      propagateAmounts(sys, twoSteps, 2, 1, 7.1, twoSteps);
      propagateAmounts(sys, a, 2, 1, 10.4, oneStep);
      for (let i = 0; i < 3; i++)
        expectClose(twoSteps[i], oneStep[i], {
          rel: 1e-13,
          abs: 1e-15,
          context: `${pk.type} A${i}`,
        });
    }
  });

  it('leaves the equilibrium of constant inputs unchanged', () => {
    for (const pk of MODELS) {
      const sys = linearPkSystem(pk);
      const eq = new Float64Array(AMOUNT_SLOTS);
      const rd = sys.oral ? 4 : 0;
      equilibriumAmounts(sys, rd, 3, eq);
      const later = new Float64Array(AMOUNT_SLOTS);
      propagateAmounts(sys, eq, rd, 3, 17, later);
      for (let i = 0; i < 3; i++)
        expectClose(later[i], eq[i], { rel: 1e-13, abs: 1e-15, context: `${pk.type} A${i}` });
    }
  });

  it('solvePeriodic returns x with x − e^{K·ii}·x = v (the geometric series)', () => {
    for (const pk of MODELS) {
      const sys = linearPkSystem(pk);
      const v = Float64Array.of(sys.oral ? 30 : 0, 20, sys.twoCompartment ? 5 : 0);
      for (const ii of [0.5, 12, 168]) {
        const x = new Float64Array(AMOUNT_SLOTS);
        solvePeriodic(sys, ii, v, x);
        const ex = new Float64Array(AMOUNT_SLOTS);
        propagateAmounts(sys, x, 0, 0, ii, ex);
        for (let i = 0; i < 3; i++) {
          expectClose(x[i] - ex[i], v[i], {
            rel: 1e-11,
            abs: 1e-11 * x[1],
            context: `${pk.type} ii ${ii} slot ${i}`,
          });
        }
      }
    }
  });

  it('computes α ≥ β with α + β = k10 + k12 + k21 and αβ = k10·k21', () => {
    const sys = linearPkSystem({ type: 'iv2', CL: 2, V: 10, Q: 1.5, V2: 30 });
    expect(sys.alpha).toBeGreaterThan(sys.beta);
    expectClose(sys.alpha + sys.beta, sys.k10 + sys.k12 + sys.k21, { rel: 1e-15 });
    expectClose(sys.alpha * sys.beta, sys.k10 * sys.k21, { rel: 1e-15 });
  });
});
