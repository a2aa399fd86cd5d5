/**
 * Measuring: exact expectation values of the readout observables (Pauli X, Y, Z on one wire,
 * Z⊗Z on two), and the readout observable M = Σ_k g_k·O_k applied to a state — what the
 * adjoint method starts from (λ = M·ψ for g = dL/d readouts).
 *
 * With ψ0, ψ1 the amplitudes of a pair of basis states that differ only in wire w's bit
 * (0 and 1): ⟨X_w⟩ = 2·Re Σ conj(ψ0)·ψ1, ⟨Y_w⟩ = 2·Im Σ conj(ψ0)·ψ1, ⟨Z_w⟩ = Σ |ψ0|² − |ψ1|².
 */
import type { Readout } from './circuit';
import { wireMask, type StateVector } from './state';

/** Σ over wire pairs of conj(ψ0)·ψ1 as [re, im], and Σ |ψ0|² − |ψ1|². */
function pairSums(state: StateVector, nQubits: number, wire: number): [number, number, number] {
  const mask = wireMask(nQubits, wire);
  const size = 1 << nQubits;
  let re = 0;
  let im = 0;
  let z = 0;
  for (let b0 = 0; b0 < size; b0++) {
    if (b0 & mask) continue;
    const i0 = 2 * b0;
    const i1 = 2 * (b0 | mask);
    const ar = state[i0];
    const ai = state[i0 + 1];
    const br = state[i1];
    const bi = state[i1 + 1];
    re += ar * br + ai * bi;
    im += ar * bi - ai * br;
    z += ar * ar + ai * ai - br * br - bi * bi;
  }
  return [re, im, z];
}

/** ⟨ψ|O|ψ⟩ for one readout (ψ normalised). */
export function expectation(state: StateVector, nQubits: number, readout: Readout): number {
  if (readout.kind === 'ZZ') {
    const both = wireMask(nQubits, readout.wires[0]) | wireMask(nQubits, readout.wires[1]);
    const size = 1 << nQubits;
    let s = 0;
    for (let b = 0; b < size; b++) {
      const p = state[2 * b] ** 2 + state[2 * b + 1] ** 2;
      // Z⊗Z is −1 where exactly one of the two bits is set.
      const bits = b & both;
      s += bits === 0 || bits === both ? p : -p;
    }
    return s;
  }
  const [re, im, z] = pairSums(state, nQubits, readout.wire);
  return readout.kind === 'X' ? 2 * re : readout.kind === 'Y' ? 2 * im : z;
}

/** The readouts' expectation values, in order. */
export function expectations(
  state: StateVector,
  nQubits: number,
  readouts: readonly Readout[],
): Float64Array {
  const out = new Float64Array(readouts.length);
  readouts.forEach((r, k) => (out[k] = expectation(state, nQubits, r)));
  return out;
}

/**
 * M·ψ for M = Σ_k g_k·O_k over the readouts (g real, so M is Hermitian). Returns a new state
 * (not normalised); ψ is unchanged.
 */
export function applyReadoutObservable(
  state: StateVector,
  nQubits: number,
  readouts: readonly Readout[],
  coefficients: ArrayLike<number>,
): StateVector {
  if (coefficients.length !== readouts.length) {
    throw new Error(
      `The readout observable needs ${readouts.length} coefficients, got ${coefficients.length}`,
    );
  }
  const size = 1 << nQubits;
  const out = new Float64Array(state.length);
  // The diagonal part (Z and ZZ terms) as one real factor per basis state.
  const diag = new Float64Array(size);
  readouts.forEach((r, k) => {
    const g = coefficients[k];
    if (g === 0) return;
    if (r.kind === 'Z') {
      const m = wireMask(nQubits, r.wire);
      for (let b = 0; b < size; b++) diag[b] += b & m ? -g : g;
    } else if (r.kind === 'ZZ') {
      const both = wireMask(nQubits, r.wires[0]) | wireMask(nQubits, r.wires[1]);
      for (let b = 0; b < size; b++) {
        const bits = b & both;
        diag[b] += bits === 0 || bits === both ? g : -g;
      }
    }
  });
  for (let b = 0; b < size; b++) {
    out[2 * b] = diag[b] * state[2 * b];
    out[2 * b + 1] = diag[b] * state[2 * b + 1];
  }
  // The off-diagonal part: X|0⟩ = |1⟩, X|1⟩ = |0⟩; Y|0⟩ = i|1⟩, Y|1⟩ = −i|0⟩.
  readouts.forEach((r, k) => {
    const g = coefficients[k];
    if (g === 0 || (r.kind !== 'X' && r.kind !== 'Y')) return;
    const m = wireMask(nQubits, r.wire);
    for (let b0 = 0; b0 < size; b0++) {
      if (b0 & m) continue;
      const i0 = 2 * b0;
      const i1 = 2 * (b0 | m);
      if (r.kind === 'X') {
        out[i0] += g * state[i1];
        out[i0 + 1] += g * state[i1 + 1];
        out[i1] += g * state[i0];
        out[i1 + 1] += g * state[i0 + 1];
      } else {
        // (Yψ)_0 = −i·ψ1, (Yψ)_1 = i·ψ0
        out[i0] += g * state[i1 + 1];
        out[i0 + 1] -= g * state[i1];
        out[i1] -= g * state[i0 + 1];
        out[i1 + 1] += g * state[i0];
      }
    }
  });
  return out;
}
