/**
 * State vectors: 2^n complex amplitudes in one Float64Array of 2^(n+1) numbers, real and
 * imaginary parts interleaved (amplitude b is state[2b] + i·state[2b + 1]). Wire 0 is the most
 * significant bit of the basis index b, so wire w is bit (n − 1 − w).
 */
import { MAX_QUBITS } from './circuit';

export type StateVector = Float64Array;

/** The number of qubits of a state of 2^(n+1) numbers. */
export function stateQubits(state: StateVector): number {
  const n = Math.round(Math.log2(state.length / 2));
  if (n < 0 || 2 * 2 ** n !== state.length) {
    throw new Error(`A state of n qubits has 2^(n+1) numbers, not ${state.length}`);
  }
  return n;
}

/** |0…0⟩ on n qubits. */
export function zeroState(nQubits: number): StateVector {
  if (!Number.isInteger(nQubits) || nQubits < 0 || nQubits > MAX_QUBITS) {
    throw new Error(`nQubits must be a whole number in 0..${MAX_QUBITS}, got ${nQubits}`);
  }
  const state = new Float64Array(2 << nQubits);
  state[0] = 1;
  return state;
}

/** The bit mask of wire w in a basis index of n qubits. */
export function wireMask(nQubits: number, wire: number): number {
  return 1 << (nQubits - 1 - wire);
}

/** ⟨a|b⟩ = Σ conj(a_k)·b_k as [re, im]. */
export function innerProduct(a: StateVector, b: StateVector): [number, number] {
  if (a.length !== b.length) throw new Error('innerProduct: the states differ in size');
  let re = 0;
  let im = 0;
  for (let k = 0; k < a.length; k += 2) {
    re += a[k] * b[k] + a[k + 1] * b[k + 1];
    im += a[k] * b[k + 1] - a[k + 1] * b[k];
  }
  return [re, im];
}

/** ‖ψ‖² = Σ |ψ_k|² (1 for a state the simulator made). */
export function normSquared(state: StateVector): number {
  let s = 0;
  for (let k = 0; k < state.length; k++) s += state[k] * state[k];
  return s;
}

/** |ψ_b|² for every basis state b. */
export function probabilities(state: StateVector): Float64Array {
  const p = new Float64Array(state.length / 2);
  for (let b = 0; b < p.length; b++) p[b] = state[2 * b] ** 2 + state[2 * b + 1] ** 2;
  return p;
}
