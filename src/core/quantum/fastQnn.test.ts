import { describe, expect, it } from 'vitest';
import { createRng } from '../util/rng';
import { adjointGradientBatch } from './adjoint';
import { cnotRingPermutation, OUTPUTS_PER_WIRE, qnnBackward, qnnForward } from './fastQnn';
import { simulateBatch } from './simulate';
import { hybridLayerCircuit } from './templates';
import { FD_STEP, QTOL, loadGoldenQnn } from './testFixtures';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function randomCase(seed: number, n: number, layers: number, batch: number) {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: batch * n }, () => 4 * rng.uniform() - 2);
  const w = Float64Array.from({ length: layers * n * 3 }, () => 2 * Math.PI * rng.uniform());
  const dy = Float64Array.from({ length: batch * OUTPUTS_PER_WIRE * n }, () => rng.normal());
  return { x, w, dy, shape: { nQubits: n, nLayers: layers }, batch };
}

describe('fused QNN kernel: the golden file (PyTorch, float64)', () => {
  for (const c of loadGoldenQnn()) {
    it(`n=${c.n_qubits}, L=${c.n_layers}: readouts and gradients`, () => {
      const shape = { nQubits: c.n_qubits, nLayers: c.n_layers };
      const x = c.inputs.flat();
      const w = c.weights.flat(2);
      const dy = c.inputs.flatMap(() => c.loss_coefficients);
      expect(maxAbsDiff(qnnForward(shape, x, w, c.batch), c.outputs.flat())).toBeLessThan(
        QTOL.golden,
      );
      const outputs = new Float64Array(c.batch * OUTPUTS_PER_WIRE * c.n_qubits);
      const g = qnnBackward(shape, x, w, dy, c.batch, { outputs });
      expect(maxAbsDiff(outputs, c.outputs.flat())).toBeLessThan(QTOL.golden);
      expect(maxAbsDiff(g.dx, c.grad_inputs.flat())).toBeLessThan(QTOL.golden);
      expect(maxAbsDiff(g.dw, c.grad_weights.flat(2))).toBeLessThan(QTOL.golden);
    });
  }
});

describe('fused QNN kernel against the plain simulator (hybridLayerCircuit)', () => {
  for (const [n, layers] of [
    [2, 3],
    [3, 1],
    [5, 2],
    [7, 4],
  ] as const) {
    it(`n=${n}, L=${layers}: readouts, input and weight gradients`, () => {
      const { x, w, dy, shape, batch } = randomCase(100 + n, n, layers, 3);
      const def = hybridLayerCircuit({ nQubits: n, nLayers: layers });
      expect(
        maxAbsDiff(qnnForward(shape, x, w, batch), simulateBatch(def, batch, x, w)),
      ).toBeLessThan(QTOL.exact);
      const plain = adjointGradientBatch(def, batch, x, w, dy);
      const fast = qnnBackward(shape, x, w, dy, batch);
      expect(maxAbsDiff(fast.dx, plain.gradInputs)).toBeLessThan(QTOL.exact);
      expect(maxAbsDiff(fast.dw, plain.gradWeights)).toBeLessThan(QTOL.exact);
    });
  }
});

describe('fused QNN kernel: gradients against central finite differences', () => {
  it('every input and weight of a 4-qubit, 3-layer circuit', () => {
    const { x, w, dy, shape, batch } = randomCase(7, 4, 3, 2);
    const loss = (xs: Float64Array, ws: Float64Array) => {
      const out = qnnForward(shape, xs, ws, batch);
      let s = 0;
      for (let k = 0; k < out.length; k++) s += out[k] * dy[k];
      return s;
    };
    const g = qnnBackward(shape, x, w, dy, batch);
    const fd = (values: Float64Array, k: number, f: () => number) => {
      const v = values[k];
      values[k] = v + FD_STEP;
      const up = f();
      values[k] = v - FD_STEP;
      const down = f();
      values[k] = v;
      return (up - down) / (2 * FD_STEP);
    };
    for (let k = 0; k < x.length; k++)
      expect(Math.abs(g.dx[k] - fd(x, k, () => loss(x, w)))).toBeLessThan(QTOL.finiteDifference);
    for (let k = 0; k < w.length; k++)
      expect(Math.abs(g.dw[k] - fd(w, k, () => loss(x, w)))).toBeLessThan(QTOL.finiteDifference);
  });
});

describe('fused QNN kernel: invariants and checks', () => {
  it('the CNOT ring permutation is a bijection and matches a hand case', () => {
    const perm = cnotRingPermutation(3);
    expect(new Set(perm).size).toBe(8);
    // |100⟩: CNOT(0,1) → |110⟩, CNOT(1,2) → |111⟩, CNOT(2,0) → |011⟩
    expect(perm[0b100]).toBe(0b011);
  });

  it('single-qubit readouts lie on the Bloch ball: ⟨X⟩² + ⟨Y⟩² + ⟨Z⟩² ≤ 1', () => {
    const { x, w, shape, batch } = randomCase(3, 5, 2, 8);
    const out = qnnForward(shape, x, w, batch);
    const n = shape.nQubits;
    for (let s = 0; s < batch; s++) {
      for (let i = 0; i < n; i++) {
        const o = s * OUTPUTS_PER_WIRE * n;
        const r2 = out[o + i] ** 2 + out[o + n + i] ** 2 + out[o + 2 * n + i] ** 2;
        expect(r2).toBeLessThanOrEqual(1 + 1e-12);
      }
    }
  });

  it('a share of the batch computes that share only; the shares add up', () => {
    const { x, w, dy, shape, batch } = randomCase(5, 3, 2, 6);
    const all = qnnBackward(shape, x, w, dy, batch);
    const a = qnnBackward(shape, x, w, dy, batch, { first: 0, count: 2 });
    const b = qnnBackward(shape, x, w, dy, batch, { first: 2, count: 4 });
    for (let k = 0; k < all.dw.length; k++) expect(a.dw[k] + b.dw[k]).toBeCloseTo(all.dw[k], 12);
    expect(maxAbsDiff(a.dx.subarray(0, 6), all.dx.subarray(0, 6))).toBe(0);
    expect(maxAbsDiff(b.dx.subarray(6), all.dx.subarray(6))).toBe(0);
  });

  it('refuses bad shapes with the reason', () => {
    const shape = { nQubits: 3, nLayers: 1 };
    expect(() => qnnForward(shape, [0, 0], new Float64Array(9), 1)).toThrow(/inputs need 1×3/);
    expect(() => qnnForward(shape, [0, 0, 0], new Float64Array(8), 1)).toThrow(/weights need/);
    expect(() => qnnForward({ nQubits: 1, nLayers: 1 }, [0], [0, 0, 0], 1)).toThrow(/2–20 qubits/);
  });
});
