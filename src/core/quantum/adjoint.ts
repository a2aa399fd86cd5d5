/**
 * Gradients by the adjoint method (Jones & Gacon 2020; PennyLane's adjoint_jacobian): for
 * L = Σ_k g_k·⟨O_k⟩ with upstream gradients g = dL/d readouts, one forward pass and one
 * backward pass give dL/dθ for every angle of the circuit, whatever their number.
 *
 * With M = Σ_k g_k·O_k, ψ_j the state after primitive operation j, and λ_j = U_{j+1}†…U_N†·M·ψ_N,
 * a rotation U_j = exp(−iθP/2) has dL/dθ = 2·Re⟨λ_j|(−i/2)·P·ψ_j⟩ = Im⟨λ_j|P·ψ_j⟩. Walking
 * backwards, ψ and λ are both undone one operation at a time, so no intermediate state is kept.
 * Rot(φ, θ, ω) is differentiated through its decomposition RZ(φ), RY(θ), RZ(ω).
 *
 * An angle bound to a weight adds dL/dθ to that weight's gradient; one bound to an input adds
 * scale·dL/dθ to that input's (an input encoded by several gates accumulates); constants have
 * no gradient.
 */
import { applyOneQubit, applyOperation, rotationAxis } from './applyGate';
import {
  checkParameters,
  isInputRef,
  primitiveOperations,
  type CircuitDefinition,
} from './circuit';
import { pauli } from './gates';
import { applyReadoutObservable, expectations } from './measure';
import { finalState, rowOf } from './simulate';
import { innerProduct } from './state';

export interface CircuitGradients {
  /** The readout values (forward pass), in the circuit's readout order. */
  readonly readouts: Float64Array;
  /** dL/d inputs, one per input. */
  readonly gradInputs: Float64Array;
  /** dL/d weights, one per weight. */
  readonly gradWeights: Float64Array;
}

function checkUpstream(def: CircuitDefinition, upstream: ArrayLike<number>, rows = 1): void {
  const width = def.readouts.length;
  if (upstream.length !== rows * width) {
    throw new Error(
      `The upstream gradient needs ${rows === 1 ? '' : `${rows}×`}${width} values (dL/d readouts), got ${upstream.length}`,
    );
  }
}

/** Readouts and dL/d(inputs, weights) for one sample, L = Σ_k upstream_k·readout_k. */
export function adjointGradient(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  upstream: ArrayLike<number>,
): CircuitGradients {
  checkParameters(def, inputs, weights);
  checkUpstream(def, upstream);
  const n = def.nQubits;
  const psi = finalState(def, inputs, weights);
  const readouts = expectations(psi, n, def.readouts);
  const lambda = applyReadoutObservable(psi, n, def.readouts, upstream);
  const gradInputs = new Float64Array(def.nInputs);
  const gradWeights = new Float64Array(def.nWeights);
  const ops = primitiveOperations(def);
  const scratch = new Float64Array(psi.length);
  for (let j = ops.length - 1; j >= 0; j--) {
    const op = ops[j];
    if (
      (op.kind === 'RX' || op.kind === 'RY' || op.kind === 'RZ') &&
      typeof op.angle !== 'number'
    ) {
      scratch.set(psi);
      applyOneQubit(scratch, n, op.wire, pauli(rotationAxis(op.kind)));
      const dTheta = innerProduct(lambda, scratch)[1];
      if (isInputRef(op.angle)) gradInputs[op.angle.input] += (op.angle.scale ?? 1) * dTheta;
      else gradWeights[op.angle.weight] += dTheta;
    }
    applyOperation(psi, n, op, inputs, weights, true);
    applyOperation(lambda, n, op, inputs, weights, true);
  }
  return { readouts, gradInputs, gradWeights };
}

export interface BatchGradients {
  /** [batch × readouts] row-major. */
  readonly readouts: Float64Array;
  /** [batch × nInputs] row-major: each sample's own input gradient. */
  readonly gradInputs: Float64Array;
  /** [nWeights]: the weights are shared, so their gradient is summed over the batch. */
  readonly gradWeights: Float64Array;
}

/**
 * The adjoint gradient over a batch: inputs [batch × nInputs] and upstream [batch × readouts]
 * row-major, the weights shared; L = Σ over samples and readouts of upstream·readout.
 */
export function adjointGradientBatch(
  def: CircuitDefinition,
  batch: number,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  upstream: ArrayLike<number>,
): BatchGradients {
  if (!Number.isInteger(batch) || batch < 0) {
    throw new Error(`batch must be a whole number ≥ 0, got ${batch}`);
  }
  if (inputs.length !== batch * def.nInputs) {
    throw new Error(
      `A batch of ${batch} needs ${batch}×${def.nInputs} inputs, got ${inputs.length}`,
    );
  }
  checkUpstream(def, upstream, batch);
  const width = def.readouts.length;
  const readouts = new Float64Array(batch * width);
  const gradInputs = new Float64Array(batch * def.nInputs);
  const gradWeights = new Float64Array(def.nWeights);
  for (let s = 0; s < batch; s++) {
    const g = adjointGradient(
      def,
      rowOf(inputs, s, def.nInputs),
      weights,
      rowOf(upstream, s, width),
    );
    readouts.set(g.readouts, s * width);
    gradInputs.set(g.gradInputs, s * def.nInputs);
    for (let k = 0; k < def.nWeights; k++) gradWeights[k] += g.gradWeights[k];
  }
  return { readouts, gradInputs, gradWeights };
}
