/**
 * Applying gates to a state vector in place (state.ts describes the layout). The plain
 * reference kernels: clear loops over amplitude pairs (one-qubit) and quadruples (two-qubit),
 * the permutation gates as swaps and sign flips.
 */
import {
  decompose,
  resolveAngle,
  type Operation,
  type PrimitiveOperation,
  type RotationAxis,
} from './circuit';
import { dagger, fromComplexMatrix, rotation, type Matrix } from './gates';
import { wireMask, type StateVector } from './state';

function checkWire(nQubits: number, wire: number): void {
  if (!Number.isInteger(wire) || wire < 0 || wire >= nQubits) {
    throw new Error(`wire must be a whole number in 0..${nQubits - 1}, got ${wire}`);
  }
}

/** Applies the 2×2 matrix m to `wire`. Returns the (mutated) state. */
export function applyOneQubit(
  state: StateVector,
  nQubits: number,
  wire: number,
  m: Matrix,
): StateVector {
  checkWire(nQubits, wire);
  if (m.length !== 8) throw new Error(`A one-qubit matrix has 8 numbers, not ${m.length}`);
  const mask = wireMask(nQubits, wire);
  const size = 1 << nQubits;
  const [m00r, m00i, m01r, m01i, m10r, m10i, m11r, m11i] = m;
  for (let b0 = 0; b0 < size; b0++) {
    if (b0 & mask) continue;
    const i0 = 2 * b0;
    const i1 = 2 * (b0 | mask);
    const ar = state[i0];
    const ai = state[i0 + 1];
    const br = state[i1];
    const bi = state[i1 + 1];
    state[i0] = m00r * ar - m00i * ai + m01r * br - m01i * bi;
    state[i0 + 1] = m00r * ai + m00i * ar + m01r * bi + m01i * br;
    state[i1] = m10r * ar - m10i * ai + m11r * br - m11i * bi;
    state[i1 + 1] = m10r * ai + m10i * ar + m11r * bi + m11i * br;
  }
  return state;
}

/**
 * Applies the 4×4 matrix m to wires [a, b]; the matrix index of a basis state is
 * 2·bit(a) + bit(b), whichever of a and b is the more significant in the state.
 */
export function applyTwoQubit(
  state: StateVector,
  nQubits: number,
  wires: readonly [number, number],
  m: Matrix,
): StateVector {
  const [a, b] = wires;
  checkWire(nQubits, a);
  checkWire(nQubits, b);
  if (a === b) throw new Error(`A two-qubit gate needs two different wires, got ${a} twice`);
  if (m.length !== 32) throw new Error(`A two-qubit matrix has 32 numbers, not ${m.length}`);
  const ma = wireMask(nQubits, a);
  const mb = wireMask(nQubits, b);
  const size = 1 << nQubits;
  const idx = [0, 0, 0, 0];
  const re = [0, 0, 0, 0];
  const im = [0, 0, 0, 0];
  for (let base = 0; base < size; base++) {
    if (base & (ma | mb)) continue;
    idx[0] = base;
    idx[1] = base | mb;
    idx[2] = base | ma;
    idx[3] = base | ma | mb;
    for (let k = 0; k < 4; k++) {
      re[k] = state[2 * idx[k]];
      im[k] = state[2 * idx[k] + 1];
    }
    for (let r = 0; r < 4; r++) {
      let sr = 0;
      let si = 0;
      for (let c = 0; c < 4; c++) {
        const mr = m[2 * (r * 4 + c)];
        const mi = m[2 * (r * 4 + c) + 1];
        sr += mr * re[c] - mi * im[c];
        si += mr * im[c] + mi * re[c];
      }
      state[2 * idx[r]] = sr;
      state[2 * idx[r] + 1] = si;
    }
  }
  return state;
}

/** CNOT(control, target): swaps the amplitudes of |…1…0…⟩ and |…1…1…⟩ (self-inverse). */
export function applyCnot(
  state: StateVector,
  nQubits: number,
  control: number,
  target: number,
): StateVector {
  checkWire(nQubits, control);
  checkWire(nQubits, target);
  if (control === target) throw new Error(`CNOT needs two different wires, got ${control} twice`);
  const mc = wireMask(nQubits, control);
  const mt = wireMask(nQubits, target);
  const size = 1 << nQubits;
  for (let b = 0; b < size; b++) {
    if (!(b & mc) || b & mt) continue;
    const i0 = 2 * b;
    const i1 = 2 * (b | mt);
    const tr = state[i0];
    const ti = state[i0 + 1];
    state[i0] = state[i1];
    state[i0 + 1] = state[i1 + 1];
    state[i1] = tr;
    state[i1 + 1] = ti;
  }
  return state;
}

/** CZ(a, b): negates the amplitudes with both bits set (symmetric, self-inverse). */
export function applyCz(state: StateVector, nQubits: number, a: number, b: number): StateVector {
  checkWire(nQubits, a);
  checkWire(nQubits, b);
  if (a === b) throw new Error(`CZ needs two different wires, got ${a} twice`);
  const both = wireMask(nQubits, a) | wireMask(nQubits, b);
  const size = 1 << nQubits;
  for (let k = 0; k < size; k++) {
    if ((k & both) !== both) continue;
    state[2 * k] = -state[2 * k];
    state[2 * k + 1] = -state[2 * k + 1];
  }
  return state;
}

const AXIS: Record<'RX' | 'RY' | 'RZ', RotationAxis> = { RX: 'X', RY: 'Y', RZ: 'Z' };

/** The axis of a rotation gate. */
export function rotationAxis(kind: 'RX' | 'RY' | 'RZ'): RotationAxis {
  return AXIS[kind];
}

function applyPrimitive(
  state: StateVector,
  nQubits: number,
  op: PrimitiveOperation,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  inverse: boolean,
): void {
  switch (op.kind) {
    case 'RX':
    case 'RY':
    case 'RZ': {
      const theta = resolveAngle(op.angle, inputs, weights);
      // R(θ)† = R(−θ)
      applyOneQubit(state, nQubits, op.wire, rotation(AXIS[op.kind], inverse ? -theta : theta));
      return;
    }
    case 'CNOT':
      applyCnot(state, nQubits, op.wires[0], op.wires[1]);
      return;
    case 'CZ':
      applyCz(state, nQubits, op.wires[0], op.wires[1]);
      return;
    case 'Unitary1': {
      const m = fromComplexMatrix(op.matrix);
      applyOneQubit(state, nQubits, op.wire, inverse ? dagger(m) : m);
      return;
    }
    case 'Unitary2': {
      const m = fromComplexMatrix(op.matrix);
      applyTwoQubit(state, nQubits, op.wires, inverse ? dagger(m) : m);
      return;
    }
  }
}

/**
 * Applies one operation (its inverse with `inverse`), its angles bound to inputs and weights.
 * Returns the (mutated) state.
 */
export function applyOperation(
  state: StateVector,
  nQubits: number,
  op: Operation,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  inverse = false,
): StateVector {
  const parts = decompose(op);
  if (inverse) {
    for (let k = parts.length - 1; k >= 0; k--) {
      applyPrimitive(state, nQubits, parts[k], inputs, weights, true);
    }
  } else {
    for (const p of parts) applyPrimitive(state, nQubits, p, inputs, weights, false);
  }
  return state;
}
