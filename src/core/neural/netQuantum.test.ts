import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../util/rng';
import { hasQnnKernel, qnnKernelFor, quantumCircuitOp } from '../quantum/qnnOp';
import { loadGoldenQnn } from '../quantum/testFixtures';
import { readoutWidth } from '../quantum/templates';
import { ParamSet } from './netLayers';
import { controlWidth, hybridLayer, SKIP_ALPHA } from './netQuantum';
import { countParameterKinds, restoreNetwork, trainNetwork } from './networks';
import { DEFAULT_NEURAL_CONFIG, type NeuralConfig, type TrainingData } from './types';

/** float32 tensors: the op's values and gradients carry single precision. */
const FLOAT32 = 2e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('the circuit as a tfjs op (CPU backend)', () => {
  for (const c of loadGoldenQnn()) {
    it(`n=${c.n_qubits}, L=${c.n_layers}: values and tf.grads equal the golden file`, () => {
      const op = quantumCircuitOp({ nQubits: c.n_qubits, nLayers: c.n_layers });
      const x = tf.tensor2d(c.inputs);
      const w = tf.tensor3d(c.weights);
      const coef = tf.tensor1d(c.loss_coefficients);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor2D, b), coef));
      const out = op(x, w);
      const [gx, gw] = tf.grads(f)([x, w]);
      const close = (t: tf.Tensor, expected: number[]) => {
        const v = t.dataSync();
        expect(v.length).toBe(expected.length);
        for (let k = 0; k < v.length; k++)
          expect(Math.abs(v[k] - expected[k])).toBeLessThan(FLOAT32 * (1 + Math.abs(expected[k])));
      };
      close(out, c.outputs.flat());
      close(gx, c.grad_inputs.flat());
      close(gw, c.grad_weights.flat(2));
      tf.dispose([x, w, coef, out, gx, gw]);
    });
  }

  it('is an error, not zeros, on a backend without a kernel', () => {
    expect(hasQnnKernel('cpu')).toBe(true);
    expect(hasQnnKernel('webgl')).toBe(true);
    // WebGPU's synchronous readback can return zeros: it needs its own kernel, never the CPU's.
    expect(hasQnnKernel('webgpu')).toBe(false);
    expect(() => qnnKernelFor('webgpu')).toThrow(/No quantum circuit kernel for the "webgpu"/);
  });
});

const CONFIG: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  encoder: 'qnn',
  hidden: 8,
  blocks: 1,
  qubits: 3,
  qlayers: 2,
};

function layerParams(config: NeuralConfig, control: boolean, d: number, out: number): ParamSet {
  const ps = new ParamSet();
  hybridLayer(ps, 'h', d, out, config, control);
  return ps;
}

describe('hybrid layer: parameters', () => {
  it('counts the classical layers, the skip and 3·n·L quantum angles', () => {
    const [d, out, n, L] = [5, 7, 3, 2];
    const r = readoutWidth('xyzzz', n);
    const ps = layerParams(CONFIG, false, d, out);
    const classical = d * n + n + r * out + out + (2 * d + d * out + out + 1);
    expect(ps.quantumSize).toBe(3 * n * L);
    expect(ps.size).toBe(classical + 3 * n * L);
    const noSkip = layerParams({ ...CONFIG, quantumSkip: false }, false, d, out);
    expect(noSkip.size).toBe(d * n + n + r * out + out + 3 * n * L);
  });

  it('the control replaces the circuit by about as many classical parameters', () => {
    for (const [n, L, readout] of [
      [4, 2, 'xyzzz'],
      [8, 3, 'xyzzz'],
      [4, 4, 'z'],
      [12, 3, 'xyz'],
    ] as const) {
      const config = { ...CONFIG, qubits: n, qlayers: L, readout };
      const quantum = layerParams(config, false, 6, 6);
      const control = layerParams(config, true, 6, 6);
      expect(control.quantumSize).toBe(0);
      const k = controlWidth(n, L, readout);
      const circuitParams = 3 * n * L;
      expect(control.size - (quantum.size - circuitParams)).toBe(
        k * (n + readoutWidth(readout, n)),
      );
      // k is the best whole width: one more or one less is no closer to the circuit's count.
      const miss = (kk: number) => Math.abs(kk * (n + readoutWidth(readout, n)) - circuitParams);
      expect(miss(k)).toBeLessThanOrEqual(miss(k + 1));
      if (k > 1) expect(miss(k)).toBeLessThanOrEqual(miss(k - 1));
    }
  });

  it('the skip starts at α = SKIP_ALPHA', () => {
    const ps = layerParams(CONFIG, false, 4, 4);
    ps.materialise(createRng(1));
    const alpha = ps.specs.findIndex((s) => s.name === 'h/skip/alpha');
    expect(ps.get(alpha).dataSync()[0]).toBeCloseTo(SKIP_ALPHA, 7);
    ps.dispose();
  });

  it('readout z takes the ⟨Z⟩ columns of the circuit', () => {
    const config = { ...CONFIG, readout: 'z' as const, quantumSkip: false };
    const ps = new ParamSet();
    const layer = hybridLayer(ps, 'h', 3, 2, config, false);
    ps.materialise(createRng(2));
    const x = tf.tensor2d([[0.3, -0.2, 0.9]]);
    const ctx = { training: false, dropout: 0, rng: null, aux: [] };
    const y = layer(x, ctx).dataSync();
    // Rebuild by hand: angles = x·A + a, ⟨Z⟩ = columns 2n..3n of the circuit, then ·B + b.
    const get = (name: string) => ps.get(ps.specs.findIndex((s) => s.name === name));
    const angles = tf.add(tf.matMul(x, get('h/angles/w') as tf.Tensor2D), get('h/angles/b'));
    const op = quantumCircuitOp({ nQubits: 3, nLayers: 2 });
    const z = tf.slice(op(angles as tf.Tensor2D, get('h/circuit/angles')), [0, 6], [-1, 3]);
    const expected = tf.add(tf.matMul(z, get('h/readout/w') as tf.Tensor2D), get('h/readout/b'));
    const e = expected.dataSync();
    for (let k = 0; k < 2; k++) expect(y[k]).toBeCloseTo(e[k], 5);
    ps.dispose();
    tf.dispose([x, angles, z, expected]);
  });
});

function tinyData(seed: number): TrainingData {
  const rng = createRng(seed);
  const rows = 60;
  const width = 3;
  const make = (f: (r: Float32Array) => number) => {
    const x = new Float32Array(rows * width);
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < width; j++) x[i * width + j] = rng.normal();
      y[i] = f(x.subarray(i * width, (i + 1) * width));
    }
    return { x, y, rows, width, subject: new Int32Array(rows) };
  };
  return {
    pk: make((r) => Math.sin(r[0]) + 0.5 * r[1]),
    pd: make((r) => Math.cos(r[1]) - 0.3 * r[2]),
    featureNames: ['a', 'b', 'c'],
  };
}

describe('hybrid encoders in training', () => {
  it('a trained QNN reports its quantum parameters and restores to the same predictions', async () => {
    const config = { ...CONFIG, maxEpochs: 3, patience: 3, framework: 'cascade' as const };
    const before = tf.memory().numTensors;
    const net = await trainNetwork(tinyData(1), tinyData(2), config);
    const kinds = countParameterKinds(config, 3, ['a', 'b', 'c']);
    expect(net.parameters).toBe(kinds.total);
    // cascade: a PK and a PD encoder, one hybrid layer each
    expect(net.quantumParameters).toBe(2 * 3 * 3 * 2);
    expect(kinds.quantum).toBe(net.quantumParameters);
    const probe = tinyData(3);
    const pd = net.predictPd(probe.pd.x, probe.pd.rows);
    expect(pd.every(Number.isFinite)).toBe(true);
    const back = restoreNetwork(config, 3, net.exportWeights(), undefined, ['a', 'b', 'c']);
    const pd2 = back.predictPd(probe.pd.x, probe.pd.rows);
    for (let k = 0; k < pd.length; k++) expect(pd2[k]).toBeCloseTo(pd[k], 5);
    net.dispose();
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the circuit angles receive gradient: they change in training', async () => {
    const config = { ...CONFIG, encoder: 'qresmlp_moe' as const, maxEpochs: 2, patience: 2 };
    const ps0 = await trainNetwork(tinyData(1), tinyData(2), { ...config, maxEpochs: 0 });
    const ps1 = await trainNetwork(tinyData(1), tinyData(2), config);
    const angles = (n: typeof ps0) =>
      n.exportWeights().filter((w) => w.name.endsWith('/circuit/angles'));
    const a0 = angles(ps0);
    const a1 = angles(ps1);
    expect(a0.length).toBeGreaterThan(0);
    let moved = 0;
    for (let i = 0; i < a0.length; i++)
      for (let k = 0; k < a0[i].values.length; k++)
        moved = Math.max(moved, Math.abs(a0[i].values[k] - a1[i].values[k]));
    expect(moved).toBeGreaterThan(1e-4);
    ps0.dispose();
    ps1.dispose();
  });
});
