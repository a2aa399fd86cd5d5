import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import { createCircuit } from './circuit';
import { simulate, simulateBatch } from './simulate';
import { normSquared, probabilities } from './state';
import { hybridLayerCircuit } from './templates';
import { loadGoldenQnn, QTOL, randomCircuit, randomVector } from './testFixtures';

describe('simulate', () => {
  it('keeps the state normalised and the probabilities summing to one', () => {
    const rng = createRng(31);
    for (const n of [1, 2, 3, 5]) {
      const def = randomCircuit(rng, n, 30);
      const { state, readouts } = simulate(
        def,
        randomVector(rng, def.nInputs),
        randomVector(rng, def.nWeights),
      );
      expectClose(normSquared(state), 1, { abs: QTOL.exact, context: `n=${n} norm` });
      expectClose(
        probabilities(state).reduce((a, b) => a + b, 0),
        1,
        { abs: QTOL.exact, context: `n=${n} Σp` },
      );
      for (const v of readouts) expect(Math.abs(v)).toBeLessThanOrEqual(1 + QTOL.exact);
    }
  });

  it('closed form: RX(x) then RY(w) gives ⟨Z⟩ = cos x·cos w', () => {
    const def = createCircuit({
      nQubits: 1,
      operations: [
        { kind: 'RX', wire: 0, angle: { input: 0 } },
        { kind: 'RY', wire: 0, angle: { weight: 0 } },
      ],
      readouts: [{ kind: 'Z', wire: 0 }],
    });
    for (const [x, w] of [
      [0.3, 1.2],
      [-2, 0.5],
    ]) {
      expectClose(simulate(def, [x], [w]).readouts[0], Math.cos(x) * Math.cos(w), {
        abs: QTOL.exact,
      });
    }
  });

  it('reproduces the golden outputs of the seed circuit', () => {
    for (const c of loadGoldenQnn()) {
      const def = hybridLayerCircuit({ nQubits: c.n_qubits, nLayers: c.n_layers });
      const out = simulateBatch(def, c.batch, c.inputs.flat(), c.weights.flat(2));
      expect(out.length).toBe(c.batch * 4 * c.n_qubits);
      c.outputs.flat().forEach((v, k) =>
        expectClose(out[k], v, {
          abs: QTOL.golden,
          rel: 0,
          context: `n=${c.n_qubits} L=${c.n_layers} output ${k}`,
        }),
      );
    }
  });

  it('checks input, weight and batch sizes', () => {
    const def = hybridLayerCircuit({ nQubits: 2, nLayers: 1 });
    expect(() => simulate(def, [1], new Float64Array(6))).toThrow(/reads 2 inputs, got 1/);
    expect(() => simulate(def, [1, 2], [1])).toThrow(/reads 6 weights, got 1/);
    expect(() => simulateBatch(def, 2, [1, 2, 3], new Float64Array(6))).toThrow(/2×2 inputs/);
  });
});
