/**
 * The hybrid quantum layer of the seed (DOMAIN.md) and its parameter-matched classical
 * control, as building blocks of the encoders (netLayers.ts).
 *
 * Hybrid layer, width d → out: Linear(d → n) gives n angles; the circuit (per layer RY(x_i),
 * RX(x_i), Rot(w), CNOT ring; core/quantum/fastQnn.ts) reads out ⟨X⟩, ⟨Y⟩, ⟨Z⟩, ⟨ZZ⟩ (or a
 * subset); Linear(readouts → out). With the skip on, α·Linear(GELU(LayerNorm(x))) is added,
 * α a learned scalar that starts at SKIP_ALPHA.
 *
 * The control is the same layer with the circuit replaced by a classical map of about as many
 * parameters: tanh(angles·A)·B, A [n, k], B [k, r] with no biases, k chosen so that k·(n + r)
 * is as close as possible to the circuit's 3·n·L angles. Everything else (the linear layers
 * around it, the skip) is identical, so a comparison of the two isolates the circuit.
 */
import * as tf from '@tensorflow/tfjs';
import { quantumCircuitOp } from '../quantum/qnnOp';
import { readoutWidth } from '../quantum/templates';
import { OUTPUTS_PER_WIRE } from '../quantum/fastQnn';
import { gelu, layerNorm, linear, type Forward, type ParamSet } from './netLayers';
import type { NeuralConfig, QnnReadout } from './types';

/** Where the skip's weight α starts: small, so the circuit's path dominates at first. */
export const SKIP_ALPHA = 0.1;

/** The readout's columns within the circuit's 4n outputs (X, Y, Z, ZZ blocks of n). */
function readoutSlice(readout: QnnReadout, n: number): { begin: number; size: number } {
  switch (readout) {
    case 'xyzzz':
      return { begin: 0, size: OUTPUTS_PER_WIRE * n };
    case 'xyz':
      return { begin: 0, size: 3 * n };
    case 'z':
      return { begin: 2 * n, size: n };
  }
}

/** Width of the control's hidden layer: k·(n + r) closest to the circuit's 3·n·L angles. */
export function controlWidth(nQubits: number, nLayers: number, readout: QnnReadout): number {
  const r = readoutWidth(readout, nQubits);
  return Math.max(1, Math.round((3 * nQubits * nLayers) / (nQubits + r)));
}

/** The circuit (quantum) or its classical stand-in (control): n angles → r readouts. */
function circuitBlock(ps: ParamSet, name: string, config: NeuralConfig, control: boolean): Forward {
  const n = config.qubits;
  const layers = config.qlayers;
  const r = readoutWidth(config.readout, n);
  if (control) {
    const k = controlWidth(n, layers, config.readout);
    const a = ps.add({
      name: `${name}/control/a`,
      shape: [n, k],
      init: 'glorot',
      fanIn: n,
      fanOut: k,
      decay: true,
    });
    const b = ps.add({
      name: `${name}/control/b`,
      shape: [k, r],
      init: 'glorot',
      fanIn: k,
      fanOut: r,
      decay: true,
    });
    return (x) =>
      tf.matMul(tf.tanh(tf.matMul(x, ps.get(a) as tf.Tensor2D)), ps.get(b) as tf.Tensor2D);
  }
  const w = ps.add({
    name: `${name}/circuit/angles`,
    shape: [layers, n, 3],
    init: 'angles',
    fanIn: n,
    fanOut: n,
    decay: false,
    quantum: true,
  });
  const op = quantumCircuitOp({ nQubits: n, nLayers: layers });
  const { begin, size } = readoutSlice(config.readout, n);
  return (x) => {
    const all = op(x, ps.get(w));
    return size === all.shape[1] ? all : tf.slice(all, [0, begin], [-1, size]);
  };
}

/** A hybrid layer d → out (or its classical control). */
export function hybridLayer(
  ps: ParamSet,
  name: string,
  inWidth: number,
  outWidth: number,
  config: NeuralConfig,
  control: boolean,
): Forward {
  if (!Number.isInteger(config.qubits) || config.qubits < 2 || config.qubits > 16)
    throw new Error(`qubits must be a whole number from 2 to 16, got ${config.qubits}`);
  if (!Number.isInteger(config.qlayers) || config.qlayers < 1 || config.qlayers > 8)
    throw new Error(`qlayers must be a whole number from 1 to 8, got ${config.qlayers}`);
  const toAngles = linear(ps, `${name}/angles`, inWidth, config.qubits);
  const circuit = circuitBlock(ps, name, config, control);
  const fromReadout = linear(
    ps,
    `${name}/readout`,
    readoutWidth(config.readout, config.qubits),
    outWidth,
  );
  if (!config.quantumSkip) return (x, ctx) => fromReadout(circuit(toAngles(x, ctx), ctx), ctx);
  const norm = layerNorm(ps, `${name}/skip/ln`, inWidth);
  const skip = linear(ps, `${name}/skip/fc`, inWidth, outWidth);
  const alpha = ps.add({
    name: `${name}/skip/alpha`,
    shape: [1],
    init: 'values',
    values: [SKIP_ALPHA],
    fanIn: 1,
    fanOut: 1,
    decay: false,
  });
  return (x, ctx) =>
    tf.add(
      fromReadout(circuit(toAngles(x, ctx), ctx), ctx),
      tf.mul(skip(gelu(norm(x, ctx)), ctx), ps.get(alpha)),
    ) as tf.Tensor2D;
}
