import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import { adjointGradient, adjointGradientBatch } from './adjoint';
import { createCircuit, type CircuitDefinition } from './circuit';
import { parameterShiftGradient } from './parameterShift';
import { simulate } from './simulate';
import { hybridLayerCircuit } from './templates';
import { FD_STEP, loadGoldenQnn, QTOL, randomCircuit, randomVector } from './testFixtures';

/** L = Σ_k g_k·readout_k. */
function lossOf(
  def: CircuitDefinition,
  inputs: Float64Array,
  weights: Float64Array,
  g: Float64Array,
): number {
  return simulate(def, inputs, weights).readouts.reduce((a, v, k) => a + g[k] * v, 0);
}

/** Central finite differences of L in every entry of `vary`. */
function finiteDifferences(vary: Float64Array, loss: () => number): Float64Array {
  return vary.map((v, k) => {
    vary[k] = v + FD_STEP;
    const up = loss();
    vary[k] = v - FD_STEP;
    const down = loss();
    vary[k] = v;
    return (up - down) / (2 * FD_STEP);
  });
}

describe('the adjoint gradient', () => {
  it('equals the golden values of the seed circuit (outputs, grad_inputs, grad_weights)', () => {
    for (const c of loadGoldenQnn()) {
      const def = hybridLayerCircuit({
        nQubits: c.n_qubits,
        nLayers: c.n_layers,
        readout: 'xyzzz',
      });
      const upstream = c.inputs.flatMap(() => c.loss_coefficients);
      const g = adjointGradientBatch(def, c.batch, c.inputs.flat(), c.weights.flat(2), upstream);
      const ctx = `n=${c.n_qubits} L=${c.n_layers}`;
      const check = (actual: Float64Array, expected: number[], what: string) => {
        expect(actual.length).toBe(expected.length);
        expected.forEach((v, k) =>
          expectClose(actual[k], v, { abs: QTOL.golden, rel: 0, context: `${ctx} ${what}[${k}]` }),
        );
      };
      check(g.readouts, c.outputs.flat(), 'outputs');
      check(g.gradInputs, c.grad_inputs.flat(), 'grad_inputs');
      check(g.gradWeights, c.grad_weights.flat(2), 'grad_weights');
    }
  });

  it('agrees with parameter shift and central finite differences on random circuits of every gate kind and template', () => {
    const rng = createRng(41);
    for (const n of [1, 2, 3, 4]) {
      for (let trial = 0; trial < 3; trial++) {
        const def = randomCircuit(rng, n);
        const inputs = randomVector(rng, def.nInputs);
        const weights = randomVector(rng, def.nWeights, 2);
        const g = randomVector(rng, def.readouts.length);
        const ctx = `n=${n} trial ${trial}`;
        const adj = adjointGradient(def, inputs, weights, g);
        const ps = parameterShiftGradient(def, inputs, weights, g);
        const fdIn = finiteDifferences(inputs, () => lossOf(def, inputs, weights, g));
        const fdW = finiteDifferences(weights, () => lossOf(def, inputs, weights, g));
        adj.gradInputs.forEach((v, k) => {
          expectClose(v, ps.gradInputs[k], {
            abs: QTOL.exact,
            rel: 0,
            context: `${ctx} dL/dx${k} shift`,
          });
          expectClose(v, fdIn[k], {
            abs: QTOL.finiteDifference,
            rel: 0,
            context: `${ctx} dL/dx${k} FD`,
          });
        });
        adj.gradWeights.forEach((v, k) => {
          expectClose(v, ps.gradWeights[k], {
            abs: QTOL.exact,
            rel: 0,
            context: `${ctx} dL/dw${k} shift`,
          });
          expectClose(v, fdW[k], {
            abs: QTOL.finiteDifference,
            rel: 0,
            context: `${ctx} dL/dw${k} FD`,
          });
        });
        // The gradients are not trivially zero: the check has teeth.
        expect(Math.max(...adj.gradWeights.map(Math.abs))).toBeGreaterThan(1e-3);
      }
    }
  });

  it('accumulates an input read by several gates and applies the scale (chain rule)', () => {
    // RY(2x)·RX(x) on |0⟩: ⟨Z⟩ = cos x·cos 2x, d/dx = −sin x·cos 2x − 2·cos x·sin 2x.
    const def = createCircuit({
      nQubits: 1,
      operations: [
        { kind: 'RX', wire: 0, angle: { input: 0 } },
        { kind: 'RY', wire: 0, angle: { input: 0, scale: 2 } },
      ],
      readouts: [{ kind: 'Z', wire: 0 }],
    });
    const x = 0.37;
    const single = adjointGradient(def, [x], [], [1]);
    expectClose(single.readouts[0], Math.cos(x) * Math.cos(2 * x), { abs: QTOL.exact });
    expectClose(
      single.gradInputs[0],
      -Math.sin(x) * Math.cos(2 * x) - 2 * Math.cos(x) * Math.sin(2 * x),
      { abs: QTOL.exact },
    );
  });

  it('sums the weight gradient over a batch and keeps each sample’s input gradient', () => {
    const rng = createRng(42);
    const def = hybridLayerCircuit({ nQubits: 3, nLayers: 2, readout: 'xyz' });
    const batch = 3;
    const inputs = randomVector(rng, batch * 3);
    const weights = randomVector(rng, def.nWeights);
    const upstream = randomVector(rng, batch * def.readouts.length);
    const all = adjointGradientBatch(def, batch, inputs, weights, upstream);
    const sum = new Float64Array(def.nWeights);
    for (let s = 0; s < batch; s++) {
      const one = adjointGradient(
        def,
        inputs.subarray(s * 3, s * 3 + 3),
        weights,
        upstream.subarray(s * 9, s * 9 + 9),
      );
      one.gradWeights.forEach((v, k) => (sum[k] += v));
      one.gradInputs.forEach((v, k) => expect(all.gradInputs[s * 3 + k]).toBe(v));
    }
    sum.forEach((v, k) => expectClose(all.gradWeights[k], v, { abs: QTOL.exact }));
    expect(() => adjointGradientBatch(def, batch, inputs, weights, [1])).toThrow(
      /needs 3×9 values/,
    );
  });
});
