/**
 * Simulating a circuit: |0…0⟩ through every operation (angles bound to one sample's inputs and
 * the weights), then the readouts' exact expectation values. The plain reference simulator;
 * fast kernels are tested against it.
 */
import { applyOperation } from './applyGate';
import { checkParameters, type CircuitDefinition } from './circuit';
import { expectations } from './measure';
import { zeroState, type StateVector } from './state';

export interface SimulationResult {
  /** The final state (state.ts layout). */
  readonly state: StateVector;
  /** The readouts' expectation values, in the circuit's readout order. */
  readonly readouts: Float64Array;
}

/** The final state of the circuit for one sample. */
export function finalState(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): StateVector {
  checkParameters(def, inputs, weights);
  const state = zeroState(def.nQubits);
  for (const op of def.operations) applyOperation(state, def.nQubits, op, inputs, weights);
  return state;
}

/** The final state and readout values for one sample. */
export function simulate(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): SimulationResult {
  const state = finalState(def, inputs, weights);
  return { state, readouts: expectations(state, def.nQubits, def.readouts) };
}

/** One row of a row-major [rows × width] array. */
export function rowOf(values: ArrayLike<number>, row: number, width: number): Float64Array {
  const out = new Float64Array(width);
  for (let k = 0; k < width; k++) out[k] = values[row * width + k];
  return out;
}

/**
 * The readouts of a batch: inputs is [batch × nInputs] row-major, the weights are shared;
 * returns [batch × readouts] row-major.
 */
export function simulateBatch(
  def: CircuitDefinition,
  batch: number,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): Float64Array {
  if (!Number.isInteger(batch) || batch < 0) {
    throw new Error(`batch must be a whole number ≥ 0, got ${batch}`);
  }
  if (inputs.length !== batch * def.nInputs) {
    throw new Error(
      `A batch of ${batch} needs ${batch}×${def.nInputs} inputs, got ${inputs.length}`,
    );
  }
  const width = def.readouts.length;
  const out = new Float64Array(batch * width);
  for (let s = 0; s < batch; s++) {
    const { readouts } = simulate(def, rowOf(inputs, s, def.nInputs), weights);
    out.set(readouts, s * width);
  }
  return out;
}
