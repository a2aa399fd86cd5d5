/**
 * Gradients by the parameter-shift rule: for a rotation exp(−iθP/2) (P a Pauli matrix, so the
 * generator P/2 has eigenvalues ±1/2), d⟨O⟩/dθ = [⟨O⟩(θ + π/2) − ⟨O⟩(θ − π/2)] / 2 exactly.
 * Two simulations per angle occurrence: slow, but independent of the adjoint method, which it
 * checks. Each gate that reads an input or weight is shifted on its own and the chain rule
 * sums the occurrences (scale·… for scaled inputs), as in adjoint.ts.
 */
import { applyOperation } from './applyGate';
import {
  checkParameters,
  isInputRef,
  primitiveOperations,
  resolveAngle,
  type CircuitDefinition,
  type PrimitiveOperation,
} from './circuit';
import { expectations } from './measure';
import { zeroState } from './state';

/** The parameter-shift rule's shift for Pauli rotations (radians). */
export const PARAMETER_SHIFT = Math.PI / 2;

function loss(
  def: CircuitDefinition,
  ops: readonly PrimitiveOperation[],
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  upstream: ArrayLike<number>,
): number {
  const state = zeroState(def.nQubits);
  for (const op of ops) applyOperation(state, def.nQubits, op, inputs, weights);
  const values = expectations(state, def.nQubits, def.readouts);
  let l = 0;
  for (let k = 0; k < values.length; k++) l += upstream[k] * values[k];
  return l;
}

/** dL/d(inputs, weights) for one sample, L = Σ_k upstream_k·readout_k, by parameter shift. */
export function parameterShiftGradient(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  upstream: ArrayLike<number>,
): { readonly gradInputs: Float64Array; readonly gradWeights: Float64Array } {
  checkParameters(def, inputs, weights);
  if (upstream.length !== def.readouts.length) {
    throw new Error(
      `The upstream gradient needs ${def.readouts.length} values, got ${upstream.length}`,
    );
  }
  const ops = primitiveOperations(def);
  const gradInputs = new Float64Array(def.nInputs);
  const gradWeights = new Float64Array(def.nWeights);
  ops.forEach((op, j) => {
    if (op.kind !== 'RX' && op.kind !== 'RY' && op.kind !== 'RZ') return;
    if (typeof op.angle === 'number') return;
    const theta = resolveAngle(op.angle, inputs, weights);
    const shifted = (delta: number) => {
      const copy = [...ops];
      copy[j] = { kind: op.kind, wire: op.wire, angle: theta + delta };
      return loss(def, copy, inputs, weights, upstream);
    };
    const d = (shifted(PARAMETER_SHIFT) - shifted(-PARAMETER_SHIFT)) / 2;
    if (isInputRef(op.angle)) gradInputs[op.angle.input] += (op.angle.scale ?? 1) * d;
    else gradWeights[op.angle.weight] += d;
  });
  return { gradInputs, gradWeights };
}
